/**
 * The steps of a generation model's trace (docs/SEMANTICS.md, "Graph traces"): what one on-chain transaction executes
 * when a dispute over a language model is bisected. Each generated token is a window step (the last T ids into the
 * input tensor), one step per node and range of rows of the integer graph, and an argmax step (the last real logits
 * row's argmax appended to the answer). A row is the last axis of a tensor; a node's rows are cut into chunks so that a
 * step's calldata and execution stay far below one block (see {@link chunkRows}).
 */
import { keccak256 } from 'ethers';
import { TraceCommitmentError } from './errors.js';
import { type Generation, checkGeneration, languageModelShape } from './generation.js';
import { isTransformerOp, writeTransformerParams } from './graph-transformer.js';
import { GRAPH_OP_CODES, type GraphNode, type IntGraph, type OpName, size } from './graph.js';
import { merkleRoot } from './merkle.js';
import { minimalWidth } from './encoding.js';
import type { Hex } from './types.js';

/** "VGS1": the magic of a graph step encoding. */
export const GRAPH_STEP_MAGIC = 0x56475331;
export const GRAPH_STEP_KIND = { window: 1, node: 2, argmax: 3 } as const;

/** The ops the on-chain step executor (`GraphStep.sol`) runs: the transformer's and the element-wise CNN ops. */
export const STEP_OPS: ReadonlySet<OpName> = new Set<OpName>([
  'embedding',
  'linear',
  'matmul',
  'softmax',
  'layernorm',
  'gelu',
  'slice',
  'add',
  'mul',
  'affine',
  'relu',
  'reshape',
  'transpose',
]);

/** The estimated gas a step may use; a node's rows are grouped into the largest power-of-two chunk under it. */
export const STEP_GAS_ESTIMATE_BUDGET = 3_000_000;

export type GraphStep =
  | { kind: 'window'; token: number }
  | { kind: 'node'; token: number; node: number; rowStart: number; rowEnd: number }
  | { kind: 'argmax'; token: number };

/** Rows of a tensor: its size over its last axis. */
export const rowLength = (shape: readonly number[]): number => shape[shape.length - 1] ?? 1;
export const rowCount = (shape: readonly number[]): number => size(shape) / rowLength(shape);

/** The shapes of tensors 0..nodes (the input, then each node's output). */
export function tensorShapes(graph: IntGraph): number[][] {
  return [graph.inputShape, ...graph.nodes.map((n) => n.shape)];
}

/**
 * The rows `[lo, hi)` of input `i` of `node` that output rows `[r0, r1)` read: the executor checks exactly these
 * against the input tensor's row hashes (a contiguous range, a superset for a transpose).
 */
export function readRows(node: GraphNode, i: number, shapes: readonly (readonly number[])[], r0: number, r1: number): [number, number] {
  const inShape = shapes[node.inputs[i]!]!;
  const outShape = node.shape;
  const lin = rowLength(inShape);
  const lout = rowLength(outShape);
  switch (node.op) {
    case 'embedding':
      return [Math.floor(r0 / lin), Math.floor((r1 - 1) / lin) + 1];
    case 'reshape':
      return [Math.floor((r0 * lout) / lin), Math.ceil((r1 * lout) / lin)];
    case 'transpose': {
      const map = transposeIndex(inShape, node.perm);
      let lo = Number.MAX_SAFE_INTEGER;
      let hi = -1;
      for (let f = r0 * lout; f < r1 * lout; f++) {
        const src = map(f);
        if (src < lo) lo = src;
        if (src > hi) hi = src;
      }
      return [Math.floor(lo / lin), Math.floor(hi / lin) + 1];
    }
    case 'matmul': {
      if (i === 0) return [r0, r1];
      const m = outShape[outShape.length - 2]!;
      const k = inShape[inShape.length - 2]!;
      return [Math.floor(r0 / m) * k, (Math.floor((r1 - 1) / m) + 1) * k];
    }
    default:
      return [r0, r1];
  }
}

/** The input flat index that output flat index `f` of a transpose reads. */
export function transposeIndex(inShape: readonly number[], perm: readonly number[]): (f: number) => number {
  const rank = inShape.length;
  const outShape = perm.map((p) => inShape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= inShape[a]!;
  }
  return (f: number) => {
    let rest = f;
    let src = 0;
    for (let a = rank - 1; a >= 0; a--) {
      const d = outShape[a]!;
      src += (rest % d) * inStrides[perm[a]!]!;
      rest = Math.floor(rest / d);
    }
    return src;
  };
}

/** A rough gas figure of a node step over `rows` output rows (calldata, hashing, arithmetic): only for chunking. */
function stepGasEstimate(node: GraphNode, shapes: readonly (readonly number[])[], r0: number, r1: number, paramBytes: number): number {
  const lout = rowLength(node.shape);
  let values = (r1 - r0) * lout;
  let hashes = rowCount(node.shape);
  node.inputs.forEach((id, i) => {
    const [lo, hi] = readRows(node, i, shapes, r0, r1);
    values += (hi - lo) * rowLength(shapes[id]!);
    hashes += rowCount(shapes[id]!);
  });
  const lin = rowLength(shapes[node.inputs[0]!]!);
  const perValue =
    node.op === 'linear'
      ? lin * 90
      : node.op === 'matmul'
        ? shapes[node.inputs[1]!]!.at(-2)! * 90
        : node.op === 'softmax' || node.op === 'layernorm' || node.op === 'gelu'
          ? 600
          : 100;
  return 16 * paramBytes + 700 * values + 700 * hashes + perValue * (r1 - r0) * lout;
}

/** The chunk of rows a node's steps cover: the largest power of two whose steps stay under the estimate budget. */
export function chunkRows(node: GraphNode, shapes: readonly (readonly number[])[], paramBytes: number): number {
  const rows = rowCount(node.shape);
  let c = 1;
  while (c * 2 <= rows) {
    let worst = 0;
    for (let r = 0; r < rows; r += c * 2) worst = Math.max(worst, stepGasEstimate(node, shapes, r, Math.min(rows, r + c * 2), paramBytes));
    if (worst > STEP_GAS_ESTIMATE_BUDGET) break;
    c *= 2;
  }
  return c;
}

/** Throws {@link TraceCommitmentError} unless every node of `graph` is one the step executor runs. */
export function checkStepOps(graph: IntGraph): void {
  graph.nodes.forEach((node, k) => {
    if (!STEP_OPS.has(node.op)) throw new TraceCommitmentError(`Node ${k} (${node.name}) is a ${node.op}, which no on-chain graph step executes.`);
    if (node.op === 'slice' && node.axis !== node.shape.length - 1)
      throw new TraceCommitmentError(`Node ${k} (${node.name}) slices axis ${node.axis}; a step slices only the last axis.`);
  });
}

/** A big-endian writer with the integer arrays of the graph encoding (`u32 count, u8 width, values`). */
class StepWriter {
  private bytes: number[] = [];
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u16(v: number): void {
    this.bytes.push((v >>> 8) & 0xff, v & 0xff);
  }
  u32(v: number): void {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  i64(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    for (let s = 56n; s >= 0n; s -= 8n) this.bytes.push(Number((u >> s) & 0xffn));
  }
  ints(values: readonly number[]): void {
    const width = minimalWidth(values);
    this.u32(values.length);
    this.u8(width);
    for (const v of values) {
      const u = BigInt.asUintN(width * 8, BigInt(v));
      for (let s = BigInt(width * 8 - 8); s >= 0n; s -= 8n) this.bytes.push(Number((u >> s) & 0xffn));
    }
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** The op's constants, as the step executor reads them after the shapes. */
export function encodeNodeParams(node: GraphNode): Uint8Array {
  const w = new StepWriter();
  if (isTransformerOp(node)) writeTransformerParams(w, node);
  else if (node.op === 'affine') {
    w.ints(node.scale);
    w.ints(node.bias);
  } else if (node.op === 'transpose') {
    w.u8(node.perm.length);
    for (const p of node.perm) w.u8(p);
  }
  return w.done();
}

/** The steps of one generated token, in order. */
function tokenSteps(graph: IntGraph, token: number, chunks: readonly number[]): GraphStep[] {
  const steps: GraphStep[] = [{ kind: 'window', token }];
  graph.nodes.forEach((node, k) => {
    const rows = rowCount(node.shape);
    for (let r = 0; r < rows; r += chunks[k]!) steps.push({ kind: 'node', token, node: k, rowStart: r, rowEnd: Math.min(rows, r + chunks[k]!) });
  });
  steps.push({ kind: 'argmax', token });
  return steps;
}

export type GraphStepPlan = {
  steps: GraphStep[];
  /** Rows per step of each node. */
  chunks: number[];
  /** The steps of one token. */
  stepsPerToken: number;
};

const plans = new WeakMap<IntGraph, Map<string, GraphStepPlan>>();
const paramCache = new WeakMap<GraphNode, Uint8Array>();

function paramsOf(node: GraphNode): Uint8Array {
  let p = paramCache.get(node);
  if (!p) {
    p = encodeNodeParams(node);
    paramCache.set(node, p);
  }
  return p;
}

/** The steps of a generation model: `N` tokens × (window, the nodes' row chunks, argmax), whatever the count asked. */
export function graphStepPlan(graph: IntGraph, gen: Generation): GraphStepPlan {
  const key = `${gen.promptLength}/${gen.maxTokens}`;
  const cached = plans.get(graph)?.get(key);
  if (cached) return cached;
  checkGeneration(graph, gen);
  checkStepOps(graph);
  const shapes = tensorShapes(graph);
  const chunks = graph.nodes.map((node) => chunkRows(node, shapes, paramsOf(node).length));
  const steps: GraphStep[] = [];
  for (let t = 0; t < gen.maxTokens; t++) steps.push(...tokenSteps(graph, t, chunks));
  const plan = { steps, chunks, stepsPerToken: steps.length / gen.maxTokens };
  if (!plans.has(graph)) plans.set(graph, new Map());
  plans.get(graph)!.set(key, plan);
  return plan;
}

/**
 * The encoding of one step ("VGS1", docs/SEMANTICS.md "Graph step encoding"): a common header (kind, S, token, P, N,
 * tensor count), then for a window the context and every tensor's row count, for an argmax the context, the
 * vocabulary and whether it is the last step, for a node its index, op, rows, the shapes it reads and writes and its
 * constants at their smallest width.
 */
export function encodeGraphStep(graph: IntGraph, gen: Generation, step: GraphStep): Uint8Array {
  const { context, vocab } = languageModelShape(graph);
  const shapes = tensorShapes(graph);
  const w = new StepWriter();
  w.u32(GRAPH_STEP_MAGIC);
  w.u8(GRAPH_STEP_KIND[step.kind]);
  w.u8(graph.scaleBits);
  w.u16(step.token);
  w.u16(gen.promptLength);
  w.u16(gen.maxTokens);
  w.u16(shapes.length);
  if (step.kind === 'window') {
    w.u16(context);
    for (const s of shapes) w.u32(rowCount(s));
    return w.done();
  }
  if (step.kind === 'argmax') {
    w.u16(context);
    w.u32(vocab);
    w.u8(step.token === gen.maxTokens - 1 ? 1 : 0);
    return w.done();
  }
  const node = graph.nodes[step.node]!;
  w.u16(step.node);
  w.u8(GRAPH_OP_CODES[node.op]);
  w.u32(step.rowStart);
  w.u32(step.rowEnd);
  w.u8(node.inputs.length);
  for (const id of node.inputs) {
    w.u16(id);
    w.u8(shapes[id]!.length);
    for (const d of shapes[id]!) w.u32(d);
  }
  w.u8(node.shape.length);
  for (const d of node.shape) w.u32(d);
  const head = w.done();
  const params = paramsOf(node);
  const out = new Uint8Array(head.length + params.length);
  out.set(head);
  out.set(params, head.length);
  return out;
}

export type GraphStepsCommitment = {
  plan: GraphStepPlan;
  /** `keccak256` of each step encoding. */
  leaves: Hex[];
  /** The root the registry holds for the model (`setStepsCommitment`). */
  root: Hex;
};

const commitments = new WeakMap<IntGraph, Map<string, GraphStepsCommitment>>();

/** The per-step commitment of a generation model: one leaf per step of {@link graphStepPlan}. */
export function graphStepsCommitment(graph: IntGraph, gen: Generation): GraphStepsCommitment {
  const key = `${gen.promptLength}/${gen.maxTokens}`;
  const cached = commitments.get(graph)?.get(key);
  if (cached) return cached;
  const plan = graphStepPlan(graph, gen);
  const leaves = plan.steps.map((s) => keccak256(encodeGraphStep(graph, gen, s)) as Hex);
  const c = { plan, leaves, root: merkleRoot(leaves) };
  if (!commitments.has(graph)) commitments.set(graph, new Map());
  commitments.get(graph)!.set(key, c);
  return c;
}
