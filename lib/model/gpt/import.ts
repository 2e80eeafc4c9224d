/**
 * Import of a decoder-only transformer written by `torch.onnx.export` into the integer graph: the
 * ONNX graph is walked in order, its constants kept aside, and each data node (or the small pattern
 * the exporter writes for one PyTorch call: GELU's erf form, the causal mask's Where before a
 * Softmax, a MatMul with its bias Add) becomes one integer node. The batch axis (size 1) is dropped.
 */
import { DataType, type OnnxModel, type OnnxNode, type OnnxTensor } from '../../onnx/index.js';
import { GraphBuilder, type IntGraph, type NodeSpec, quantize } from '../../semantics/index.js';
import { OnnxImportError, UnsupportedOpError } from '../errors.js';
import { type Const, foldNode } from './fold.js';
import { geluOp, softmaxConstants } from './ops.js';

/** A data tensor: its id in the integer graph and its ONNX shape (batch axis first). */
type Data = { id: number; dims: number[] };

export type TransformerImport = { graph: IntGraph; vocab: number; context: number };

const qi = (v: number, bits: number): number => Number(quantize(v, bits));
const size = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

function tensorConst(t: OnnxTensor): Const {
  return { dims: [...t.dims], values: Array.from(t.data as ArrayLike<number | bigint>, Number) };
}

/** ONNX element types whose Div truncates (integers) rather than divides. */
const INTEGER_TYPES = new Set([DataType.INT32, DataType.INT64, DataType.BOOL, DataType.UINT8, DataType.INT8]);

function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a?.kind === 'int' ? Number(a.value) : fallback;
}

function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a?.kind === 'float' ? a.value : fallback;
}

function intsAttr(node: OnnxNode, name: string): number[] | null {
  const a = node.attributes.find((x) => x.name === name);
  return a?.kind === 'ints' ? a.value.map(Number) : null;
}

/** Whether `cond` (ONNX `[.., T, T]`) is true exactly above the diagonal: the causal mask `c > r`. */
function isCausalMask(cond: Const): boolean {
  const t = cond.dims.at(-1)!;
  if (cond.dims.at(-2) !== t || size(cond.dims) !== t * t) return false;
  for (let r = 0; r < t; r++) for (let c = 0; c < t; c++) if ((cond.values[r * t + c] !== 0) !== c > r) return false;
  return true;
}

/**
 * Imports the transformer at scale 2^S. Throws {@link UnsupportedOpError} naming the node for any
 * op or form outside the supported set, {@link OnnxImportError} for graphs that are not one input of
 * token ids and one output.
 */
export function importTransformer(model: OnnxModel, scaleBits: number): TransformerImport {
  const g = model.graph;
  const S = scaleBits;
  const consts = new Map<string, Const>();
  for (const t of g.initializers) consts.set(t.name, tensorConst(t));
  const integer = new Set<string>(g.initializers.filter((t) => INTEGER_TYPES.has(t.dataType as never)).map((t) => t.name));
  // Constants first, Constant nodes and every node of constants only (the shape arithmetic of an
  // export without constant folding): the patterns below look ahead at constants written later.
  const fold = (n: OnnxNode): boolean => {
    const v = n.attributes.find((a) => a.name === 'value');
    if (n.opType === 'Constant' && v?.kind === 'tensor') {
      consts.set(n.outputs[0]!, tensorConst(v.value));
      if (INTEGER_TYPES.has(v.value.dataType as never)) integer.add(n.outputs[0]!);
      return true;
    }
    const ins = n.inputs.filter((i) => i !== '');
    if (n.opType === 'Constant' || n.outputs.length !== 1 || ins.length === 0 || !ins.every((i) => consts.has(i))) return false;
    const y = foldNode(
      n,
      n.inputs.map((i) => consts.get(i) ?? { dims: [0], values: [] }),
      n.inputs.map((i) => integer.has(i)),
    );
    if (!y) return false;
    consts.set(n.outputs[0]!, y);
    const to = n.attributes.find((a) => a.name === 'to');
    if (n.opType === 'Cast' ? to?.kind === 'int' && INTEGER_TYPES.has(Number(to.value) as never) : ins.some((i) => integer.has(i))) integer.add(n.outputs[0]!);
    return true;
  };
  for (const n of g.nodes) fold(n);
  const inputs = g.inputs.filter((v) => !consts.has(v.name));
  if (inputs.length !== 1) throw new OnnxImportError(`expected one input of token ids, found ${inputs.length}`);
  const input = inputs[0]!;
  const inDims = input.shape?.map((d) => (typeof d === 'number' ? d : 0)) ?? [];
  if (inDims.length !== 2 || inDims[0] !== 1 || !(inDims[1]! > 0))
    throw new OnnxImportError(`the token input must be [1, T] with a fixed T, not [${input.shape?.join(', ')}]`);
  const context = inDims[1]!;
  const data = new Map<string, Data>([[input.name, { id: 0, dims: inDims }]]);
  // The batch axis (size 1) stays an ordinary axis: exporters move it (nn.MultiheadAttention works
  // on [T, B, D]) and fold it into the heads ([B·H, T, d]).
  const builder = new GraphBuilder(inDims);
  let vocab = 0;

  // Consumers of every tensor, to follow the exporter's patterns forward.
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const only = (name: string, opType: string): OnnxNode | null => {
    const c = consumers.get(name) ?? [];
    return c.length === 1 && c[0]!.opType === opType ? c[0]! : null;
  };
  const done = new Set<OnnxNode>();

  const constOf = (name: string): Const | null => consts.get(name) ?? null;
  const scalarOf = (name: string): number | null => {
    const c = constOf(name);
    return c && c.values.length === 1 ? c.values[0]! : null;
  };
  const add = (spec: NodeSpec, onnxDims: number[], name: string, output: string): void => {
    const id = builder.add({ ...spec, name } as NodeSpec);
    if (builder.shapeOf(id).join(',') !== onnxDims.join(',')) {
      throw new OnnxImportError(`node "${name}" computes [${builder.shapeOf(id).join(', ')}], the ONNX graph says [${onnxDims.join(', ')}]`);
    }
    data.set(output, { id, dims: onnxDims });
  };
  const axisOf = (node: OnnxNode, axis: number, rank: number): number => {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new UnsupportedOpError(node.opType, node.name, `axis ${axis} of a rank-${rank} tensor`);
    return a;
  };

  for (const node of g.nodes) {
    if (done.has(node)) continue;
    const fail = (reason: string): never => {
      throw new UnsupportedOpError(node.opType, node.name, reason);
    };
    const x = data.get(node.inputs[0] ?? '');
    const out = node.outputs[0]!;
    // Nodes of constants only (the exporter's Constant nodes and folded shape arithmetic) stay constants.
    if (node.opType === 'Constant' && !consts.has(out)) fail('only Constant nodes with a tensor value are supported');
    if (node.outputs.every((o) => consts.has(o))) continue;
    // The shape of a data tensor is known here (fixed context): a constant, and what reads it folds.
    if (node.opType === 'Shape' && x) {
      consts.set(out, { dims: [x.dims.length], values: [...x.dims] });
      integer.add(out);
      continue;
    }
    if (fold(node)) continue;
    if (node.opType === 'Identity' || node.opType === 'Dropout') {
      const c = constOf(node.inputs[0]!);
      if (c) consts.set(out, c);
      else if (x) data.set(out, x);
      continue;
    }
    switch (node.opType) {
      case 'Gather': {
        const table = constOf(node.inputs[0]!);
        const ids = data.get(node.inputs[1]!);
        if (!table || ids?.id !== 0 || table.dims.length !== 2 || intAttr(node, 'axis', 0) !== 0)
          fail('only Gather of a constant [vocab, D] table by the token ids (an embedding)');
        const [v, d] = table!.dims as [number, number];
        vocab = v;
        // The position embedding the exporter folds to a constant [T, D] (or [1, T, D]) added right after.
        const next = only(out, 'Add');
        const other = next ? next.inputs.find((i) => i !== out) : undefined;
        const pos = other === undefined ? null : constOf(other);
        // (Finite values only: an additive attention mask of the same size is not a position table.)
        const positions = pos && size(pos.dims) === context * d && pos.values.every(Number.isFinite) ? pos.values.map((p) => qi(p, S)) : [];
        if (positions.length && next) done.add(next);
        add(
          { op: 'embedding', vocab: v, table: table!.values.map((t) => qi(t, S)), positions, inputs: [0] },
          [1, context, d],
          node.name,
          positions.length && next ? next.outputs[0]! : out,
        );
        continue;
      }
      case 'MatMul': {
        const w = constOf(node.inputs[1]!);
        const b = data.get(node.inputs[1]!);
        if (!x) fail('the left operand must be data');
        if (w) {
          if (w.dims.length !== 2) fail(`weights of shape [${w.dims.join(', ')}] (a [K, N] matrix expected)`);
          const [k, n] = w.dims as [number, number];
          const weights = new Array<number>(k * n);
          for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) weights[j * k + i] = qi(w.values[i * n + j]!, S);
          // nn.Linear exports MatMul then Add(bias, ·): fold the bias into the node.
          const next = only(out, 'Add');
          const other = next ? next.inputs.find((i) => i !== out) : undefined;
          const bias = other === undefined ? null : constOf(other);
          const fold = bias !== null && size(bias.dims) === n;
          if (fold && next) done.add(next);
          add(
            { op: 'linear', outDim: n, weights, bias: fold ? bias.values.map((v) => qi(v, 2 * S)) : new Array<number>(n).fill(0), inputs: [x!.id] },
            [...x!.dims.slice(0, -1), n],
            node.name,
            fold && next ? next.outputs[0]! : out,
          );
        } else if (b) {
          add({ op: 'matmul', inputs: [x!.id, b.id] }, [...x!.dims.slice(0, -1), b.dims.at(-1)!], node.name, out);
        } else fail('the right operand is neither data nor a constant');
        continue;
      }
      case 'Add': {
        // An additive causal mask before a Softmax (0 where allowed, -inf above the diagonal), as
        // scaled_dot_product_attention(is_causal=True) and hand-written masks export it.
        const scoresName = node.inputs.find((i) => data.has(i));
        const maskC = constOf(node.inputs.find((i) => i !== scoresName) ?? '');
        const softmax = only(out, 'Softmax');
        if (scoresName && maskC && softmax) {
          const scores = data.get(scoresName)!;
          const masked = { dims: maskC.dims, values: maskC.values.map((v) => (v <= -1e9 ? 1 : v === 0 ? 0 : Number.NaN)) };
          if (!isCausalMask(masked)) fail('an additive mask before Softmax that is not causal (0 on and below the diagonal, -inf above)');
          if (axisOf(softmax, intAttr(softmax, 'axis', -1), scores.dims.length) !== scores.dims.length - 1) fail('Softmax not on the last axis');
          done.add(softmax);
          add({ ...softmaxConstants(S, true), inputs: [scores.id] }, scores.dims, softmax.name, softmax.outputs[0]!);
          continue;
        }
        const y = data.get(node.inputs[1]!);
        if (!x || !y) fail('only Add of two data tensors (residuals) and the biases folded into MatMul/Gather');
        if (x!.dims.join(',') !== y!.dims.join(',')) fail(`Add of [${x!.dims.join(', ')}] and [${y!.dims.join(', ')}] (no broadcasting)`);
        add({ op: 'add', inputs: [x!.id, y!.id] }, x!.dims, node.name, out);
        continue;
      }
      case 'Gelu': {
        // The ONNX op (opset 20), exact or tanh form.
        const a = node.attributes.find((t) => t.name === 'approximate');
        const form = a?.kind === 'string' && a.value === 'tanh' ? 'tanh' : 'erf';
        if (!x) fail('Gelu of a constant');
        add({ ...geluOp(S, form), inputs: [x!.id] }, x!.dims, node.name, out);
        continue;
      }
      case 'Mul':
      case 'Div': {
        // GELU's tanh form (approximate='tanh'): Mul(x, x) → Mul(x) → Mul(0.044715) → Add(x) →
        // Mul(√(2/π)) → Tanh → Add(1) → Mul(x) → Mul(0.5).
        if (node.opType === 'Mul' && x && node.inputs[1] === node.inputs[0]) {
          const xn = node.inputs[0]!;
          const other = (n: OnnxNode | null, from: string) => (n ? (n.inputs.find((i) => i !== from) ?? from) : '');
          const cube = only(out, 'Mul');
          const k1 = cube && other(cube, out) === xn ? only(cube.outputs[0]!, 'Mul') : null;
          const inner = k1 && Math.abs((scalarOf(other(k1, cube!.outputs[0]!)) ?? 0) - 0.044715) < 1e-6 ? only(k1.outputs[0]!, 'Add') : null;
          const k2 = inner && other(inner, k1!.outputs[0]!) === xn ? only(inner.outputs[0]!, 'Mul') : null;
          const tanh = k2 && Math.abs((scalarOf(other(k2, inner!.outputs[0]!)) ?? 0) - Math.sqrt(2 / Math.PI)) < 1e-6 ? only(k2.outputs[0]!, 'Tanh') : null;
          const plus = tanh ? only(tanh.outputs[0]!, 'Add') : null;
          const times = plus && scalarOf(other(plus, tanh!.outputs[0]!)) === 1 ? only(plus.outputs[0]!, 'Mul') : null;
          const half = times && other(times, plus!.outputs[0]!) === xn ? only(times.outputs[0]!, 'Mul') : null;
          if (!half || scalarOf(other(half, times!.outputs[0]!)) !== 0.5) fail('a square that is not the tanh form of GELU');
          for (const n of [cube!, k1!, inner!, k2!, tanh!, plus!, times!, half!]) done.add(n);
          add({ ...geluOp(S, 'tanh'), inputs: [x.id] }, x.dims, node.name, half!.outputs[0]!);
          continue;
        }
        // GELU's erf form: Div(x, √2) → Erf → Add(1) → Mul(x, ·) → Mul(0.5).
        const k = scalarOf(node.inputs[1]!);
        if (!x || k === null) fail('only data times (or over) a constant scalar');
        const erfNode = node.opType === 'Div' ? only(out, 'Erf') : null;
        if (erfNode && Math.abs(k! - Math.SQRT2) < 1e-4) {
          const plus = only(erfNode.outputs[0]!, 'Add');
          const times = plus ? only(plus.outputs[0]!, 'Mul') : null;
          const half = times ? only(times.outputs[0]!, 'Mul') : null;
          const one = plus ? scalarOf(plus.inputs.find((i) => i !== erfNode.outputs[0])!) : null;
          const h = half ? scalarOf(half.inputs.find((i) => i !== times!.outputs[0])!) : null;
          if (!plus || !times || !half || one !== 1 || h !== 0.5 || !times.inputs.includes(node.inputs[0]!)) fail('an Erf that is not the erf form of GELU');
          for (const n of [erfNode, plus!, times!, half!]) done.add(n);
          add({ ...geluOp(S), inputs: [x!.id] }, x!.dims, node.name, half!.outputs[0]!);
          continue;
        }
        const factor = node.opType === 'Div' ? 1 / k! : k!;
        // A scalar factor (the attention's 1/√d) is an affine node with the same scale on every channel.
        const channels = x!.dims[0]!;
        add(
          { op: 'affine', scale: new Array<number>(channels).fill(qi(factor, S)), bias: new Array<number>(channels).fill(0), inputs: [x!.id] },
          x!.dims,
          node.name,
          out,
        );
        continue;
      }
      case 'Where': {
        // masked_fill(mask, -inf) before a Softmax: the causal mask.
        const cond = constOf(node.inputs[0]!);
        const fill = scalarOf(node.inputs[1]!);
        const scores = data.get(node.inputs[2]!);
        const soft = only(out, 'Softmax');
        if (!cond || fill === null || !scores || !soft) fail('only the masked_fill(mask, -inf) of attention scores before a Softmax');
        if (!(fill! <= -1e9) || !isCausalMask(cond!)) fail('the mask is not causal (true exactly where column > row) with -inf');
        if (axisOf(soft!, intAttr(soft!, 'axis', -1), scores!.dims.length) !== scores!.dims.length - 1) fail('Softmax not on the last axis');
        done.add(soft!);
        add({ ...softmaxConstants(S, true), inputs: [scores!.id] }, scores!.dims, soft!.name, soft!.outputs[0]!);
        continue;
      }
      case 'Softmax': {
        if (!x) fail('Softmax of a constant');
        if (axisOf(node, intAttr(node, 'axis', -1), x!.dims.length) !== x!.dims.length - 1) fail('Softmax not on the last axis');
        add({ ...softmaxConstants(S, false), inputs: [x!.id] }, x!.dims, node.name, out);
        continue;
      }
      case 'ReduceMean': {
        // Layer norm as exporters below opset 17 write it: ReduceMean → Sub → Pow(2) → ReduceMean →
        // Add(ε) → Sqrt → Div (→ Mul(γ) → Add(β)), all over the last axis.
        const axes = node.inputs[1] ? constOf(node.inputs[1])?.values : intsAttr(node, 'axes');
        if (!x || axes?.length !== 1) fail('only a mean over one axis of data');
        const meanAxis = axisOf(node, axes![0]!, x!.dims.length);
        const sub = (consumers.get(out) ?? []).find((n) => n.opType === 'Sub' && n.inputs[0] === node.inputs[0] && n.inputs[1] === out);
        const centred = sub?.outputs[0] ?? '';
        const pow = (consumers.get(centred) ?? []).find((n) => n.opType === 'Pow' && scalarOf(n.inputs[1]!) === 2);
        const variance = pow ? only(pow.outputs[0]!, 'ReduceMean') : null;
        const plus = variance ? only(variance.outputs[0]!, 'Add') : null;
        const eps = plus ? scalarOf(plus.inputs.find((i) => i !== variance!.outputs[0])!) : null;
        const sqrt = plus ? only(plus.outputs[0]!, 'Sqrt') : null;
        const div = sqrt ? only(sqrt.outputs[0]!, 'Div') : null;
        if (
          !sub ||
          !pow ||
          !variance ||
          eps === null ||
          !sqrt ||
          !div ||
          div.inputs[0] !== centred ||
          (consumers.get(centred) ?? []).length !== 2 ||
          meanAxis !== x!.dims.length - 1
        ) {
          // Not a layer norm: a plain mean (pooling over the tokens before a classifier head).
          const keepDims = intAttr(node, 'keepdims', 1) === 1;
          const dims = keepDims ? x!.dims.map((d, i) => (i === meanAxis ? 1 : d)) : x!.dims.filter((_, i) => i !== meanAxis);
          add({ op: 'mean', axis: meanAxis, keepDims, inputs: [x!.id] }, dims, node.name, out);
          continue;
        }
        const d = x!.dims.at(-1)!;
        const vecOf = (n: OnnxNode | null, from: string): [OnnxNode, Const] | null => {
          const c = n ? constOf(n.inputs.find((i) => i !== from) ?? '') : null;
          return n && c && size(c.dims) === d ? [n, c] : null;
        };
        const mul = vecOf(only(div!.outputs[0]!, 'Mul'), div!.outputs[0]!);
        const shift = mul ? vecOf(only(mul[0].outputs[0]!, 'Add'), mul[0].outputs[0]!) : null;
        for (const n of [sub!, pow!, variance!, plus!, sqrt!, div!, mul?.[0], shift?.[0]]) if (n) done.add(n);
        add(
          {
            op: 'layernorm',
            gamma: mul ? mul[1].values.map((v) => qi(v, S)) : new Array<number>(d).fill(qi(1, S)),
            beta: shift ? shift[1].values.map((v) => qi(v, 2 * S)) : new Array<number>(d).fill(0),
            epsilon: qi(eps!, 2 * S),
            inputs: [x!.id],
          },
          x!.dims,
          node.name,
          (shift?.[0] ?? mul?.[0] ?? div!).outputs[0]!,
        );
        continue;
      }
      case 'LayerNormalization': {
        const gamma = constOf(node.inputs[1]!);
        const beta = node.inputs[2] ? constOf(node.inputs[2]) : null;
        if (!x || !gamma) fail('LayerNormalization of data with a constant scale');
        if (axisOf(node, intAttr(node, 'axis', -1), x!.dims.length) !== x!.dims.length - 1) fail('LayerNormalization not over the last axis only');
        const d = x!.dims.at(-1)!;
        add(
          {
            op: 'layernorm',
            gamma: gamma!.values.map((v) => qi(v, S)),
            beta: beta ? beta.values.map((v) => qi(v, 2 * S)) : new Array<number>(d).fill(0),
            epsilon: qi(floatAttr(node, 'epsilon', 1e-5), 2 * S),
            inputs: [x!.id],
          },
          x!.dims,
          node.name,
          out,
        );
        continue;
      }
      case 'Slice': {
        // Data sliced with constant bounds, step 1, on one axis (other than the batch axis).
        const [starts, ends, axesC, stepsC] = node.inputs.slice(1).map((i) => (i ? constOf(i) : null));
        if (!x || !starts || !ends || starts.values.length !== 1) fail('only Slice of data on one axis with constant bounds');
        const axis = axisOf(node, axesC?.values[0] ?? 0, x!.dims.length);
        if ((stepsC?.values[0] ?? 1) !== 1) fail('only step 1');
        const len = x!.dims[axis]!;
        const clampEnd = (v: number) => Math.min(Math.max(v < 0 ? v + len : v, 0), len);
        const start = clampEnd(starts!.values[0]!);
        const end = clampEnd(ends!.values[0]!);
        const dims = [...x!.dims];
        dims[axis] = end - start;
        add({ op: 'slice', axis, start, end, inputs: [x!.id] }, dims, node.name, out);
        continue;
      }
      case 'Gemm': {
        // Gemm(x, W, b) with a constant W: a linear node (transB = 1 is nn.Linear's layout).
        const wC = constOf(node.inputs[1]!);
        const bC = node.inputs[2] ? constOf(node.inputs[2]) : null;
        if (!x || !wC || wC.dims.length !== 2 || intAttr(node, 'transA', 0) !== 0) fail('only Gemm of data by a constant matrix');
        if (floatAttr(node, 'alpha', 1) !== 1 || floatAttr(node, 'beta', 1) !== 1) fail('only alpha = beta = 1');
        const transB = intAttr(node, 'transB', 0) === 1;
        const [k, n] = (transB ? [wC!.dims[1]!, wC!.dims[0]!] : wC!.dims) as [number, number];
        const weights = new Array<number>(k * n);
        for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) weights[j * k + i] = qi(transB ? wC!.values[j * k + i]! : wC!.values[i * n + j]!, S);
        if (bC && size(bC.dims) !== n) fail(`bias of ${size(bC.dims)} values for ${n} outputs`);
        const bias = bC ? bC.values.map((v) => qi(v, 2 * S)) : new Array<number>(n).fill(0);
        add({ op: 'linear', outDim: n, weights, bias, inputs: [x!.id] }, [...x!.dims.slice(0, -1), n], node.name, out);
        continue;
      }
      case 'Split': {
        if (!x) fail('Split of a constant');
        const axis = axisOf(node, intAttr(node, 'axis', 0), x!.dims.length);
        const len = x!.dims[axis]!;
        const parts =
          (node.inputs[1] ? constOf(node.inputs[1])?.values : intsAttr(node, 'split')) ??
          new Array<number>(node.outputs.length).fill(len / node.outputs.length);
        if (parts.length !== node.outputs.length || parts.reduce((a, v) => a + v, 0) !== len) fail(`split sizes [${parts.join(', ')}] of an axis of ${len}`);
        let start = 0;
        parts.forEach((p, i) => {
          const dims = [...x!.dims];
          dims[axis] = p;
          add({ op: 'slice', axis, start, end: start + p, inputs: [x!.id] }, dims, `${node.name}:${i}`, node.outputs[i]!);
          start += p;
        });
        continue;
      }
      case 'Reshape': {
        const shape = constOf(node.inputs[1]!);
        if (!x || !shape) fail('Reshape of data to a constant shape');
        const target = shape!.values.map((v, i) => (v === 0 ? x!.dims[i]! : v));
        const known = target.filter((v) => v !== -1).reduce((a, v) => a * v, 1);
        const dims = target.map((v) => (v === -1 ? size(x!.dims) / known : v));
        if (size(dims) !== size(x!.dims)) fail(`cannot reshape [${x!.dims.join(', ')}] to [${target.join(', ')}]`);
        add({ op: 'reshape', shape: dims, inputs: [x!.id] }, dims, node.name, out);
        continue;
      }
      case 'Transpose': {
        if (!x) fail('Transpose of a constant');
        const perm = intsAttr(node, 'perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i);
        add(
          { op: 'transpose', perm, inputs: [x!.id] },
          perm.map((p) => x!.dims[p]!),
          node.name,
          out,
        );
        continue;
      }
      default:
        fail('not an op of the transformer import');
    }
  }
  const output = data.get(g.outputs[0]?.name ?? '');
  if (g.outputs.length !== 1 || !output) throw new OnnxImportError('expected one data output (the logits)');
  if (output.id !== builder.nodes.length) throw new OnnxImportError('the logits must be the last node written');
  if (vocab === 0) throw new OnnxImportError('no token embedding (Gather of a constant table by the input) was found');
  const graph = builder.build({ scaleBits: S, outputKind: 'logits', inputMin: 0n, inputMax: BigInt(vocab - 1) });
  return { graph, vocab, context };
}
