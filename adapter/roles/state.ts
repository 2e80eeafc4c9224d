import type { RequestTerms } from '../../lib/protocol/index.js';
import type { Hex } from '../../lib/semantics/index.js';
import { groupKey, type BatchCandidate } from './batch-plan.js';

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
 * Request ids taken by an action in flight (id -> when, ms), each for `ttlMs` (the action's time to land), so that
 * concurrent actions do not take the same ones; a claim older than that no longer counts.
 */
export class ExpiringClaims {
  readonly #since = new Map<string, number>();

  constructor(readonly ttlMs: number) {}

  /** The ids claimed in the last `ttlMs`. */
  active(now = Date.now()): ReadonlySet<string> {
    for (const [id, at] of this.#since) if (now - at > this.ttlMs) this.#since.delete(id);
    return new Set(this.#since.keys());
  }

  has(id: string, now = Date.now()): boolean {
    const at = this.#since.get(id);
    if (at === undefined) return false;
    if (now - at <= this.ttlMs) return true;
    this.#since.delete(id);
    return false;
  }

  /**
   * Claims `ids` for one action; refuses (claiming nothing) when one of them is claimed already, which only happens
   * when a concurrent action claimed it after the caller looked.
   */
  claim(ids: readonly string[], now = Date.now()): boolean {
    if (ids.some((id) => this.has(id, now))) return false;
    for (const id of ids) this.#since.set(id, now);
    return true;
  }

  /** Gives `ids` back (their action was not sent). */
  release(ids: readonly string[]): void {
    for (const id of ids) this.#since.delete(id);
  }
}

/**
 * Matured proposals already attached to a proposal in flight, so that concurrent proposals do not all carry the same
 * ones. An attachment older than {@link CARRY_MS} no longer counts.
 */
export class CarriedFinalizations extends ExpiringClaims {
  constructor() {
    super(CARRY_MS);
  }
}

/** How long a bond added by a send stays counted before a transaction-monitor pass may drop it (a send in progress). */
export const SENDING_MS = 30_000;

/**
 * The bonds of this node's proposals that the chain's free stake may not show yet: proposals being sent, and
 * proposals sent and not settled (the transaction monitor keeps these in step with the store). The proposer
 * compares `free stake − these` with a request's bond, so that concurrent proposals do not overdraw the stake.
 * Also the requests held for stake (logged once each).
 */
export class BondLedger {
  readonly #bonds = new Map<string, { bond: bigint; at: number; head: number | undefined }>();
  readonly #held = new Map<string, bigint>();

  /** `chainHead`: the newest block the node knows of, recorded with each bond (see {@link inFlight}). */
  constructor(readonly chainHead: () => number | undefined = () => undefined) {}

  /**
   * Counts `bond` for `requestId` (a proposal about to be sent, or sent and not settled). `head`: the newest block
   * known when it is sent (default: now); `undefined` for a proposal of an earlier run (counted until it settles).
   */
  add(requestId: string, bond: bigint, options: { now?: number; head?: number | undefined } = {}): void {
    const head = 'head' in options ? options.head : this.chainHead();
    // The first time counts: a proposal settled soon after it was sent is not kept past SENDING_MS by later passes.
    const first = this.#bonds.get(requestId);
    this.#bonds.set(requestId, { bond, at: first?.at ?? options.now ?? Date.now(), head: first ? first.head : head });
  }

  remove(requestId: string): void {
    this.#bonds.delete(requestId);
  }

  /** Keeps only the proposals still submitted (and those added in the last {@link SENDING_MS}: being sent). */
  retain(submitted: ReadonlySet<string>, now = Date.now()): void {
    for (const [id, { at }] of this.#bonds) if (!submitted.has(id) && now - at > SENDING_MS) this.#bonds.delete(id);
  }

  /**
   * The bonds counted, all requests but `except` (the request being decided). With `readAt`, the block the free
   * stake was read at, a proposal sent when the node already knew block `readAt - 1` or an older one is taken as
   * mined by then, so already out of that free stake (counting it again would hold proposals the stake can bond: a
   * burst of proposals stays `submitted` for a while after its transactions are mined). One block of margin; a
   * proposal still unmined later than that, under congestion, reverts with `InsufficientStake` and is tried again.
   */
  inFlight(except?: string, readAt?: number): bigint {
    let total = 0n;
    for (const [id, { bond, head }] of this.#bonds) {
      if (id === except) continue;
      if (readAt !== undefined && head !== undefined && head < readAt - 1) continue;
      total += bond;
    }
    return total;
  }

  /** The oracle's free stake as read at the newest block (see {@link freeAt}). */
  #free: { head: number; value: Promise<bigint> } | undefined;

  /**
   * The oracle's free stake at block `head`, read with `read` once per block: the state of a mined block does not
   * change, so the jobs deciding in one block share one read (a burst of proposals costs one `stakeOf`, not one each).
   * Without a head (before the follower's first poll) it is read every time.
   */
  freeAt(head: number | undefined, read: (head: number | undefined) => Promise<bigint>): Promise<bigint> {
    if (head === undefined) return read(undefined);
    if (this.#free?.head !== head) {
      const value = read(head);
      const entry = { head, value };
      this.#free = entry;
      // A failed read is not kept: the next job asks again.
      value.catch(() => {
        if (this.#free === entry) this.#free = undefined;
      });
    }
    return this.#free.value;
  }

  /** Marks a request held for stake; true the first time (the hold is logged once). */
  hold(requestId: string, shortfall: bigint): boolean {
    const first = !this.#held.has(requestId);
    this.#held.set(requestId, shortfall);
    return first;
  }

  /** Ends a hold; true when there was one. */
  release(requestId: string): boolean {
    return this.#held.delete(requestId);
  }

  get held(): number {
    return this.#held.size;
  }
}

/** A request this node inferred and could prove in a batch, with what the batch transaction needs of it. */
export type BatchEntry = BatchCandidate & { terms: RequestTerms; input: readonly bigint[]; output: readonly bigint[] };

/** How long a waiting request stays in the pool without its job offering it again (its job moved on). */
export const BATCH_OFFER_MS = 10_000;
/** How long a request taken into a batch is kept off other batches: its proof's and transaction's time to land. */
export const BATCH_CLAIM_MS = 120_000;
/** How long a group whose batch failed (no proof, or a refused transaction) is proven one request at a time. */
export const BATCH_BROKEN_MS = 60_000;
/** How long the on-chain batch verifiers of a group are taken as read (governance sets them rarely). */
export const BATCH_VERIFIERS_MS = 60_000;

/**
 * The proposer's batches in memory: the requests waiting for their group to fill (offered again by their jobs each
 * time they look), the requests a batch in flight carries (claimed by the job leading it), the groups whose last batch
 * failed, and the batch sizes with a verifier on chain. Lost on restart, which costs at most a batch proven twice
 * (the oracle skips requests a batch finds settled).
 */
export class BatchPool {
  readonly #waiting = new Map<string, { entry: BatchEntry; at: number }>();
  readonly #claimed = new ExpiringClaims(BATCH_CLAIM_MS);
  readonly #broken = new Map<string, number>();
  readonly #verifiers = new Map<string, { sizes: readonly number[]; at: number }>();
  /** Longest proof time seen per batch size (s), for the deadline arithmetic. */
  readonly #provingS = new Map<number, number>();

  /** Puts (or keeps) a request in its group's pool. */
  offer(entry: BatchEntry, now = Date.now()): void {
    this.#waiting.set(entry.requestId.toString(), { entry, at: now });
  }

  withdraw(requestIds: readonly string[]): void {
    for (const id of requestIds) this.#waiting.delete(id);
  }

  /** The waiting requests of a group that no batch in flight carries. */
  waiting(modelId: bigint, verifierVersion: bigint, now = Date.now()): BatchEntry[] {
    const key = groupKey(modelId, verifierVersion);
    const entries: BatchEntry[] = [];
    for (const [id, { entry, at }] of this.#waiting) {
      if (now - at > BATCH_OFFER_MS) this.#waiting.delete(id);
      else if (groupKey(entry.modelId, entry.verifierVersion) === key && !this.inFlight(id, now)) entries.push(entry);
    }
    return entries;
  }

  /** Whether a batch sent (or being proven) in the last {@link BATCH_CLAIM_MS} carries the request. */
  inFlight(requestId: string, now = Date.now()): boolean {
    return this.#claimed.has(requestId, now);
  }

  /** Takes `ids` into one batch; refuses (taking none) when a concurrent batch took one of them first. */
  claim(ids: readonly string[], now = Date.now()): boolean {
    if (!this.#claimed.claim(ids, now)) return false;
    this.withdraw(ids);
    return true;
  }

  /** Gives the requests of a batch that was not sent back to their own ways. */
  release(ids: readonly string[]): void {
    this.#claimed.release(ids);
  }

  /** A group's batch failed: its requests are proven one by one for {@link BATCH_BROKEN_MS}. */
  breakGroup(modelId: bigint, verifierVersion: bigint, now = Date.now()): void {
    this.#broken.set(groupKey(modelId, verifierVersion), now + BATCH_BROKEN_MS);
  }

  isBroken(modelId: bigint, verifierVersion: bigint, now = Date.now()): boolean {
    const until = this.#broken.get(groupKey(modelId, verifierVersion));
    return until !== undefined && now < until;
  }

  /** The batch sizes with a verifier on chain, as last read (undefined: not read in {@link BATCH_VERIFIERS_MS}). */
  verifierSizes(modelId: bigint, verifierVersion: bigint, now = Date.now()): readonly number[] | undefined {
    const known = this.#verifiers.get(groupKey(modelId, verifierVersion));
    return known && now - known.at <= BATCH_VERIFIERS_MS ? known.sizes : undefined;
  }

  setVerifierSizes(modelId: bigint, verifierVersion: bigint, sizes: readonly number[], now = Date.now()): void {
    this.#verifiers.set(groupKey(modelId, verifierVersion), { sizes, at: now });
  }

  recordProving(batchSize: number, seconds: number): void {
    this.#provingS.set(batchSize, Math.max(seconds, this.#provingS.get(batchSize) ?? 0));
  }

  /** The longest proof of `batchSize` seen (s); undefined before the first. */
  provingS(batchSize: number): number | undefined {
    return this.#provingS.get(batchSize);
  }
}
