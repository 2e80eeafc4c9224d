/**
 * The execution trace of a generation model (docs/SEMANTICS.md, "Graph traces"), computed with the reference engine
 * of the integer graph: the states between the steps of {@link graphStepPlan} and what one step's on-chain execution
 * needs (its pre-state and the rows it reads).
 *
 * State 0 is the request input and the last state the answer, both hashed as the oracle hashes them. Every state in
 * between is the words `[input (1 + P), answer so far (N, -1 where not generated yet), tensorHash_0 ..
 * tensorHash_nodes]` hashed the same way; `tensorHash = keccak256(rowHash_0 ++ ..)`, `rowHash = keccak256(
 * abi.encodePacked(int256[] row))`, and a row never written yet has the row hash zero.
 */
import { keccak256 } from 'ethers';
import { TraceCommitmentError } from './errors.js';
import { argmax } from './execute.js';
import { type Generation, GENERATION_PAD, decodeGenerationRequest, languageModelShape } from './generation.js';
import { runGraphTrace } from './graph-execute.js';
import { type GraphStep, encodeGraphStep, graphStepPlan, readRows, rowCount, rowLength, tensorShapes } from './graph-steps.js';
import type { IntGraph } from './graph.js';
import { merkleProof, merkleRoot } from './merkle.js';
import type { Hex } from './types.js';

const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

/** Writes `v` as a 32-byte two's-complement word at `at`. */
function putWord(buf: Uint8Array, at: number, v: bigint): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (v >= MIN_I64 && v <= MAX_I64) {
    buf.fill(v < 0n ? 0xff : 0, at, at + 24);
    view.setBigInt64(at + 24, v);
    return;
  }
  const u = BigInt.asUintN(256, v);
  for (let i = 0; i < 4; i++) view.setBigUint64(at + 8 * i, (u >> BigInt(192 - 64 * i)) & 0xffffffffffffffffn);
}

/** `abi.encodePacked(int256[] values)`. */
export function packWords(values: readonly bigint[]): Uint8Array {
  const buf = new Uint8Array(values.length * 32);
  for (let i = 0; i < values.length; i++) putWord(buf, i * 32, values[i]!);
  return buf;
}

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
const bytesToHex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}` as Hex;
const wordOf = (h: string): bigint => BigInt.asIntN(256, BigInt(h));

/** What the on-chain execution of one step receives besides its encoding. */
export type GraphStepWitness = {
  /** The words of the state before the step (hash: the agreed state). */
  pre: bigint[];
  /** Per input tensor of a node step: every row hash of the tensor, and the values of rows `[lo, hi)` ({@link readRows}). */
  inputs: { rowHashes: Hex[]; lo: number; hi: number; values: bigint[] }[];
  /** The output tensor's row hashes before the step (node steps), or the logits tensor's (argmax steps). */
  outputRowHashes: Hex[];
  /** The values of the logits row an argmax step reads. */
  logitsRow: bigint[];
};

/** The running state of a trace: the words and the row hashes of every tensor. */
class TraceState {
  readonly rowHashes: Uint8Array[];
  readonly words: Uint8Array;
  readonly base: number;
  constructor(
    readonly input: readonly bigint[],
    readonly maxTokens: number,
    rows: readonly number[],
  ) {
    this.rowHashes = rows.map((r) => new Uint8Array(r * 32));
    this.base = input.length + maxTokens;
    this.words = new Uint8Array((this.base + rows.length) * 32);
    for (let i = 0; i < input.length; i++) putWord(this.words, i * 32, input[i]!);
    for (let t = 0; t < maxTokens; t++) putWord(this.words, (input.length + t) * 32, GENERATION_PAD);
    for (let k = 0; k < rows.length; k++) this.rehash(k);
  }
  rehash(k: number): void {
    this.words.set(hexToBytes(keccak256(this.rowHashes[k]!)), (this.base + k) * 32);
  }
  setRow(k: number, r: number, row: readonly bigint[]): void {
    this.rowHashes[k]!.set(hexToBytes(keccak256(packWords(row))), r * 32);
  }
  setAnswer(t: number, id: bigint): void {
    putWord(this.words, (this.input.length + t) * 32, id);
  }
  hash(): Hex {
    return keccak256(this.words) as Hex;
  }
  wordValues(): bigint[] {
    const out: bigint[] = [];
    for (let at = 0; at < this.words.length; at += 32) out.push(wordOf(bytesToHex(this.words.subarray(at, at + 32))));
    return out;
  }
  rowHashList(k: number): Hex[] {
    const b = this.rowHashes[k]!;
    const out: Hex[] = [];
    for (let at = 0; at < b.length; at += 32) out.push(bytesToHex(b.subarray(at, at + 32)));
    return out;
  }
}

type Visit = (index: number, step: GraphStep, state: TraceState, tensors: readonly (readonly bigint[])[], window: readonly bigint[]) => boolean;

/** Walks the trace; `visit` sees each step before it is applied and may stop the walk (true). Returns the state hashes. */
function walk(graph: IntGraph, gen: Generation, input: readonly bigint[], visit?: Visit): { hashes: Hex[]; output: bigint[] } {
  const { context, vocab } = languageModelShape(graph);
  const { prompt, count } = decodeGenerationRequest(graph, gen, input);
  const plan = graphStepPlan(graph, gen);
  const shapes = tensorShapes(graph);
  const state = new TraceState(input, gen.maxTokens, shapes.map(rowCount));
  const ids = prompt.map(BigInt);
  const answer = new Array<bigint>(gen.maxTokens).fill(GENERATION_PAD);
  const hashes: Hex[] = [keccak256(packWords(input)) as Hex];
  let tensors: (readonly bigint[])[] = [];
  let window: bigint[] = [];
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i]!;
    if (step.kind === 'window') {
      const real = ids.slice(-context);
      window = [...real, ...new Array<bigint>(context - real.length).fill(0n)];
      const trace = runGraphTrace(graph, window);
      tensors = [window, ...trace.nodes.map((n) => n.y)];
    }
    if (visit?.(i, step, state, tensors, window)) return { hashes, output: answer };
    if (step.kind === 'window') {
      for (let r = 0; r < rowCount(shapes[0]!); r++) state.setRow(0, r, window.slice(r * context, (r + 1) * context));
      state.rehash(0);
    } else if (step.kind === 'node') {
      const k = step.node + 1;
      const len = rowLength(shapes[k]!);
      const y = tensors[k]!;
      for (let r = step.rowStart; r < step.rowEnd; r++) state.setRow(k, r, y.slice(r * len, (r + 1) * len));
      state.rehash(k);
    } else {
      const realLength = Math.min(ids.length, context);
      const logits = tensors[tensors.length - 1]!;
      const next = BigInt(argmax(logits.slice((realLength - 1) * vocab, realLength * vocab)));
      if (step.token < count) {
        answer[step.token] = next;
        state.setAnswer(step.token, next);
        ids.push(next);
      }
    }
    hashes.push(i === plan.steps.length - 1 ? (keccak256(packWords(answer)) as Hex) : state.hash());
  }
  return { hashes, output: answer };
}

export type GraphTraceCommitment = {
  /** The state hashes, input first, answer last (steps + 1 of them). */
  hashes: Hex[];
  /** The Merkle root of `hashes`. */
  root: Hex;
  /** The answer the trace ends with (the generation's output). */
  output: bigint[];
};

/** The trace of a generation model on a request input, with its root. */
export function graphTraceCommitment(graph: IntGraph, gen: Generation, input: readonly bigint[]): GraphTraceCommitment {
  const { hashes, output } = walk(graph, gen, input);
  return { hashes, root: merkleRoot(hashes), output };
}

/** The proof that state `index` hashes to `hashes[index]` under the trace root. */
export function graphTraceProof(hashes: readonly Hex[], index: number): Hex[] {
  return merkleProof(hashes, index);
}

/** Step `index` of the trace of `input`: its encoding and the witness its on-chain execution takes. */
export function graphStepWitness(
  graph: IntGraph,
  gen: Generation,
  input: readonly bigint[],
  index: number,
): { encoding: Uint8Array; witness: GraphStepWitness } {
  return graphStepWitnesses(graph, gen, input, [index])[0]!;
}

/** {@link graphStepWitness} of several steps, in one walk of the trace (in the order of `indices`). */
export function graphStepWitnesses(
  graph: IntGraph,
  gen: Generation,
  input: readonly bigint[],
  indices: readonly number[],
): { index: number; encoding: Uint8Array; witness: GraphStepWitness }[] {
  const plan = graphStepPlan(graph, gen);
  for (const index of indices)
    if (!plan.steps[index]) throw new TraceCommitmentError(`Step ${index} does not exist: the trace has ${plan.steps.length} steps.`);
  const shapes = tensorShapes(graph);
  const { context, vocab } = languageModelShape(graph);
  const wanted = new Set(indices);
  const last = Math.max(...indices);
  const found = new Map<number, GraphStepWitness>();
  walk(graph, gen, input, (i, s, state, tensors) => {
    if (!wanted.has(i)) return false;
    const pre = i === 0 ? [...input] : state.wordValues();
    const witness: GraphStepWitness = { pre, inputs: [], outputRowHashes: [], logitsRow: [] };
    if (s.kind === 'node') {
      const node = graph.nodes[s.node]!;
      witness.inputs = node.inputs.map((id, j) => {
        const [lo, hi] = readRows(node, j, shapes, s.rowStart, s.rowEnd);
        const len = rowLength(shapes[id]!);
        return { rowHashes: state.rowHashList(id), lo, hi, values: tensors[id]!.slice(lo * len, hi * len) };
      });
      witness.outputRowHashes = state.rowHashList(s.node + 1);
    } else if (s.kind === 'argmax') {
      const logits = shapes.length - 1;
      const generated = pre.slice(input.length, input.length + gen.maxTokens).filter((v) => v !== GENERATION_PAD).length;
      const promptLength = pre.slice(1, input.length).filter((v) => v !== GENERATION_PAD).length;
      const realLength = Math.min(promptLength + generated, context);
      witness.outputRowHashes = state.rowHashList(logits);
      witness.logitsRow = tensors[logits]!.slice((realLength - 1) * vocab, realLength * vocab);
    }
    found.set(i, witness);
    return i === last;
  });
  return indices.map((index) => ({ index, encoding: encodeGraphStep(graph, gen, plan.steps[index]!), witness: found.get(index)! }));
}
