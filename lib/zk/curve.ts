/**
 * snarkjs keeps one bn128 curve object (with worker threads) in `globalThis.curve_bn128`; a process or
 * worker that is done with proving must terminate it, or its threads keep the process alive.
 */
export async function releaseCurve(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await holder.curve_bn128?.terminate();
}
