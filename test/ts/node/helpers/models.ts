import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestFromModel, serializeManifest, type IntModel } from '../../../../lib/semantics/index.js';

/** A small classifier: 4 inputs in [0, 100], a ReLU layer of 3, argmax over 2 classes, scale 2^4. */
export const classifier: IntModel = {
  scaleBits: 4,
  outputKind: 'argmax',
  inputMin: 0n,
  inputMax: 100n,
  layers: [
    {
      inDim: 4,
      outDim: 3,
      relu: true,
      weights: [
        [16, -8, 4, 0],
        [-4, 12, 0, 8],
        [2, 2, 2, 2],
      ],
      bias: [64, -32, 0],
    },
    {
      inDim: 3,
      outDim: 2,
      relu: false,
      weights: [
        [16, -16, 4],
        [-16, 16, 4],
      ],
      bias: [0, 128],
    },
  ],
};

/**
 * A five-step classifier for the bisection game: 4 inputs in [0, 100], four ReLU layers of 4 and an argmax over 2
 * classes, scale 2^4 (a game of it takes the opening, three moves and the step).
 */
export const deepClassifier: IntModel = {
  scaleBits: 4,
  outputKind: 'argmax',
  inputMin: 0n,
  inputMax: 100n,
  layers: [
    ...Array.from({ length: 4 }, (_, l) => ({
      inDim: 4,
      outDim: 4,
      relu: true,
      weights: Array.from({ length: 4 }, (_, j) => Array.from({ length: 4 }, (_, i) => (i === j ? 12 : ((i + j + l) % 3) - 1))),
      bias: [4, -4, 8, 0].map((b) => b * (l + 1)),
    })),
    {
      inDim: 4,
      outDim: 2,
      relu: false,
      weights: [
        [16, -16, 4, 0],
        [-16, 16, 0, 4],
      ],
      bias: [0, 64],
    },
  ],
};

/** Writes `<tmp>/<name>/model.json` for `model` and returns the folder. */
export function writeModelDir(model: IntModel, name = 'classifier', root = mkdtempSync(join(tmpdir(), 'vai-models-'))): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), serializeManifest(manifestFromModel(model, { name })));
  return dir;
}
