import { z } from 'zod';
import { VaiError } from '../errors.js';
import { InputLengthError, type InputHashKind, inputLength, quantizeAll, validateInput, type IntModel } from '../semantics/index.js';

/** An input that is not a JSON array of numbers (or of integers, when the values are already quantized). */
export class InputFormatError extends VaiError {
  override name = 'InputFormatError';
}

const INT256_LIMIT = 1n << 255n;

/**
 * One quantized input value: a safe JSON integer or a decimal string (for values past 2^53), inside int256
 * (what the oracle's `int256[]` input holds). Used for every integer-array input: the CLI's `--int --input`,
 * the node's external-adapter requests and files of vectors.
 */
export const integerValueSchema = z
  .union([z.number().int().refine(Number.isSafeInteger, 'above 2^53: send it as a decimal string'), z.string().regex(/^-?\d+$/, 'expected a decimal integer')])
  .transform((v) => BigInt(v))
  .refine((v) => v >= -INT256_LIMIT && v < INT256_LIMIT, 'outside int256');

/**
 * The client-side quantization of a float input row: `round_half_up(v · 2^S)` per value, then the model's
 * length and range checks. NaN or ±Infinity is refused, out-of-range values too (never clamped).
 */
export function quantizeInput(model: IntModel, values: readonly number[]): bigint[] {
  const expected = inputLength(model);
  if (values.length !== expected) throw new InputLengthError(expected, values.length);
  const q = quantizeAll(values, model.scaleBits);
  validateInput(model, q);
  return q;
}

export type ParseInputOptions = {
  /** The values are already quantized integers (numbers or decimal strings); else real values to quantize. */
  integers: boolean;
  /** The parameter's name in error messages (default `input`). */
  param?: string;
};

/**
 * Parses a JSON array input: real values quantized with `scaleBits`, or (`integers`) already-quantized
 * integers. `NaN` and `Infinity` are not JSON, so they fail here with the reason. No model checks: see
 * {@link parseModelInput}.
 */
export function parseInput(text: string, scaleBits: number, options: ParseInputOptions): bigint[] {
  const param = `[Param: ${options.param ?? 'input'}]`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputFormatError(`${param} is not valid JSON: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`, {
      metaMessages: ["Pass a JSON array, e.g. '[0, 1.5, 3]' (NaN and Infinity are not valid inputs)."],
    });
  }
  const array = z.array(z.unknown()).safeParse(json);
  if (!array.success) throw new InputFormatError(`${param} must be a JSON array of numbers.`);
  if (options.integers) {
    return array.data.map((v, i) => {
      const parsed = integerValueSchema.safeParse(v);
      if (!parsed.success) {
        const why = typeof v === 'number' && Number.isInteger(v) ? (parsed.error.issues[0]?.message ?? 'invalid') : 'not an integer';
        throw new InputFormatError(`${param} must be a JSON array of integers: value ${JSON.stringify(v)} at index ${i} is ${why}.`, {
          metaMessages: ['Drop --int to quantize real values.'],
        });
      }
      return parsed.data;
    });
  }
  const values = array.data.map((v, i) => {
    if (typeof v !== 'number') throw new InputFormatError(`${param} value at index ${i} is not a number: ${JSON.stringify(v)}`);
    // JSON has no NaN or Infinity, but a literal like 1e999 parses to Infinity.
    if (!Number.isFinite(v)) throw new InputFormatError(`${param} value at index ${i} is not finite`);
    return v;
  });
  return quantizeAll(values, scaleBits);
}

/** {@link parseInput} for a model: its scale, then its input length and range checks. */
export function parseModelInput(text: string, model: IntModel, options: ParseInputOptions): bigint[] {
  const q = parseInput(text, model.scaleBits, options);
  validateInput(model, q);
  return q;
}

/**
 * The input a proof's transaction sends (`proposeWithProof`, `resolveWithProof`): none for a model keyed by a Poseidon
 * commitment, whose proof carries the request's commitment (docs/PROTOCOL.md, "Input hashes"); the input otherwise.
 */
export function proofInput(kind: InputHashKind, input: readonly bigint[]): readonly bigint[] {
  return kind === 'poseidon' ? [] : input;
}
