/**
 * The model folder of a transformer exported by PyTorch (`vai model import` of a model whose input is token
 * ids): `model.json` (format `vai-int-graph/1`; with `generation` for a language model, plus its tokenizer),
 * `model.int.onnx` (lib/model/gpt/intgraph.ts) and the float `model.onnx`. Written after onnxruntime and the
 * reference executor agreed on a few windows, bit for bit.
 */
import { decodeOnnx, encodeOnnx, type OnnxModel } from '../../onnx/index.js';
import { DataType } from '../../onnx/index.js';
import { type Generation, type GraphManifest, graphManifestFromGraph, type IntGraph, languageModelShape, runGraph } from '../../semantics/index.js';
import { EngineMismatchError } from '../errors.js';
import { MODEL_FILES, writeDirAtomic } from '../files.js';
import { openSession, ort } from '../ort.js';
import { VAI_VERSION } from '../version.js';
import type { Tokenizer } from './generate.js';
import { importTransformer } from './import.js';
import { buildTransformerOnnx } from './intgraph.js';

/** The scale a transformer is imported at unless told (2^12: the committed GPT's 99.88 % top-1 agreement). */
export const DEFAULT_TRANSFORMER_SCALE_BITS = 12;

/** Whether an ONNX model takes token ids (one int64 input): the transformer importer's kind of model. */
export function takesTokenIds(model: OnnxModel): boolean {
  const consts = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((v) => !consts.has(v.name));
  return inputs.length === 1 && inputs[0]!.elemType === DataType.INT64;
}

export type BuildTransformerParams = {
  outDir: string;
  name: string;
  floatOnnx: Uint8Array;
  scaleBits?: number;
  /** Serve it as a language model asked for greedy tokens (P prompt tokens, N generated). */
  generation?: Generation;
  tokenizer?: Tokenizer;
  classes?: string[];
};

export type BuildTransformerResult = { dir: string; manifest: GraphManifest; graph: IntGraph; intOnnx: Uint8Array; checkedWindows: number };

/** Token-id windows that cover the vocabulary's ends and its middle. */
function probeWindows(graph: IntGraph): bigint[][] {
  const T = graph.inputShape.at(-1)!;
  const top = graph.inputMax;
  return [
    Array.from({ length: T }, (_, i) => BigInt(i) % (top + 1n)),
    Array.from({ length: T }, (_, i) => (i % 2 ? top : 0n)),
    Array.from({ length: T }, (_, i) => (BigInt(i * 7 + 3) * 31n) % (top + 1n)),
  ];
}

/** Imports, checks the two engines against each other and writes the folder (complete or not at all). */
export async function buildTransformerModelDir(p: BuildTransformerParams): Promise<BuildTransformerResult> {
  const { graph } = importTransformer(decodeOnnx(p.floatOnnx), p.scaleBits ?? DEFAULT_TRANSFORMER_SCALE_BITS);
  if (p.generation) languageModelShape(graph);
  const intOnnx = encodeOnnx(buildTransformerOnnx(graph, VAI_VERSION));
  const session = await openSession(intOnnx);
  const windows = probeWindows(graph);
  try {
    for (const [r, x] of windows.entries()) {
      const got = Array.from((await session.run({ input: new ort.Tensor('int64', BigInt64Array.from(x), graph.inputShape) })).output!.data as BigInt64Array);
      const want = runGraph(graph, x);
      if (got.join() !== want.join()) throw new EngineMismatchError(`window ${r}: the integer ONNX graph and the reference executor give different logits`);
    }
  } finally {
    await session.release();
  }
  const manifest: GraphManifest = {
    ...graphManifestFromGraph(graph, {
      name: p.name,
      ...(p.classes ? { classes: p.classes } : {}),
      ...(p.generation ? { generation: p.generation } : {}),
      files: { float: MODEL_FILES.float, integer: MODEL_FILES.integer },
    }),
    ...(p.tokenizer ? { tokenizer: p.tokenizer } : {}),
    input: p.generation
      ? { layout: 'generation request: [n, prompt token ids..., -1 padding...] (docs/SEMANTICS.md, "Generation")' }
      : { layout: 'token ids, one row of the context (no scale applies)' },
    producer: `vai ${VAI_VERSION}`,
  };
  await writeDirAtomic(p.outDir, {
    [MODEL_FILES.float]: p.floatOnnx,
    [MODEL_FILES.integer]: intOnnx,
    [MODEL_FILES.manifest]: `${JSON.stringify(manifest, null, 1)}\n`,
  });
  return { dir: p.outDir, manifest, graph, intOnnx, checkedWindows: windows.length };
}
