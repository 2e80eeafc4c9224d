import { quantizeInput } from '../protocol/index.js';
import { inputLength, type IntModel } from '../semantics/index.js';
import { FeatureError } from './errors.js';

/**
 * Hashed bag-of-words features, the input of the proposal-screening and moderation models. The rule
 * is fixed (changing it changes every feature vector, so every cache key, and needs retrained models):
 *
 * 1. Tokenize: every maximal run of the ASCII letters `A`–`Z`, `a`–`z` is a token, lowercased
 *    (ASCII only); everything else (digits, punctuation, spaces, any other character, including
 *    non-ASCII letters) separates tokens. No Unicode tables are involved, so the rule is easy to port.
 * 2. Hash each token with 32-bit FNV-1a over its bytes (offset basis 0x811c9dc5, prime 0x01000193).
 * 3. The token's bucket is `hash mod buckets` (default {@link TEXT_BUCKETS} = 64).
 * 4. The feature of a bucket is the number of tokens in it, clipped to `0..maxCount`
 *    (default {@link TEXT_MAX_COUNT} = 3).
 *
 * The features are real values; a request quantizes them with the model's scale like any input.
 */
export const TEXT_BUCKETS = 64;
export const TEXT_MAX_COUNT = 3;

export type TextFeatureOptions = {
  buckets?: number;
  maxCount?: number;
};

/** Step 1: the runs of ASCII letters, lowercased. */
export function tokenize(text: string): string[] {
  return (text.match(/[A-Za-z]+/g) ?? []).map((t) => t.toLowerCase());
}

/** Step 2: 32-bit FNV-1a of a token's bytes (tokens are ASCII, one byte per character). */
export function fnv1a32(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i) & 0xff;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Steps 1–4: the clipped bucket counts of a text.
 *
 * @example
 * textFeatures('Transfer the treasury now').length; // 64
 */
export function textFeatures(text: string, options: TextFeatureOptions = {}): number[] {
  const buckets = options.buckets ?? TEXT_BUCKETS;
  const maxCount = options.maxCount ?? TEXT_MAX_COUNT;
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 65_535) {
    throw new FeatureError(`buckets must be an integer in 1..65535, got ${buckets}`);
  }
  if (!Number.isInteger(maxCount) || maxCount < 1) throw new FeatureError(`maxCount must be a positive integer, got ${maxCount}`);
  const counts = new Array<number>(buckets).fill(0);
  for (const token of tokenize(text)) {
    const b = fnv1a32(token) % buckets;
    counts[b] = Math.min(maxCount, (counts[b] ?? 0) + 1);
  }
  return counts;
}

/**
 * The request input for a text model: its features, quantized at the model's scale. The model's
 * input length is the number of buckets.
 *
 * @example
 * const input = textModelInput(model, 'Grant the proposer permanent admin rights'); // bigint[64]
 */
export function textModelInput(model: IntModel, text: string, options: Omit<TextFeatureOptions, 'buckets'> = {}): bigint[] {
  return quantizeInput(model, textFeatures(text, { ...options, buckets: inputLength(model) }));
}
