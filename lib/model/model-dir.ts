/**
 * Model folders of either kind, behind one vocabulary: a `chain` model (`vai-int-model/1`, dense layers, the
 * format whose weights fit on chain) or a `graph` model (`vai-int-graph/1`, an integer DAG: CNNs, transformers).
 * Reading a folder, checking an input, and the canonical (reference) output are the same calls for both, so the
 * node and the CLI never branch on the format themselves.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeOnnx, encodeOnnx, type OnnxModel } from '../onnx/index.js';
import {
  argmax,
  decodeGenerationRequest,
  type Generation,
  type GraphManifest,
  GRAPH_MANIFEST_FORMAT,
  graphInputLength,
  type IntGraph,
  type IntModel,
  isTransformerOp,
  MANIFEST_FILE,
  ManifestError,
  type ModelManifest,
  parseGraphManifest,
  readModelDir,
  runGeneration,
  runGraph,
  runReference,
  validateGraphInput,
  validateInput,
} from '../semantics/index.js';
import { ModelDirError } from './errors.js';
import { MODEL_FILES } from './files.js';
import { buildTransformerOnnx } from './gpt/intgraph.js';
import { buildGraphOnnx } from './graph-onnx.js';
import { ort, runIntBatch, type Session } from './ort.js';

export type ChainModelDir = { kind: 'chain'; manifest: ModelManifest; model: IntModel };
/** A graph model; with `generation`, a language model asked for greedy tokens (docs/SEMANTICS.md, "Generation"). */
export type GraphModelDir = { kind: 'graph'; manifest: GraphManifest; graph: IntGraph; generation?: Generation };
/** A checked model folder of either kind. */
export type AnyModelDir = ChainModelDir | GraphModelDir;

/** Whether the graph holds transformer ops (its integer ONNX graph is lib/model/gpt/intgraph.ts's, fed unbatched). */
export const isTransformerGraph = (graph: IntGraph): boolean => graph.nodes.some((n) => isTransformerOp(n));

/** The integer ONNX graph of an integer graph: the transformer writer for transformers, the CNN writer otherwise. */
export function buildIntGraphOnnx(graph: IntGraph, producerVersion: string): OnnxModel {
  return isTransformerGraph(graph) ? buildTransformerOnnx(graph, producerVersion) : buildGraphOnnx(graph, producerVersion);
}

async function readJson(dir: string): Promise<unknown> {
  const path = join(dir, MANIFEST_FILE);
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new ManifestError(`Cannot read ${path}.`, { cause, metaMessages: ['Build the model first: vai model train | import.'] });
  });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`${path} is not valid JSON.`, { cause });
  }
}

/**
 * Reads a graph model folder: the manifest must reproduce its hash and bounds, and `model.int.onnx`, when the
 * folder has one, must be exactly the graph the writer produces for it (a stale file would be served otherwise).
 */
export async function readGraphModelDir(dir: string): Promise<GraphModelDir & { intOnnx: Uint8Array | null }> {
  const { manifest, graph } = parseGraphManifest(await readJson(dir));
  const generation = manifest.generation ? { generation: manifest.generation } : {};
  const intPath = join(dir, manifest.files?.integer ?? MODEL_FILES.integer);
  if (!existsSync(intPath)) return { kind: 'graph', manifest, graph, ...generation, intOnnx: null };
  const intOnnx = new Uint8Array(await readFile(intPath));
  const expected = encodeOnnx(buildIntGraphOnnx(graph, decodeOnnx(intOnnx).producerVersion));
  if (!Buffer.from(intOnnx).equals(Buffer.from(expected))) {
    throw new ModelDirError(dir, `${intPath} does not match model.json (stale or edited); rebuild the model`);
  }
  return { kind: 'graph', manifest, graph, ...generation, intOnnx };
}

/** Reads and checks a model folder of either kind (by its manifest's `format`). */
export async function readAnyModelDir(dir: string): Promise<AnyModelDir> {
  const json = await readJson(dir);
  const format = typeof json === 'object' && json !== null && 'format' in json ? json.format : undefined;
  if (format === GRAPH_MANIFEST_FORMAT) {
    const { intOnnx: _, ...model } = await readGraphModelDir(dir);
    return model;
  }
  const { manifest, model } = await readModelDir(dir);
  return { kind: 'chain', manifest, model };
}

/** What a request's input must be: its length, range and scale (the registry's `ModelSpec` fields). */
export type InputDomain = { inputLength: number; inputMin: bigint; inputMax: bigint; scaleBits: number };

export function inputDomain(m: AnyModelDir): InputDomain {
  const { manifest } = m;
  return {
    inputLength: manifest.inputLength,
    inputMin: BigInt(manifest.inputRange[0]),
    inputMax: BigInt(manifest.inputRange[1]),
    scaleBits: manifest.scaleBits,
  };
}

/** Throws `InputLengthError` / `InputRangeError` unless `input` is a valid input of the model. */
export function validateModelInput(m: AnyModelDir, input: readonly bigint[]): void {
  if (m.kind === 'chain') validateInput(m.model, input);
  else if (m.generation) decodeGenerationRequest(m.graph, m.generation, input);
  else validateGraphInput(m.graph, input);
}

/**
 * The canonical output (the reference executor's, docs/SEMANTICS.md) of the model for a valid input; for a
 * generation model, the greedy ids with every window run by the reference executor.
 */
export async function referenceOutput(m: AnyModelDir, input: readonly bigint[]): Promise<bigint[]> {
  if (m.kind === 'chain') return runReference(m.model, input);
  if (m.generation) return runGeneration(m.graph, m.generation, input, (window) => runGraph(m.graph, window));
  return runGraph(m.graph, input);
}

/**
 * Runs a graph's integer ONNX graph on one input. The CNN writer's graph takes a batch of flat rows; the
 * transformer writer's takes the unbatched tensor and ends at the logits, so an argmax head is taken here with
 * the semantics' rule (the lowest index wins a tie), as the reference executor takes it.
 */
export async function runGraphSession(session: Session, m: GraphModelDir, input: readonly bigint[]): Promise<bigint[]> {
  const { graph } = m;
  if (!isTransformerGraph(graph)) return (await runIntBatch(session, [input], graphInputLength(graph))).outputs[0]!;
  const forward = async (x: readonly bigint[]): Promise<bigint[]> => {
    const feed = new ort.Tensor('int64', BigInt64Array.from(x), graph.inputShape);
    return Array.from((await session.run({ input: feed }, ['output'])).output!.data as BigInt64Array);
  };
  // Generation: onnxruntime computes each window's logits; the loop (and its tie rule) is the semantics' own.
  if (m.generation) return runGeneration(graph, m.generation, input, forward);
  const out = await forward(input);
  return graph.outputKind === 'argmax' ? [BigInt(argmax(out))] : out;
}
