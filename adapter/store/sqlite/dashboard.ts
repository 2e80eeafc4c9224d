import type { Database, Statement } from 'better-sqlite3';
import type { RequestState } from '../../../lib/protocol/index.js';
import type { Hex } from '../../../lib/semantics/index.js';
import type { JobKind, JobState } from '../../jobs/machine.js';
import type { ActivityBucket, DashboardReader, JobView, Ledger, RequestView, Verdict, VerdictView } from '../types.js';
import {
  IncrementalLedger,
  toActivityBuckets,
  toJobCounts,
  toRequestCounts,
  toJobViews,
  toRequestViews,
  toVerdictViews,
  VERDICT_SQL,
  type CountRow,
  type JobViewRow,
  type LedgerRow,
  type RequestViewRow,
  type VerdictRow,
} from '../views.js';
import type { SqliteDatabase } from './database.js';

// The columns of a request's view: never the input, the output or the terms' other fields (the page has no use for
// them, and the list stays small on the wire).
const REQUEST_COLUMNS = `request_id, model_id, state, requested_block, requested_at, proposed_at, disputed_at, settled_at, provenance,
  proposer, challenger, winner, resolver, json_extract(terms, '$.fee') AS fee, json_extract(terms, '$.bond') AS bond`;

// A job with the hash of its latest transaction (the txs_job index finds it).
const JOB_COLUMNS = `j.id, j.request_id, j.kind, j.state, j.error, j.attempts, j.created_at, j.updated_at,
  (SELECT hash FROM txs WHERE job_id = j.id ORDER BY id DESC LIMIT 1) AS tx_hash`;

/** {@link DashboardReader} over the shared SQLite connection: read-only statements, prepared once. */
export class SqliteDashboard implements DashboardReader {
  readonly #sql: SqliteDatabase;
  readonly #statements = new Map<string, Statement>();
  readonly #ledgers: IncrementalLedger;

  constructor(sql: SqliteDatabase) {
    this.#sql = sql;
    // Settlements are numbered in commit order (one writer), so every number up to the highest is there.
    this.#ledgers = new IncrementalLedger({
      lastSeq: async () => (this.#stmt('SELECT MAX(settled_seq) AS seq FROM requests').get() as { seq: number | null }).seq ?? 0,
      settled: async (after, upTo, me) =>
        this.#stmt(
          `SELECT state, lower(proposer) AS proposer, lower(challenger) AS challenger, winner, resolver, reward, resolver_reward,
                  json_extract(terms, '$.fee') AS fee, json_extract(terms, '$.bond') AS bond
           FROM requests WHERE settled_seq > ? AND settled_seq <= ? AND (lower(proposer) = ? OR lower(challenger) = ? OR resolver = ?)`,
        ).all(after, upTo, me, me, me) as LedgerRow[],
    });
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
    const rows = this.#stmt('SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state').all() as CountRow[];
    return toJobCounts(rows);
  }

  async requestCounts(): Promise<Array<{ state: RequestState; count: number }>> {
    const rows = this.#stmt('SELECT state, COUNT(*) AS count FROM requests GROUP BY state').all() as Array<{ state: string; count: number }>;
    return toRequestCounts(rows);
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
    return toRequestViews(rows, jobRows);
  }

  async recentJobs(limit: number, states: readonly JobState[]): Promise<JobView[]> {
    const rows = this.#stmt(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.state IN (SELECT value FROM json_each(?)) ORDER BY j.updated_at DESC LIMIT ?`).all(
      JSON.stringify(states),
      limit,
    ) as JobViewRow[];
    return toJobViews(rows);
  }

  async ledger(operator: Hex): Promise<Ledger> {
    return this.#ledgers.of(operator);
  }

  async activity(since: number, bucketMs: number): Promise<ActivityBucket[]> {
    // Three grouped range scans (jobs_created, jobs_sent, jobs_updated): one row per bucket comes back, not one per job.
    const created = this.#stmt('SELECT CAST(created_at / ? AS INTEGER) AS b, COUNT(*) AS n FROM jobs WHERE created_at >= ? GROUP BY b').all(
      bucketMs,
      since,
    ) as Array<{ b: number; n: number }>;
    const sent = this.#stmt('SELECT CAST(sent_at / ? AS INTEGER) AS b, AVG(sent_at - created_at) AS v FROM jobs WHERE sent_at >= ? GROUP BY b').all(
      bucketMs,
      since,
    ) as Array<{ b: number; v: number }>;
    const confirmed = this.#stmt(
      `SELECT CAST(updated_at / ? AS INTEGER) AS b, COUNT(*) AS n, AVG(updated_at - sent_at) AS v FROM jobs
       WHERE updated_at >= ? AND state = 'confirmed' AND sent_at IS NOT NULL GROUP BY b`,
    ).all(bucketMs, since) as Array<{ b: number; n: number; v: number }>;
    return toActivityBuckets(bucketMs, created, sent, confirmed);
  }

  async verdicts(limit: number): Promise<{ counts: Record<Verdict, number>; recent: VerdictView[] }> {
    const counts: Record<Verdict, number> = { correct: 0, wrong: 0, pending: 0, none: 0 };
    const countRows = this.#stmt(`SELECT ${VERDICT_SQL} AS verdict, COUNT(*) AS count FROM jobs j WHERE j.kind = 'challenge' GROUP BY verdict`).all() as Array<{
      verdict: Verdict;
      count: number;
    }>;
    for (const r of countRows) counts[r.verdict] = r.count;
    const rows = this.#stmt(
      `SELECT j.request_id, ${VERDICT_SQL} AS verdict, j.state, j.error, j.updated_at, r.proposer
       FROM jobs j LEFT JOIN requests r ON r.request_id = j.request_id
       WHERE j.kind = 'challenge' ORDER BY j.updated_at DESC LIMIT ?`,
    ).all(limit) as VerdictRow[];
    return { counts, recent: toVerdictViews(rows) };
  }
}
