import type { OnnxDim } from '../onnx/index.js';

/** A dense layer in floating point: `y = W x + b`, then ReLU if `relu`. */
export type FloatLayer = {
  inDim: number;
  outDim: number;
  /** Row-major `[outDim][inDim]`. */
  weights: Float64Array;
  bias: Float64Array;
  relu: boolean;
};

/** What follows the last layer in the source graph (it does not change the argmax). */
export type FloatHead = 'logits' | 'softmax' | 'argmax';

/**
 * The float MLP every source (trained or imported) is reduced to: a chain of dense layers acting on
 * the raw input features, with any standardization already folded into layer 0.
 */
export type FloatMlp = {
  /** The input's shape in the source graph, batch dimension first (e.g. `['batch', 1, 8, 8]`). */
  inputShape: OnnxDim[];
  inputLength: number;
  layers: FloatLayer[];
  head: FloatHead;
};

/** Runs the float MLP in float64 on one row; returns the last layer's outputs (the logits). */
export function forwardFloat(model: FloatMlp, input: ArrayLike<number>): Float64Array {
  let x = Float64Array.from(input);
  for (const layer of model.layers) {
    const y = new Float64Array(layer.outDim);
    for (let j = 0; j < layer.outDim; j++) {
      let s = layer.bias[j] as number;
      const row = j * layer.inDim;
      for (let i = 0; i < layer.inDim; i++) s += (layer.weights[row + i] as number) * (x[i] as number);
      y[j] = layer.relu && s < 0 ? 0 : s;
    }
    x = y;
  }
  return x;
}

/** `-log softmax(values)[target]`, computed stably (the per-position loss of a language model). */
export function negLogSoftmax(values: ArrayLike<number>, target: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] as number);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp((values[i] as number) - max);
  return Math.log(sum) + max - (values[target] as number);
}

/** Index of the largest value; the lowest index wins a tie (as in the integer semantics). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
