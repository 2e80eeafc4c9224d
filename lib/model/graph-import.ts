import { DataType, type OnnxModel, type OnnxNode } from '../onnx/index.js';
import { InvalidGraphError, type Window } from '../semantics/index.js';
import { OnnxImportError, UnsupportedOpError } from './errors.js';
import { type FloatGraph, type FloatNode, type FloatOp, floatShape } from './float-graph.js';
import { simplifyFloatGraph } from './graph-fold.js';
import { attr, type ConstValue, FOLDABLE, floatAttr, foldNode, fromTensor, intAttr, intsAttr } from './graph-const.js';

/** A data tensor of the graph being built: its id, its unbatched shape, and a pending zero padding. */
type DataValue = { id: number; shape: number[]; pads?: [number, number, number, number] };

const count = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

/** Ops the graph importer translates (besides the constant folding of graph-const.ts). */
export const GRAPH_OPS = [
  'Conv',
  'Gemm',
  'MatMul',
  'BatchNormalization',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'LeakyRelu',
  'Clip',
  'HardSigmoid',
  'HardSwish',
  'Sigmoid',
  'Tanh',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Concat',
  'Flatten',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Transpose',
  'Pad',
  'Identity',
  'Dropout',
  'Cast',
  'Shape',
  'Softmax',
  'LogSoftmax',
  'ArgMax',
] as const;

class FloatGraphBuilder {
  readonly nodes: FloatNode[] = [];
  readonly shapes: number[][];
  constructor(inputShape: number[]) {
    this.shapes = [inputShape];
  }
  add(op: FloatOp, inputs: number[], name: string, shape?: number[]): DataValue {
    const draft = { ...op, inputs, name, shape: shape ?? [] } as FloatNode;
    let computed: number[];
    try {
      computed = floatShape(
        draft,
        inputs.map((i) => this.shapes[i]!),
      );
    } catch (cause) {
      if (cause instanceof InvalidGraphError) throw new OnnxImportError(`node "${name}": ${cause.shortMessage.replace(/^[^:]*: /, '')}`);
      throw cause;
    }
    this.nodes.push({ ...draft, shape: computed });
    this.shapes.push(computed);
    return { id: this.nodes.length, shape: computed };
  }
}

/**
 * Reads a float ONNX graph as `torch.onnx.export` (opsets 11–17) or tf2onnx write it — a DAG of
 * convolutions, pooling, activations, batch normalization, residual adds, concatenations and
 * reshapes — into a {@link FloatGraph}. Constant sub-graphs (shapes, casts, arithmetic on
 * initializers) are folded; batch normalization and other per-channel affine steps are folded into
 * the neighbouring convolution or dense layer where that is exact (graph-fold.ts); Dropout and
 * Identity disappear; a final Softmax, LogSoftmax or ArgMax becomes the head. Anything else is refused
 * with the op and the node named.
 */
export function importOnnxGraph(model: OnnxModel): FloatGraph {
  const g = model.graph;
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (opset !== undefined && (opset < 7 || opset > 21)) throw new OnnxImportError(`opset ${opset} is not supported (use 11–17)`);
  const consts = new Map<string, ConstValue>(g.initializers.map((t) => [t.name, fromTensor(t)]));
  const dataInputs = g.inputs.filter((v) => !consts.has(v.name));
  if (dataInputs.length !== 1) throw new OnnxImportError(`expected one data input, found ${dataInputs.length} (${dataInputs.map((v) => v.name).join(', ')})`);
  const input = dataInputs[0]!;
  if (input.elemType !== DataType.FLOAT && input.elemType !== DataType.DOUBLE) {
    throw new OnnxImportError(`input "${input.name}" has element type ${input.elemType}; a float input is expected`);
  }
  const sourceShape = input.shape;
  if (!sourceShape || sourceShape.length < 2) throw new OnnxImportError(`input "${input.name}" needs a shape [batch, …]`);
  const inputShape = sourceShape.slice(1);
  if (!inputShape.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new OnnxImportError(`input "${input.name}" shape [${sourceShape.join(', ')}] must be fixed except the batch dimension`);
  }
  const b = new FloatGraphBuilder(inputShape);
  const data = new Map<string, DataValue>([[input.name, { id: 0, shape: inputShape }]]);
  let head: FloatGraph['head'] = 'logits';
  let headOutput: string | null = null;

  for (const node of g.nodes) {
    if (node.opType === 'Constant') {
      const value = attr(node, 'value');
      if (value?.kind === 'tensor') consts.set(node.outputs[0]!, fromTensor(value.value));
      else if (value === undefined && attr(node, 'value_ints')?.kind === 'ints')
        consts.set(node.outputs[0]!, { dims: [intsAttr(node, 'value_ints')!.length], values: intsAttr(node, 'value_ints')!, int: true });
      else throw new UnsupportedOpError('Constant', node.name, 'only tensor-valued constants are supported');
      continue;
    }
    const dataIns = node.inputs.filter((n) => n !== '' && data.has(n));
    if (dataIns.length === 0) {
      if (node.opType === 'Shape') throw new UnsupportedOpError('Shape', node.name, 'of a value that is not computed from the input');
      if (!FOLDABLE.has(node.opType)) throw new UnsupportedOpError(node.opType, node.name, 'operations on constants only are not supported for this op');
      const ins = node.inputs.map((n) => (n === '' ? undefined : consts.get(n)));
      consts.set(node.outputs[0]!, foldNode(node, ins));
      continue;
    }
    if (headOutput !== null) throw new OnnxImportError(`node "${node.name}" (${node.opType}) follows the output head`);
    const out = translate(node, b, data, consts, (h) => {
      head = h;
    });
    if (out === 'head') {
      headOutput = node.outputs[0]!;
      data.set(headOutput, data.get(node.inputs[0]!)!);
      continue;
    }
    if (out.kind === 'const') consts.set(node.outputs[0]!, out.value);
    else data.set(node.outputs[0]!, out.value);
  }
  const outName = g.outputs[0]?.name ?? '';
  const result = data.get(outName);
  if (!result) throw new OnnxImportError(`the graph output "${outName}" is not computed from the input`);
  if (result.pads) throw new OnnxImportError(`the graph output "${outName}" is a padded tensor`);
  if (result.id === 0) throw new OnnxImportError('the graph has no operation on its input');
  return simplifyFloatGraph({ sourceInputShape: sourceShape, inputShape, nodes: b.nodes, head }, result.id);
}

type Translated = { kind: 'data'; value: DataValue } | { kind: 'const'; value: ConstValue } | 'head';

function window(node: OnnxNode, kernel: number[], extra: [number, number, number, number] | undefined): Window {
  const autoPad = attr(node, 'auto_pad');
  if (autoPad?.kind === 'string' && autoPad.value !== 'NOTSET' && autoPad.value !== 'VALID') {
    throw new UnsupportedOpError(node.opType, node.name, `auto_pad ${autoPad.value} (export with explicit pads)`);
  }
  const dil = intsAttr(node, 'dilations');
  if (dil?.some((d) => d !== 1)) throw new UnsupportedOpError(node.opType, node.name, `dilations [${dil.join(', ')}] (only 1)`);
  if (kernel.length !== 2) throw new UnsupportedOpError(node.opType, node.name, `a ${kernel.length}-D window (only 2-D)`);
  const s = intsAttr(node, 'strides') ?? [1, 1];
  const p = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
  const e = extra ?? [0, 0, 0, 0];
  return { kernel: [kernel[0]!, kernel[1]!], stride: [s[0]!, s[1]!], pads: [p[0]! + e[0], p[1]! + e[1], p[2]! + e[2], p[3]! + e[3]] };
}

/** A per-channel view of a constant next to data of shape `shape` (batch excluded), or null. */
function perChannel(c: ConstValue, shape: readonly number[]): number[] | null {
  const channels = shape[0]!;
  if (c.values.length === 1) return new Array<number>(channels).fill(c.values[0]!);
  // Drop the batch axis if the constant has the data's full batched rank.
  const dims = c.dims.length === shape.length + 1 && c.dims[0] === 1 ? c.dims.slice(1) : c.dims;
  if (dims.length === shape.length && dims[0] === channels && dims.slice(1).every((d) => d === 1)) return [...c.values];
  // A flat tensor's "channel" is its element: a [n] or [1, n] constant.
  if (shape.length === 1 && c.values.length === channels) return [...c.values];
  return null;
}

function translate(
  node: OnnxNode,
  b: FloatGraphBuilder,
  data: Map<string, DataValue>,
  consts: Map<string, ConstValue>,
  setHead: (h: FloatGraph['head']) => void,
): Translated {
  const x = data.get(node.inputs[0] ?? '');
  const constIn = (i: number): ConstValue | undefined => (node.inputs[i] ? consts.get(node.inputs[i]!) : undefined);
  const refuse = (reason?: string): never => {
    throw new UnsupportedOpError(node.opType, node.name, reason);
  };
  const dataOut = (value: DataValue): Translated => ({ kind: 'data', value });
  const add = (op: FloatOp, inputs: number[], shape?: number[]) => dataOut(b.add(op, inputs, node.name, shape));
  const requireData = (): DataValue => {
    if (!x) refuse('its first input must be computed from the model input');
    if (x!.pads && node.opType !== 'Conv' && node.opType !== 'AveragePool') refuse('follows a Pad (only Conv and AveragePool may)');
    return x!;
  };
  switch (node.opType) {
    case 'Identity':
    case 'Dropout':
      return dataOut(requireData());
    case 'Cast': {
      const to = intAttr(node, 'to', DataType.FLOAT);
      if (to !== DataType.FLOAT && to !== DataType.DOUBLE) refuse(`cast of data to type ${to}`);
      return dataOut(requireData());
    }
    case 'Shape': {
      const v = requireData();
      const full = [1, ...v.shape];
      const start = intAttr(node, 'start', 0);
      const end = attr(node, 'end') ? intAttr(node, 'end', full.length) : full.length;
      const norm = (i: number) => Math.min(Math.max(i < 0 ? i + full.length : i, 0), full.length);
      const values = full.slice(norm(start), norm(end));
      // The batch dimension folds as 1; Reshape reads a leading 1 as "the batch".
      return { kind: 'const', value: { dims: [values.length], values, int: true } };
    }
    case 'Conv': {
      const v = requireData();
      const W = constIn(1);
      if (W?.dims.length !== 4) refuse('needs a constant 4-D weight (2-D convolution)');
      const [oc, , kh, kw] = W!.dims as [number, number, number, number];
      const groups = intAttr(node, 'group', 1);
      const B = constIn(2);
      if (node.inputs[2] && !B) refuse('needs a constant bias');
      return add(
        {
          op: 'conv',
          window: window(node, intsAttr(node, 'kernel_shape') ?? [kh, kw], v.pads),
          groups,
          outChannels: oc,
          weights: [...W!.values],
          bias: B ? [...B.values] : new Array<number>(oc).fill(0),
        },
        [v.id],
      );
    }
    case 'Gemm': {
      const v = requireData();
      if ((node.inputs[0] !== undefined && !data.has(node.inputs[0])) || intAttr(node, 'transA', 0) !== 0) refuse('the data must be input A, not transposed');
      if (v.shape.length !== 1) refuse(`needs a flat input, not [${v.shape.join(', ')}] (add a Flatten)`);
      const B = constIn(1);
      if (B?.dims.length !== 2) refuse('needs a constant 2-D weight B');
      const transB = intAttr(node, 'transB', 0) === 1;
      const alpha = floatAttr(node, 'alpha', 1);
      const beta = floatAttr(node, 'beta', 1);
      const [r, c] = B!.dims as [number, number];
      const [K, N] = transB ? [c, r] : [r, c];
      if (K !== v.shape[0]) refuse(`expects ${K} inputs but receives ${v.shape[0]}`);
      const weights = new Array<number>(N * K);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) weights[n * K + k] = alpha * B!.values[transB ? n * K + k : k * N + n]!;
      const C = constIn(2);
      if (node.inputs[2] && !C) refuse('needs a constant bias C');
      let bias = new Array<number>(N).fill(0);
      if (C) {
        const per = perChannel(C, [N]);
        if (!per) refuse(`bias of shape [${C.dims.join(', ')}] for ${N} outputs`);
        bias = per!.map((v2) => beta * v2);
      }
      return add({ op: 'dense', outDim: N, weights, bias }, [v.id]);
    }
    case 'MatMul': {
      const v = requireData();
      const W = constIn(1);
      if ((node.inputs[0] !== undefined && !data.has(node.inputs[0])) || !W || W.dims.length !== 2) refuse('only data × constant 2-D matrix is supported');
      if (v.shape.length !== 1) refuse(`needs a flat input, not [${v.shape.join(', ')}] (add a Flatten)`);
      const [K, N] = W!.dims as [number, number];
      if (K !== v.shape[0]) refuse(`expects ${K} inputs but receives ${v.shape[0]}`);
      const weights = new Array<number>(N * K);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) weights[n * K + k] = W!.values[k * N + n]!;
      return add({ op: 'dense', outDim: N, weights, bias: new Array<number>(N).fill(0) }, [v.id]);
    }
    case 'BatchNormalization': {
      const v = requireData();
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map(constIn);
      if (!scale || !bias || !mean || !variance) refuse('needs constant scale, bias, mean and variance (inference mode)');
      if (node.outputs.filter((o) => o !== '').length > 1) refuse('training-mode outputs (export the model in eval mode)');
      const eps = floatAttr(node, 'epsilon', 1e-5);
      const a = scale!.values.map((s, c) => s / Math.sqrt(variance!.values[c]! + eps));
      const shift = a.map((ac, c) => bias!.values[c]! - mean!.values[c]! * ac);
      if (a.length !== v.shape[0]) refuse(`${a.length} channels for data of shape [${v.shape.join(', ')}]`);
      return add({ op: 'affine', scale: a, bias: shift }, [v.id]);
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const d0 = data.get(node.inputs[0]!);
      const d1 = data.get(node.inputs[1]!);
      if (d0 && d1) {
        for (const d of [d0, d1]) if (d.pads) refuse('follows a Pad');
        if (d0.shape.join(',') !== d1.shape.join(','))
          refuse(`of shapes [${d0.shape.join(', ')}] and [${d1.shape.join(', ')}] (no broadcasting between data tensors)`);
        if (node.opType === 'Add') return add({ op: 'add' }, [d0.id, d1.id]);
        if (node.opType === 'Mul') return add({ op: 'mul' }, [d0.id, d1.id]);
        if (node.opType === 'Sub') {
          const neg = b.add(
            { op: 'affine', scale: new Array<number>(d1.shape[0]!).fill(-1), bias: new Array<number>(d1.shape[0]!).fill(0) },
            [d1.id],
            `${node.name}/neg`,
          );
          return add({ op: 'add' }, [d0.id, neg.id]);
        }
        refuse('division of two data tensors');
      }
      const dataFirst = !!d0;
      const v = (d0 ?? d1)!;
      if (v.pads) refuse('follows a Pad');
      const c = constIn(dataFirst ? 1 : 0);
      if (!c) refuse('needs one constant operand');
      const per = perChannel(c!, v.shape);
      if (!per) refuse(`a constant of shape [${c!.dims.join(', ')}] against data of shape [${v.shape.join(', ')}] (only scalars and per-channel constants)`);
      const ones = per!.map(() => 1);
      const zeros = per!.map(() => 0);
      let op: FloatOp;
      if (node.opType === 'Add') op = { op: 'affine', scale: ones, bias: per! };
      else if (node.opType === 'Sub')
        op = dataFirst ? { op: 'affine', scale: ones, bias: per!.map((k) => -k) } : { op: 'affine', scale: ones.map(() => -1), bias: per! };
      else if (node.opType === 'Mul') op = { op: 'affine', scale: per!, bias: zeros };
      else {
        if (!dataFirst) refuse('a constant divided by the data is not linear');
        if (per!.some((k) => k === 0)) refuse('division by zero');
        op = { op: 'affine', scale: per!.map((k) => 1 / k), bias: zeros };
      }
      return add(op, [v.id]);
    }
    case 'Relu':
      return add({ op: 'relu' }, [requireData().id]);
    case 'LeakyRelu':
      return add({ op: 'leakyrelu', alpha: floatAttr(node, 'alpha', 0.01) }, [requireData().id]);
    case 'Sigmoid':
      return add({ op: 'sigmoid' }, [requireData().id]);
    case 'Tanh':
      return add({ op: 'tanh' }, [requireData().id]);
    case 'HardSigmoid':
      return add({ op: 'hardsigmoid', alpha: floatAttr(node, 'alpha', 0.2), beta: floatAttr(node, 'beta', 0.5) }, [requireData().id]);
    case 'HardSwish':
      return add({ op: 'hardswish', alpha: 1 / 6, beta: 0.5 }, [requireData().id]);
    case 'Clip': {
      const v = requireData();
      const lo = constIn(1)?.values[0] ?? floatAttr(node, 'min', -Infinity);
      const hi = constIn(2)?.values[0] ?? floatAttr(node, 'max', Infinity);
      if ((node.inputs[1] && !constIn(1)) || (node.inputs[2] && !constIn(2))) refuse('needs constant bounds');
      return add({ op: 'clip', lo, hi }, [v.id]);
    }
    case 'MaxPool':
    case 'AveragePool': {
      const v = requireData();
      if (node.outputs.filter((o) => o !== '').length > 1) refuse('the Indices output is not supported');
      const kernel = intsAttr(node, 'kernel_shape');
      if (!kernel) refuse('needs kernel_shape');
      const win = window(node, kernel!, v.pads);
      if (node.opType === 'MaxPool' && v.pads) refuse('follows a Pad (padding values would take part in the maximum)');
      if (intAttr(node, 'ceil_mode', 0) !== 0 && v.shape.length === 3) {
        // ceil_mode changes nothing when the windows tile the padded plane exactly.
        const fits = [0, 1].every((i) => (v.shape[i + 1]! + win.pads[i]! + win.pads[i + 2]! - win.kernel[i]!) % win.stride[i]! === 0);
        if (!fits) refuse('ceil_mode = 1 with a partial last window');
      }
      if (node.opType === 'MaxPool') return add({ op: 'maxpool', window: win }, [v.id]);
      const countPad = intAttr(node, 'count_include_pad', 0) === 1;
      const own = intsAttr(node, 'pads')?.some((p) => p > 0) ?? false;
      // Zeros from an explicit Pad count in the average; mixing them with uncounted padding is ambiguous.
      if (v.pads && own && !countPad) refuse('a Pad before an AveragePool that does not count its own padding');
      return add({ op: 'avgpool', window: win, countPad: countPad || !!v.pads }, [v.id]);
    }
    case 'GlobalAveragePool': {
      const v = requireData();
      if (v.shape.length !== 3) refuse(`needs a [C, H, W] input, not [${v.shape.join(', ')}]`);
      return add({ op: 'avgpool', window: { kernel: [v.shape[1]!, v.shape[2]!], stride: [1, 1], pads: [0, 0, 0, 0] }, countPad: true }, [v.id]);
    }
    case 'Pad': {
      const v = requireData();
      const mode = attr(node, 'mode');
      if (mode?.kind === 'string' && mode.value !== 'constant') refuse(`mode ${mode.value} (only constant zero padding)`);
      const pads = constIn(1)?.values ?? intsAttr(node, 'pads');
      const value = constIn(2)?.values[0] ?? floatAttr(node, 'value', 0);
      if (!pads || value !== 0) refuse('needs constant pads and the value 0');
      if (pads!.every((p) => p === 0)) return dataOut(v);
      const r = pads!.length / 2;
      if (r !== 4 || v.shape.length !== 3 || pads!.some((p, i) => p < 0 || (i % 4 < 2 && p !== 0)))
        refuse('only non-negative padding of the two spatial axes of [batch, C, H, W]');
      const prev = v.pads ?? [0, 0, 0, 0];
      return dataOut({ ...v, pads: [prev[0] + pads![2]!, prev[1] + pads![3]!, prev[2] + pads![6]!, prev[3] + pads![7]!] });
    }
    case 'Flatten': {
      const v = requireData();
      const axis = intAttr(node, 'axis', 1);
      if (axis !== 1) refuse(`axis ${axis} (only 1, keeping the batch dimension)`);
      return v.shape.length === 1 ? dataOut(v) : add({ op: 'reshape' }, [v.id], [count(v.shape)]);
    }
    case 'Reshape': {
      const v = requireData();
      const t = constIn(1);
      if (!t) refuse('needs a constant target shape');
      const target = t!.values;
      if (target.length < 2 || !(target[0] === -1 || target[0] === 0 || target[0] === 1)) {
        refuse(`target [${target.join(', ')}] does not keep the batch dimension first`);
      }
      const rest = target.slice(1).map((d, i) => (d === 0 ? (v.shape[i] ?? refuse('0 beyond the input rank')) : d));
      const known = rest.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
      const shape = rest.map((d) => (d === -1 ? count(v.shape) / known : d));
      if (rest.filter((d) => d === -1).length > 1 || count(shape) !== count(v.shape) || !shape.every(Number.isInteger)) {
        refuse(`cannot reshape [batch, ${v.shape.join(', ')}] to [${target.join(', ')}] keeping the batch`);
      }
      return shape.join(',') === v.shape.join(',') ? dataOut(v) : add({ op: 'reshape' }, [v.id], shape);
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      const v = requireData();
      const axes = intsAttr(node, 'axes') ?? constIn(1)?.values;
      if (!axes) refuse('needs constant axes');
      const full = [1, ...v.shape];
      const rank = node.opType === 'Squeeze' ? full.length : full.length + axes!.length;
      const norm = axes!.map((a) => (a < 0 ? a + rank : a));
      if (norm.includes(0)) refuse('on the batch axis');
      let shape: number[];
      if (node.opType === 'Squeeze') {
        if (norm.some((a) => full[a] !== 1)) refuse('of an axis that is not 1');
        shape = full.filter((_, i) => !norm.includes(i)).slice(1);
      } else {
        shape = [...full];
        for (const a of [...norm].sort((p, q) => p - q)) shape.splice(a, 0, 1);
        shape = shape.slice(1);
      }
      return add({ op: 'reshape' }, [v.id], shape);
    }
    case 'Transpose': {
      const v = requireData();
      const perm = intsAttr(node, 'perm') ?? [...Array(v.shape.length + 1).keys()].reverse();
      if (perm[0] !== 0) refuse(`perm [${perm.join(', ')}] moves the batch axis`);
      const p = perm.slice(1).map((a) => a - 1);
      return p.every((a, i) => a === i) ? dataOut(v) : add({ op: 'transpose', perm: p }, [v.id]);
    }
    case 'Concat': {
      const parts = node.inputs.map((n) => data.get(n));
      if (parts.some((p) => !p)) refuse('of data with constants');
      if (parts.some((p) => p!.pads)) refuse('follows a Pad');
      const rank = parts[0]!.shape.length + 1;
      const axis = intAttr(node, 'axis', 1);
      const ax = axis < 0 ? axis + rank : axis;
      if (ax === 0) refuse('on the batch axis');
      return add(
        { op: 'concat', axis: ax - 1 },
        parts.map((p) => p!.id),
      );
    }
    case 'Softmax':
    case 'LogSoftmax':
    case 'ArgMax': {
      const v = requireData();
      const axis = intAttr(node, 'axis', node.opType === 'ArgMax' ? 0 : -1);
      if (v.shape.length !== 1 || (axis !== -1 && axis !== 1)) refuse(`axis ${axis} on [batch, ${v.shape.join(', ')}] (only the class axis of flat logits)`);
      if (node.opType === 'ArgMax' && intAttr(node, 'select_last_index', 0) !== 0) refuse('select_last_index=1 (ties must go to the lowest index)');
      setHead(node.opType === 'ArgMax' ? 'argmax' : 'softmax');
      return 'head';
    }
    default:
      return refuse();
  }
}
