import type { Dataset } from '../data/csv.js';
import { argmax as argmaxInt, quantize } from '../semantics/index.js';
import { ModelDirError } from './errors.js';
import type { EvalModelReturnType } from './eval-types.js';
import { argmax } from './float.js';

/**
 * The scoring `vai model eval` shares between chain and graph models: which rows are inputs the model
 * accepts, and how the float model's predictions compare with the integer model's.
 */

/** A data-set row the model accepts: its quantized input, its label and the raw features. */
export type AcceptedRow = { q: bigint[]; label: number; row: Float64Array };

/** The model's input contract: length and the integer range the registry enforces. */
export type InputContract = { length: number; scaleBits: number; min: bigint; max: bigint };

/**
 * The rows whose quantized input has the model's length and lies in its range; the others are rejected,
 * as the oracle would reject them. Throws when no row is left.
 */
export function acceptRows(ds: Dataset, input: InputContract, dir: string, data: string): AcceptedRow[] {
  const accepted = ds.rows
    .map((row, i) => ({ q: Array.from(row, (v) => quantize(v, input.scaleBits)), label: ds.labels[i]!, row }))
    .filter(({ q }) => q.length === input.length && q.every((v) => v >= input.min && v <= input.max));
  if (accepted.length === 0) {
    throw new ModelDirError(dir, `no row of ${data} is a valid input (length ${input.length}, range [${input.min}, ${input.max}])`);
  }
  return accepted;
}

export type FloatFigures = Pick<EvalModelReturnType, 'floatAccuracy' | 'floatIntegerAgreement' | 'maxLogitError'>;

/**
 * Float accuracy, float-integer agreement and the largest logit error over the accepted rows.
 * `floats` are the float model's outputs in onnxruntime (logits, probabilities or a class index: `classes`
 * tells an index apart from a one-class output); `forward` gives the float logits in float64 for the error.
 */
export function floatFigures(p: {
  rows: readonly AcceptedRow[];
  floats: readonly Float64Array[];
  intLogits: readonly (readonly bigint[])[];
  classes: number;
  scaleBits: number;
  forward: (row: Float64Array) => ArrayLike<number>;
}): FloatFigures {
  const predict = (out: Float64Array) => (out.length === 1 && p.classes > 1 ? out[0]! : argmax(out));
  let floatCorrect = 0;
  let same = 0;
  let worst = 0;
  p.floats.forEach((out, r) => {
    const fp = predict(out);
    if (fp === p.rows[r]!.label) floatCorrect++;
    const logits = p.intLogits[r]!;
    if (fp === argmaxInt(logits)) same++;
    const f = p.forward(p.rows[r]!.row);
    logits.forEach((q, c) => {
      worst = Math.max(worst, Math.abs(Number(q) / 2 ** p.scaleBits - f[c]!));
    });
  });
  return { floatAccuracy: floatCorrect / p.floats.length, floatIntegerAgreement: same / p.floats.length, maxLogitError: worst };
}
