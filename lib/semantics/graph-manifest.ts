import { z } from 'zod';
import { ManifestError } from './manifest.js';
import { compileGraph } from './graph-bounds.js';
import { graphHash } from './graph-encoding.js';
import { type Generation, generationHash, generationSpec } from './generation.js';
import { type GraphNode, graphInputLength, graphOutputLength, type IntGraph, type NodeBounds, size } from './graph.js';

export const GRAPH_MANIFEST_FORMAT = 'vai-int-graph/1';

const integerString = z.string().regex(/^-?\d+$/, 'expected a decimal integer string');
const safeInt = z.number().int().refine(Number.isSafeInteger, 'expected a safe integer');
const count = z.number().int().positive();
const windowSchema = z.object({
  kernel: z.tuple([count, count]),
  stride: z.tuple([count, count]),
  pads: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
const base = { inputs: z.array(z.number().int().nonnegative()), shape: z.array(count), name: z.string() };

/** One node in the manifest: the op's parameters as in lib/semantics/graph.ts, bigints as strings. */
const nodeSchema = z.discriminatedUnion('op', [
  z.object({ ...base, op: z.literal('conv'), window: windowSchema, groups: count, outChannels: count, weights: z.array(safeInt), bias: z.array(safeInt) }),
  z.object({ ...base, op: z.literal('dense'), outDim: count, weights: z.array(safeInt), bias: z.array(safeInt) }),
  z.object({ ...base, op: z.literal('affine'), scale: z.array(safeInt), bias: z.array(safeInt) }),
  z.object({ ...base, op: z.literal('maxpool'), window: windowSchema }),
  z.object({ ...base, op: z.literal('avgpool'), window: windowSchema, countPad: z.boolean() }),
  z.object({ ...base, op: z.literal('relu') }),
  z.object({ ...base, op: z.literal('leakyrelu'), alpha: safeInt }),
  z.object({ ...base, op: z.literal('clip'), lo: integerString, hi: integerString }),
  z.object({ ...base, op: z.literal('hardsigmoid'), alpha: safeInt, beta: safeInt }),
  z.object({ ...base, op: z.literal('hardswish'), alpha: safeInt, beta: safeInt }),
  z.object({
    ...base,
    op: z.literal('piecewise'),
    fn: z.enum(['sigmoid', 'tanh']),
    lo: integerString,
    segBits: z.number().int(),
    c0: z.array(safeInt),
    c1: z.array(safeInt),
    c2: z.array(safeInt),
  }),
  z.object({ ...base, op: z.literal('add') }),
  z.object({ ...base, op: z.literal('mul') }),
  z.object({ ...base, op: z.literal('concat'), axis: z.number().int().nonnegative() }),
  z.object({ ...base, op: z.literal('reshape') }),
  z.object({ ...base, op: z.literal('transpose'), perm: z.array(z.number().int().nonnegative()) }),
  // Transformer ops (graph-transformer.ts).
  z.object({ ...base, op: z.literal('embedding'), vocab: count, table: z.array(safeInt), positions: z.array(safeInt) }),
  z.object({ ...base, op: z.literal('linear'), outDim: count, weights: z.array(safeInt), bias: z.array(safeInt) }),
  z.object({ ...base, op: z.literal('matmul') }),
  z.object({ ...base, op: z.literal('softmax'), causal: z.boolean(), ln2: safeInt, a: safeInt, b: safeInt, c: safeInt }),
  z.object({ ...base, op: z.literal('layernorm'), gamma: z.array(safeInt), beta: z.array(safeInt), epsilon: safeInt }),
  z.object({ ...base, op: z.literal('gelu'), segBits: z.number().int(), c0: z.array(safeInt), c1: z.array(safeInt), c2: z.array(safeInt) }),
  z.object({
    ...base,
    op: z.literal('slice'),
    axis: z.number().int().nonnegative(),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
  }),
  z.object({ ...base, op: z.literal('mean'), axis: z.number().int().nonnegative(), keepDims: z.boolean() }),
]);

/** The graph's own input under a generation model (whose `inputShape` and `inputRange` are the request's). */
const graphInputSchema = z.object({ shape: z.array(count), range: z.tuple([integerString, integerString]) });

const boundsSchema = z.object({ accMin: integerString.nullable(), accMax: integerString.nullable(), outMin: integerString, outMax: integerString });

export const graphManifestSchema = z
  .object({
    format: z.literal(GRAPH_MANIFEST_FORMAT),
    name: z.string().min(1),
    modelHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    scaleBits: z.number().int(),
    inputScaleBits: z.number().int().optional(),
    inputShape: z.array(count),
    inputLength: count,
    inputRange: z.tuple([integerString, integerString]),
    outputKind: z.enum(['logits', 'argmax']),
    outputLength: count,
    classes: z.array(z.string()).optional(),
    graph: z.object({ nodes: z.array(nodeSchema).min(1) }),
    bounds: z.array(boundsSchema),
    /** A language model asked for greedy tokens (docs/SEMANTICS.md, "Generation"): the request's P and N. */
    generation: z.object({ promptLength: count, maxTokens: count }).optional(),
    files: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();

export type GraphManifest = z.infer<typeof graphManifestSchema>;
type NodeJson = z.infer<typeof nodeSchema>;

function nodeToJson(n: GraphNode): NodeJson {
  if (n.op === 'clip') return { ...n, lo: n.lo.toString(), hi: n.hi.toString() };
  if (n.op === 'piecewise') return { ...n, lo: n.lo.toString() };
  return n;
}

function nodeFromJson(n: NodeJson): GraphNode {
  if (n.op === 'clip') return { ...n, lo: BigInt(n.lo), hi: BigInt(n.hi) };
  if (n.op === 'piecewise') return { ...n, lo: BigInt(n.lo) };
  return n;
}

const boundsJson = (b: NodeBounds) => ({
  accMin: b.accMin === null ? null : b.accMin.toString(),
  accMax: b.accMax === null ? null : b.accMax.toString(),
  outMin: b.outMin.toString(),
  outMax: b.outMax.toString(),
});

export type GraphManifestExtra = { name: string; classes?: string[]; files?: Record<string, string>; generation?: Generation };

/**
 * The manifest of a graph model: its hash, nodes and bounds (throws if the graph cannot be bounded). With
 * `generation`, the model is the language model asked for greedy tokens: the hash, the input (`[1, 1 + P]` in
 * `[-1, max(V - 1, N)]`) and the output length (N) are the generation's, not the forward pass's.
 */
export function graphManifestFromGraph(graph: IntGraph, extra: GraphManifestExtra): GraphManifest {
  const { bounds } = compileGraph(graph);
  const gen = extra.generation;
  const spec = gen ? generationSpec(graph, gen) : null;
  return {
    format: GRAPH_MANIFEST_FORMAT,
    name: extra.name,
    modelHash: gen ? generationHash(graph, gen) : graphHash(graph),
    scaleBits: graph.scaleBits,
    ...(graph.inputScaleBits === undefined ? {} : { inputScaleBits: graph.inputScaleBits }),
    inputShape: spec ? [1, spec.inputLength] : [1, ...graph.inputShape],
    inputLength: spec ? spec.inputLength : graphInputLength(graph),
    inputRange: spec ? [spec.inputMin.toString(), spec.inputMax.toString()] : [graph.inputMin.toString(), graph.inputMax.toString()],
    outputKind: graph.outputKind,
    outputLength: spec ? spec.outputLength : graphOutputLength(graph),
    ...(extra.classes ? { classes: extra.classes } : {}),
    graph: { nodes: graph.nodes.map(nodeToJson) },
    bounds: bounds.map(boundsJson),
    ...(gen
      ? {
          generation: { promptLength: gen.promptLength, maxTokens: gen.maxTokens },
          graphInput: { shape: [1, ...graph.inputShape], range: [graph.inputMin.toString(), graph.inputMax.toString()] },
        }
      : {}),
    ...(extra.files ? { files: extra.files } : {}),
  };
}

/** Validates a graph manifest, rebuilds its graph and checks that its hash, lengths and bounds are its own. */
export function parseGraphManifest(json: unknown): { manifest: GraphManifest; graph: IntGraph } {
  const parsed = graphManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(`Invalid graph manifest: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown reason'}.`);
  }
  const manifest = parsed.data;
  const gen = manifest.generation;
  // A generation model's manifest names the request's input; the graph's own input is the stored graph's.
  const graphInput = gen ? (manifest as { graphInput?: unknown }).graphInput : null;
  const parsedInput = gen ? graphInputSchema.safeParse(graphInput) : null;
  if (parsedInput && !parsedInput.success)
    throw new ManifestError('Invalid graph manifest: graphInput: expected { shape, range } of the graph the generation runs.');
  const input = parsedInput?.success ? parsedInput.data : { shape: manifest.inputShape, range: manifest.inputRange };
  const graph: IntGraph = {
    scaleBits: manifest.scaleBits,
    ...(manifest.inputScaleBits === undefined ? {} : { inputScaleBits: manifest.inputScaleBits }),
    outputKind: manifest.outputKind,
    inputShape: input.shape.slice(1),
    inputMin: BigInt(input.range[0]),
    inputMax: BigInt(input.range[1]),
    nodes: manifest.graph.nodes.map(nodeFromJson),
  };
  let expected: GraphManifest;
  try {
    expected = graphManifestFromGraph(graph, { name: manifest.name, ...(gen ? { generation: gen } : {}) });
  } catch (cause) {
    throw new ManifestError('The manifest describes an invalid graph.', { cause, details: (cause as Error).message });
  }
  const mismatch = (field: string, got: unknown, want: unknown): never => {
    throw new ManifestError(`Manifest field ${field} is ${JSON.stringify(got)}, but the graph gives ${JSON.stringify(want)}.`, {
      metaMessages: ['The manifest was edited or is stale: rebuild the model.'],
    });
  };
  if (manifest.inputShape[0] !== 1 || size(manifest.inputShape) !== manifest.inputLength) mismatch('inputShape', manifest.inputShape, expected.inputShape);
  if (manifest.inputLength !== expected.inputLength) mismatch('inputLength', manifest.inputLength, expected.inputLength);
  if (manifest.inputRange.join() !== expected.inputRange.join()) mismatch('inputRange', manifest.inputRange, expected.inputRange);
  if (manifest.modelHash !== expected.modelHash) mismatch('modelHash', manifest.modelHash, expected.modelHash);
  if (manifest.outputLength !== expected.outputLength) mismatch('outputLength', manifest.outputLength, expected.outputLength);
  if (JSON.stringify(manifest.bounds) !== JSON.stringify(expected.bounds)) mismatch('bounds', 'the stored bounds', 'other bounds');
  return { manifest, graph };
}
