/**
 * Generation as an inference (docs/SEMANTICS.md, "Generation"): a language model's integer graph, asked for
 * greedy tokens through the oracle's fixed-length `int256[]` input and output. The request is
 * `[n, prompt ids…, -1 padding…]` (length `1 + P`), the answer the `n` greedy ids then `-1` up to `N` values.
 * The loop is written once here; an engine supplies only the logits of one window.
 */
import { keccak256 } from 'ethers';
import { VaiError } from '../errors.js';
import { argmax } from './execute.js';
import { encodeGraph } from './graph-encoding.js';
import { graphOutputShape, type IntGraph, size } from './graph.js';
import { InputLengthError, InputRangeError, InvalidGraphError } from './errors.js';
import type { Hex } from './types.js';

/** How a language model is asked: at most `promptLength` prompt tokens, at most `maxTokens` generated. */
export type Generation = { promptLength: number; maxTokens: number };

/** "VGN1": the magic of a generation model's encoding (its `modelHash` commits to P, N and the graph). */
export const GENERATION_MAGIC = 0x56474e31;
/** The value of an empty prompt slot and of an answer slot past the `n` tokens asked for. */
export const GENERATION_PAD = -1n;
/** The registry's longest answer: N is at most this. */
export const MAX_GENERATED_TOKENS = 1024;

/** A generation request that is not one (bad count, empty prompt, an id after the padding). */
export class GenerationInputError extends VaiError {
  override name = 'GenerationInputError';
}

/** The context T and vocabulary V of a language model graph (input `[.., T]` ids in `[0, V-1]`, logits `[.., T, V]`). */
export function languageModelShape(graph: IntGraph): { context: number; vocab: number } {
  const context = graph.inputShape.at(-1)!;
  const out = graphOutputShape(graph);
  const vocab = out.at(-1)!;
  const fail = (reason: string): never => {
    throw new InvalidGraphError(null, null, `not a language model: ${reason}`);
  };
  if (size(graph.inputShape) !== context) fail(`its input ${JSON.stringify(graph.inputShape)} is not one row of token ids`);
  if (graph.outputKind !== 'logits') fail('its output is not the logits');
  if (out.at(-2) !== context || size(out) !== context * vocab) fail(`its output ${JSON.stringify(out)} is not [T, V] logits for T = ${context}`);
  if (graph.inputMin !== 0n || graph.inputMax !== BigInt(vocab - 1)) fail(`its input range is not the token ids [0, ${vocab - 1}]`);
  return { context, vocab };
}

/** Throws {@link InvalidGraphError} unless `gen` fits the graph: 1 <= P <= T, 1 <= N <= 1024. */
export function checkGeneration(graph: IntGraph, gen: Generation): void {
  const { context } = languageModelShape(graph);
  if (!Number.isInteger(gen.promptLength) || gen.promptLength < 1 || gen.promptLength > context)
    throw new InvalidGraphError(null, null, `a prompt of ${gen.promptLength} tokens does not fit the context of ${context}`);
  if (!Number.isInteger(gen.maxTokens) || gen.maxTokens < 1 || gen.maxTokens > MAX_GENERATED_TOKENS)
    throw new InvalidGraphError(null, null, `${gen.maxTokens} generated tokens is outside 1..${MAX_GENERATED_TOKENS}`);
}

/** `u32 "VGN1", u16 P, u16 N, the graph's VAG1 encoding`: what the modelHash of a generation model hashes. */
export function encodeGeneration(graph: IntGraph, gen: Generation): Uint8Array {
  checkGeneration(graph, gen);
  const graphBytes = encodeGraph(graph);
  const out = new Uint8Array(8 + graphBytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, GENERATION_MAGIC);
  view.setUint16(4, gen.promptLength);
  view.setUint16(6, gen.maxTokens);
  out.set(graphBytes, 8);
  return out;
}

export function generationHash(graph: IntGraph, gen: Generation): Hex {
  return keccak256(encodeGeneration(graph, gen)) as Hex;
}

/** The registry's view of a generation model: `1 + P` inputs in `[-1, max(V - 1, N)]`, `N` outputs. */
export function generationSpec(graph: IntGraph, gen: Generation): { inputLength: number; inputMin: bigint; inputMax: bigint; outputLength: number } {
  const { vocab } = languageModelShape(graph);
  checkGeneration(graph, gen);
  return { inputLength: 1 + gen.promptLength, inputMin: GENERATION_PAD, inputMax: BigInt(Math.max(vocab - 1, gen.maxTokens)), outputLength: gen.maxTokens };
}

/** The request input for `prompt` (ids) and `count` tokens; throws {@link GenerationInputError} for one that would be refused. */
export function encodeGenerationRequest(graph: IntGraph, gen: Generation, prompt: readonly number[], count: number): bigint[] {
  const input = [BigInt(count), ...prompt.map((id) => BigInt(id)), ...new Array<bigint>(Math.max(0, gen.promptLength - prompt.length)).fill(GENERATION_PAD)];
  if (prompt.length > gen.promptLength) throw new GenerationInputError(`A prompt holds at most ${gen.promptLength} tokens, not ${prompt.length}.`);
  decodeGenerationRequest(graph, gen, input);
  return input;
}

/**
 * The prompt and count of a request input, checked: length `1 + P`; `1 <= n <= N`; at least one prompt id; ids in
 * `[0, V-1]`; after the first `-1` only `-1`. Throws `InputLengthError`, `InputRangeError` or {@link GenerationInputError}.
 */
export function decodeGenerationRequest(graph: IntGraph, gen: Generation, input: readonly bigint[]): { prompt: number[]; count: number } {
  const { vocab } = languageModelShape(graph);
  checkGeneration(graph, gen);
  if (input.length !== 1 + gen.promptLength) throw new InputLengthError(1 + gen.promptLength, input.length);
  const n = input[0]!;
  if (n < 1n || n > BigInt(gen.maxTokens)) throw new GenerationInputError(`Input 0 asks for ${n} tokens; the model generates 1 to ${gen.maxTokens}.`);
  const prompt: number[] = [];
  for (let i = 1; i < input.length; i++) {
    const v = input[i]!;
    if (v === GENERATION_PAD) continue;
    if (v < 0n || v >= BigInt(vocab)) throw new InputRangeError(i, v, GENERATION_PAD, BigInt(vocab - 1));
    if (prompt.length !== i - 1) throw new GenerationInputError(`Input ${i} is token id ${v} after the padding (-1): the prompt must come first.`);
    prompt.push(Number(v));
  }
  if (prompt.length === 0) throw new GenerationInputError('The prompt is empty: input 1 must be a token id.');
  return { prompt, count: Number(n) };
}

/** The logits `[T * V]` of one window of T ids (the real ones, then id 0 to the context). */
export type WindowLogits = (window: readonly bigint[]) => readonly bigint[] | Promise<readonly bigint[]>;

/**
 * Greedy generation: each step takes the last T ids of prompt and generated ids, pads the window on the right with
 * id 0 to T (causal attention keeps the padding out of the rows before it), and appends the argmax of the last real
 * row (lowest id on a tie). The answer is the `n` ids, then `-1` up to N values.
 */
export async function runGeneration(graph: IntGraph, gen: Generation, input: readonly bigint[], logitsOf: WindowLogits): Promise<bigint[]> {
  const { context, vocab } = languageModelShape(graph);
  const { prompt, count } = decodeGenerationRequest(graph, gen, input);
  const ids = prompt.map((id) => BigInt(id));
  const out: bigint[] = [];
  for (let step = 0; step < count; step++) {
    const real = ids.slice(-context);
    const window = [...real, ...new Array<bigint>(context - real.length).fill(0n)];
    const logits = await logitsOf(window);
    const row = logits.slice((real.length - 1) * vocab, real.length * vocab);
    const next = BigInt(argmax(row));
    ids.push(next);
    out.push(next);
  }
  return [...out, ...new Array<bigint>(gen.maxTokens - count).fill(GENERATION_PAD)];
}

/** The generated ids of an answer (the values before the first `-1`). */
export function generatedIds(output: readonly bigint[]): number[] {
  const end = output.indexOf(GENERATION_PAD);
  return (end < 0 ? output : output.slice(0, end)).map(Number);
}
