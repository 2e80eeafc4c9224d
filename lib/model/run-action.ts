import {
  encodeGenerationRequest,
  type Generation,
  generatedIds,
  GRAPH_MANIFEST_FORMAT,
  graphInputScaleBits,
  inputHash,
  outputHash,
  type Hex,
} from '../semantics/index.js';
import { parseInput, parseModelInput } from '../protocol/index.js';
import { EngineMismatchError, ModelDirError } from './errors.js';
import { decodeIds, encodeText, tokenizerSchema } from './gpt/generate.js';
import { loadGraphDir, manifestFormat } from './graph-pipeline.js';
import { type GraphModelDir, isTransformerGraph, referenceOutput, runGraphSession, validateModelInput } from './model-dir.js';
import { openSession } from './ort.js';
import { checkAgreement, loadModelDir } from './pipeline.js';

export type RunModelParameters = {
  dir: string;
  /** JSON array: float features, or integers with `integers` (a language model's request: `[n, ids…, -1…]`). */
  input?: string;
  integers?: boolean;
  /** Language models: the prompt as text (encoded with the manifest's tokenizer), instead of `input`. */
  prompt?: string;
  /** Language models with `prompt`: the tokens wanted (default: the model's N). */
  tokens?: number;
};

export type RunModelReturnType = {
  model: string;
  modelHash: Hex;
  input: bigint[];
  output: bigint[];
  /** Class name for argmax models with named classes. */
  label?: string;
  /** Language models: the generated ids as text (with the manifest's tokenizer). */
  text?: string;
  inputHash: Hex;
  outputHash: Hex;
  /** Both engines ran and agreed (the call throws {@link EngineMismatchError} otherwise). */
  engines: ['onnxruntime', 'reference'];
};

/**
 * `vai model run`: quantizes one input (unless it is already integer), runs the integer graph in
 * onnxruntime-node and the reference executor, and throws {@link EngineMismatchError} if they differ.
 */
export async function runModel(p: RunModelParameters): Promise<RunModelReturnType> {
  if ((await manifestFormat(p.dir)) === GRAPH_MANIFEST_FORMAT) return runGraphModel(p);
  const loaded = await loadModelDir(p.dir);
  const { model, manifest } = loaded;
  if (p.prompt !== undefined) throw new ModelDirError(p.dir, 'is not a language model: --prompt is for models imported with --generate');
  const input = parseModelInput(needInput(p), model, { integers: p.integers ?? false });
  const output = (await checkAgreement(model, loaded.intOnnx, [input]))[0]!;
  const label = model.outputKind === 'argmax' ? manifest.classes?.[Number(output[0])] : undefined;
  return agreedRun(manifest, input, output, { label });
}

/** The answer of a run both engines agreed on, for either kind of model. */
function agreedRun(
  manifest: { name: string; modelHash: string },
  input: bigint[],
  output: bigint[],
  named: { label?: string | undefined; text?: string | undefined },
): RunModelReturnType {
  return {
    model: manifest.name,
    modelHash: manifest.modelHash as Hex,
    input,
    output,
    ...(named.label === undefined ? {} : { label: named.label }),
    ...(named.text === undefined ? {} : { text: named.text }),
    inputHash: inputHash(input),
    outputHash: outputHash(output),
    engines: ['onnxruntime', 'reference'],
  };
}

function needInput(p: RunModelParameters): string {
  if (p.input === undefined) throw new ModelDirError(p.dir, 'no input: pass --input (or --prompt for a language model)');
  return p.input;
}

/** The request of a language model: the prompt's text encoded, or the integers given. */
function generationInput(p: RunModelParameters, m: GraphModelDir & { generation: Generation }): bigint[] {
  if (p.prompt === undefined) return parseInput(needInput(p), m.graph.scaleBits, { integers: true });
  const tokenizer = tokenizerSchema.safeParse((m.manifest as { tokenizer?: unknown }).tokenizer);
  if (!tokenizer.success) throw new ModelDirError(p.dir, 'the manifest has no tokenizer: pass the request as --input [n, ids…, -1…]');
  return encodeGenerationRequest(m.graph, m.generation, encodeText(tokenizer.data, p.prompt), p.tokens ?? m.generation.maxTokens);
}

/**
 * `vai model run` for an integer graph: the input is the tensor flattened in row-major order (token ids for a
 * transformer; a language model's request, or `prompt`). onnxruntime and the reference executor must agree.
 */
async function runGraphModel(p: RunModelParameters): Promise<RunModelReturnType> {
  const { graph, manifest, intOnnx } = await loadGraphDir(p.dir);
  const m: GraphModelDir = { kind: 'graph', manifest, graph, ...(manifest.generation ? { generation: manifest.generation } : {}) };
  if (p.prompt !== undefined && !m.generation) throw new ModelDirError(p.dir, 'is not a language model: --prompt is for models imported with --generate');
  const input = m.generation
    ? generationInput(p, { ...m, generation: m.generation })
    : parseInput(needInput(p), graphInputScaleBits(graph), { integers: (p.integers ?? false) || isTransformerGraph(graph) });
  validateModelInput(m, input);
  const session = await openSession(intOnnx);
  let output: bigint[];
  try {
    output = await runGraphSession(session, m, input);
  } finally {
    await session.release();
  }
  const expected = await referenceOutput(m, input);
  if (output.join() !== expected.join()) throw new EngineMismatchError(`onnxruntime [${output.join(', ')}], reference [${expected.join(', ')}]`);
  const label = graph.outputKind === 'argmax' ? manifest.classes?.[Number(output[0])] : undefined;
  const tokenizer = tokenizerSchema.safeParse((manifest as { tokenizer?: unknown }).tokenizer);
  const text = m.generation && tokenizer.success ? decodeIds(tokenizer.data, generatedIds(output)) : undefined;
  return agreedRun(manifest, input, output, { label, text });
}
