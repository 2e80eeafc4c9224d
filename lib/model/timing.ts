/** Microseconds since `t0` (`process.hrtime.bigint()`). */
export const elapsedMicros = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1000;

/** Mean microseconds of `fn(i)` for `i < rows`, one call at a time, after one warm-up call. */
export async function timeSingle(rows: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  await fn(0);
  const start = process.hrtime.bigint();
  for (let i = 0; i < rows; i++) await fn(i);
  return elapsedMicros(start) / rows;
}
