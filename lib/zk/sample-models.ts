import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom } from '../model/random.js';
import { manifestFromModel, MANIFEST_FILE, serializeManifest, type IntModel, type ModelManifest } from '../semantics/index.js';

/**
 * Reproducible models for tests, fixtures and benchmarks, built directly as integer models (no training):
 * a hand-checkable tiny one and random-weight models with the shapes and scales of real ones.
 */

/** The project's seeded generator (lib/model/random.ts), so every run builds the same models. */
export const seededRandom = createRandom;

const int = (next: () => number, lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));

/**
 * A random MLP at scale 2^S with weights like a trained model's (|w| <= 0.5, i.e. 2^(S-1)) and biases up to
 * 0.5 at scale 2^(2S); ReLU on every layer but the last.
 */
export function randomMlp(opts: {
  seed: number;
  dims: readonly number[];
  scaleBits: number;
  inputMin: bigint;
  inputMax: bigint;
  outputKind: IntModel['outputKind'];
}): IntModel {
  const next = seededRandom(opts.seed);
  const wMax = 2 ** (opts.scaleBits - 1);
  const bMax = 2 ** (2 * opts.scaleBits - 1);
  return {
    scaleBits: opts.scaleBits,
    outputKind: opts.outputKind,
    inputMin: opts.inputMin,
    inputMax: opts.inputMax,
    layers: opts.dims.slice(1).map((outDim, l) => {
      const inDim = opts.dims[l]!;
      return {
        inDim,
        outDim,
        relu: l < opts.dims.length - 2,
        weights: Array.from({ length: outDim }, () => Array.from({ length: inDim }, () => int(next, -wMax, wMax))),
        bias: Array.from({ length: outDim }, () => int(next, -bMax, bMax)),
      };
    }),
  };
}

/** The digits shape (sklearn's 8x8 digits: 64 pixels 0..16) at scale 2^8: inputs in [0, 16 * 2^8]. */
export function digitsShapedModel(seed = 64): IntModel {
  return randomMlp({ seed, dims: [64, 32, 10], scaleBits: 8, inputMin: 0n, inputMax: 4096n, outputKind: 'argmax' });
}

/** The MNIST shape (784 pixels scaled to [0, 1]) at scale 2^8: inputs in [0, 256]. */
export function mnistShapedModel(seed = 784): IntModel {
  return randomMlp({ seed, dims: [784, 56, 10], scaleBits: 8, inputMin: 0n, inputMax: 256n, outputKind: 'argmax' });
}

/** A hand-checkable model: 3 inputs in [-8, 8], a 2-neuron ReLU layer, 2 logits, scale 2^2. */
export const tinyLogitsModel: IntModel = {
  scaleBits: 2,
  outputKind: 'logits',
  inputMin: -8n,
  inputMax: 8n,
  layers: [
    {
      inDim: 3,
      outDim: 2,
      relu: true,
      weights: [
        [4, -2, 1],
        [-3, 1, 0],
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

/**
 * Another model with tinyLogitsModel's circuit layout: one weight negated, so other outputs and another hash,
 * but the same static bounds (the inputs are symmetric, so the bounds see only |w|), hence the same public
 * signals for the same (input, output): only the two verifying keys tell the models apart.
 */
export const tinyLogitsTwinModel: IntModel = {
  ...tinyLogitsModel,
  layers: tinyLogitsModel.layers.map((l, i) =>
    i === 0
      ? {
          ...l,
          weights: [
            [4, 2, 1],
            [-3, 1, 0],
          ],
        }
      : l,
  ),
};

/** The same tiny network with an argmax head (a second model: another verifying key). */
export const tinyArgmaxModel: IntModel = { ...tinyLogitsModel, outputKind: 'argmax' };

/** Writes `<dir>/model.json` for a model and returns its manifest. */
export async function writeModelDir(dir: string, model: IntModel, name: string, inputShape?: number[]): Promise<ModelManifest> {
  const manifest = manifestFromModel(model, { name, ...(inputShape ? { inputShape } : {}) });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MANIFEST_FILE), serializeManifest(manifest));
  return manifest;
}

/** A uniformly random valid input for a model. */
export function randomInput(model: IntModel, next: () => number): bigint[] {
  const span = Number(model.inputMax - model.inputMin);
  return Array.from({ length: model.layers[0]!.inDim }, () => model.inputMin + BigInt(Math.floor(next() * (span + 1))));
}
