import { createRandom } from '../../../lib/model/random.js';
import type { IntModel } from '../../../lib/semantics/index.js';

/** The project's seeded generator, so random models are reproducible across runs. */
export const rng = createRandom;

export function randomInt(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** A random model whose values span every encoding width. */
export function randomModel(seed: number, dims: number[] = [5, 4, 3]): IntModel {
  const next = rng(seed);
  const widths = [100, 30_000, 2_000_000_000, 2 ** 40];
  return {
    scaleBits: randomInt(next, 1, 12),
    outputKind: next() < 0.5 ? 'argmax' : 'logits',
    inputMin: BigInt(-randomInt(next, 0, 1000)),
    inputMax: BigInt(randomInt(next, 0, 1000)),
    layers: dims.slice(1).map((outDim, l) => {
      const inDim = dims[l]!;
      const wMax = widths[randomInt(next, 0, 2)]!;
      const bMax = widths[randomInt(next, 0, 3)]!;
      return {
        inDim,
        outDim,
        relu: l < dims.length - 2,
        weights: Array.from({ length: outDim }, () => Array.from({ length: inDim }, () => randomInt(next, -wMax, wMax))),
        bias: Array.from({ length: outDim }, () => randomInt(next, -bMax, bMax)),
      };
    }),
  };
}

/** A hand-checkable model: 2 inputs, a 2-neuron ReLU layer, a 2-logit output, scale 2^2. */
export const tinyModel: IntModel = {
  scaleBits: 2,
  outputKind: 'logits',
  inputMin: -16n,
  inputMax: 16n,
  layers: [
    {
      inDim: 2,
      outDim: 2,
      relu: true,
      weights: [
        [4, -2],
        [-3, 1],
      ],
      bias: [8, -2],
    },
    {
      inDim: 2,
      outDim: 2,
      relu: false,
      weights: [
        [1, 2],
        [-5, 0],
      ],
      bias: [0, 300],
    },
  ],
};
