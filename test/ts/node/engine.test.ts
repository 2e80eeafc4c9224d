import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExampleModel } from '../../../lib/apps/examples.js';
import { runReference } from '../../../lib/semantics/index.js';
import { InferenceMismatchError } from '../../../adapter/errors.js';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import { CrossCheckedEngine, ReferenceEngine, type InferenceEngine } from '../../../adapter/inference/engine.js';
import { OnnxEngine, RoutingEngine } from '../../../adapter/inference/onnx.js';
import { classifier, writeModelDir } from './helpers/models.js';

let digits: LoadedModel;
let small: LoadedModel;
const onnx = new OnnxEngine();

beforeAll(async () => {
  const dir = (await ensureExampleModel('digits')).dir;
  const catalog = await ModelCatalog.load([dir, writeModelDir(classifier, 'classifier')]);
  digits = catalog.get('digits');
  small = catalog.get('classifier');
});
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
      expect(await onnx.run(digits, input)).toEqual(runReference(digits.model, input));
    }
  });

  it('routes to onnxruntime where an integer graph exists and to the reference executor elsewhere', async () => {
    const engine = new RoutingEngine(new CrossCheckedEngine(onnx), new ReferenceEngine());
    expect(OnnxEngine.available(small)).toBe(false);
    const input = [1n, 2n, 3n, 4n];
    expect(await engine.run(small, input)).toEqual(runReference(classifier, input));
    expect(await engine.run(digits, row(7, digits))).toEqual(runReference(digits.model, row(7, digits)));
  });

  it('refuses an engine that disagrees with the reference executor', async () => {
    // A broken build, simulated: the graph's answer is off by one.
    const broken: InferenceEngine = { name: 'broken', run: async (m, x) => runReference(m.model, x).map((v) => v + 1n) };
    await expect(new CrossCheckedEngine(broken).run(small, [1n, 2n, 3n, 4n])).rejects.toThrow(InferenceMismatchError);
  });
});
