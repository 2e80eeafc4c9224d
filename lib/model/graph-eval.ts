import { readCsv } from '../data/csv.js';
import { decodeOnnx } from '../onnx/index.js';
import { argmax as argmaxInt, graphInputLength, graphInputScaleBits, runGraph, runGraphTrace } from '../semantics/index.js';
import { ModelDirError } from './errors.js';
import type { EngineTiming, EvalModelParameters, EvalModelReturnType } from './eval-types.js';
import { acceptRows, type FloatFigures, floatFigures } from './eval-score.js';
import { forwardFloatGraph } from './float-graph.js';
import { importOnnxGraph } from './graph-import.js';
import { loadGraphDir } from './graph-pipeline.js';
import { openSession, runFloatBatch, runIntBatch, type Session } from './ort.js';
import { elapsedMicros, timeSingle } from './timing.js';

/** Rows per onnxruntime call when a whole data set is run (bounded memory for the int64 im2col buffers). */
const CHUNK = 512;

/**
 * `vai model eval` for graph models: the same figures as for chain models. A CSV row is the input
 * tensor flattened in row-major order (`[1, 28, 28]` → 784 values); the float model runs in
 * onnxruntime on `[rows, …inputShape]`, the integer graph in onnxruntime and the reference executor.
 */
export async function evalGraphModel(p: EvalModelParameters): Promise<EvalModelReturnType> {
  const loaded = await loadGraphDir(p.dir);
  const { graph, manifest } = loaded;
  if (p.split && p.split !== 'all') throw new ModelDirError(p.dir, `--split ${p.split} needs a model trained by vai model train`);
  const ds = await readCsv(p.data, p.label === undefined ? {} : { label: p.label });
  const n = graphInputLength(graph);
  const inS = graphInputScaleBits(graph);
  const accepted = acceptRows(ds, { length: n, scaleBits: inS, min: graph.inputMin, max: graph.inputMax }, p.dir, p.data);
  const inputs = accepted.map((a) => a.q);

  const intSession = await openSession(loaded.intOnnx);
  let floatSession: Session | null = null;
  try {
    floatSession = loaded.floatOnnx ? await openSession(loaded.floatOnnx) : null;
    const outputs: bigint[][] = [];
    const logits: bigint[][] = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inputs.length; i += CHUNK) {
      const r = await runIntBatch(intSession, inputs.slice(i, i + CHUNK), n, { withLogits: true });
      outputs.push(...r.outputs);
      logits.push(...r.logits!);
    }
    const intBatch = elapsedMicros(t0) / inputs.length;
    const t1 = process.hrtime.bigint();
    let agree = 0;
    let intCorrect = 0;
    const refLogits = inputs.map((q, r) => {
      const t = runGraphTrace(graph, q);
      const last = t.nodes.at(-1)!.y;
      if (t.output.join(',') === outputs[r]!.join(',') && last.join(',') === logits[r]!.join(',')) agree++;
      if (argmaxInt(last) === accepted[r]!.label) intCorrect++;
      return last;
    });
    const referencePerRow = elapsedMicros(t1) / inputs.length;

    let figures: FloatFigures = { floatAccuracy: null, floatIntegerAgreement: null, maxLogitError: null };
    let floatTiming: EngineTiming | null = null;
    if (floatSession && loaded.floatOnnx) {
      const fs = floatSession;
      const fg = importOnnxGraph(decodeOnnx(loaded.floatOnnx));
      const t2 = process.hrtime.bigint();
      const floats: Float64Array[] = [];
      for (let i = 0; i < accepted.length; i += CHUNK) {
        floats.push(
          ...(await runFloatBatch(
            fs,
            accepted.slice(i, i + CHUNK).map((a) => a.row),
            graph.inputShape,
          )),
        );
      }
      const floatBatch = elapsedMicros(t2) / inputs.length;
      figures = floatFigures({
        rows: accepted,
        floats,
        intLogits: refLogits,
        classes: fg.nodes.at(-1)!.shape.reduce((a, d) => a * d, 1),
        scaleBits: graph.scaleBits,
        forward: (row) => forwardFloatGraph(fg, row),
      });
      const timed = Math.min(p.timedRows ?? 200, accepted.length);
      floatTiming = {
        singleMicros: await timeSingle(timed, (i) => runFloatBatch(fs, [accepted[i]!.row], graph.inputShape)),
        batchMicrosPerRow: floatBatch,
      };
    }
    const timed = Math.min(p.timedRows ?? 200, inputs.length);
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
        reference: { singleMicros: await timeSingle(Math.min(timed, 50), (i) => runGraph(graph, inputs[i]!)), batchMicrosPerRow: referencePerRow },
      },
    };
  } finally {
    await intSession.release();
    await floatSession?.release();
  }
}
