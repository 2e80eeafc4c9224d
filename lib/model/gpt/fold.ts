/**
 * Constant folding for the transformer import: evaluates, in float64, the ONNX nodes whose inputs
 * are all constants (what the exporter writes for `x.size()`, `torch.arange`, the mask's slicing,
 * `weight.t()` when it does not fold them itself), so the importer sees constants instead of shape
 * arithmetic. Only shape-like and element-wise ops; anything else is left to the importer, which
 * refuses it by name.
 */
import type { OnnxNode } from '../../onnx/index.js';

/** A constant: values (float64; integers and booleans as numbers) with their ONNX shape. */
export type Const = { dims: number[]; values: number[] };

const size = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);
const strides = (dims: readonly number[]): number[] => dims.map((_, i) => size(dims.slice(i + 1)));

function attrInts(node: OnnxNode, name: string): number[] | null {
  const a = node.attributes.find((x) => x.name === name);
  return a?.kind === 'ints' ? a.value.map(Number) : null;
}

function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a?.kind === 'int' ? Number(a.value) : fallback;
}

/** Numpy-style broadcasting of constants through `fn` (element-wise over the broadcast shape). */
function broadcast(inputs: readonly Const[], fn: (...v: number[]) => number): Const {
  const rank = Math.max(...inputs.map((c) => c.dims.length));
  const padded = inputs.map((c) => [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims]);
  const dims = Array.from({ length: rank }, (_, k) => Math.max(...padded.map((d) => d[k]!)));
  const st = padded.map(strides);
  const so = strides(dims);
  const values = new Array<number>(size(dims));
  for (let e = 0; e < values.length; e++) {
    const args = inputs.map((c, i) => {
      let at = 0;
      for (let k = 0; k < rank; k++) if (padded[i]![k] !== 1) at += (Math.floor(e / so[k]!) % dims[k]!) * st[i]![k]!;
      return c.values[at]!;
    });
    values[e] = fn(...args);
  }
  return { dims, values };
}

function transpose(x: Const, perm: readonly number[]): Const {
  const dims = perm.map((p) => x.dims[p]!);
  const sIn = strides(x.dims);
  const sOut = strides(dims);
  const values = new Array<number>(x.values.length);
  for (let e = 0; e < values.length; e++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += (Math.floor(e / sOut[k]!) % dims[k]!) * sIn[perm[k]!]!;
    values[e] = x.values[src]!;
  }
  return { dims, values };
}

function gather(x: Const, idx: Const, axis: number): Const {
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const n = x.dims[axis]!;
  const values: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const i of idx.values) {
      const j = i < 0 ? i + n : i;
      for (let t = 0; t < inner; t++) values.push(x.values[(o * n + j) * inner + t]!);
    }
  return { dims: [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)], values };
}

/** Slice with per-axis starts, ends and steps (ONNX clamping of out-of-range bounds). */
function slice(x: Const, starts: number[], ends: number[], axes: number[], steps: number[]): Const {
  const ranges = x.dims.map((d) => ({ start: 0, end: d, step: 1 }));
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + x.dims.length : a0;
    const d = x.dims[a]!;
    const step = steps[i] ?? 1;
    const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    ranges[a] =
      step > 0
        ? { start: norm(starts[i]!, 0, d), end: norm(ends[i]!, 0, d), step }
        : { start: norm(starts[i]!, 0, d - 1), end: norm(ends[i]!, -1, d - 1), step };
  });
  const picks = ranges.map(({ start, end, step }) => {
    const out: number[] = [];
    for (let v = start; step > 0 ? v < end : v > end; v += step) out.push(v);
    return out;
  });
  const dims = picks.map((p) => p.length);
  const s = strides(x.dims);
  const so = strides(dims);
  const values = new Array<number>(size(dims));
  for (let e = 0; e < values.length; e++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += picks[k]![Math.floor(e / so[k]!) % dims[k]!]! * s[k]!;
    values[e] = x.values[src]!;
  }
  return { dims, values };
}

const BINARY: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
  Pow: (x, y) => x ** y,
  Equal: (x, y) => (x === y ? 1 : 0),
  Less: (x, y) => (x < y ? 1 : 0),
  Greater: (x, y) => (x > y ? 1 : 0),
  And: (x, y) => (x && y ? 1 : 0),
  Or: (x, y) => (x || y ? 1 : 0),
};

const UNARY: Record<string, (x: number) => number> = {
  Identity: (x) => x,
  Sqrt: Math.sqrt,
  Neg: (x) => -x,
  Not: (x) => (x ? 0 : 1),
  Reciprocal: (x) => 1 / x,
};

/**
 * The constant output of `node` from its constant inputs (`null` for an op this folder does not
 * evaluate). `Cast` keeps the values: to an integer type it truncates, to bool it tests non-zero.
 * Integer `Div` of integer constants truncates, as ONNX does.
 */
export function foldNode(node: OnnxNode, inputs: readonly Const[], integer: readonly boolean[]): Const | null {
  const x = inputs[0]!;
  const op = node.opType;
  if (op in UNARY) return { dims: [...x.dims], values: x.values.map(UNARY[op]!) };
  if (op in BINARY) {
    const intDiv = op === 'Div' && integer[0] && integer[1];
    const fn = BINARY[op]!;
    return broadcast([x, inputs[1]!], intDiv ? (a, b) => Math.trunc(a! / b!) : (a, b) => fn(a!, b!));
  }
  switch (op) {
    case 'Cast': {
      const to = attrInt(node, 'to', 1);
      // 6/7 int32/int64, 9 bool; float types keep the value.
      const values = to === 9 ? x.values.map((v) => (v !== 0 ? 1 : 0)) : to === 6 || to === 7 ? x.values.map(Math.trunc) : [...x.values];
      return { dims: [...x.dims], values };
    }
    case 'Transpose':
      return transpose(x, attrInts(node, 'perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i));
    case 'Unsqueeze': {
      const axes = inputs[1]?.values ?? attrInts(node, 'axes') ?? [];
      const rank = x.dims.length + axes.length;
      const norm = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
      const dims = [...x.dims];
      for (const a of norm) dims.splice(a, 0, 1);
      return { dims, values: [...x.values] };
    }
    case 'Squeeze': {
      const axes = (inputs[1]?.values ?? attrInts(node, 'axes') ?? x.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + x.dims.length : a));
      return { dims: x.dims.filter((_, i) => !axes.includes(i)), values: [...x.values] };
    }
    case 'Reshape': {
      const target = inputs[1]!.values.map((v, i) => (v === 0 ? x.dims[i]! : v));
      const known = target.filter((v) => v !== -1).reduce((a, v) => a * v, 1);
      return { dims: target.map((v) => (v === -1 ? x.values.length / known : v)), values: [...x.values] };
    }
    case 'Concat': {
      const rank = x.dims.length;
      const a0 = attrInt(node, 'axis', 0);
      const axis = a0 < 0 ? a0 + rank : a0;
      const outer = size(x.dims.slice(0, axis));
      const values: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const c of inputs) {
          const block = size(c.dims.slice(axis));
          values.push(...c.values.slice(o * block, (o + 1) * block));
        }
      const dims = [...x.dims];
      dims[axis] = inputs.reduce((a, c) => a + c.dims[axis]!, 0);
      return { dims, values };
    }
    case 'Gather': {
      const a0 = attrInt(node, 'axis', 0);
      return gather(x, inputs[1]!, a0 < 0 ? a0 + x.dims.length : a0);
    }
    case 'Slice': {
      const starts = inputs[1]!.values;
      const ends = inputs[2]!.values;
      const axes = inputs[3]?.values ?? starts.map((_, i) => i);
      const steps = inputs[4]?.values ?? starts.map(() => 1);
      return slice(x, starts, ends, axes, steps);
    }
    case 'Range': {
      const [start, limit, delta] = [x.values[0]!, inputs[1]!.values[0]!, inputs[2]!.values[0]!];
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      return { dims: [n], values: Array.from({ length: n }, (_, i) => start + i * delta) };
    }
    case 'ConstantOfShape': {
      const v = node.attributes.find((a) => a.name === 'value');
      const fill = v?.kind === 'tensor' ? Number(v.value.data[0] ?? 0) : 0;
      return { dims: [...x.values], values: new Array<number>(size(x.values)).fill(fill) };
    }
    case 'Expand': {
      const shape = inputs[1]!.values;
      return broadcast([x, { dims: shape, values: new Array<number>(size(shape)).fill(0) }], (a) => a!);
    }
    case 'Trilu': {
      // Keeps the lower (upper = 0) or upper (upper = 1) triangle of the last two axes, shifted by k.
      const upper = attrInt(node, 'upper', 1) === 1;
      const k = inputs[1]?.values[0] ?? 0;
      const [r, c] = x.dims.slice(-2) as [number, number];
      return {
        dims: [...x.dims],
        values: x.values.map((v, e) => {
          const col = e % c;
          const row = Math.floor(e / c) % r;
          return (upper ? col - row >= k : col - row <= k) ? v : 0;
        }),
      };
    }
    case 'Where':
      return broadcast([x, inputs[1]!, inputs[2]!], (c, a, b) => (c ? a! : b!));
    default:
      return null;
  }
}
