import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeOnnx, encodeOnnx } from '../onnx/index.js';
import {
  manifestFromModel,
  quantize,
  readModelDir,
  runReferenceTrace,
  serializeManifest,
  type IntModel,
  type ModelManifest,
  type OutputKind,
} from '../semantics/index.js';
import { checkEngineAgreement } from './agreement.js';
import { ModelDirError } from './errors.js';
import type { FloatMlp } from './float.js';
import { MODEL_FILES, writeDirAtomic } from './files.js';
import { buildIntegerOnnx } from './intgraph.js';
import { calibrate, type CalibrationFigures, type Calibrated } from './quantize.js';
import { VAI_VERSION } from './version.js';

export type BuildModelParams = {
  outDir: string;
  name: string;
  /** The float ONNX file the model came from (written next to the integer one). */
  floatOnnx: Uint8Array;
  mlp: FloatMlp;
  calibrationRows: readonly Float64Array[];
  outputKind: OutputKind;
  classes?: string[];
  scaleBits?: number;
  inputRange?: [number, number];
  tolerance?: number;
  /** Extra manifest fields (e.g. training figures). */
  extra?: Record<string, unknown>;
};

export type BuildModelResult = {
  dir: string;
  manifest: ModelManifest;
  model: IntModel;
  calibration: Calibrated;
};

/** `[1, …feature dims]`: the manifest's input shape (batch dimension fixed to 1). */
function manifestInputShape(mlp: FloatMlp): number[] {
  const dims = mlp.inputShape.length === 1 ? mlp.inputShape : mlp.inputShape.slice(1);
  return [1, ...dims.map((d) => (typeof d === 'number' ? d : 1))];
}

/**
 * Runs the integer graph in onnxruntime and the reference executor on the same rows and throws
 * {@link EngineMismatchError} on the first difference (output or last-layer values). Returns the
 * (agreed) outputs.
 */
export function checkAgreement(model: IntModel, intOnnx: Uint8Array, inputs: readonly bigint[][]): Promise<bigint[][]> {
  return checkEngineAgreement(
    intOnnx,
    inputs,
    model.layers[0]!.inDim,
    (input) => {
      const trace = runReferenceTrace(model, input);
      return { output: trace.output, last: trace.layers.at(-1)!.y };
    },
    'last layer',
  );
}

/**
 * Quantizes a float MLP and writes its model folder: `model.json` (manifest), `model.int.onnx`
 * (integer graph) and `model.onnx` (float source). Before anything is written, the integer graph is
 * run in onnxruntime against the reference executor on every calibration row; the folder appears
 * complete or not at all.
 */
export async function buildModelDir(params: BuildModelParams): Promise<BuildModelResult> {
  const { mlp } = params;
  const last = mlp.layers.at(-1)!;
  if (params.classes && params.classes.length !== last.outDim) {
    throw new ModelDirError(params.outDir, `the model has ${last.outDim} outputs but the data names ${params.classes.length} classes`);
  }
  const calibration = await calibrate(mlp, params.calibrationRows, {
    outputKind: params.outputKind,
    producerVersion: VAI_VERSION,
    ...(params.scaleBits === undefined ? {} : { scaleBits: params.scaleBits }),
    ...(params.inputRange === undefined ? {} : { inputRange: params.inputRange }),
    ...(params.tolerance === undefined ? {} : { tolerance: params.tolerance }),
  });
  const { model } = calibration;
  const intOnnx = encodeOnnx(buildIntegerOnnx(model, VAI_VERSION));
  const inRange = params.calibrationRows
    .map((r) => Array.from(r, (v) => quantize(v, model.scaleBits)))
    .filter((q) => q.every((v) => v >= model.inputMin && v <= model.inputMax));
  await checkAgreement(model, intOnnx, inRange);
  const figures: CalibrationFigures = calibration.figures;
  const manifest: ModelManifest = {
    ...manifestFromModel(model, {
      name: params.name,
      inputShape: manifestInputShape(mlp),
      ...(params.classes ? { classes: params.classes } : {}),
      files: { float: MODEL_FILES.float, integer: MODEL_FILES.integer },
    }),
    quantization: {
      rule: `smallest scaleBits that passes the bounds rule with max logit error <= ${calibration.tolerance}`,
      calibrationRows: params.calibrationRows.length,
      maxLogitError: figures.maxLogitError,
      argmaxAgreement: figures.argmaxAgreement,
    },
    producer: `vai ${VAI_VERSION}`,
    ...params.extra,
  };
  await writeDirAtomic(params.outDir, {
    [MODEL_FILES.float]: params.floatOnnx,
    [MODEL_FILES.integer]: intOnnx,
    [MODEL_FILES.manifest]: serializeManifest(manifest),
  });
  return { dir: params.outDir, manifest, model, calibration };
}

export type LoadedModel = {
  dir: string;
  manifest: ModelManifest;
  model: IntModel;
  intOnnx: Uint8Array;
  floatOnnx: Uint8Array | null;
};

/**
 * Reads a model folder and checks that its files belong together: the manifest is self-consistent
 * (hash, bounds) and `model.int.onnx` is exactly the graph the writer produces for that model.
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const { manifest, model } = await readModelDir(dir);
  const intPath = join(dir, manifest.files?.integer ?? MODEL_FILES.integer);
  const intOnnx = await readFile(intPath).catch(() => {
    throw new ModelDirError(dir, `${intPath} is missing`);
  });
  const { producerVersion } = decodeOnnx(intOnnx);
  const expected = encodeOnnx(buildIntegerOnnx(model, producerVersion));
  if (!Buffer.from(intOnnx).equals(Buffer.from(expected))) {
    throw new ModelDirError(dir, `${intPath} does not match model.json (stale or edited); rebuild the model`);
  }
  const floatOnnx = await readFile(join(dir, manifest.files?.float ?? MODEL_FILES.float)).catch(() => null);
  return { dir, manifest, model, intOnnx: new Uint8Array(intOnnx), floatOnnx: floatOnnx && new Uint8Array(floatOnnx) };
}
