import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAND_GRAPHS } from '../../../../lib/model/hand-graphs.js';
import { buildIntGraphOnnx } from '../../../../lib/model/model-dir.js';
import { encodeOnnx } from '../../../../lib/onnx/index.js';
import { graphManifestFromGraph, manifestFromModel, serializeManifest, type IntGraph, type IntModel } from '../../../../lib/semantics/index.js';

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

/** Writes `<tmp>/<name>/model.json` for `model` and returns the folder. */
export function writeModelDir(model: IntModel, name = 'classifier', root = mkdtempSync(join(tmpdir(), 'vai-models-'))): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), serializeManifest(manifestFromModel(model, { name })));
  return dir;
}

/**
 * Writes `<tmp>/<name>/model.json` for an integer graph (format `vai-int-graph/1`), with its integer ONNX graph
 * `model.int.onnx` unless `integer` is false; returns the folder.
 */
export function writeGraphModelDir(graph: IntGraph, name: string, options: { integer?: boolean; root?: string } = {}): string {
  const dir = join(options.root ?? mkdtempSync(join(tmpdir(), 'vai-models-')), name);
  mkdirSync(dir, { recursive: true });
  const integer = options.integer ?? true;
  const manifest = graphManifestFromGraph(graph, { name, ...(integer ? { files: { integer: 'model.int.onnx' } } : {}) });
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  if (integer) writeFileSync(join(dir, 'model.int.onnx'), encodeOnnx(buildIntGraphOnnx(graph, 'test')));
  return dir;
}

/** The hand-written graph with a residual connection and an argmax head (lib/model/hand-graphs.ts): 18 inputs in [-48, 48]. */
export const residualGraph: IntGraph = HAND_GRAPHS.find((h) => h.name === 'graph-residual-argmax')!.graph;
