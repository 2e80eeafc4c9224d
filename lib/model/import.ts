import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor } from '../onnx/index.js';
import { DataType } from '../onnx/index.js';
import { OnnxImportError, UnsupportedOpError } from './errors.js';
import type { FloatHead, FloatLayer, FloatMlp } from './float.js';

/** An affine map `y = W x + b` over flattened rows, W row-major `[outDim][inDim]`. */
type Affine = { inDim: number; outDim: number; w: Float64Array; b: Float64Array };

const identity = (dim: number): Affine => {
  const w = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) w[i * dim + i] = 1;
  return { inDim: dim, outDim: dim, w, b: new Float64Array(dim) };
};

/** `outer ∘ inner`: first `inner`, then `outer`. */
function compose(outer: Affine, inner: Affine): Affine {
  const { inDim } = inner;
  const w = new Float64Array(outer.outDim * inDim);
  const b = Float64Array.from(outer.b);
  for (let o = 0; o < outer.outDim; o++) {
    for (let k = 0; k < outer.inDim; k++) {
      const a = outer.w[o * outer.inDim + k]!;
      if (a === 0) continue;
      b[o]! += a * inner.b[k]!;
      for (let i = 0; i < inDim; i++) w[o * inDim + i]! += a * inner.w[k * inDim + i]!;
    }
  }
  return { inDim, outDim: outer.outDim, w, b };
}

/** Element-wise `y = scale ⊙ x + shift` as a diagonal affine map. */
function elementwise(dim: number, scale: Float64Array, shift: Float64Array): Affine {
  const w = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) w[i * dim + i] = scale[i]!;
  return { inDim: dim, outDim: dim, w, b: shift };
}

function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.kind === 'int' ? Number(a.value) : fallback;
}

function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.kind === 'float' ? a.value : fallback;
}

function floats(t: OnnxTensor): Float64Array {
  return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

const withoutLeadingOnes = (dims: readonly number[]): number[] => dims.slice(dims.findIndex((d) => d !== 1) >>> 0);

/**
 * A constant broadcast element-wise against one row of shape `rowShape` (the batch dimension
 * excluded): a scalar, or a tensor of the row's own shape (leading 1s allowed). Partial broadcasts
 * (e.g. `[4]` against `[2, 4]`) are refused rather than guessed.
 */
function broadcastRow(t: OnnxTensor, rowShape: readonly number[], node: OnnxNode): Float64Array {
  const v = floats(t);
  const dim = rowShape.reduce((a, d) => a * d, 1);
  if (v.length === 1) return new Float64Array(dim).fill(v[0]!);
  if (withoutLeadingOnes(t.dims).join(',') === withoutLeadingOnes(rowShape).join(',')) return Float64Array.from(v);
  throw new OnnxImportError(
    `node "${node.name}" (${node.opType}) combines a row of shape [${rowShape.join(', ')}] with a constant of shape [${t.dims.join(', ')}]`,
  );
}

/**
 * Reduces an ONNX graph, as PyTorch / tf2onnx / skl2onnx write MLPs, to a chain of float dense
 * layers. Consecutive affine steps (Sub/Mul/Div/Add by constants, Gemm, MatMul) are multiplied out,
 * so input standardization ends up inside layer 0; each Relu closes a layer.
 *
 * @example
 * const mlp = importOnnx(decodeOnnx(bytes)); // mlp.layers[0].inDim === 64
 */
export function importOnnx(model: OnnxModel): FloatMlp {
  const g = model.graph;
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (opset !== undefined && (opset < 7 || opset > 21)) throw new OnnxImportError(`opset ${opset} is not supported (use 11–17)`);
  const constants = new Map<string, OnnxTensor>(g.initializers.map((t) => [t.name, t]));
  const dataInputs = g.inputs.filter((v) => !constants.has(v.name));
  if (dataInputs.length !== 1) {
    throw new OnnxImportError(`expected one data input, found ${dataInputs.length} (${dataInputs.map((v) => v.name).join(', ')})`);
  }
  const input = dataInputs[0]!;
  if (input.elemType !== DataType.FLOAT && input.elemType !== DataType.DOUBLE) {
    throw new OnnxImportError(`input "${input.name}" has element type ${input.elemType}; a float input is expected`);
  }
  const shape = input.shape;
  if (!shape || shape.length === 0) throw new OnnxImportError(`input "${input.name}" has no shape`);
  const featureDims = shape.length === 1 ? shape : shape.slice(1);
  if (!featureDims.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new OnnxImportError(`input "${input.name}" shape [${shape.join(', ')}] must be fixed except the batch dimension`);
  }
  const inputLength = featureDims.reduce((a, d) => a * d, 1);

  let current = input.name;
  // Shape of one row (batch dimension excluded) and its length.
  let rowShape: number[] = featureDims;
  let dim = inputLength;
  const state: { pending: Affine | null } = { pending: null };
  let head: FloatHead = 'logits';
  let finished = false;
  const layers: FloatLayer[] = [];
  const apply = (step: Affine, shape: number[]) => {
    state.pending = compose(step, state.pending ?? identity(dim));
    dim = step.outDim;
    rowShape = shape;
  };
  const requireFlat = (node: OnnxNode) => {
    if (rowShape.length !== 1) {
      throw new UnsupportedOpError(node.opType, node.name, `needs a flat [batch, n] input, not rows of shape [${rowShape.join(', ')}] (add a Flatten)`);
    }
  };
  const closeLayer = (relu: boolean, node: OnnxNode) => {
    if (!state.pending) {
      if (relu && layers.at(-1)?.relu) return; // Relu after Relu: a no-op
      throw new OnnxImportError(`node "${node.name}" (${node.opType}) does not follow a linear layer`);
    }
    const p = state.pending;
    layers.push({ inDim: p.inDim, outDim: p.outDim, weights: p.w, bias: p.b, relu });
    state.pending = null;
  };

  for (const node of g.nodes) {
    const constOf = (name: string | undefined) => (name === undefined ? undefined : constants.get(name));
    if (node.opType === 'Constant') {
      const value = attr(node, 'value');
      if (value?.kind !== 'tensor') throw new UnsupportedOpError('Constant', node.name, 'only tensor-valued constants are supported');
      constants.set(node.outputs[0] ?? '', { ...value.value, name: node.outputs[0] ?? '' });
      continue;
    }
    const dataIdx = node.inputs.findIndex((n) => n !== '' && !constants.has(n));
    if (dataIdx < 0) {
      if (node.opType === 'Identity' && constOf(node.inputs[0])) {
        constants.set(node.outputs[0] ?? '', constOf(node.inputs[0])!);
        continue;
      }
      throw new UnsupportedOpError(node.opType, node.name, 'operations on constants only are not supported');
    }
    if (node.inputs[dataIdx] !== current || node.inputs.some((n, i) => i !== dataIdx && n !== '' && !constants.has(n))) {
      throw new OnnxImportError(`node "${node.name}" (${node.opType}) does not continue the single chain of layers from the input`);
    }
    if (finished) throw new OnnxImportError(`node "${node.name}" (${node.opType}) follows the output head`);
    const other = constOf(node.inputs[1 - dataIdx]);
    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        break;
      case 'Flatten': {
        const axis = intAttr(node, 'axis', 1);
        if (axis !== 1) throw new UnsupportedOpError('Flatten', node.name, `axis ${axis} (only 1, keeping the batch dimension)`);
        rowShape = [dim];
        break;
      }
      case 'Reshape': {
        const target = constOf(node.inputs[1]);
        const t = target ? Array.from(target.data as ArrayLike<number | bigint>, (v) => Number(v)) : [];
        if (t.length !== 2 || !(t[1] === dim || t[1] === -1) || !(t[0] === -1 || t[0] === 0 || t[0] === 1)) {
          throw new UnsupportedOpError('Reshape', node.name, `only a reshape to [batch, ${dim}] is supported, not [${t.join(', ')}]`);
        }
        rowShape = [dim];
        break;
      }
      case 'Gemm': {
        if (dataIdx !== 0 || intAttr(node, 'transA', 0) !== 0) {
          throw new UnsupportedOpError('Gemm', node.name, 'the data must be input A, not transposed');
        }
        requireFlat(node);
        const B = constOf(node.inputs[1]);
        if (B?.dims.length !== 2) throw new OnnxImportError(`Gemm "${node.name}" needs a constant 2-D weight B`);
        const transB = intAttr(node, 'transB', 0) === 1;
        const alpha = floatAttr(node, 'alpha', 1);
        const beta = floatAttr(node, 'beta', 1);
        const [r, c] = B.dims as [number, number];
        const [K, N] = transB ? [c, r] : [r, c];
        if (K !== dim) throw new OnnxImportError(`Gemm "${node.name}" expects ${K} inputs but receives ${dim}`);
        const bv = floats(B);
        const w = new Float64Array(N * K);
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[n * K + k] = alpha * bv[transB ? n * K + k : k * N + n]!;
        const C = constOf(node.inputs[2]);
        const b = C ? broadcastRow(C, [N], node).map((v) => beta * v) : new Float64Array(N);
        apply({ inDim: K, outDim: N, w, b }, [N]);
        break;
      }
      case 'MatMul': {
        if (dataIdx !== 0 || !other || other.dims.length !== 2) {
          throw new UnsupportedOpError('MatMul', node.name, 'only data × constant 2-D matrix is supported');
        }
        requireFlat(node);
        const [K, N] = other.dims as [number, number];
        if (K !== dim) throw new OnnxImportError(`MatMul "${node.name}" expects ${K} inputs but receives ${dim}`);
        const bv = floats(other);
        const w = new Float64Array(N * K);
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[n * K + k] = bv[k * N + n]!;
        apply({ inDim: K, outDim: N, w, b: new Float64Array(N) }, [N]);
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        if (!other) throw new UnsupportedOpError(node.opType, node.name, 'needs one constant operand');
        const c = broadcastRow(other, rowShape, node);
        const ones = new Float64Array(dim).fill(1);
        const zeros = new Float64Array(dim);
        if (node.opType === 'Add') apply(elementwise(dim, ones, c), rowShape);
        else if (node.opType === 'Sub') {
          apply(
            dataIdx === 0
              ? elementwise(
                  dim,
                  ones,
                  c.map((v) => -v),
                )
              : elementwise(
                  dim,
                  ones.map(() => -1),
                  c,
                ),
            rowShape,
          );
        } else if (node.opType === 'Mul') apply(elementwise(dim, c, zeros), rowShape);
        else {
          if (dataIdx !== 0) throw new UnsupportedOpError('Div', node.name, 'a constant divided by the data is not linear');
          if (c.some((v) => v === 0)) throw new OnnxImportError(`Div "${node.name}" divides by zero`);
          apply(
            elementwise(
              dim,
              c.map((v) => 1 / v),
              zeros,
            ),
            rowShape,
          );
        }
        break;
      }
      case 'Relu':
        closeLayer(true, node);
        break;
      case 'Softmax':
      case 'LogSoftmax':
      case 'ArgMax': {
        const axis = intAttr(node, 'axis', node.opType === 'ArgMax' ? 0 : -1);
        if (axis !== -1 && axis !== 1) throw new UnsupportedOpError(node.opType, node.name, `axis ${axis} (only the class axis)`);
        if (node.opType === 'ArgMax' && intAttr(node, 'select_last_index', 0) !== 0) {
          throw new UnsupportedOpError('ArgMax', node.name, 'select_last_index=1 (ties must go to the lowest index)');
        }
        if (state.pending) closeLayer(false, node);
        head = node.opType === 'ArgMax' ? 'argmax' : 'softmax';
        finished = true;
        break;
      }
      default:
        throw new UnsupportedOpError(node.opType, node.name);
    }
    current = node.outputs[0] ?? '';
  }
  if (state.pending) closeLayer(false, g.nodes.at(-1)!);
  if (layers.length === 0) throw new OnnxImportError('the graph has no linear layer');
  const outputs = g.outputs.map((o) => o.name);
  if (!outputs.includes(current)) {
    throw new OnnxImportError(`the graph outputs (${outputs.join(', ')}) do not include the end of the layer chain "${current}"`);
  }
  return { inputShape: shape, inputLength, layers, head };
}
