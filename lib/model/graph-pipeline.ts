import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeOnnx } from '../onnx/index.js';
import {
  argmax as argmaxInt,
  compileGraph,
  type GraphManifest,
  graphInputLength,
  graphManifestFromGraph,
  type IntGraph,
  MANIFEST_FILE,
  type NodeBounds,
  type OutputKind,
  quantize,
  runGraphTrace,
  graphInputScaleBits,
} from '../semantics/index.js';
import { checkEngineAgreement } from './agreement.js';
import { CalibrationError, EngineMismatchError, ModelDirError } from './errors.js';
import { argmax } from './float.js';
import { type FloatGraph, forwardFloatGraph } from './float-graph.js';
import { MODEL_FILES, writeDirAtomic } from './files.js';
import { buildGraphOnnx } from './graph-onnx.js';
import { quantizeGraph } from './graph-quantize.js';
import { readGraphModelDir } from './model-dir.js';
import { openSession, runIntBatch } from './ort.js';
import { calibrationRange, DEFAULT_LOGIT_TOLERANCE, MAX_AUTO_SCALE_BITS, MIN_AUTO_SCALE_BITS, type CalibrationFigures } from './quantize.js';
import { VAI_VERSION } from './version.js';

export type GraphCalibrated = {
  graph: IntGraph;
  bounds: NodeBounds[];
  figures: CalibrationFigures;
  tried: ({ scaleBits: number; refused: string } | CalibrationFigures)[];
  tolerance: number;
};

export type GraphCalibrateOptions = {
  outputKind: OutputKind;
  scaleBits?: number;
  /** Quantize inputs at 2^inputScaleBits instead of 2^S (0: integer inputs as they are; see quantizeGraph). */
  inputScaleBits?: number;
  inputRange?: [number, number];
  tolerance?: number;
};

const quantizeRows = (rows: readonly Float64Array[], S: number): bigint[][] => rows.map((r) => Array.from(r, (v) => quantize(v, S)));

/**
 * The scale rule of chain models, for graphs: try S = 4, 5, …, 24 and take the smallest S whose
 * graph passes the bounds rule and whose largest logit error on the calibration rows (integer graph
 * in onnxruntime against the float graph in float64) is at most `tolerance`; if none does, the
 * bounded S with the smallest error. `scaleBits` fixes S.
 */
export async function calibrateGraph(fg: FloatGraph, rows: readonly Float64Array[], options: GraphCalibrateOptions): Promise<GraphCalibrated> {
  if (rows.length === 0) throw new CalibrationError('the calibration data is empty');
  const n = fg.inputShape.reduce((a, d) => a * d, 1);
  const bad = rows.findIndex((r) => r.length !== n);
  if (bad >= 0)
    throw new CalibrationError(`calibration row ${bad + 1} has ${rows[bad]!.length} values, the model takes ${n} (shape [${fg.inputShape.join(', ')}])`);
  const tolerance = options.tolerance ?? DEFAULT_LOGIT_TOLERANCE;
  const [lo, hi] = options.inputRange ?? calibrationRange(rows);
  if (!(lo <= hi)) throw new CalibrationError(`the input range [${lo}, ${hi}] is empty`);
  const floatLogits = rows.map((r) => forwardFloatGraph(fg, r));
  const candidates =
    options.scaleBits !== undefined
      ? [options.scaleBits]
      : Array.from({ length: MAX_AUTO_SCALE_BITS - MIN_AUTO_SCALE_BITS + 1 }, (_, i) => MIN_AUTO_SCALE_BITS + i);
  const tried: GraphCalibrated['tried'] = [];
  let best: Omit<GraphCalibrated, 'tried' | 'tolerance'> | undefined;
  for (const S of candidates) {
    let graph: IntGraph;
    let bounds: NodeBounds[];
    const ib = options.inputScaleBits ?? S;
    try {
      graph = quantizeGraph(fg, S, options.outputKind, quantize(lo, ib), quantize(hi, ib), ib);
      bounds = compileGraph(graph).bounds;
    } catch (cause) {
      tried.push({ scaleBits: S, refused: (cause as Error).message.split('\n')[0]! });
      if (best) break; // larger scales only grow the values
      continue;
    }
    const session = await openSession(encodeOnnx(buildGraphOnnx(graph, VAI_VERSION)));
    let figures: CalibrationFigures;
    try {
      const logits = (await runIntBatch(session, quantizeRows(rows, ib), n, { withLogits: true })).logits!;
      let maxLogitError = 0;
      let agree = 0;
      logits.forEach((row, r) => {
        const f = floatLogits[r]!;
        row.forEach((q, c) => {
          maxLogitError = Math.max(maxLogitError, Math.abs(Number(q) / 2 ** S - f[c]!));
        });
        if (argmaxInt(row) === argmax(f)) agree++;
      });
      figures = { scaleBits: S, maxLogitError, argmaxAgreement: agree / rows.length };
    } finally {
      await session.release();
    }
    tried.push(figures);
    if (!best || figures.maxLogitError < best.figures.maxLogitError) best = { graph, bounds, figures };
    if (figures.maxLogitError <= tolerance) {
      best = { graph, bounds, figures };
      break;
    }
  }
  if (!best) {
    const reasons = tried.map((t) => ('refused' in t ? `S=${t.scaleBits}: ${t.refused}` : '')).filter(Boolean);
    throw new CalibrationError(`no scale passes the bounds rule (${reasons.at(-1) ?? 'no candidates'})`);
  }
  return { ...best, tried, tolerance };
}

/**
 * Runs the integer graph in onnxruntime and the reference executor on the same inputs; throws
 * {@link EngineMismatchError} on the first difference (output or last tensor). Returns the outputs.
 */
export function checkGraphAgreement(graph: IntGraph, intOnnx: Uint8Array, inputs: readonly bigint[][]): Promise<bigint[][]> {
  return checkEngineAgreement(
    intOnnx,
    inputs,
    graphInputLength(graph),
    (input) => {
      const trace = runGraphTrace(graph, input);
      return { output: trace.output, last: trace.nodes.at(-1)!.y };
    },
    'last tensor',
  );
}

export type BuildGraphParams = {
  outDir: string;
  name: string;
  floatOnnx: Uint8Array;
  graph: FloatGraph;
  calibrationRows: readonly Float64Array[];
  outputKind: OutputKind;
  classes?: string[];
  scaleBits?: number;
  inputScaleBits?: number;
  inputRange?: [number, number];
  tolerance?: number;
  extra?: Record<string, unknown>;
};

export type BuildGraphResult = { dir: string; manifest: GraphManifest; graph: IntGraph; calibration: GraphCalibrated };

/**
 * Quantizes a float graph and writes its model folder (`model.json` with `format: vai-int-graph/1`,
 * `model.int.onnx`, `model.onnx`), after onnxruntime and the reference executor agreed on every
 * calibration row inside the range; the folder appears complete or not at all.
 */
export async function buildGraphModelDir(params: BuildGraphParams): Promise<BuildGraphResult> {
  const last = params.graph.nodes.at(-1)!.shape.reduce((a, d) => a * d, 1);
  if (params.classes && params.classes.length !== last) {
    throw new ModelDirError(params.outDir, `the model has ${last} outputs but the data names ${params.classes.length} classes`);
  }
  const calibration = await calibrateGraph(params.graph, params.calibrationRows, {
    outputKind: params.outputKind,
    ...(params.scaleBits === undefined ? {} : { scaleBits: params.scaleBits }),
    ...(params.inputScaleBits === undefined ? {} : { inputScaleBits: params.inputScaleBits }),
    ...(params.inputRange === undefined ? {} : { inputRange: params.inputRange }),
    ...(params.tolerance === undefined ? {} : { tolerance: params.tolerance }),
  });
  const { graph } = calibration;
  const intOnnx = encodeOnnx(buildGraphOnnx(graph, VAI_VERSION));
  const inRange = quantizeRows(params.calibrationRows, graphInputScaleBits(graph)).filter((q) => q.every((v) => v >= graph.inputMin && v <= graph.inputMax));
  await checkGraphAgreement(graph, intOnnx, inRange);
  const manifest: GraphManifest = {
    ...graphManifestFromGraph(graph, {
      name: params.name,
      ...(params.classes ? { classes: params.classes } : {}),
      files: { float: MODEL_FILES.float, integer: MODEL_FILES.integer },
    }),
    quantization: {
      rule: `smallest scaleBits that passes the bounds rule with max logit error <= ${calibration.tolerance}`,
      calibrationRows: params.calibrationRows.length,
      maxLogitError: calibration.figures.maxLogitError,
      argmaxAgreement: calibration.figures.argmaxAgreement,
    },
    input: {
      layout:
        'a CSV row holds the input tensor flattened in row-major order (C, H, W); the client quantizes each value as round_half_up(v * 2^S), S the inputScaleBits if the manifest has them, else scaleBits',
      sourceShape: params.graph.sourceInputShape.map((d) => (typeof d === 'number' ? d : String(d))),
    },
    producer: `vai ${VAI_VERSION}`,
    ...params.extra,
  };
  await writeDirAtomic(params.outDir, {
    [MODEL_FILES.float]: params.floatOnnx,
    [MODEL_FILES.integer]: intOnnx,
    [MODEL_FILES.manifest]: `${JSON.stringify(manifest, null, 1)}\n`,
  });
  return { dir: params.outDir, manifest, graph, calibration };
}

export type LoadedGraph = { dir: string; manifest: GraphManifest; graph: IntGraph; intOnnx: Uint8Array; floatOnnx: Uint8Array | null };

/** The `format` of a model folder's manifest, without validating the rest. */
export async function manifestFormat(dir: string): Promise<string | null> {
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null && 'format' in json && typeof json.format === 'string' ? json.format : null;
  } catch {
    return null;
  }
}

/**
 * Reads a graph model folder and checks that its files belong together: the manifest reproduces
 * its hash and bounds, and `model.int.onnx` (required here) is exactly the graph the writer produces for it.
 */
export async function loadGraphDir(dir: string): Promise<LoadedGraph> {
  const { manifest, graph, intOnnx } = await readGraphModelDir(dir);
  if (!intOnnx) throw new ModelDirError(dir, `${join(dir, manifest.files?.integer ?? MODEL_FILES.integer)} is missing`);
  const floatOnnx = await readFile(join(dir, manifest.files?.float ?? MODEL_FILES.float)).catch(() => null);
  return { dir, manifest, graph, intOnnx, floatOnnx: floatOnnx && new Uint8Array(floatOnnx) };
}
