import { OnnxImportError } from './errors.js';
import {
  attrInt,
  attrInts,
  DataType,
  floatTensor,
  int64Tensor,
  node,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  vaiModel,
  valueInfo,
} from '../onnx/index.js';
import { avgWeight, type CompiledGraph, compiledGraph, type GraphNode, type IntGraph, size, type Window, windowPositions } from '../semantics/index.js';

/** Opset of the integer graph: as for chain models (Mod fmod=0, ArgMax select_last_index). */
export const GRAPH_INT_OPSET = 13;

/**
 * Writes an integer graph as an ONNX graph that onnxruntime-node runs on the CPU provider, bit for
 * bit equal to the reference executor. Input `input` `[batch, inputLength]` int64; output `output`
 * (`[batch, n]` logits or `[batch, 1]` argmax, lowest index on ties) and, for argmax graphs, `logits`.
 * Every tensor travels flat, `[batch, n]`; a node reshapes to its real shape only where it needs one.
 *
 * Two kernel sets, chosen by the bounds (so one model always gives the same bytes):
 *
 * - **float64**, when every value and accumulator of the graph stays below 2^52 (linear ops: the sum
 *   of the absolute values of their terms). Then float64 sums are exact in any order, and
 *   onnxruntime's float64 `MatMul` (BLAS) and `MaxPool` are several times faster than its int64
 *   kernels. Linear weights and biases are stored divided by 2^S (exact: a power of two), so a
 *   rescale is one `Floor`; ReLU is `Relu`.
 * - **int64** otherwise: rescale as `(z - Mod(z, 2^S)) / 2^S` (`Div` alone truncates toward zero),
 *   clamps and ReLU as `Less` + `Where` (int64 `Max`/`Min` are wrong for some values and there is
 *   no int64 `Relu`, see intgraph.ts), max pooling as one strided `Slice` per window position
 *   folded with `Less` + `Where` (the padding holds a value below the input's lower bound).
 *
 * In both, a convolution is im2col: the input is zero-padded (`Pad`), one strided `Slice` per kernel
 * position gives `[batch, C, OH, OW]`, the slices are concatenated to `[batch, kh·kw·C, OH·OW]` and one
 * `MatMul` by `[O, kh·kw·C]` (per group, for grouped and depthwise convolutions) plus the bias gives
 * the accumulators; onnxruntime has no int64 or float64 `Conv`. Average pooling sums the slices and
 * multiplies by the per-window constant `round(2^S / n)`; sigmoid and tanh `Gather` their coefficients
 * by the segment index.
 */
export function buildGraphOnnx(graph: IntGraph, producerVersion: string): OnnxModel {
  const c = compiledGraph(graph); // validates and refuses unbounded graphs before anything is written
  const w = new OnnxWriter(graph.scaleBits, float64Exact(c));
  const names: string[] = [w.double ? w.op('Cast', ['input'], '/input/double', [attrInt('to', DataType.DOUBLE)]) : 'input'];
  graph.nodes.forEach((n, k) => {
    names.push(lowerNode(w, c, n, k, names));
  });
  const last = w.double ? w.op('Cast', [names.at(-1)!], '/last/int64', [attrInt('to', DataType.INT64)]) : names.at(-1)!;
  const width = graph.nodes.at(-1)!.shape.reduce((a, d) => a * d, 1);
  const outputs = [];
  if (graph.outputKind === 'argmax') {
    w.nodes.push(node('Identity', [last], ['logits'], [], '/logits'));
    w.nodes.push(node('ArgMax', [last], ['output'], [attrInt('axis', 1), attrInt('keepdims', 1), attrInt('select_last_index', 0)], '/ArgMax'));
    outputs.push(valueInfo('output', DataType.INT64, ['batch', 1]), valueInfo('logits', DataType.INT64, ['batch', width]));
  } else {
    w.nodes.push(node('Identity', [last], ['output'], [], '/output'));
    outputs.push(valueInfo('output', DataType.INT64, ['batch', width]));
  }
  return vaiModel(
    {
      name: 'vai_integer_graph',
      nodes: w.nodes,
      initializers: w.initializers,
      inputs: [valueInfo('input', DataType.INT64, ['batch', size(graph.inputShape)])],
      outputs,
    },
    GRAPH_INT_OPSET,
    producerVersion,
  );
}

/** Below this, float64 represents every integer, and sums of products bounded by it are exact. */
const FLOAT64_EXACT = 1n << 52n;

/**
 * Whether every accumulator (as the sum of the absolute values of its terms, for linear ops) and
 * every value of the graph stays below 2^52: then float64 kernels compute the semantics exactly, in
 * any order of summation, and much faster than onnxruntime's int64 ones (no BLAS for int64).
 */
export function float64Exact(c: CompiledGraph): boolean {
  const abs = (v: bigint | null) => (v === null ? 0n : v < 0n ? -v : v);
  const margin = 1n << BigInt(c.graph.scaleBits);
  const inputs = abs(c.graph.inputMin) < FLOAT64_EXACT && abs(c.graph.inputMax) < FLOAT64_EXACT;
  return (
    inputs &&
    c.graph.nodes.every((_, k) => {
      const b = c.bounds[k]!;
      const linearOk = c.plans[k] === null || c.exact[k]!;
      return linearOk && [b.accMin, b.accMax, b.outMin, b.outMax].every((v) => abs(v) + margin < FLOAT64_EXACT);
    })
  );
}

/** Accumulates nodes and initializers, with names unique per graph node. */
class OnnxWriter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly constants = new Map<string, string>();
  readonly half: bigint;
  readonly one: bigint;
  /** `double`: every value is an exact integer below 2^53 (the bounds prove it), so float64 kernels are exact. */
  constructor(
    readonly S: number,
    readonly double: boolean,
  ) {
    this.half = 1n << BigInt(S - 1);
    this.one = 1n << BigInt(S);
  }
  op(opType: string, inputs: string[], output: string, attrs: Parameters<typeof node>[3] = []): string {
    this.nodes.push(node(opType, inputs, [output], attrs, output));
    return output;
  }
  /** A constant of the value type (int64, or float64 in the exact float mode). */
  tensor(name: string, dims: number[], values: ArrayLike<bigint> | readonly bigint[]): string {
    const list = Array.from(values as ArrayLike<bigint>);
    this.initializers.push(this.double ? floatTensor(name, dims, list.map(Number), DataType.DOUBLE) : int64Tensor(name, dims, list));
    return name;
  }
  /** An int64 index constant (Gather indices, shapes, slice bounds), whatever the value type. */
  index(name: string, dims: number[], values: ArrayLike<bigint> | readonly bigint[]): string {
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }
  /** A shared scalar constant. */
  scalar(v: bigint): string {
    const key = v.toString();
    let name = this.constants.get(key);
    if (!name) {
      name = `c${key.replace('-', 'm')}`;
      this.constants.set(key, name);
      this.initializers.push(this.double ? floatTensor(name, [], [Number(v)], DataType.DOUBLE) : int64Tensor(name, [], [v]));
    }
    return name;
  }
  /** `floor(z / 2^S)` for `z` that already includes `+ 2^(S-1)`. */
  floorShift(z: string, p: string): string {
    const one = this.scalar(this.one);
    // Float64: z / 2^S is exact (a power of two) and Floor is the floor.
    if (this.double) return this.op('Floor', [this.op('Div', [z, one], `${p}/q`)], `${p}/y`);
    const r = this.op('Mod', [z, one], `${p}/r`, [attrInt('fmod', 0)]);
    const zf = this.op('Sub', [z, r], `${p}/zf`);
    return this.op('Div', [zf, one], `${p}/y`);
  }
  /**
   * A constant of a linear op's weights or biases, divided by 2^S in the float64 mode: a power of
   * two only moves the exponent, so `sum(w / 2^S · x) + (b + 2^(S-1)) / 2^S` is exactly
   * `(acc + 2^(S-1)) / 2^S` and the rescale is a single `Floor` (no `Div` pass over the data).
   */
  scaled(name: string, dims: number[], values: ArrayLike<bigint> | readonly bigint[]): string {
    if (!this.double) return this.tensor(name, dims, values);
    const unit = 2 ** this.S;
    this.initializers.push(
      floatTensor(
        name,
        dims,
        Array.from(values as ArrayLike<bigint>, (v) => Number(v) / unit),
        DataType.DOUBLE,
      ),
    );
    return name;
  }
  /** `floor(z)` for a sum built from {@link scaled} constants: the rescale of `acc + 2^(S-1)`. */
  floorScaled(z: string, p: string): string {
    return this.double ? this.op('Floor', [z], `${p}/y`) : this.floorShift(z, p);
  }
  /** `rescale(a)`: `floor((a + 2^(S-1)) / 2^S)`. */
  rescale(a: string, p: string): string {
    return this.floorShift(this.op('Add', [a, this.scalar(this.half)], `${p}/z`), p);
  }
  max(a: string, b: string, out: string): string {
    const lt = this.op('Less', [a, b], `${out}/lt`);
    return this.op('Where', [lt, b, a], out);
  }
  /** `min(max(x, lo), hi)` with scalar bounds. */
  clamp(x: string, lo: bigint, hi: bigint, p: string): string {
    const l = this.scalar(lo);
    const h = this.scalar(hi);
    const below = this.op('Less', [x, l], `${p}/below`);
    const y = this.op('Where', [below, l, x], `${p}/lo`);
    const above = this.op('Less', [h, y], `${p}/above`);
    return this.op('Where', [above, h, y], `${p}/hi`);
  }
  /** `Reshape(x, [-1, …dims])`: the batch stays first. */
  reshape(x: string, dims: readonly number[], out: string): string {
    return this.op('Reshape', [x, this.index(`${out}/shape`, [dims.length + 1], [-1n, ...dims.map(BigInt)])], out);
  }
  /**
   * The windows of a `[C, H, W]` tensor as one strided `Slice` per kernel position `t` (row-major
   * over the kernel), each `[batch, C, OH, OW]`, after padding with `fill`. Slices copy whole rows,
   * unlike a `Gather` per element, which onnxruntime runs at about 17 ns an element.
   */
  windowSlices(x: string, shape: readonly number[], win: Window, oh: number, ow: number, fill: bigint, p: string): string[] {
    let x4 = this.reshape(x, shape, `${p}/x4`);
    const [top, left, bottom, right] = win.pads;
    if (top + left + bottom + right > 0) {
      const pads = this.index(`${p}/pads`, [8], [0, 0, top, left, 0, 0, bottom, right].map(BigInt));
      x4 = this.op('Pad', [x4, pads, this.scalar(fill)], `${p}/pad`);
    }
    const [kh, kw] = win.kernel;
    const [sh, sw] = win.stride;
    const axes = this.index(`${p}/axes`, [2], [2n, 3n]);
    const steps = this.index(`${p}/steps`, [2], [BigInt(sh), BigInt(sw)]);
    const out: string[] = [];
    for (let ky = 0; ky < kh; ky++)
      for (let kx = 0; kx < kw; kx++) {
        const t = ky * kw + kx;
        const starts = this.index(`${p}/st${t}`, [2], [BigInt(ky), BigInt(kx)]);
        const ends = this.index(`${p}/en${t}`, [2], [BigInt(ky + (oh - 1) * sh + 1), BigInt(kx + (ow - 1) * sw + 1)]);
        out.push(this.op('Slice', [x4, starts, ends, axes, steps], `${p}/win${t}`));
      }
    return out;
  }
}

function lowerNode(w: OnnxWriter, c: CompiledGraph, n: GraphNode, k: number, names: string[]): string {
  const p = `/n${k}`;
  const x = names[n.inputs[0]!]!;
  const inShape = c.shapes[n.inputs[0]!]!;
  const inSize = size(inShape);
  switch (n.op) {
    case 'conv': {
      const ch = inShape[0]!;
      const g = n.groups;
      const cg = ch / g;
      const og = n.outChannels / g;
      const kk = n.window.kernel[0] * n.window.kernel[1];
      const [oh, ow] = [n.shape[1]!, n.shape[2]!];
      const P = oh * ow;
      // im2col: one strided Slice per kernel position, concatenated as [batch, kk·C, P] in (t, c) order.
      const cols = w.reshape(
        w.op('Concat', w.windowSlices(x, inShape, n.window, oh, ow, 0n, p), `${p}/cols4`, [attrInt('axis', 1)]),
        [kk * ch, P],
        `${p}/cols`,
      );
      const weights = new BigInt64Array(g * og * kk * cg);
      for (let gi = 0; gi < g; gi++)
        for (let o = 0; o < og; o++)
          for (let i = 0; i < cg; i++)
            for (let t = 0; t < kk; t++) weights[((gi * og + o) * kk + t) * cg + i] = BigInt(n.weights[((gi * og + o) * cg + i) * kk + t]!);
      const bias = n.bias.map((b) => BigInt(b) + w.half);
      let mm: string;
      if (g === 1) {
        mm = w.op('MatMul', [w.scaled(`${p}/w`, [og, kk * cg], weights), cols], `${p}/mm`);
        mm = w.op('Add', [mm, w.scaled(`${p}/b`, [og, 1], bias)], `${p}/z`);
      } else {
        // Group the columns: [batch, kk, g, cg, P] → [batch, g, kk·cg, P], one GEMM per group.
        const split = w.reshape(cols, [kk, g, cg, P], `${p}/split`);
        const grouped = w.reshape(w.op('Transpose', [split], `${p}/gt`, [attrInts('perm', [0, 2, 1, 3, 4])]), [g, kk * cg, P], `${p}/grouped`);
        mm = w.op('MatMul', [w.scaled(`${p}/w`, [g, og, kk * cg], weights), grouped], `${p}/mm`);
        mm = w.op('Add', [mm, w.scaled(`${p}/b`, [g, og, 1], bias)], `${p}/z`);
      }
      return w.reshape(w.floorScaled(mm, p), [size(n.shape)], `${p}/out`);
    }
    case 'dense': {
      const m = n.outDim;
      const wt = new BigInt64Array(inSize * m);
      for (let j = 0; j < m; j++) for (let i = 0; i < inSize; i++) wt[i * m + j] = BigInt(n.weights[j * inSize + i]!);
      const mm = w.op('MatMul', [x, w.scaled(`${p}/w`, [inSize, m], wt)], `${p}/mm`);
      const bias = n.bias.map((b) => BigInt(b) + w.half);
      return w.floorScaled(w.op('Add', [mm, w.scaled(`${p}/b`, [m], bias)], `${p}/z`), p);
    }
    case 'affine': {
      const per = inSize / inShape[0]!;
      const scale = new BigInt64Array(inSize);
      const bias = new BigInt64Array(inSize);
      for (let i = 0; i < inSize; i++) {
        scale[i] = BigInt(n.scale[Math.floor(i / per)]!);
        bias[i] = BigInt(n.bias[Math.floor(i / per)]!) + w.half;
      }
      const m = w.op('Mul', [x, w.scaled(`${p}/a`, [inSize], scale)], `${p}/ax`);
      return w.floorScaled(w.op('Add', [m, w.scaled(`${p}/b`, [inSize], bias)], `${p}/z`), p);
    }
    case 'maxpool':
      if (w.double) {
        // MaxPool has a float64 kernel (none for int64) and skips padding positions, as the semantics does.
        const pool = w.op('MaxPool', [w.reshape(x, inShape, `${p}/x4`)], `${p}/pool`, [
          attrInts('kernel_shape', n.window.kernel),
          attrInts('strides', n.window.stride),
          attrInts('pads', n.window.pads),
        ]);
        return w.reshape(pool, [size(n.shape)], `${p}/out`);
      }
      return poolBySlices(w, c, n, inShape, x, p);
    case 'avgpool':
      return poolBySlices(w, c, n, inShape, x, p);
    case 'relu': {
      if (w.double) return w.op('Relu', [x], `${p}/relu`); // exact on float64; no int64 Relu kernel exists
      const zero = w.scalar(0n);
      const neg = w.op('Less', [x, zero], `${p}/neg`);
      return w.op('Where', [neg, zero, x], `${p}/relu`);
    }
    case 'leakyrelu': {
      const scaled = w.rescale(w.op('Mul', [x, w.scalar(BigInt(n.alpha))], `${p}/ax`), p);
      const neg = w.op('Less', [x, w.scalar(0n)], `${p}/neg`);
      return w.op('Where', [neg, scaled, x], `${p}/leaky`);
    }
    case 'clip':
      return w.clamp(x, n.lo, n.hi, p);
    case 'hardsigmoid':
    case 'hardswish': {
      const ax = w.op('Mul', [x, w.scalar(BigInt(n.alpha))], `${p}/ax`);
      const z = w.op('Add', [ax, w.scalar(BigInt(n.beta) + w.half)], `${p}/h/z`);
      const hs = w.clamp(w.floorShift(z, `${p}/h`), 0n, w.one, `${p}/h`);
      if (n.op === 'hardsigmoid') return hs;
      return w.rescale(w.op('Mul', [x, hs], `${p}/xh`), p);
    }
    case 'piecewise': {
      const segments = BigInt(n.c0.length);
      const width = 1n << BigInt(n.segBits);
      const xc = w.clamp(x, n.lo, n.lo + segments * width - 1n, p);
      const u = w.op('Sub', [xc, w.scalar(n.lo)], `${p}/u`);
      // u >= 0 after the clamp, so integer Div (truncation) is the floor here.
      const q = w.op('Div', [u, w.scalar(width)], `${p}/segq`);
      const seg = w.double ? w.op('Floor', [q], `${p}/seg`) : q;
      const t = w.op('Sub', [u, w.op('Mul', [seg, w.scalar(width)], `${p}/start`)], `${p}/t`);
      const segIndex = w.double ? w.op('Cast', [seg], `${p}/segi`, [attrInt('to', DataType.INT64)]) : seg;
      const table = (name: string, values: readonly bigint[]) =>
        w.op('Gather', [w.tensor(`${p}/${name}`, [values.length], values), segIndex], `${p}/${name}k`, [attrInt('axis', 0)]);
      const c0 = table(
        'c0',
        n.c0.map((v) => (BigInt(v) << BigInt(w.S)) + w.half),
      );
      const c1 = table('c1', n.c1.map(BigInt));
      const c2 = table('c2', n.c2.map(BigInt));
      const r = w.rescale(w.op('Mul', [c2, t], `${p}/c2t`), `${p}/inner`);
      const m = w.op('Mul', [w.op('Add', [c1, r], `${p}/slope`), t], `${p}/m`);
      return w.floorShift(w.op('Add', [m, c0], `${p}/z`), p);
    }
    case 'add':
      return w.op('Add', [x, names[n.inputs[1]!]!], `${p}/add`);
    case 'mul':
      return w.rescale(w.op('Mul', [x, names[n.inputs[1]!]!], `${p}/ab`), p);
    case 'concat': {
      // Row-major flat tensors concatenated on axis 0 are the flat concatenation; other axes go
      // through the real shapes.
      if (n.axis === 0)
        return w.op(
          'Concat',
          n.inputs.map((id) => names[id]!),
          `${p}/concat`,
          [attrInt('axis', 1)],
        );
      const parts = n.inputs.map((id, i) => w.reshape(names[id]!, c.shapes[id]!, `${p}/in${i}`));
      return w.reshape(w.op('Concat', parts, `${p}/cat`, [attrInt('axis', n.axis + 1)]), [size(n.shape)], `${p}/concat`);
    }
    case 'reshape':
      return x;
    case 'transpose': {
      const t = w.op('Transpose', [w.reshape(x, inShape, `${p}/in`)], `${p}/t`, [attrInts('perm', [0, ...n.perm.map((q) => q + 1)])]);
      return w.reshape(t, [size(n.shape)], `${p}/transpose`);
    }
    case 'embedding':
    case 'linear':
    case 'matmul':
    case 'softmax':
    case 'layernorm':
    case 'gelu':
    case 'slice':
    case 'mean':
      // Transformer graphs have their own integer onnxruntime graph (lib/model/gpt/intgraph.ts).
      throw new OnnxImportError(`node "${n.name}" (${n.op}) belongs to a transformer graph, which lib/model/gpt/intgraph.ts lowers, not the CNN writer`);
  }
}

/** Pooling by one strided slice per window position, folded with the max or summed (int64 mode, and average pooling). */
function poolBySlices(w: OnnxWriter, c: CompiledGraph, n: GraphNode & { op: 'maxpool' | 'avgpool' }, inShape: readonly number[], x: string, p: string): string {
  const [ch, h, wd] = inShape as [number, number, number];
  const [oh, ow] = [n.shape[1]!, n.shape[2]!];
  const { cells } = windowPositions(n.window, h, wd);
  // Max pooling pads with a value below everything the input can hold, so padding never wins
  // (every window holds a real position); average pooling pads with 0.
  const lowest = n.inputs[0] === 0 ? c.graph.inputMin : c.bounds[n.inputs[0]! - 1]!.outMin;
  const slices = w.windowSlices(x, inShape, n.window, oh, ow, n.op === 'maxpool' ? lowest - 1n : 0n, p);
  let acc = slices[0]!;
  slices.slice(1).forEach((sl, t) => {
    acc = n.op === 'maxpool' ? w.max(acc, sl, `${p}/m${t}`) : w.op('Add', [acc, sl], `${p}/s${t}`);
  });
  if (n.op === 'maxpool') return w.reshape(acc, [size(n.shape)], `${p}/out`);
  const weights = cells.map((cell) => BigInt(avgWeight(w.S, n.countPad ? cell.length : cell.filter((q) => q >= 0).length)));
  const scaled = w.op('Mul', [w.reshape(acc, [ch, oh * ow], `${p}/sum`), w.scaled(`${p}/w`, [oh * ow], weights)], `${p}/acc`);
  return w.reshape(w.floorScaled(w.op('Add', [scaled, w.scaled(`${p}/half`, [], [w.half])], `${p}/z`), p), [size(n.shape)], `${p}/out`);
}
