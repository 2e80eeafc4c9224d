/**
 * `vai model eval` for transformer model folders (token ids in). A classifier (an nn.TransformerEncoderLayer
 * head) is scored on a CSV of token-id rows with a label column; a language model on a text file by teacher
 * forcing: every position of consecutive context windows predicts the next character. Both report the float
 * model's and the integer model's accuracy and the agreement of onnxruntime's integer graph with the reference
 * executor (bit for bit on every logit, must be 1).
 */
import { readFile } from 'node:fs/promises';
import { readCsv } from '../../data/csv.js';
import { argmax as argmaxInt, runGraph } from '../../semantics/index.js';
import { ModelDirError } from '../errors.js';
import type { EvalModelParameters, EvalModelReturnType } from '../eval-types.js';
import { argmax, negLogSoftmax } from '../float.js';
import { loadGraphDir } from '../graph-pipeline.js';
import { openSession, ort, type Session } from '../ort.js';
import { timeSingle } from '../timing.js';
import { encodeText, tokenizerSchema } from './generate.js';

/** Next-token figures of a language model (teacher forcing over held-out text). */
export type NextTokenFigures = {
  windows: number;
  positions: number;
  /** Share of positions where the integer model's top-1 equals the float model's. */
  top1Agreement: number;
  floatPerplexity: number;
  integerPerplexity: number;
};

export type TransformerEvalResult = EvalModelReturnType & { nextToken?: NextTokenFigures };

async function forward(session: Session, shape: readonly number[], ids: readonly bigint[]): Promise<ArrayLike<number | bigint>> {
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('int64', BigInt64Array.from(ids), [...shape]) });
  return out[session.outputNames[0]!]!.data as Float32Array | BigInt64Array;
}

/** Scores a transformer folder; `windows` caps the language model's teacher-forcing windows (default 8). */
export async function evalTransformerModel(p: EvalModelParameters & { windows?: number }): Promise<TransformerEvalResult> {
  const { graph, manifest, intOnnx, floatOnnx } = await loadGraphDir(p.dir);
  if (!floatOnnx) throw new ModelDirError(p.dir, 'the float model.onnx is missing: the float figures need it');
  const T = graph.inputShape.at(-1)!;
  const S = graph.scaleBits;
  const lastShape = graph.nodes.at(-1)!.shape;
  const width = lastShape.at(-1)!;
  const intSession = await openSession(intOnnx);
  const floatSession = await openSession(floatOnnx);
  try {
    // The rows to score: [ids, label positions] per window.
    type Row = { ids: bigint[]; targets: { row: number; label: number }[] };
    let rows: Row[];
    let total: number;
    const lm = manifest.generation !== undefined;
    if (lm) {
      const tokenizer = tokenizerSchema.safeParse((manifest as { tokenizer?: unknown }).tokenizer);
      if (!tokenizer.success) throw new ModelDirError(p.dir, 'the manifest has no tokenizer: import the model with --tokenizer to score it on text');
      const text = await readFile(p.data, 'utf8').catch((cause: NodeJS.ErrnoException) => {
        throw new ModelDirError(p.dir, `cannot read ${p.data} (${cause.code ?? cause.message})`);
      });
      const ids = encodeText(tokenizer.data, text).map((v) => BigInt(v));
      const count = Math.min(p.windows ?? 8, Math.floor((ids.length - 1) / T));
      if (count < 1) throw new ModelDirError(p.dir, `${p.data} holds fewer than ${T + 1} characters: no window to score`);
      rows = Array.from({ length: count }, (_, w) => ({
        ids: ids.slice(w * T, (w + 1) * T),
        targets: Array.from({ length: T }, (_, t) => ({ row: t, label: Number(ids[w * T + t + 1]!) })),
      }));
      total = count;
    } else {
      const ds = await readCsv(p.data, p.label === undefined ? {} : { label: p.label });
      total = ds.rows.length;
      rows = ds.rows
        .map((r, i) => ({ ids: Array.from(r, (v) => BigInt(Math.round(v))), targets: [{ row: 0, label: ds.labels[i]! }], raw: r }))
        .filter(({ ids, raw }) => ids.length === T && raw.every((v, j) => v === Number(ids[j])) && ids.every((v) => v >= graph.inputMin && v <= graph.inputMax))
        .map(({ ids, targets }) => ({ ids, targets }));
      if (rows.length === 0) throw new ModelDirError(p.dir, `no row of ${p.data} is ${T} token ids in [${graph.inputMin}, ${graph.inputMax}]`);
    }
    let positions = 0;
    let floatCorrect = 0;
    let intCorrect = 0;
    let same = 0;
    let agree = 0;
    let maxLogitError = 0;
    let floatNll = 0;
    let intNll = 0;
    for (const { ids, targets } of rows) {
      const reference = runGraph(graph, ids);
      const onnxInt = Array.from((await forward(intSession, graph.inputShape, ids)) as BigInt64Array);
      if (onnxInt.join() === reference.join()) agree++;
      const floats = Array.from((await forward(floatSession, [1, T], ids)) as Float32Array, Number);
      for (const { row, label } of targets) {
        const q = reference.slice(row * width, (row + 1) * width);
        const f = floats.slice(row * width, (row + 1) * width);
        const fi = argmax(Float64Array.from(f));
        const ii = argmaxInt(q);
        positions++;
        if (fi === label) floatCorrect++;
        if (ii === label) intCorrect++;
        if (fi === ii) same++;
        q.forEach((v, c) => {
          maxLogitError = Math.max(maxLogitError, Math.abs(Number(v) / 2 ** S - f[c]!));
        });
        if (lm) {
          floatNll += negLogSoftmax(f, label);
          intNll += negLogSoftmax(
            q.map((v) => Number(v) / 2 ** S),
            label,
          );
        }
      }
    }
    const timed = Math.min(p.timedRows ?? 200, rows.length, lm ? 4 : 50);
    const result: TransformerEvalResult = {
      model: manifest.name,
      rows: total,
      rejectedRows: total - rows.length,
      floatAccuracy: floatCorrect / positions,
      integerAccuracy: intCorrect / positions,
      engineAgreement: agree / rows.length,
      floatIntegerAgreement: same / positions,
      maxLogitError,
      timing: {
        floatOnnxruntime: { singleMicros: await timeSingle(timed, (i) => forward(floatSession, [1, T], rows[i]!.ids)), batchMicrosPerRow: null },
        integerOnnxruntime: { singleMicros: await timeSingle(timed, (i) => forward(intSession, graph.inputShape, rows[i]!.ids)), batchMicrosPerRow: null },
        reference: { singleMicros: await timeSingle(timed, (i) => runGraph(graph, rows[i]!.ids)), batchMicrosPerRow: null },
      },
    };
    if (lm)
      result.nextToken = {
        windows: rows.length,
        positions,
        top1Agreement: same / positions,
        floatPerplexity: Math.exp(floatNll / positions),
        integerPerplexity: Math.exp(intNll / positions),
      };
    return result;
  } finally {
    await intSession.release();
    await floatSession.release();
  }
}
