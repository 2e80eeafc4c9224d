import { encodeOnnx } from '../onnx/index.js';
import { argmax as argmaxInt, computeBounds, quantize, type IntModel, type LayerBounds, type OutputKind } from '../semantics/index.js';
import { CalibrationError } from './errors.js';
import { argmax, forwardFloat, type FloatMlp } from './float.js';
import { buildIntegerOnnx } from './intgraph.js';
import { openSession, runIntBatch } from './ort.js';

/** Scales tried by the calibration search, smallest first. */
export const MIN_AUTO_SCALE_BITS = 4;
export const MAX_AUTO_SCALE_BITS = 24;
/** Default bound on the largest logit error on the calibration rows (real units). */
export const DEFAULT_LOGIT_TOLERANCE = 0.02;

/** Integer weights at scale 2^S and biases at 2^(2S) (round half up), for a declared input range. */
export function quantizeMlp(mlp: FloatMlp, scaleBits: number, outputKind: OutputKind, inputMin: bigint, inputMax: bigint): IntModel {
  return {
    scaleBits,
    outputKind,
    inputMin,
    inputMax,
    layers: mlp.layers.map((layer) => ({
      inDim: layer.inDim,
      outDim: layer.outDim,
      relu: layer.relu,
      weights: Array.from({ length: layer.outDim }, (_, j) =>
        Array.from(layer.weights.subarray(j * layer.inDim, (j + 1) * layer.inDim), (w) => Number(quantize(w, scaleBits))),
      ),
      bias: Array.from(layer.bias, (b) => Number(quantize(b, 2 * scaleBits))),
    })),
  };
}

/**
 * The declared input range in real units: the calibration data's smallest and largest feature
 * values, rounded outward to integers (e.g. pixels 0..16 give [0, 16]).
 */
export function calibrationRange(rows: readonly Float64Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows)
    for (const v of r) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new CalibrationError('the calibration data is empty');
  return [Math.floor(lo), Math.ceil(hi)];
}

export type CalibrationFigures = {
  scaleBits: number;
  /** Largest |integer logit / 2^S − float logit| over the calibration rows. */
  maxLogitError: number;
  /** Share of calibration rows where the integer and float argmax agree. */
  argmaxAgreement: number;
};

export type CalibrateOptions = {
  outputKind: OutputKind;
  /** Fixed scale instead of the search. */
  scaleBits?: number;
  /** Input range in real units; default {@link calibrationRange}. */
  inputRange?: [number, number];
  tolerance?: number;
  producerVersion: string;
};

export type Calibrated = {
  model: IntModel;
  bounds: LayerBounds[];
  figures: CalibrationFigures;
  /** Every scale tried, with its figures or the reason it was refused. */
  tried: ({ scaleBits: number; refused: string } | CalibrationFigures)[];
  tolerance: number;
};

function quantizeRows(rows: readonly Float64Array[], scaleBits: number): bigint[][] {
  return rows.map((r) => Array.from(r, (v) => quantize(v, scaleBits)));
}

async function measure(
  model: IntModel,
  mlp: FloatMlp,
  rows: readonly Float64Array[],
  floatLogits: Float64Array[],
  producerVersion: string,
): Promise<CalibrationFigures> {
  const session = await openSession(encodeOnnx(buildIntegerOnnx(model, producerVersion)));
  try {
    const logits = (await runIntBatch(session, quantizeRows(rows, model.scaleBits), mlp.inputLength, { withLogits: true })).logits!;
    const unit = 2 ** model.scaleBits;
    let maxLogitError = 0;
    let agree = 0;
    logits.forEach((row, r) => {
      const f = floatLogits[r]!;
      row.forEach((q, c) => {
        maxLogitError = Math.max(maxLogitError, Math.abs(Number(q) / unit - f[c]!));
      });
      if (argmaxInt(row) === argmax(f)) agree++;
    });
    return { scaleBits: model.scaleBits, maxLogitError, argmaxAgreement: agree / rows.length };
  } finally {
    await session.release();
  }
}

/**
 * Chooses the scale and quantizes. The rule: try S = 4, 5, …, 24 and take the smallest S whose model
 * passes the bounds rule (no value reaches 2^62 for inputs in the declared range, every weight and
 * bias a safe integer) and whose largest logit error on the calibration rows is at most `tolerance`
 * (default 0.02). The smallest such S keeps the integers, and so the circuit's range checks, small.
 * If no S meets the tolerance, the bounded S with the smallest error is taken. `scaleBits` fixes S.
 */
export async function calibrate(mlp: FloatMlp, rows: readonly Float64Array[], options: CalibrateOptions): Promise<Calibrated> {
  if (rows.length === 0) throw new CalibrationError('the calibration data is empty');
  const bad = rows.findIndex((r) => r.length !== mlp.inputLength);
  if (bad >= 0) throw new CalibrationError(`calibration row ${bad + 1} has ${rows[bad]!.length} values, the model takes ${mlp.inputLength}`);
  const tolerance = options.tolerance ?? DEFAULT_LOGIT_TOLERANCE;
  const [lo, hi] = options.inputRange ?? calibrationRange(rows);
  if (!(lo <= hi)) throw new CalibrationError(`the input range [${lo}, ${hi}] is empty`);
  const floatLogits = rows.map((r) => forwardFloat(mlp, r));
  const candidates =
    options.scaleBits !== undefined
      ? [options.scaleBits]
      : Array.from({ length: MAX_AUTO_SCALE_BITS - MIN_AUTO_SCALE_BITS + 1 }, (_, i) => MIN_AUTO_SCALE_BITS + i);
  const tried: Calibrated['tried'] = [];
  let best: { model: IntModel; bounds: LayerBounds[]; figures: CalibrationFigures } | undefined;
  for (const S of candidates) {
    let model: IntModel;
    let bounds: LayerBounds[];
    try {
      model = quantizeMlp(mlp, S, options.outputKind, quantize(lo, S), quantize(hi, S));
      bounds = computeBounds(model);
    } catch (cause) {
      tried.push({ scaleBits: S, refused: (cause as Error).message.split('\n')[0]! });
      // Larger scales only grow the values: once bounded scales have been seen, stop.
      if (best) break;
      continue;
    }
    const figures = await measure(model, mlp, rows, floatLogits, options.producerVersion);
    tried.push(figures);
    if (!best || figures.maxLogitError < best.figures.maxLogitError) best = { model, bounds, figures };
    if (figures.maxLogitError <= tolerance) {
      best = { model, bounds, figures };
      break;
    }
  }
  if (!best) {
    const reasons = tried.map((t) => ('refused' in t ? `S=${t.scaleBits}: ${t.refused}` : '')).filter(Boolean);
    throw new CalibrationError(`no scale passes the bounds rule (${reasons.at(-1) ?? 'no candidates'})`);
  }
  return { ...best, tried, tolerance };
}
