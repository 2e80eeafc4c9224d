import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExampleModel } from '../../../lib/apps/examples.js';
import { importTransformer } from '../../../lib/model/gpt/import.js';
import { ModelDirError } from '../../../lib/model/errors.js';
import { referenceOutput } from '../../../lib/model/model-dir.js';
import { decodeOnnx } from '../../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { InputRangeError, runGraph, runReference } from '../../../lib/semantics/index.js';
import { InferenceMismatchError } from '../../../adapter/errors.js';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import { CrossCheckedEngine, ReferenceEngine, type InferenceEngine } from '../../../adapter/inference/engine.js';
import { OnnxEngine, RoutingEngine } from '../../../adapter/inference/onnx.js';
import { InferenceService } from '../../../adapter/inference/service.js';
import { classifier, residualGraph, writeGraphModelDir, writeModelDir } from './helpers/models.js';

let digits: LoadedModel;
let small: LoadedModel;
let residual: LoadedModel;
let encoder: LoadedModel;
const onnx = new OnnxEngine();

beforeAll(async () => {
  const dir = (await ensureExampleModel('digits')).dir;
  // An nn.TransformerEncoderLayer classifier exported by PyTorch (test/fixtures/onnx), imported at 2^12.
  const bytes = new Uint8Array(await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', 'encoder_classifier_opset17.onnx')));
  const catalog = await ModelCatalog.load([
    dir,
    writeModelDir(classifier, 'classifier'),
    writeGraphModelDir(residualGraph, 'residual'),
    writeGraphModelDir(importTransformer(decodeOnnx(bytes), 12).graph, 'encoder'),
  ]);
  digits = catalog.get('digits');
  small = catalog.get('classifier');
  residual = catalog.get('residual');
  encoder = catalog.get('encoder');
}, 60_000);
afterAll(() => onnx.close());

function row(seed: number, model: LoadedModel): bigint[] {
  const [lo, hi] = model.manifest.inputRange.map(BigInt) as [bigint, bigint];
  let s = seed;
  return Array.from({ length: model.manifest.inputLength }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + (BigInt(s) % (hi - lo + 1n));
  });
}

describe('inference engines', () => {
  it('runs the integer ONNX graph of the digits model exactly like the reference executor', async () => {
    expect(OnnxEngine.available(digits)).toBe(true);
    for (let seed = 1; seed <= 50; seed++) {
      const input = row(seed, digits);
      expect(await onnx.run(digits, input)).toEqual(await referenceOutput(digits, input));
    }
  });

  it('routes to onnxruntime where an integer graph exists and to the reference executor elsewhere', async () => {
    const engine = new RoutingEngine(new CrossCheckedEngine(onnx), new ReferenceEngine());
    expect(OnnxEngine.available(small)).toBe(false);
    const input = [1n, 2n, 3n, 4n];
    expect(await engine.run(small, input)).toEqual(runReference(classifier, input));
    expect(await engine.run(digits, row(7, digits))).toEqual(await referenceOutput(digits, row(7, digits)));
  });

  it('refuses an engine that disagrees with the reference executor', async () => {
    // A broken build, simulated: the graph's answer is off by one.
    const broken: InferenceEngine = { name: 'broken', run: async (m, x) => (await referenceOutput(m, x)).map((v) => v + 1n) };
    await expect(new CrossCheckedEngine(broken).run(small, [1n, 2n, 3n, 4n])).rejects.toThrow(InferenceMismatchError);
  });

  it('loads chain and graph model folders into one catalog, each with its kind', () => {
    expect([digits.kind, small.kind, residual.kind, encoder.kind]).toEqual(['chain', 'chain', 'graph', 'graph']);
    expect(residual.manifest.format).toBe('vai-int-graph/1');
  });

  it('runs a graph with a residual connection and an argmax head in onnxruntime exactly like the reference executor', async () => {
    if (residual.kind !== 'graph') throw new Error('a graph model');
    expect(OnnxEngine.available(residual)).toBe(true);
    const engine = new CrossCheckedEngine(onnx);
    for (let seed = 1; seed <= 30; seed++) {
      const input = row(seed, residual);
      const output = await engine.run(residual, input);
      expect(output).toEqual(runGraph(residual.graph, input));
      expect(output).toHaveLength(1);
    }
  });

  it('runs a transformer classifier (token ids in, logits out) in onnxruntime exactly like the reference executor', async () => {
    if (encoder.kind !== 'graph') throw new Error('a graph model');
    const engine = new RoutingEngine(new CrossCheckedEngine(onnx), new ReferenceEngine());
    for (let seed = 1; seed <= 4; seed++) {
      const input = row(seed, encoder);
      expect(await engine.run(encoder, input)).toEqual(runGraph(encoder.graph, input));
    }
  });

  it('checks a graph input against the graph: a value out of range is refused by name', async () => {
    const service = new InferenceService({
      catalog: new ModelCatalog([residual]),
      engine: new ReferenceEngine(),
      inferenceTimeoutMs: 10_000,
      proveTimeoutMs: 10_000,
    });
    const input = row(3, residual);
    expect((await service.infer('residual', input)).output).toEqual(await referenceOutput(residual, input));
    input[5] = 49n;
    await expect(service.infer('residual', input)).rejects.toThrow(InputRangeError);
  });

  it('serves a graph folder without an integer ONNX graph on the reference executor, and refuses a stale one', async () => {
    const bare = (await ModelCatalog.load([writeGraphModelDir(residualGraph, 'bare', { integer: false })])).get('bare');
    expect(OnnxEngine.available(bare)).toBe(false);
    const engine = new RoutingEngine(new CrossCheckedEngine(onnx), new ReferenceEngine());
    expect(await engine.run(bare, row(5, bare))).toEqual(await referenceOutput(residual, row(5, bare)));
    // Another graph's integer ONNX file in the folder: the node refuses to start rather than serve it.
    const stale = writeGraphModelDir(residualGraph, 'stale');
    await writeFile(join(stale, 'model.int.onnx'), await readFile(join(encoder.dir, 'model.int.onnx')));
    await expect(ModelCatalog.load([stale])).rejects.toThrow(ModelDirError);
  });
});
