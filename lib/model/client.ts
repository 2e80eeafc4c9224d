import { z } from 'zod';
import { VaiError } from '../errors.js';
import { InputLengthError, inputLength, quantizeAll, validateInput, type IntModel } from '../semantics/index.js';

/** An `--input` value that is not a JSON array of numbers (or of integers, with `--int`). */
export class InputFormatError extends VaiError {
  override name = 'InputFormatError';
}

const intArray = z.array(z.union([z.number().int().refine(Number.isSafeInteger, 'unsafe integer: pass it as a string'), z.string().regex(/^-?\d+$/)]));

/**
 * The client-side quantization of a float input row: `round_half_up(v · 2^S)` per value, then the
 * model's length and range checks. NaN or ±Infinity is refused, out-of-range values too (never clamped).
 */
export function quantizeInput(model: IntModel, values: readonly number[]): bigint[] {
  const expected = inputLength(model);
  if (values.length !== expected) throw new InputLengthError(expected, values.length);
  const q = quantizeAll(values, model.scaleBits);
  validateInput(model, q);
  return q;
}

/**
 * Parses an `--input` JSON array: floats to quantize, or (`integers`) already-quantized integers as
 * numbers or decimal strings. `NaN`/`Infinity` are not JSON, so they fail here with the reason.
 */
export function parseInputJson(text: string, model: IntModel, integers: boolean): bigint[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputFormatError(`--input is not valid JSON: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`, {
      metaMessages: ['Pass a JSON array, e.g. --input "[0, 1.5, 3]" (NaN and Infinity are not valid inputs).'],
    });
  }
  if (integers) {
    const parsed = intArray.safeParse(json);
    if (!parsed.success) throw new InputFormatError('--int --input must be a JSON array of integers');
    const q = parsed.data.map((v) => BigInt(v));
    validateInput(model, q);
    return q;
  }
  const parsed = z.array(z.unknown()).safeParse(json);
  if (!parsed.success) throw new InputFormatError('--input must be a JSON array of numbers');
  const values = parsed.data.map((v, i) => {
    if (typeof v !== 'number') throw new InputFormatError(`--input value at index ${i} is not a number: ${JSON.stringify(v)}`);
    if (!Number.isFinite(v)) throw new InputFormatError(`--input value at index ${i} is not finite`);
    return v;
  });
  return quantizeInput(model, values);
}
