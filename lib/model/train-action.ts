import { basename } from 'node:path';
import { readCsv, splitDataset } from '../data/csv.js';
import { decodeOnnx, encodeOnnx } from '../onnx/index.js';
import type { OutputKind } from '../semantics/index.js';
import { exportFloatOnnx } from './export.js';
import { argmax, forwardFloat, type FloatMlp } from './float.js';
import { importOnnx } from './import.js';
import { buildModelDir, type BuildModelResult } from './pipeline.js';
import { createRandom } from './random.js';
import { defaultTrainOptions, trainMlp, type TrainOptions } from './train.js';
import { VAI_VERSION } from './version.js';

export type TrainModelParameters = {
  data: string;
  out: string;
  name?: string;
  label?: string;
  testSplit?: number;
  outputKind?: OutputKind;
  scaleBits?: number;
  tolerance?: number;
} & Partial<TrainOptions>;

export type TrainModelReturnType = BuildModelResult & {
  training: {
    rows: number;
    trainRows: number;
    testRows: number;
    trainAccuracy: number;
    /** Float64 accuracy of the trained network on the held-out rows. */
    testAccuracy: number;
    options: TrainOptions;
  };
};

function accuracy(mlp: FloatMlp, rows: readonly Float64Array[], labels: readonly number[]): number {
  if (rows.length === 0) return 0;
  return rows.filter((r, i) => argmax(forwardFloat(mlp, r)) === labels[i]).length / rows.length;
}

/**
 * `vai model train`: trains an MLP classifier on a CSV, exports it as float ONNX, re-imports that
 * file (so trained and imported models go through the same path) and quantizes it into a model
 * folder. The split is a seeded permutation; calibration (scale and input range) uses all rows.
 *
 * @example
 * await trainModel({ data: 'data/digits.csv.gz', out: '.vai/models/digits', hidden: [32] });
 */
export async function trainModel(p: TrainModelParameters): Promise<TrainModelReturnType> {
  const d = defaultTrainOptions;
  const options: TrainOptions = {
    hidden: p.hidden ?? d.hidden,
    epochs: p.epochs ?? d.epochs,
    seed: p.seed ?? d.seed,
    learningRate: p.learningRate ?? d.learningRate,
    batchSize: p.batchSize ?? d.batchSize,
    weightDecay: p.weightDecay ?? d.weightDecay,
  };
  const ds = await readCsv(p.data, p.label === undefined ? {} : { label: p.label });
  const testSplit = p.testSplit ?? 0.2;
  const { train, test } = splitDataset(ds, testSplit, createRandom(options.seed));
  const trained = trainMlp(train, options);
  const floatOnnx = encodeOnnx(exportFloatOnnx(trained, VAI_VERSION));
  const mlp = importOnnx(decodeOnnx(floatOnnx));
  const training = {
    rows: ds.rows.length,
    trainRows: train.rows.length,
    testRows: test.rows.length,
    trainAccuracy: trained.trainAccuracy,
    testAccuracy: accuracy(mlp, test.rows, test.labels),
    options,
  };
  const name = p.name ?? basename(p.out);
  const result = await buildModelDir({
    outDir: p.out,
    name,
    floatOnnx,
    mlp,
    calibrationRows: ds.rows,
    outputKind: p.outputKind ?? 'argmax',
    classes: ds.classes,
    ...(p.scaleBits === undefined ? {} : { scaleBits: p.scaleBits }),
    ...(p.tolerance === undefined ? {} : { tolerance: p.tolerance }),
    extra: {
      features: ds.featureNames,
      training: {
        data: basename(p.data),
        testSplit,
        seed: options.seed,
        epochs: options.epochs,
        hidden: options.hidden,
        trainAccuracy: training.trainAccuracy,
        testAccuracy: training.testAccuracy,
      },
    },
  });
  return { ...result, training };
}
