import { ModelBoundsError } from './errors.js';
import { rescale } from './execute.js';
import { VALUE_LIMIT, type IntModel, type LayerBounds } from './types.js';
import { validateModel } from './validate.js';

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Interval bounds of every accumulator and activation for inputs in the declared range, per layer
 * (the extremes over the layer's neurons). Throws {@link ModelBoundsError} when a value could reach
 * 2^62 in absolute value, in any order of summation (so int64 onnxruntime kernels cannot overflow).
 */
export function computeBounds(model: IntModel): LayerBounds[] {
  validateModel(model);
  const half = 1n << BigInt(model.scaleBits - 1);
  let lo: bigint[] = new Array<bigint>(model.layers[0]!.inDim).fill(model.inputMin);
  let hi: bigint[] = new Array<bigint>(model.layers[0]!.inDim).fill(model.inputMax);
  return model.layers.map((layer, l) => {
    const nextLo: bigint[] = [];
    const nextHi: bigint[] = [];
    let accMin: bigint | undefined;
    let accMax: bigint | undefined;
    for (let j = 0; j < layer.outDim; j++) {
      const b = BigInt(layer.bias[j]!);
      let aLo = b;
      let aHi = b;
      let magnitude = abs(b) + half;
      layer.weights[j]!.forEach((wNum, i) => {
        const w = BigInt(wNum);
        const p = w * lo[i]!;
        const q = w * hi[i]!;
        aLo += min(p, q);
        aHi += max(p, q);
        magnitude += max(abs(p), abs(q));
      });
      if (magnitude >= VALUE_LIMIT) throw new ModelBoundsError(l, `neuron ${j} can reach |acc| = ${magnitude} >= 2^62 for inputs in range`);
      accMin = accMin === undefined ? aLo : min(accMin, aLo);
      accMax = accMax === undefined ? aHi : max(accMax, aHi);
      let yLo = rescale(aLo, model.scaleBits);
      let yHi = rescale(aHi, model.scaleBits);
      if (layer.relu) {
        yLo = max(yLo, 0n);
        yHi = max(yHi, 0n);
      }
      nextLo.push(yLo);
      nextHi.push(yHi);
    }
    lo = nextLo;
    hi = nextHi;
    return {
      accMin: accMin!,
      accMax: accMax!,
      outMin: nextLo.reduce(min),
      outMax: nextHi.reduce(max),
    };
  });
}
