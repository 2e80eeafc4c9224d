/**
 * The integer ONNX graph of a transformer integer graph: int64 ops that onnxruntime-node runs on
 * the CPU provider, bit for bit the reference executor (docs/SEMANTICS.md, "Transformer ops").
 * Single stream: the input `input` is `[T]` token ids, the output `output` the `[T, vocab]` logits.
 *
 * Exactness rules, as in lib/model/intgraph.ts: onnxruntime's int64 `Div` truncates toward zero, so
 * every floor division of a value that may be negative is `(z - Mod(z, d)) / d` (Mod with fmod=0
 * takes the divisor's sign); a plain `Div` only where the dividend is provably >= 0. No int64 `Max`
 * or `Min` (broken in onnxruntime 1.30 for values with bit 31 set): `Less` + `Where` instead. The
 * shift of i-exp is a `BitShift` on uint64 (values >= 0). The square root is the float root of the
 * value (Cast to double, Sqrt, Floor), then one correction each way, which makes it the exact floor
 * (the double root is within 1 of it for every int64).
 */
import {
  attrInt,
  attrInts,
  DataType,
  int64Tensor,
  node,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  vaiModel,
  valueInfo,
} from '../../onnx/index.js';
import { avgWeight, compiledGraph, type GraphNode, type IntGraph, softmaxFloor, type TransformerOp } from '../../semantics/index.js';
import { OnnxImportError } from '../errors.js';

/** ONNX `TensorProto.UINT64` (the shift of i-exp runs on unsigned values). */
const UINT64 = 13;

/** Opset: Mod fmod (10+), ReduceSum with axes as an input (13), BitShift (11). */
export const GPT_INT_OPSET = 13;

class Writer {
  readonly nodes: OnnxNode[] = [];
  readonly inits: OnnxTensor[] = [];
  private n = 0;
  private readonly consts = new Map<string, string>();
  fresh(hint: string): string {
    return `${hint}_${this.n++}`;
  }
  /** An int64 constant (scalars are shared by value). */
  const(values: readonly bigint[], dims: number[] = []): string {
    const key = dims.length === 0 ? `s${values[0]}` : '';
    const hit = key ? this.consts.get(key) : undefined;
    if (hit) return hit;
    const name = this.fresh('c');
    this.inits.push(int64Tensor(name, dims, values));
    if (key) this.consts.set(key, name);
    return name;
  }
  op(type: string, inputs: string[], attrs: OnnxAttribute[] = []): string {
    const out = this.fresh(type);
    this.nodes.push(node(type, inputs, [out], attrs, out));
    return out;
  }
  /** `floor(z / d)` for a constant `d > 0` and any `z`. */
  floorDivConst(z: string, d: bigint): string {
    const c = this.const([d]);
    return this.op('Div', [this.op('Sub', [z, this.op('Mod', [z, c], [attrInt('fmod', 0)])]), c]);
  }
  /** `floor(z / d)` for a tensor `d > 0`. */
  floorDiv(z: string, d: string): string {
    return this.op('Div', [this.op('Sub', [z, this.op('Mod', [z, d], [attrInt('fmod', 0)])]), d]);
  }
  rescale(a: string, S: number): string {
    return this.floorDivConst(this.op('Add', [a, this.const([1n << BigInt(S - 1)])]), 1n << BigInt(S));
  }
  where(cond: string, a: string, b: string): string {
    return this.op('Where', [cond, a, b]);
  }
  less(a: string, b: string): string {
    return this.op('Less', [a, b]);
  }
}

const big = (v: readonly number[]): bigint[] => v.map((x) => BigInt(x));

function lowerTransformer(w: Writer, node: TransformerOp, ins: string[], shapes: number[][], S: number): string {
  const x = ins[0]!;
  const shape = shapes[0]!;
  const last = shape[shape.length - 1]!;
  switch (node.op) {
    case 'embedding': {
      const D = node.table.length / node.vocab;
      const e = w.op('Gather', [w.const(big(node.table), [node.vocab, D]), x], [attrInt('axis', 0)]);
      return node.positions.length ? w.op('Add', [e, w.const(big(node.positions), [last, D])]) : e;
    }
    case 'linear': {
      const N = node.outDim;
      const wt = new Array<bigint>(last * N);
      for (let n = 0; n < N; n++) for (let k = 0; k < last; k++) wt[k * N + n] = BigInt(node.weights[n * last + k]!);
      return w.rescale(w.op('Add', [w.op('MatMul', [x, w.const(wt, [last, N])]), w.const(big(node.bias), [N])]), S);
    }
    case 'matmul':
      return w.rescale(w.op('MatMul', [x, ins[1]!]), S);
    case 'mean': {
      // ReduceSum over the axis, times round(2^S / n), then the rescale (the sum is exact in int64).
      const sum = w.op('ReduceSum', [x, w.const([BigInt(node.axis)], [1])], [attrInt('keepdims', node.keepDims ? 1 : 0)]);
      return w.rescale(w.op('Mul', [sum, w.const([BigInt(avgWeight(S, shape[node.axis]!))])]), S);
    }
    case 'slice':
      return w.op('Slice', [x, w.const([BigInt(node.start)], [1]), w.const([BigInt(node.end)], [1]), w.const([BigInt(node.axis)], [1])]);
    case 'gelu': {
      const seg = 1n << BigInt(node.segBits);
      const a = w.op('Abs', [x]);
      const inside = w.less(a, w.const([BigInt(node.c0.length) * seg]));
      const au = w.where(inside, a, w.const([0n]));
      const k = w.op('Div', [au, w.const([seg])]); // au >= 0: truncation is the floor
      const t = w.op('Sub', [au, w.op('Mul', [k, w.const([seg])])]);
      const pick = (c: number[]) => w.op('Gather', [w.const(big(c), [c.length]), k], [attrInt('axis', 0)]);
      const inner = w.rescale(w.op('Mul', [pick(node.c2), t]), S);
      const z = w.op('Add', [w.op('Mul', [pick(node.c0), w.const([1n << BigInt(S)])]), w.op('Mul', [w.op('Add', [pick(node.c1), inner]), t])]);
      const h = w.rescale(w.where(inside, z, w.const([0n])), S);
      const relu = w.where(w.less(x, w.const([0n])), w.const([0n]), x);
      return w.op('Sub', [relu, h]);
    }
    case 'softmax': {
      const T = shape[shape.length - 2] ?? 1;
      const allowed = new Array<bigint>(T * last);
      for (let r = 0; r < T; r++) for (let c = 0; c < last; c++) allowed[r * last + c] = !node.causal || c <= r ? 1n : 0n;
      const mask = w.op('Cast', [w.const(allowed, [T, last])], [attrInt('to', DataType.BOOL)]);
      const masked = w.where(mask, x, w.const([-(1n << 62n)]));
      const m = w.op('ReduceMax', [masked], [attrInts('axes', [-1]), attrInt('keepdims', 1)]);
      const d0 = w.op('Sub', [x, m]);
      const floor = w.const([softmaxFloor(node, S)]);
      const d = w.where(w.less(d0, floor), floor, d0);
      const L = w.const([BigInt(node.ln2)]);
      const z = w.op('Div', [w.op('Neg', [d]), L]); // -d >= 0
      const q = w.op('Add', [w.op('Add', [d, w.op('Mul', [z, L])]), w.const([BigInt(node.b)])]);
      const poly = w.op('Add', [w.op('Mul', [w.const([BigInt(node.a)]), w.op('Mul', [q, q])]), w.const([BigInt(node.c) << BigInt(2 * S)])]);
      const e0 = w.rescale(poly, S);
      const shifted = w.op(
        'BitShift',
        [w.op('Cast', [e0], [attrInt('to', UINT64)]), w.op('Cast', [z], [attrInt('to', UINT64)])],
        [{ name: 'direction', kind: 'string', value: 'RIGHT' }],
      );
      const e = w.where(mask, w.op('Cast', [shifted], [attrInt('to', DataType.INT64)]), w.const([0n]));
      const s = w.op('ReduceSum', [e, w.const([-1n], [1])], [attrInt('keepdims', 1)]);
      const num = w.op('Add', [w.op('Mul', [e, w.const([1n << BigInt(S + 1)])]), s]);
      return w.op('Div', [num, w.op('Mul', [s, w.const([2n])])]); // both >= 0
    }
    case 'layernorm': {
      const D = BigInt(last);
      const axes = w.const([-1n], [1]);
      const s = w.op('ReduceSum', [x, axes], [attrInt('keepdims', 1)]);
      const mean = w.floorDivConst(w.op('Add', [w.op('Mul', [s, w.const([2n])]), w.const([D])]), 2n * D);
      const d = w.op('Sub', [x, mean]);
      const v = w.op('ReduceSum', [w.op('Mul', [d, d]), axes], [attrInt('keepdims', 1)]);
      const n = w.op('Add', [w.op('Div', [v, w.const([D])]), w.const([BigInt(node.epsilon)])]); // v >= 0
      const root = w.op('Cast', [w.op('Floor', [w.op('Sqrt', [w.op('Cast', [n], [attrInt('to', DataType.DOUBLE)])])])], [attrInt('to', DataType.INT64)]);
      const one = w.const([1n]);
      const down = w.where(w.op('Greater', [w.op('Mul', [root, root]), n]), w.op('Sub', [root, one]), root);
      const up1 = w.op('Add', [down, one]);
      const r = w.where(w.op('Greater', [w.op('Mul', [up1, up1]), n]), down, up1);
      const zero = w.op('Equal', [r, w.const([0n])]);
      const safe = w.where(zero, one, r);
      const num = w.op('Add', [w.op('Mul', [d, w.const([1n << BigInt(S + 1)])]), safe]);
      const norm = w.where(zero, w.const([0n]), w.floorDiv(num, w.op('Mul', [safe, w.const([2n])])));
      return w.rescale(w.op('Add', [w.op('Mul', [norm, w.const(big(node.gamma), [last])]), w.const(big(node.beta), [last])]), S);
    }
  }
}

function lower(w: Writer, node: GraphNode, ins: string[], shapes: number[][], S: number): string {
  const x = ins[0]!;
  switch (node.op) {
    case 'add':
      return w.op('Add', [x, ins[1]!]);
    case 'reshape':
      return w.op('Reshape', [x, w.const(big(node.shape), [node.shape.length])]);
    case 'transpose':
      return w.op('Transpose', [x], [attrInts('perm', node.perm)]);
    case 'affine': {
      // Per channel of axis 0: the scale and bias broadcast as [C, 1, ...].
      const dims = [shapes[0]![0]!, ...shapes[0]!.slice(1).map(() => 1)];
      return w.rescale(w.op('Add', [w.op('Mul', [x, w.const(big(node.scale), dims)]), w.const(big(node.bias), dims)]), S);
    }
    case 'embedding':
    case 'linear':
    case 'matmul':
    case 'softmax':
    case 'layernorm':
    case 'gelu':
    case 'slice':
    case 'mean':
      return lowerTransformer(w, node, ins, shapes, S);
    default:
      throw new OnnxImportError(`node "${node.name}": op ${node.op} has no integer ONNX lowering for transformers yet`);
  }
}

/** Writes the int64 ONNX graph of a transformer integer graph (refuses unbounded graphs first). */
export function buildTransformerOnnx(graph: IntGraph, producerVersion: string): OnnxModel {
  const c = compiledGraph(graph);
  const w = new Writer();
  const names = ['input'];
  graph.nodes.forEach((n) => {
    names.push(
      lower(
        w,
        n,
        n.inputs.map((id) => names[id]!),
        n.inputs.map((id) => c.shapes[id]!),
        graph.scaleBits,
      ),
    );
  });
  w.nodes.push(node('Identity', [names.at(-1)!], ['output'], [], '/output'));
  return vaiModel(
    {
      name: 'vai_integer_transformer',
      nodes: w.nodes,
      initializers: w.inits,
      inputs: [valueInfo('input', DataType.INT64, graph.inputShape)],
      outputs: [valueInfo('output', DataType.INT64, graph.nodes.at(-1)!.shape)],
    },
    GPT_INT_OPSET,
    producerVersion,
  );
}
