/**
 * Text generation with an imported transformer: the character tokenizer, the integer forward pass
 * over a fixed context, and greedy decoding (ties to the lowest id), all on the reference executor.
 */
import { z } from 'zod';
import { argmax, type IntGraph, runGraph } from '../../semantics/index.js';
import { VaiError } from '../../errors.js';

/** A character-level tokenizer: token `i` is the character `vocab[i]`. */
export const tokenizerSchema = z.object({ kind: z.literal('char'), context: z.number().int().positive(), vocab: z.array(z.string().length(1)).min(1) });
export type Tokenizer = z.infer<typeof tokenizerSchema>;

/** The text holds a character the tokenizer has no token for. */
export class UnknownCharacterError extends VaiError {
  override name = 'UnknownCharacterError';
  constructor(
    readonly character: string,
    readonly index: number,
  ) {
    super(`Character ${JSON.stringify(character)} at index ${index} is not in the model's vocabulary.`, {
      metaMessages: ['The committed GPT knows printable ASCII and newlines.'],
    });
  }
}

/** A request to generate that the model cannot serve. */
export class GenerationError extends VaiError {
  override name = 'GenerationError';
}

export function encodeText(tokenizer: Tokenizer, text: string): number[] {
  const index = new Map(tokenizer.vocab.map((c, i) => [c, i]));
  return Array.from(text, (c, i) => {
    const id = index.get(c);
    if (id === undefined) throw new UnknownCharacterError(c, i);
    return id;
  });
}

/** The text of token ids (the helper for events and the CLI). */
export function decodeIds(tokenizer: Tokenizer, ids: readonly (number | bigint)[]): string {
  return ids
    .map((id) => {
      const c = tokenizer.vocab[Number(id)];
      if (c === undefined) throw new GenerationError(`Token id ${id} is outside the vocabulary of ${tokenizer.vocab.length}.`);
      return c;
    })
    .join('');
}

/**
 * The integer logits `[T][vocab]` of a window of at most T ids (T the graph input's last axis,
 * `[1, T]` for an import of a batch-1 export): the window is padded on the right
 * with id 0 to the fixed context; causal attention keeps the padding from changing the positions
 * before it, so row `i` depends on ids `0..i` only.
 */
export function windowLogits(graph: IntGraph, ids: readonly number[]): bigint[][] {
  const T = graph.inputShape.at(-1)!;
  if (ids.length < 1 || ids.length > T) throw new GenerationError(`A window holds 1 to ${T} tokens, not ${ids.length}.`);
  const input = Array.from({ length: T }, (_, i) => BigInt(ids[i] ?? 0));
  const flat = runGraph(graph, input);
  const vocab = flat.length / T;
  return Array.from({ length: T }, (_, t) => flat.slice(t * vocab, (t + 1) * vocab));
}

/**
 * Greedy decoding of `count` tokens after `prompt` (ids): each step runs the graph on the last T
 * tokens and appends the argmax of the last real position (lowest id on a tie). Returns the new ids.
 */
export function generate(graph: IntGraph, prompt: readonly number[], count: number): number[] {
  if (prompt.length < 1) throw new GenerationError('The prompt needs at least one token.');
  if (!Number.isInteger(count) || count < 0) throw new GenerationError(`Cannot generate ${count} tokens.`);
  const T = graph.inputShape.at(-1)!;
  const ids = [...prompt];
  const out: number[] = [];
  for (let n = 0; n < count; n++) {
    const window = ids.slice(-T);
    const logits = windowLogits(graph, window);
    const next = argmax(logits[window.length - 1]!);
    ids.push(next);
    out.push(next);
  }
  return out;
}
