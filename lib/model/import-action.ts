import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { readCsv } from '../data/csv.js';
import { decodeOnnx, OnnxDecodeError } from '../onnx/index.js';
import type { Generation, OutputKind } from '../semantics/index.js';
import { type Tokenizer, tokenizerSchema } from './gpt/generate.js';
import { type BuildTransformerResult, buildTransformerModelDir, takesTokenIds } from './gpt/model-dir.js';
import { OnnxImportError, UnsupportedOpError } from './errors.js';
import { importOnnxGraph } from './graph-import.js';
import { buildGraphModelDir, type BuildGraphResult } from './graph-pipeline.js';
import { importOnnx } from './import.js';
import { buildModelDir, type BuildModelResult } from './pipeline.js';

export type ImportModelParameters = {
  /** Path of the float `.onnx` file. */
  onnx: string;
  /** Calibration CSV (rows of raw inputs; a label column is read and ignored unless it is missing). Not for token-id models. */
  calibrate?: string;
  /** Token-id models: serve as a language model asked for greedy tokens (P prompt tokens, N generated). */
  generation?: Generation;
  /** Token-id models: the tokenizer file (`{ kind: 'char', context, vocab }`), kept in the manifest for text. */
  tokenizer?: string;
  out: string;
  name?: string;
  label?: string;
  /** Default: `argmax` when the graph ends in Softmax/ArgMax, else `logits`. */
  outputKind?: OutputKind;
  scaleBits?: number;
  /** Graphs: quantize inputs at 2^inputScaleBits (0: integer inputs such as raw pixels as they are). */
  inputScaleBits?: number;
  tolerance?: number;
  inputRange?: [number, number];
};

/**
 * `vai model import`: reads a float ONNX MLP (PyTorch / tf2onnx / skl2onnx style), folds it into dense
 * layers, calibrates the scale on a CSV and writes the model folder.
 *
 * @example
 * await importModel({ onnx: 'mlp.onnx', calibrate: 'data/iris.csv', out: '.vai/models/iris' });
 */
export async function importModel(p: ImportModelParameters): Promise<BuildModelResult> {
  const calibrate = needCalibration(p);
  const bytes = await readFile(p.onnx).catch((cause: NodeJS.ErrnoException) => {
    throw new OnnxDecodeError(`cannot read ${p.onnx} (${cause.code ?? cause.message})`, { cause });
  });
  const mlp = importOnnx(decodeOnnx(new Uint8Array(bytes)));
  let ds = await readCsv(calibrate, p.label === undefined ? {} : { label: p.label });
  // A calibration file may hold inputs only: one column fewer than assumed means no label column.
  if (p.label === undefined && ds.featureNames.length === mlp.inputLength - 1) ds = await readCsv(calibrate, { label: false });
  const classes = ds.classes.length === mlp.layers.at(-1)!.outDim ? ds.classes : undefined;
  return buildModelDir({
    outDir: p.out,
    name: p.name ?? basename(p.out),
    floatOnnx: new Uint8Array(bytes),
    mlp,
    calibrationRows: ds.rows,
    outputKind: p.outputKind ?? (mlp.head === 'logits' ? 'logits' : 'argmax'),
    ...(classes ? { classes } : {}),
    ...(p.scaleBits === undefined ? {} : { scaleBits: p.scaleBits }),
    ...(p.tolerance === undefined ? {} : { tolerance: p.tolerance }),
    ...(p.inputRange === undefined ? {} : { inputRange: p.inputRange }),
    extra: { source: { kind: 'import', file: basename(p.onnx), head: mlp.head } },
  });
}

export type ImportAnyResult =
  | ({ kind: 'chain' } & BuildModelResult)
  | ({ kind: 'graph' } & BuildGraphResult)
  | ({ kind: 'transformer' } & BuildTransformerResult);

function needCalibration(p: ImportModelParameters): string {
  if (p.calibrate === undefined) throw new OnnxImportError(`${basename(p.onnx)} takes real-valued inputs: pass --calibrate <csv> to choose its scale`);
  return p.calibrate;
}

async function readTokenizerFile(path: string): Promise<Tokenizer> {
  const text = await readFile(path, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new OnnxImportError(`cannot read the tokenizer ${path} (${cause.code ?? cause.message})`);
  });
  const parsed = tokenizerSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new OnnxImportError(`${path} is not a tokenizer ({ kind: 'char', context, vocab }): ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * `vai model import` for any supported network: a graph the chain importer can reduce to dense
 * layers takes that path (same folder, same `modelHash` as before integer graphs existed); anything
 * else (convolutions, pooling, smooth activations, branches) becomes an integer graph. When both
 * refuse, the graph importer's reason (the more general one) is reported.
 *
 * @example
 * await importAnyModel({ onnx: 'data/fashion/lenet5_avg.onnx', calibrate: 'data/fashion/fashion-mnist-test-1000.csv.gz', out: '.vai/models/lenet' });
 */
export async function importAnyModel(p: ImportModelParameters): Promise<ImportAnyResult> {
  const bytes = await readFile(p.onnx).catch((cause: NodeJS.ErrnoException) => {
    throw new OnnxDecodeError(`cannot read ${p.onnx} (${cause.code ?? cause.message})`, { cause });
  });
  const onnx = decodeOnnx(new Uint8Array(bytes));
  // Token ids in: a transformer (the GPT, an nn.TransformerEncoderLayer classifier), imported at a fixed scale.
  if (takesTokenIds(onnx)) {
    const tokenizer = p.tokenizer === undefined ? undefined : await readTokenizerFile(p.tokenizer);
    const result = await buildTransformerModelDir({
      outDir: p.out,
      name: p.name ?? basename(p.out),
      floatOnnx: new Uint8Array(bytes),
      ...(p.scaleBits === undefined ? {} : { scaleBits: p.scaleBits }),
      ...(p.generation ? { generation: p.generation } : {}),
      ...(tokenizer ? { tokenizer } : {}),
    });
    return { kind: 'transformer', ...result };
  }
  if (p.generation || p.tokenizer) throw new OnnxImportError(`${basename(p.onnx)} does not take token ids: --generate and --tokenizer are for language models`);
  const calibrate = needCalibration(p);
  try {
    importOnnx(onnx);
    if (p.inputScaleBits !== undefined)
      throw new OnnxImportError('--input-scale-bits applies to integer graphs only, and this network is a chain of dense layers');
    return { kind: 'chain', ...(await importModel(p)) };
  } catch (cause) {
    if (!(cause instanceof OnnxImportError || cause instanceof UnsupportedOpError)) throw cause;
  }
  const graph = importOnnxGraph(onnx);
  const inputLength = graph.inputShape.reduce((a, d) => a * d, 1);
  let ds = await readCsv(calibrate, p.label === undefined ? {} : { label: p.label });
  if (p.label === undefined && ds.featureNames.length === inputLength - 1) ds = await readCsv(calibrate, { label: false });
  const classCount = graph.nodes.at(-1)!.shape.reduce((a, d) => a * d, 1);
  const classes = ds.classes.length === classCount ? ds.classes : undefined;
  const result = await buildGraphModelDir({
    outDir: p.out,
    name: p.name ?? basename(p.out),
    floatOnnx: new Uint8Array(bytes),
    graph,
    calibrationRows: ds.rows,
    outputKind: p.outputKind ?? (graph.head === 'logits' ? 'logits' : 'argmax'),
    ...(classes ? { classes } : {}),
    ...(p.scaleBits === undefined ? {} : { scaleBits: p.scaleBits }),
    ...(p.inputScaleBits === undefined ? {} : { inputScaleBits: p.inputScaleBits }),
    ...(p.tolerance === undefined ? {} : { tolerance: p.tolerance }),
    ...(p.inputRange === undefined ? {} : { inputRange: p.inputRange }),
    extra: { source: { kind: 'import', file: basename(p.onnx), head: graph.head } },
  });
  return { kind: 'graph', ...result };
}
