/**
 * The image classifier of the QualityInspector app (src-sol/examples/QualityInspector.sol): the committed LeNet-5
 * (data/fashion/lenet5_avg.onnx) imported as an integer graph that reads raw pixels (`--input-scale-bits 0`), and
 * the station's side of an inspection: a Fashion-MNIST test image as the request's input.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsv } from '../data/csv.js';
import { importAnyModel } from '../model/import-action.js';
import { type GraphModelDir, readAnyModelDir } from '../model/model-dir.js';
import { PROJECT_ROOT } from '../project.js';
import { graphInputLength, graphInputScaleBits, InputLengthError, quantizeAll, validateGraphInput } from '../semantics/index.js';
import { AppDataError } from './errors.js';
import { EXAMPLE_MODELS_DIR } from './examples.js';

/** Fashion-MNIST's classes, by class id (the model's argmax). */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * How the inspector's model is imported. On the committed 1000-image subset S = 7 keeps the float accuracy (88.5 %
 * integer against 88.1 % float; S = 6 loses 1.4 points) for about 43,000 circuit rows (S = 6: 39,600); pixels at
 * scale 1 make a 784-pixel image 26 packed public signals.
 */
export const INSPECTION_MODEL = {
  name: 'lenet5',
  onnx: 'data/fashion/lenet5_avg.onnx',
  data: 'data/fashion/fashion-mnist-test-1000.csv.gz',
  scaleBits: 7,
  inputScaleBits: 0,
} as const;

export type InspectionModelDir = GraphModelDir & { dir: string };

/**
 * Returns the inspector's model folder (`.vai/models/lenet5`), importing the committed ONNX file first when the folder
 * is missing, unreadable, or was imported from another file or with other scales (a second `npm start` reuses it; a
 * changed importer is not detected: pass `force`).
 */
export async function ensureInspectionModel(force = false): Promise<InspectionModelDir> {
  const dir = join(EXAMPLE_MODELS_DIR, INSPECTION_MODEL.name);
  const onnxPath = join(PROJECT_ROOT, INSPECTION_MODEL.onnx);
  if (!force) {
    const cached = await readAnyModelDir(dir).catch(() => null);
    const [source, copy] = await Promise.all([readFile(onnxPath), readFile(join(dir, 'model.onnx')).catch(() => null)]);
    if (cached?.kind === 'graph' && isInspectionGraph(cached) && copy !== null && source.equals(copy)) return { ...cached, dir };
  }
  await importAnyModel({
    onnx: onnxPath,
    calibrate: join(PROJECT_ROOT, INSPECTION_MODEL.data),
    out: dir,
    name: INSPECTION_MODEL.name,
    outputKind: 'argmax',
    scaleBits: INSPECTION_MODEL.scaleBits,
    inputScaleBits: INSPECTION_MODEL.inputScaleBits,
  });
  const built = await readAnyModelDir(dir);
  if (built.kind !== 'graph') throw new Error(`unreachable: ${INSPECTION_MODEL.onnx} is a CNN, imported as a graph`);
  return { ...built, dir };
}

/** Whether a model folder is the inspector's import: an argmax graph at the recorded scales. */
export function isInspectionGraph(m: GraphModelDir): boolean {
  return (
    m.generation === undefined &&
    m.manifest.outputKind === 'argmax' &&
    m.manifest.scaleBits === INSPECTION_MODEL.scaleBits &&
    graphInputScaleBits(m.graph) === INSPECTION_MODEL.inputScaleBits
  );
}

/**
 * The request input of an image: its pixels row by row, quantized at the model's input scale (raw pixels stay as
 * they are at scale 1). Throws `InputLengthError` for another pixel count and `InputRangeError` for a pixel outside
 * the model's range.
 */
export function inspectionInput(model: GraphModelDir, pixels: readonly number[]): bigint[] {
  const expected = graphInputLength(model.graph);
  if (pixels.length !== expected) throw new InputLengthError(expected, pixels.length);
  const input = quantizeAll(pixels, graphInputScaleBits(model.graph));
  validateGraphInput(model.graph, input);
  return input;
}

/** A labelled image of the committed Fashion-MNIST test subset. */
export type FashionImage = { index: number; pixels: number[]; label: number; className: FashionClass };
export type FashionClass = (typeof FASHION_CLASSES)[number];

/** The images of data/fashion/fashion-mnist-test-1000.csv.gz, in the test set's order. */
export async function fashionTestImages(): Promise<FashionImage[]> {
  const data = await readCsv(join(PROJECT_ROOT, INSPECTION_MODEL.data));
  return data.rows.map((row, index) => {
    // The label column holds the class id; the CSV reader numbers the distinct labels it saw, so read it back by name.
    const label = Number(data.classes[data.labels[index]!]);
    const className = FASHION_CLASSES[label];
    if (className === undefined) throw new AppDataError(`${INSPECTION_MODEL.data}: row ${index} has label ${label}, not a class id 0–9.`);
    return { index, pixels: [...row], label, className };
  });
}

/** The first image of the test subset whose label is `className`. */
export async function firstFashionImage(className: FashionClass): Promise<FashionImage> {
  const found = (await fashionTestImages()).find((image) => image.className === className);
  if (!found) throw new AppDataError(`${INSPECTION_MODEL.data} has no image of a ${className}.`);
  return found;
}
