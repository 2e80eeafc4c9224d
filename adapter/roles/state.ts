import type { Hex } from '../../lib/semantics/index.js';

/** A dispute handed to the arbitrator, as listed on /health. */
export type ArbitrationRequest = {
  requestId: string;
  /** The claim to choose; empty to reject both. */
  output: string[];
  calldata: Hex;
  /** When it was first asked for (ms). */
  since: number;
  /** Chain time after which only `expireDispute` can end the dispute. */
  closesAt: number;
};

/** How long a matured proposal attached to one proposal is kept off the others (its transaction's time to land). */
export const CARRY_MS = 60_000;

/**
 * Matured proposals already attached to a proposal in flight (request id -> when, ms), so that concurrent
 * proposals do not all carry the same ones. An attachment older than {@link CARRY_MS} no longer counts.
 */
export class CarriedFinalizations {
  readonly #since = new Map<string, number>();

  /** The request ids carried by a proposal sent in the last {@link CARRY_MS}. */
  active(now = Date.now()): ReadonlySet<string> {
    const since = now - CARRY_MS;
    for (const [id, at] of this.#since) if (at < since) this.#since.delete(id);
    return new Set(this.#since.keys());
  }

  /**
   * Marks `ids` as carried by one proposal; refuses (marking nothing) when one of them is carried already, which
   * only happens when a concurrent proposal claimed it after the caller looked.
   */
  claim(ids: readonly string[], now = Date.now()): boolean {
    const active = this.active(now);
    if (ids.some((id) => active.has(id))) return false;
    for (const id of ids) this.#since.set(id, now);
    return true;
  }
}
