import { poseidon4 } from 'poseidon-lite/poseidon4';
import { InputRangeError } from './errors.js';
import { valuesHash } from './hashing.js';
import type { Hex } from './types.js';

/**
 * What a request's `inputHash` is, declared by a model at registration (docs/PROTOCOL.md, "Input hashes"), in the
 * order of Solidity's `InputHashKind`: `keccak` is `keccak256(abi.encodePacked(int256[] input))`, `poseidon` a
 * Poseidon commitment of the packed input (src-sol/libraries/InputHash.sol), which a proof carries as one public
 * signal instead of the packed input.
 */
export const INPUT_HASH_KINDS = ['keccak', 'poseidon'] as const;
export type InputHashKind = (typeof INPUT_HASH_KINDS)[number];

/** Bits of a packed word: 2^253 is below the BN254 scalar field. */
export const COMMITMENT_PACK_BITS = 253;
/** Words absorbed per Poseidon permutation (PoseidonT5: the chaining value and three words). */
export const COMMITMENT_RATE = 3;

/** The input's value range, as registered. */
export type InputRange = { inputMin: bigint; inputMax: bigint };

/** The kind of a Solidity `InputHashKind` value (a number, as contracts return it). */
export function inputHashKindOf(value: number | bigint): InputHashKind {
  const kind = INPUT_HASH_KINDS[Number(value)];
  if (kind === undefined) throw new RangeError(`Unknown InputHashKind ${value}: this client knows ${INPUT_HASH_KINDS.join(', ')}.`);
  return kind;
}

/** The Solidity `InputHashKind` value of a kind. */
export function inputHashKindValue(kind: InputHashKind): number {
  return INPUT_HASH_KINDS.indexOf(kind);
}

/**
 * The values packed into field elements as the commitment (and the circuits' input signals) pack them: each value as
 * `value - inputMin` in `width = max(1, bitLength(inputMax - inputMin))` bits, `floor(253 / width)` per word, lowest
 * bits first. Throws InputRangeError on a value outside the range.
 */
export function packCommitmentWords(input: readonly bigint[], range: InputRange): bigint[] {
  const span = range.inputMax - range.inputMin;
  const width = Math.max(1, span <= 0n ? 0 : span.toString(2).length);
  const perWord = Math.floor(COMMITMENT_PACK_BITS / width);
  const words: bigint[] = [];
  input.forEach((v, k) => {
    if (v < range.inputMin || v > range.inputMax) throw new InputRangeError(k, v, range.inputMin, range.inputMax);
    const w = Math.floor(k / perWord);
    if (words.length <= w) words.push(0n);
    words[w]! |= (v - range.inputMin) << BigInt((k % perWord) * width);
  });
  return words;
}

/** The Poseidon commitment of packed words of an input of `length` values: `h = length`, then `h = PoseidonT5([h, w0, w1, w2])` per three words. */
export function commitWords(words: readonly bigint[], length: number): bigint {
  let h = BigInt(length);
  for (let i = 0; i < words.length; i += COMMITMENT_RATE) h = poseidon4([h, words[i] ?? 0n, words[i + 1] ?? 0n, words[i + 2] ?? 0n]);
  return h;
}

/** The Poseidon commitment of an input, as a bytes32 hex string (what the oracle stores as the request's `inputHash`). */
export function inputCommitment(input: readonly bigint[], range: InputRange): Hex {
  const h = commitWords(packCommitmentWords(input, range), input.length);
  return `0x${h.toString(16).padStart(64, '0')}` as Hex;
}

/**
 * What the oracle records as the `inputHash` of a Poseidon-committed input with a value outside the range (the request
 * fails with `InputOutOfRange`): `InputHash.OUT_OF_RANGE`, not a field element, so no commitment equals it.
 */
export const OUT_OF_RANGE_INPUT_HASH: Hex = `0x${'f'.repeat(64)}`;

/**
 * The one function that hashes an input as the oracle does for a model of `kind` (src-sol/libraries/InputHash.sol).
 * Throws InputRangeError for a Poseidon-committed input outside the range unless `onOutOfRange: 'sentinel'`, which
 * returns {@link OUT_OF_RANGE_INPUT_HASH} as the oracle does.
 */
export function inputHashOf(kind: InputHashKind, input: readonly bigint[], range: InputRange, opts: { onOutOfRange?: 'throw' | 'sentinel' } = {}): Hex {
  if (kind === 'keccak') return valuesHash(input);
  if (opts.onOutOfRange === 'sentinel' && input.some((v) => v < range.inputMin || v > range.inputMax)) return OUT_OF_RANGE_INPUT_HASH;
  return inputCommitment(input, range);
}
