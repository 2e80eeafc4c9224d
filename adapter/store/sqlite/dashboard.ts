import type { Database, Statement } from 'better-sqlite3';
import { REQUEST_STATES, ZERO_ADDRESS, type RequestState } from '../../../lib/protocol/index.js';
import type { Hex } from '../../../lib/semantics/index.js';
import { isJobKind, isJobState, type JobKind, type JobState } from '../../jobs/machine.js';
import type { ActivityBucket, DashboardReader, JobView, Ledger, RequestView, Verdict, VerdictView } from '../types.js';
import type { SqliteDatabase } from './database.js';

type JobViewRow = {
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

type RequestViewRow = {
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
  fee: string | number | null;
  bond: string | number | null;
};

// The columns of a request's view: never the input, the output or the terms' other fields (the page has no use for
// them, and the list stays small on the wire).
const REQUEST_COLUMNS = `request_id, model_id, state, requested_block, requested_at, proposed_at, disputed_at, settled_at, provenance,
  proposer, challenger, winner, resolver, json_extract(terms, '$.fee') AS fee, json_extract(terms, '$.bond') AS bond`;

// A job with the hash of its latest transaction (the txs_job index finds it).
const JOB_COLUMNS = `j.id, j.request_id, j.kind, j.state, j.error, j.attempts, j.created_at, j.updated_at,
  (SELECT hash FROM txs WHERE job_id = j.id ORDER BY id DESC LIMIT 1) AS tx_hash`;

const toBigInt = (v: string | number | null): bigint => (v === null ? 0n : BigInt(v));
const asState = (s: string): RequestState => REQUEST_STATES.find((x) => x === s) ?? 'None';

function toJobView(row: JobViewRow): JobView | undefined {
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

/** {@link DashboardReader} over the shared SQLite connection: read-only statements, prepared once. */
export class SqliteDashboard implements DashboardReader {
  readonly #sql: SqliteDatabase;
  readonly #statements = new Map<string, Statement>();

  constructor(sql: SqliteDatabase) {
    this.#sql = sql;
  }

  get #db(): Database {
    return this.#sql.db;
  }

  /** The statement of `sql`, prepared on first use (the page polls the same few queries every couple of seconds). */
  #stmt(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  async jobCounts(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>> {
    // Covered by jobs_kind_state: an index scan, not a table scan.
    const rows = this.#stmt('SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state').all() as Array<{
      kind: string;
      state: string;
      count: number;
    }>;
    return rows.filter((r): r is { kind: JobKind; state: JobState; count: number } => isJobKind(r.kind) && isJobState(r.state));
  }

  async requestCounts(): Promise<Array<{ state: RequestState; count: number }>> {
    const rows = this.#stmt('SELECT state, COUNT(*) AS count FROM requests GROUP BY state').all() as Array<{ state: string; count: number }>;
    return rows.map((r) => ({ state: asState(r.state), count: r.count }));
  }

  async recentRequests(limit: number, state?: RequestState): Promise<RequestView[]> {
    const rows = (
      state
        ? this.#stmt(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE state = ? ORDER BY requested_block DESC, rowid DESC LIMIT ?`).all(state, limit)
        : this.#stmt(`SELECT ${REQUEST_COLUMNS} FROM requests ORDER BY requested_block DESC, rowid DESC LIMIT ?`).all(limit)
    ) as RequestViewRow[];
    return this.#withJobs(rows);
  }

  async recentDisputes(limit: number): Promise<RequestView[]> {
    const rows = this.#stmt(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE disputed_at IS NOT NULL ORDER BY disputed_at DESC, rowid DESC LIMIT ?`).all(
      limit,
    ) as RequestViewRow[];
    return this.#withJobs(rows);
  }

  /** The rows as views, with their jobs read in one statement (the (request_id, kind) index). */
  #withJobs(rows: readonly RequestViewRow[]): RequestView[] {
    const jobRows = this.#stmt(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.request_id IN (SELECT value FROM json_each(?)) ORDER BY j.id`).all(
      JSON.stringify(rows.map((r) => r.request_id)),
    ) as JobViewRow[];
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

  async recentJobs(limit: number, states: readonly JobState[]): Promise<JobView[]> {
    const rows = this.#stmt(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.state IN (SELECT value FROM json_each(?)) ORDER BY j.updated_at DESC LIMIT ?`).all(
      JSON.stringify(states),
      limit,
    ) as JobViewRow[];
    return rows.map(toJobView).filter((j): j is JobView => j !== undefined);
  }

  /** Per operator: the ledger up to the settlement `seq` (settlements are numbered in order: `settled_seq`). */
  readonly #ledgers = new Map<string, { seq: number; ledger: Ledger }>();

  async ledger(operator: Hex): Promise<Ledger> {
    const me = operator.toLowerCase();
    const known = this.#ledgers.get(me) ?? {
      seq: 0,
      ledger: { fees: 0n, disputeRewards: 0n, resolverRewards: 0n, slashed: 0n, disputesWon: 0, disputesLost: 0, disputesResolved: 0 },
    };
    // Only what settled since the last look is read (the first look reads every settlement once): a settled request
    // does not change any more, so the sums only grow.
    const last = (this.#stmt('SELECT MAX(settled_seq) AS seq FROM requests').get() as { seq: number | null }).seq ?? 0;
    if (last <= known.seq) return { ...known.ledger };
    const rows = this.#stmt(
      `SELECT state, lower(proposer) AS proposer, lower(challenger) AS challenger, winner, resolver, reward, resolver_reward,
              json_extract(terms, '$.fee') AS fee, json_extract(terms, '$.bond') AS bond
       FROM requests WHERE settled_seq > ? AND settled_seq <= ? AND (lower(proposer) = ? OR lower(challenger) = ? OR resolver = ?)`,
    ).all(known.seq, last, me, me, me) as Array<{
      state: string;
      proposer: string | null;
      challenger: string | null;
      winner: string | null;
      resolver: string | null;
      reward: string | null;
      resolver_reward: string | null;
      fee: string | number | null;
      bond: string | number | null;
    }>;
    const ledger = { ...known.ledger };
    for (const r of rows) {
      const fee = toBigInt(r.fee);
      const bond = toBigInt(r.bond);
      const party = r.proposer === me || r.challenger === me;
      if (r.resolver === null) {
        // Not disputed (or the outcome was not seen): the proposer's output stood and was paid the fee.
        if (r.state === 'Finalized' && r.proposer === me) ledger.fees += fee;
        continue;
      }
      // Disputes.sol `_settle`/`_rejectBoth`: the winner keeps its bond and gets its share and the fee; each loser's
      // bond is slashed; the resolver gets its share of each losing bond (and the fee when nobody was right).
      const nobody = r.winner === ZERO_ADDRESS;
      if (r.winner === me) {
        ledger.disputeRewards += toBigInt(r.reward);
        if (r.state === 'Finalized') ledger.fees += fee;
        ledger.disputesWon++;
      } else if (party) {
        ledger.slashed += bond * BigInt((r.proposer === me ? 1 : 0) + (r.challenger === me ? 1 : 0));
        ledger.disputesLost++;
      }
      if (r.resolver === me) {
        ledger.resolverRewards += toBigInt(r.resolver_reward) * (nobody ? 2n : 1n);
        if (nobody && r.state === 'Finalized') ledger.fees += fee;
        ledger.disputesResolved++;
      }
    }
    this.#ledgers.set(me, { seq: last, ledger });
    return { ...ledger };
  }

  async activity(since: number, bucketMs: number): Promise<ActivityBucket[]> {
    // Three grouped range scans (jobs_created, jobs_sent, jobs_updated): one row per bucket comes back, not one per job.
    const created = this.#stmt('SELECT CAST(created_at / ? AS INTEGER) AS b, COUNT(*) AS n FROM jobs WHERE created_at >= ? GROUP BY b').all(
      bucketMs,
      since,
    ) as Array<{
      b: number;
      n: number;
    }>;
    const sent = this.#stmt('SELECT CAST(sent_at / ? AS INTEGER) AS b, AVG(sent_at - created_at) AS v FROM jobs WHERE sent_at >= ? GROUP BY b').all(
      bucketMs,
      since,
    ) as Array<{ b: number; v: number }>;
    const confirmed = this.#stmt(
      `SELECT CAST(updated_at / ? AS INTEGER) AS b, COUNT(*) AS n, AVG(updated_at - sent_at) AS v FROM jobs
       WHERE updated_at >= ? AND state = 'confirmed' AND sent_at IS NOT NULL GROUP BY b`,
    ).all(bucketMs, since) as Array<{ b: number; n: number; v: number }>;
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

  async verdicts(limit: number): Promise<{ counts: Record<Verdict, number>; recent: VerdictView[] }> {
    // Outputs are stored as the same JSON encoding, so equal texts are equal values.
    const verdictSql = `CASE WHEN j.output IS NOT NULL AND j.output = j.claimed THEN 'correct'
                             WHEN j.output IS NOT NULL THEN 'wrong'
                             WHEN j.state IN ('confirmed', 'failed', 'skipped') THEN 'none' ELSE 'pending' END`;
    const counts: Record<Verdict, number> = { correct: 0, wrong: 0, pending: 0, none: 0 };
    const countRows = this.#stmt(`SELECT ${verdictSql} AS verdict, COUNT(*) AS count FROM jobs j WHERE j.kind = 'challenge' GROUP BY verdict`).all() as Array<{
      verdict: Verdict;
      count: number;
    }>;
    for (const r of countRows) counts[r.verdict] = r.count;
    const rows = this.#stmt(
      `SELECT j.request_id, ${verdictSql} AS verdict, j.state, j.error, j.updated_at, r.proposer
       FROM jobs j LEFT JOIN requests r ON r.request_id = j.request_id
       WHERE j.kind = 'challenge' ORDER BY j.updated_at DESC LIMIT ?`,
    ).all(limit) as Array<{ request_id: string; verdict: Verdict; state: string; error: string | null; updated_at: number; proposer: string | null }>;
    const recent = rows.map((r) => ({
      requestId: BigInt(r.request_id),
      verdict: r.verdict,
      state: isJobState(r.state) ? r.state : 'failed',
      reason: r.error,
      proposer: r.proposer as Hex | null,
      updatedAt: r.updated_at,
    }));
    return { counts, recent };
  }
}
