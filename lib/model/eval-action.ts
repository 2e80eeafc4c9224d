import { readCsv, splitDataset, type Dataset } from '../data/csv.js';
import { argmax as argmaxInt, runReference, runReferenceTrace } from '../semantics/index.js';
import { ModelDirError } from './errors.js';
import { decodeOnnx } from '../onnx/index.js';
import { forwardFloat } from './float.js';
import { acceptRows, type FloatFigures, floatFigures } from './eval-score.js';
import { importOnnx } from './import.js';
import { openSession, runFloatBatch, runIntBatch, type Session } from './ort.js';
import { elapsedMicros, timeSingle } from './timing.js';
import { loadModelDir } from './pipeline.js';
import { createRandom } from './random.js';
import type { EngineTiming, EvalModelParameters, EvalModelReturnType, EvalSplit } from './eval-types.js';
import { evalGraphModel } from './graph-eval.js';
import { evalTransformerModel, type NextTokenFigures } from './gpt/eval.js';
import { isTransformerGraph, readGraphModelDir } from './model-dir.js';
import { manifestFormat } from './graph-pipeline.js';
import { GRAPH_MANIFEST_FORMAT } from '../semantics/index.js';

export type { NextTokenFigures } from './gpt/eval.js';
export type { EngineTiming, EvalModelParameters, EvalModelReturnType, EvalSplit } from './eval-types.js';

function selectSplit(ds: Dataset, split: EvalSplit, training: unknown, dir: string): Dataset {
  if (split === 'all') return ds;
  const t = training as { seed?: unknown; testSplit?: unknown } | undefined;
  if (typeof t?.seed !== 'number' || typeof t.testSplit !== 'number') {
    throw new ModelDirError(dir, `--split ${split} needs a model trained by vai model train (its manifest records the split)`);
  }
  return splitDataset(ds, t.testSplit, createRandom(t.seed))[split];
}

/**
 * `vai model eval`: accuracy of the float and integer models on a labelled CSV, agreement of
 * onnxruntime with the reference executor (must be 1), the largest logit error, and the time per
 * inference of each engine.
 */
export async function evalModel(p: EvalModelParameters): Promise<EvalModelReturnType & { nextToken?: NextTokenFigures }> {
  if ((await manifestFormat(p.dir)) === GRAPH_MANIFEST_FORMAT) {
    const { graph } = await readGraphModelDir(p.dir);
    return isTransformerGraph(graph) ? evalTransformerModel(p) : evalGraphModel(p);
  }
  const loaded = await loadModelDir(p.dir);
  const { model, manifest } = loaded;
  const all = await readCsv(p.data, p.label === undefined ? {} : { label: p.label });
  const ds = selectSplit(all, p.split ?? 'all', manifest.training, p.dir);
  const n = model.layers[0]!.inDim;
  const featureShape = manifest.inputShape.slice(1);
  const S = model.scaleBits;
  const accepted = acceptRows(ds, { length: n, scaleBits: S, min: model.inputMin, max: model.inputMax }, p.dir, p.data);
  const inputs = accepted.map((a) => a.q);

  const intSession = await openSession(loaded.intOnnx);
  let floatSession: Session | null = null;
  try {
    floatSession = loaded.floatOnnx ? await openSession(loaded.floatOnnx) : null;
    const t0 = process.hrtime.bigint();
    const ort = await runIntBatch(intSession, inputs, n, { withLogits: true });
    const intBatch = elapsedMicros(t0) / inputs.length;
    const traces = inputs.map((q) => runReferenceTrace(model, q));
    let agree = 0;
    let intCorrect = 0;
    traces.forEach((t, r) => {
      if (t.output.join(',') === ort.outputs[r]!.join(',') && t.layers.at(-1)!.y.join(',') === ort.logits![r]!.join(',')) agree++;
      if (argmaxInt(t.layers.at(-1)!.y) === accepted[r]!.label) intCorrect++;
    });

    let figures: FloatFigures = { floatAccuracy: null, floatIntegerAgreement: null, maxLogitError: null };
    let floatTiming: EngineTiming | null = null;
    if (floatSession && loaded.floatOnnx) {
      const fs = floatSession;
      // The float graph's own output may be logits, probabilities (Softmax head) or a class index
      // (ArgMax head): predictions come from it, the logit error from its layers in float64.
      const mlp = importOnnx(decodeOnnx(loaded.floatOnnx));
      const t1 = process.hrtime.bigint();
      const floats = await runFloatBatch(
        fs,
        accepted.map((a) => a.row),
        featureShape,
      );
      const floatBatch = elapsedMicros(t1) / inputs.length;
      figures = floatFigures({
        rows: accepted,
        floats,
        intLogits: traces.map((t) => t.layers.at(-1)!.y),
        classes: mlp.layers.at(-1)!.outDim,
        scaleBits: S,
        forward: (row) => forwardFloat(mlp, row),
      });
      const timed = Math.min(p.timedRows ?? 200, accepted.length);
      floatTiming = {
        singleMicros: await timeSingle(timed, (i) => runFloatBatch(fs, [accepted[i]!.row], featureShape)),
        batchMicrosPerRow: floatBatch,
      };
    }
    const timed = Math.min(p.timedRows ?? 200, inputs.length);
    const referenceStart = process.hrtime.bigint();
    for (const q of inputs) runReference(model, q);
    const referencePerRow = elapsedMicros(referenceStart) / inputs.length;
    return {
      model: manifest.name,
      rows: ds.rows.length,
      rejectedRows: ds.rows.length - accepted.length,
      ...figures,
      integerAccuracy: intCorrect / inputs.length,
      engineAgreement: agree / inputs.length,
      timing: {
        floatOnnxruntime: floatTiming,
        integerOnnxruntime: {
          singleMicros: await timeSingle(timed, (i) => runIntBatch(intSession, [inputs[i]!], n)),
          batchMicrosPerRow: intBatch,
        },
        reference: { singleMicros: await timeSingle(timed, (i) => runReference(model, inputs[i]!)), batchMicrosPerRow: referencePerRow },
      },
    };
  } finally {
    await intSession.release();
    await floatSession?.release();
  }
}
