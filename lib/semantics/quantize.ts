import { QuantizeError } from './errors.js';

/** round_half_up(v * 2^S) for a finite float; the client-side quantization of an input value. */
export function quantize(value: number, scaleBits: number): bigint {
  if (!Number.isFinite(value)) throw new QuantizeError(`Cannot quantize ${value}: inputs must be finite numbers.`);
  const scaled = Math.floor(value * 2 ** scaleBits + 0.5);
  if (!Number.isSafeInteger(scaled)) throw new QuantizeError(`Cannot quantize ${value} at scale 2^${scaleBits}: the result is not a safe integer.`);
  return BigInt(scaled);
}

export function quantizeAll(values: readonly number[], scaleBits: number): bigint[] {
  return values.map((v, i) => {
    try {
      return quantize(v, scaleBits);
    } catch (cause) {
      throw new QuantizeError(`Input value at index ${i} cannot be quantized.`, { cause, details: (cause as Error).message });
    }
  });
}

/** The real value an integer at scale 2^S stands for. */
export function dequantize(q: bigint, scaleBits: number): number {
  return Number(q) / 2 ** scaleBits;
}
