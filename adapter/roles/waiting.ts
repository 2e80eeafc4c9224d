/**
 * How long a job bound to chain time waits before it looks again: until `secondsLeft` have passed on the chain
 * clock (at least 100 ms), but never more than `recheckMs` (chain time can jump), nor less when the chain time is
 * not known yet.
 */
export function chainTimeWaitMs(secondsLeft: number | undefined, recheckMs: number): number {
  return secondsLeft === undefined ? recheckMs : Math.min(recheckMs, Math.max(100, secondsLeft * 1000));
}
