import type { IntModel } from '../semantics/index.js';

/**
 * Small models whose outputs can be checked by hand, with the inputs that hit the edges of the
 * semantics: rounding ties, floor versus truncation for negatives, ReLU, argmax ties, and weight and
 * bias widths of every encoding size. They seed `test/vectors/semantics.json`.
 */
export const HAND_MODELS: { name: string; model: IntModel; inputs: bigint[][] }[] = [
  {
    // y = [round(x/256), round(-x/256), round((3x - 128)/256)], round = floor(v + 1/2).
    name: 'hand-rounding',
    model: {
      scaleBits: 8,
      outputKind: 'logits',
      inputMin: -1024n,
      inputMax: 1024n,
      layers: [{ inDim: 1, outDim: 3, relu: false, weights: [[1], [-1], [3]], bias: [0, 0, -128] }],
    },
    // 128 → 0.5 rounds up to 1; -128 → -0.5 rounds up to 0; -129 → -1; -587 → -2 (truncation would
    // give -1 after the shift of -459); -640 → -2.5 → -2; -641 → -3.
    inputs: [128n, -128n, -129n, 127n, -587n, -640n, -641n, 0n, 1024n, -1024n, 43n, -43n].map((x) => [x]),
  },
  {
    // Layer 1 makes logits 0 and 1 equal, so their argmax tie goes to index 0 unless logit 2
    // (driven by the second hidden unit) is larger: [4, 4] → logits [1, 1, -2] → 0; [-16, 16] →
    // hidden [0, 16], logits [4, 4, 12] → 2.
    name: 'hand-relu-argmax',
    model: {
      scaleBits: 2,
      outputKind: 'argmax',
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
          outDim: 3,
          relu: false,
          weights: [
            [1, 1],
            [1, 1],
            [-2, 3],
          ],
          bias: [0, 0, 0],
        },
      ],
    },
    inputs: [
      [0n, 0n],
      [4n, 4n],
      [-4n, 8n],
      [16n, -16n],
      [-16n, 16n],
      [-16n, -16n],
      [3n, -5n],
      [1n, 1n],
    ],
  },
  {
    // Weights that need 4 bytes and biases that need 8 bytes in the canonical encoding.
    name: 'hand-wide',
    model: {
      scaleBits: 16,
      outputKind: 'logits',
      inputMin: -(1n << 20n),
      inputMax: 1n << 20n,
      layers: [
        {
          inDim: 2,
          outDim: 2,
          relu: false,
          weights: [
            [100_000, -70_000],
            [-1, 40_000],
          ],
          bias: [2 ** 40, -(2 ** 40) - 12345],
        },
      ],
    },
    inputs: [
      [0n, 0n],
      [1n << 20n, -(1n << 20n)],
      [-(1n << 20n), 1n << 20n],
      [12345n, -54321n],
      [32768n, 0n],
    ],
  },
];
