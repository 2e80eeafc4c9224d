import { REQUEST_STATES, ZERO_ADDRESS, type RequestState } from '../../lib/protocol/index.js';
import type { Hex } from '../../lib/semantics/index.js';
import { isJobKind, isJobState, type JobKind, type JobState } from '../jobs/machine.js';
import type { ActivityBucket, JobView, Ledger, RequestView, Verdict, VerdictView } from './types.js';

// The dashboard's rows as both backends return them (SQLite, and PostgreSQL with 64-bit integers as numbers), and
// what is made of them: the views, the ledger's sums and the activity buckets. The SQL differs by dialect; what a
// row means does not, so it is written once here and both readers give the same answers for the same data.

export type JobViewRow = {
  id: number;
  request_id: string;
  kind: string;
  state: string;
  error: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  tx_hash: string | null;
};

export type RequestViewRow = {
  request_id: string;
  model_id: string;
  state: string;
  requested_block: number;
  requested_at: number | null;
  proposed_at: number | null;
  disputed_at: number | null;
  settled_at: number | null;
  provenance: string | null;
  proposer: string | null;
  challenger: string | null;
  winner: string | null;
  resolver: string | null;
  /** From the terms' JSON: a decimal string (or a number, as SQLite's `json_extract` may give). */
  fee: string | number | null;
  bond: string | number | null;
};

/** A settled request that involves the operator, with its addresses lower-cased by the query. */
export type LedgerRow = {
  state: string;
  proposer: string | null;
  challenger: string | null;
  winner: string | null;
  resolver: string | null;
  reward: string | null;
  resolver_reward: string | null;
  fee: string | number | null;
  bond: string | number | null;
};

export type VerdictRow = { request_id: string; verdict: Verdict; state: string; error: string | null; updated_at: number; proposer: string | null };

/**
 * A challenge job's verdict, from its outputs: the same expression on both backends. Outputs are stored in one JSON
 * encoding, so equal texts are equal values.
 */
export const VERDICT_SQL = `CASE WHEN j.output IS NOT NULL AND j.output = j.claimed THEN 'correct'
                             WHEN j.output IS NOT NULL THEN 'wrong'
                             WHEN j.state IN ('confirmed', 'failed', 'skipped') THEN 'none' ELSE 'pending' END`;

const toBigInt = (v: string | number | null): bigint => (v === null ? 0n : BigInt(v));
const asState = (s: string): RequestState => REQUEST_STATES.find((x) => x === s) ?? 'None';

/** A job row as the page shows it; undefined for a kind or state this version does not know. */
export function toJobView(row: JobViewRow): JobView | undefined {
  if (!isJobKind(row.kind) || !isJobState(row.state)) return undefined;
  return {
    id: row.id,
    requestId: BigInt(row.request_id),
    kind: row.kind,
    state: row.state,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    txHash: row.tx_hash as Hex | null,
  };
}

export type CountRow = { kind: string; state: string; count: number };

/** Job counts by kind and state, without the kinds and states this version does not know. */
export const toJobCounts = (rows: readonly CountRow[]): Array<{ kind: JobKind; state: JobState; count: number }> =>
  rows.filter((r): r is { kind: JobKind; state: JobState; count: number } => isJobKind(r.kind) && isJobState(r.state));

export const toRequestCounts = (rows: ReadonlyArray<{ state: string; count: number }>): Array<{ state: RequestState; count: number }> =>
  rows.map((r) => ({ state: asState(r.state), count: r.count }));

export const toJobViews = (rows: readonly JobViewRow[]): JobView[] => rows.map(toJobView).filter((j): j is JobView => j !== undefined);

/** The requests' rows as views, each with its jobs from `jobRows` (the jobs of the whole page, read at once). */
export function toRequestViews(rows: readonly RequestViewRow[], jobRows: readonly JobViewRow[]): RequestView[] {
  const jobs = new Map<string, JobView[]>();
  for (const row of jobRows) {
    const job = toJobView(row);
    if (!job) continue;
    const list = jobs.get(row.request_id) ?? [];
    list.push(job);
    jobs.set(row.request_id, list);
  }
  return rows.map((r) => ({
    requestId: BigInt(r.request_id),
    modelId: BigInt(r.model_id),
    state: asState(r.state),
    requestedBlock: r.requested_block,
    requestedAt: r.requested_at,
    proposedAt: r.proposed_at,
    disputedAt: r.disputed_at,
    settledAt: r.settled_at,
    provenance: r.provenance,
    proposer: r.proposer as Hex | null,
    challenger: r.challenger as Hex | null,
    winner: r.winner as Hex | null,
    resolver: r.resolver as Hex | null,
    fee: toBigInt(r.fee),
    bond: toBigInt(r.bond),
    jobs: jobs.get(r.request_id) ?? [],
  }));
}

export const toVerdictViews = (rows: readonly VerdictRow[]): VerdictView[] =>
  rows.map((r) => ({
    requestId: BigInt(r.request_id),
    verdict: r.verdict,
    state: isJobState(r.state) ? r.state : 'failed',
    reason: r.error,
    proposer: r.proposer as Hex | null,
    updatedAt: r.updated_at,
  }));

export const emptyLedger = (): Ledger => ({
  fees: 0n,
  disputeRewards: 0n,
  resolverRewards: 0n,
  slashed: 0n,
  disputesWon: 0,
  disputesLost: 0,
  disputesResolved: 0,
});

/** `ledger` plus what the settlements `rows` meant for `me` (lower-case address). */
export function addSettlements(ledger: Ledger, rows: readonly LedgerRow[], me: string): Ledger {
  const sum = { ...ledger };
  for (const r of rows) {
    const fee = toBigInt(r.fee);
    const bond = toBigInt(r.bond);
    const party = r.proposer === me || r.challenger === me;
    if (r.resolver === null) {
      // Not disputed (or the outcome was not seen): the proposer's output stood and was paid the fee.
      if (r.state === 'Finalized' && r.proposer === me) sum.fees += fee;
      continue;
    }
    // Disputes.sol `_settle`/`_rejectBoth`: the winner keeps its bond and gets its share and the fee; each loser's
    // bond is slashed; the resolver gets its share of each losing bond (and the fee when nobody was right).
    const nobody = r.winner === ZERO_ADDRESS;
    if (r.winner === me) {
      sum.disputeRewards += toBigInt(r.reward);
      if (r.state === 'Finalized') sum.fees += fee;
      sum.disputesWon++;
    } else if (party) {
      sum.slashed += bond * BigInt((r.proposer === me ? 1 : 0) + (r.challenger === me ? 1 : 0));
      sum.disputesLost++;
    }
    if (r.resolver === me) {
      sum.resolverRewards += toBigInt(r.resolver_reward) * (nobody ? 2n : 1n);
      if (nobody && r.state === 'Finalized') sum.fees += fee;
      sum.disputesResolved++;
    }
  }
  return sum;
}

/** How a backend reads settlements for {@link IncrementalLedger}. */
export type SettlementSource = {
  /** The highest settlement number committed (0 if none). Every lower number is committed too, or never will be. */
  lastSeq(): Promise<number>;
  /** The settlements numbered in (`after`, `upTo`] in which `me` (lower-case) proposed, challenged or resolved. */
  settled(after: number, upTo: number, me: string): Promise<LedgerRow[]>;
};

/**
 * Each operator's ledger, kept up to the last settlement number seen (`settled_seq`): a settled request does not
 * change any more, so the sums only grow, and a call reads only what settled since the last one (the first reads
 * every settlement once).
 */
export class IncrementalLedger {
  readonly #source: SettlementSource;
  readonly #known = new Map<string, { seq: number; ledger: Ledger }>();

  constructor(source: SettlementSource) {
    this.#source = source;
  }

  async of(operator: Hex): Promise<Ledger> {
    const me = operator.toLowerCase();
    const known = this.#known.get(me) ?? { seq: 0, ledger: emptyLedger() };
    const last = await this.#source.lastSeq();
    if (last <= known.seq) return { ...known.ledger };
    const ledger = addSettlements(known.ledger, await this.#source.settled(known.seq, last, me), me);
    this.#known.set(me, { seq: last, ledger });
    return { ...ledger };
  }
}

/** Activity buckets from three grouped counts (bucket numbers `b` = ms / bucketMs), in time order. */
export function toActivityBuckets(
  bucketMs: number,
  created: ReadonlyArray<{ b: number; n: number }>,
  sent: ReadonlyArray<{ b: number; v: number }>,
  confirmed: ReadonlyArray<{ b: number; n: number; v: number }>,
): ActivityBucket[] {
  const buckets = new Map<number, ActivityBucket>();
  const at = (b: number) => {
    let x = buckets.get(b);
    if (!x) {
      x = { start: b * bucketMs, created: 0, confirmed: 0, reactionMs: null, inclusionMs: null };
      buckets.set(b, x);
    }
    return x;
  };
  for (const r of created) at(r.b).created = r.n;
  for (const r of sent) at(r.b).reactionMs = r.v;
  for (const r of confirmed) Object.assign(at(r.b), { confirmed: r.n, inclusionMs: r.v });
  return [...buckets.values()].sort((a, b) => a.start - b.start);
}
