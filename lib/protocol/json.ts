/**
 * The project's JSON convention: bigints (request ids, fees, quantized values) are written as decimal strings,
 * since JSON numbers lose precision past 2^53.
 */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** `JSON.stringify` with {@link bigintReplacer}; indented by `space` (2 by default, 0 for one line). */
export function toJson(value: unknown, space = 2): string {
  return JSON.stringify(value, bigintReplacer, space === 0 ? undefined : space);
}
