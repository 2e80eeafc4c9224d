import { DataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../onnx/index.js';
import { UnsupportedOpError } from './errors.js';

/**
 * Constant folding for the sub-graphs exporters write around shapes (`Shape → Gather → Unsqueeze →
 * Concat → Reshape` for `x.view(x.size(0), -1)`), casts, and arithmetic on initializers. Values are
 * small, so they are computed with plain numbers; integer tensors stay integer (int64).
 */
export type ConstValue = { dims: number[]; values: number[]; int: boolean };

export function fromTensor(t: OnnxTensor): ConstValue {
  const int = t.dataType !== DataType.FLOAT && t.dataType !== DataType.DOUBLE;
  return { dims: [...t.dims], values: Array.from(t.data as ArrayLike<number | bigint>, Number), int };
}

export function toTensor(name: string, v: ConstValue): OnnxTensor {
  return v.int
    ? { name, dims: v.dims, dataType: DataType.INT64, data: BigInt64Array.from(v.values, (x) => BigInt(Math.trunc(x))) }
    : { name, dims: v.dims, dataType: DataType.DOUBLE, data: Float64Array.from(v.values) };
}

export function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.find((a) => a.name === name);
}
export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.kind === 'int' ? Number(a.value) : fallback;
}
export function intsAttr(node: OnnxNode, name: string): number[] | undefined {
  const a = attr(node, name);
  return a?.kind === 'ints' ? a.value.map(Number) : undefined;
}
export function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.kind === 'float' ? a.value : fallback;
}

const count = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);
const strides = (dims: readonly number[]): number[] => dims.map((_, i) => count(dims.slice(i + 1)));

/** Numpy-style broadcasting of two constants with `fn`. */
function broadcast(a: ConstValue, b: ConstValue, fn: (x: number, y: number) => number, node: OnnxNode): ConstValue {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pa = [...new Array<number>(rank - a.dims.length).fill(1), ...a.dims];
  const pb = [...new Array<number>(rank - b.dims.length).fill(1), ...b.dims];
  const dims = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1) throw new UnsupportedOpError(node.opType, node.name, `cannot broadcast [${a.dims}] with [${b.dims}]`);
    return Math.max(d, e);
  });
  const sa = strides(pa);
  const sb = strides(pb);
  const so = strides(dims);
  const values = Array.from({ length: count(dims) }, (_, e) => {
    let ia = 0;
    let ib = 0;
    dims.forEach((_, i) => {
      const c = Math.floor(e / so[i]!) % dims[i]!;
      if (pa[i] !== 1) ia += c * sa[i]!;
      if (pb[i] !== 1) ib += c * sb[i]!;
    });
    return fn(a.values[ia]!, b.values[ib]!);
  });
  return { dims, values, int: a.int && b.int };
}

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

function gather(data: ConstValue, idx: ConstValue, axis: number): ConstValue {
  const ax = normAxis(axis, data.dims.length);
  const outer = count(data.dims.slice(0, ax));
  const inner = count(data.dims.slice(ax + 1));
  const n = data.dims[ax]!;
  const values: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const i of idx.values) {
      const j = i < 0 ? i + n : i;
      for (let k = 0; k < inner; k++) values.push(data.values[(o * n + j) * inner + k]!);
    }
  return { dims: [...data.dims.slice(0, ax), ...idx.dims, ...data.dims.slice(ax + 1)], values, int: data.int };
}

/** `axes` from the attribute (older opsets) or the second input (opset 13+). */
function axesOf(node: OnnxNode, input: ConstValue | undefined): number[] | undefined {
  return intsAttr(node, 'axes') ?? input?.values;
}

/** The ops folded when all their inputs are constant. */
export const FOLDABLE = new Set([
  'Identity',
  'Cast',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Reshape',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Sqrt',
  'Floor',
  'Slice',
  'ConstantOfShape',
]);

/** Evaluates one node whose inputs are all constants (`undefined` for an omitted optional input). */
export function foldNode(node: OnnxNode, inputs: (ConstValue | undefined)[]): ConstValue {
  const [a, b] = inputs;
  const need = (v: ConstValue | undefined, what: string): ConstValue => {
    if (!v) throw new UnsupportedOpError(node.opType, node.name, `missing ${what}`);
    return v;
  };
  switch (node.opType) {
    case 'Identity':
      return need(a, 'input');
    case 'Cast': {
      const to = intAttr(node, 'to', DataType.FLOAT);
      const int = to !== DataType.FLOAT && to !== DataType.DOUBLE && to !== 10; /* FLOAT16 */
      const x = need(a, 'input');
      return { dims: x.dims, values: int ? x.values.map(Math.trunc) : x.values, int };
    }
    case 'Gather':
      return gather(need(a, 'data'), need(b, 'indices'), intAttr(node, 'axis', 0));
    case 'Unsqueeze': {
      const x = need(a, 'input');
      const axes = axesOf(node, b) ?? [];
      const rank = x.dims.length + axes.length;
      const dims = [...x.dims];
      for (const ax of axes.map((v) => normAxis(v, rank)).sort((p, q) => p - q)) dims.splice(ax, 0, 1);
      return { ...x, dims };
    }
    case 'Squeeze': {
      const x = need(a, 'input');
      const axes = axesOf(node, b)?.map((v) => normAxis(v, x.dims.length));
      return { ...x, dims: x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)) };
    }
    case 'Concat': {
      const parts = inputs.map((v) => need(v, 'input'));
      const ax = normAxis(intAttr(node, 'axis', 0), parts[0]!.dims.length);
      const outer = count(parts[0]!.dims.slice(0, ax));
      const values: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const p of parts) {
          const block = count(p.dims.slice(ax));
          values.push(...p.values.slice(o * block, (o + 1) * block));
        }
      const dims = [...parts[0]!.dims];
      dims[ax] = parts.reduce((s, p) => s + p.dims[ax]!, 0);
      return { dims, values, int: parts.every((p) => p.int) };
    }
    case 'Reshape': {
      const x = need(a, 'data');
      const target = need(b, 'shape').values.map((d, i) => (d === 0 ? x.dims[i]! : d));
      const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      return { ...x, dims: target.map((d) => (d === -1 ? x.values.length / known : d)) };
    }
    case 'Add':
      return broadcast(need(a, 'A'), need(b, 'B'), (x, y) => x + y, node);
    case 'Sub':
      return broadcast(need(a, 'A'), need(b, 'B'), (x, y) => x - y, node);
    case 'Mul':
      return broadcast(need(a, 'A'), need(b, 'B'), (x, y) => x * y, node);
    case 'Div': {
      const x = need(a, 'A');
      const y = need(b, 'B');
      return broadcast(x, y, x.int && y.int ? (p, q) => Math.trunc(p / q) : (p, q) => p / q, node);
    }
    case 'Neg':
      return { ...need(a, 'input'), values: need(a, 'input').values.map((v) => -v) };
    case 'Sqrt':
      return { ...need(a, 'input'), values: need(a, 'input').values.map(Math.sqrt) };
    case 'Floor':
      return { ...need(a, 'input'), values: need(a, 'input').values.map(Math.floor) };
    case 'Slice': {
      const x = need(a, 'data');
      if (x.dims.length !== 1) throw new UnsupportedOpError('Slice', node.name, 'only 1-D constants are sliced');
      const starts = intsAttr(node, 'starts') ?? need(b, 'starts').values;
      const ends = intsAttr(node, 'ends') ?? need(inputs[2], 'ends').values;
      const step = inputs[4]?.values[0] ?? 1;
      const n = x.values.length;
      const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      const values: number[] = [];
      if (step > 0) for (let i = clampIdx(starts[0]!); i < clampIdx(ends[0]!); i += step) values.push(x.values[i]!);
      else throw new UnsupportedOpError('Slice', node.name, 'negative steps');
      return { dims: [values.length], values, int: x.int };
    }
    case 'ConstantOfShape': {
      const dims = need(a, 'shape').values;
      const v = attr(node, 'value');
      const fill = v?.kind === 'tensor' ? fromTensor(v.value) : { values: [0], int: false, dims: [1] };
      return { dims, values: new Array<number>(count(dims)).fill(fill.values[0] ?? 0), int: fill.int };
    }
    default:
      throw new UnsupportedOpError(node.opType, node.name, 'operations on constants only are not supported for this op');
  }
}
