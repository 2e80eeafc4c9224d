import type { RequestState } from '../../../lib/protocol/index.js';
import type { Hex } from '../../../lib/semantics/index.js';
import type { JobKind, JobState } from '../../jobs/machine.js';
import type { ActivityBucket, DashboardReader, JobView, Ledger, RequestView, Verdict, VerdictView } from '../types.js';
import {
  IncrementalLedger,
  toActivityBuckets,
  toJobCounts,
  toJobViews,
  toRequestCounts,
  toRequestViews,
  toVerdictViews,
  VERDICT_SQL,
  type CountRow,
  type JobViewRow,
  type LedgerRow,
  type RequestViewRow,
  type VerdictRow,
} from '../views.js';
import type { PgDatabase } from './database.js';

// The same columns as the SQLite reader's (store/sqlite/dashboard.ts), in PostgreSQL's dialect: the terms' fee and
// bond from their JSON text, and `seq` (the order requests were saved in) where SQLite has its rowid.
const REQUEST_COLUMNS = `request_id, model_id, state, requested_block, requested_at, proposed_at, disputed_at, settled_at, provenance,
  proposer, challenger, winner, resolver, terms::jsonb ->> 'fee' AS fee, terms::jsonb ->> 'bond' AS bond`;

// A job with the hash of its latest transaction (the txs_job index finds it).
const JOB_COLUMNS = `j.id, j.request_id, j.kind, j.state, j.error, j.attempts, j.created_at, j.updated_at,
  (SELECT hash FROM txs WHERE job_id = j.id ORDER BY id DESC LIMIT 1) AS tx_hash`;

/**
 * {@link DashboardReader} on PostgreSQL: read-only statements on the pool, each served by an index of migration 3
 * (`migrations.ts`). Counts come back as numbers (the pool parses 64-bit integers), averages as float8, as SQLite
 * gives them, so both readers answer alike for the same data.
 */
export class PgDashboard implements DashboardReader {
  readonly #db: PgDatabase;
  readonly #ledgers: IncrementalLedger;

  constructor(db: PgDatabase) {
    this.#db = db;
    // Settlement numbers are taken under a lock held until commit (PgRequestMirror.recordSettlement), so when a
    // number is visible every lower one is committed too, or was rolled back and never will be: the ledger cannot
    // step over a settlement still being written.
    this.#ledgers = new IncrementalLedger({
      lastSeq: async () => (await this.#db.query<{ seq: number | null }>('SELECT MAX(settled_seq) AS seq FROM requests'))[0]?.seq ?? 0,
      settled: (after, upTo, me) =>
        this.#db.query<LedgerRow>(
          `SELECT state, lower(proposer) AS proposer, lower(challenger) AS challenger, winner, resolver, reward, resolver_reward,
                  terms::jsonb ->> 'fee' AS fee, terms::jsonb ->> 'bond' AS bond
           FROM requests WHERE settled_seq > $1 AND settled_seq <= $2 AND (lower(proposer) = $3 OR lower(challenger) = $3 OR resolver = $3)`,
          [after, upTo, me],
        ),
    });
  }

  async jobCounts(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>> {
    // Covered by jobs_kind_state (an index-only scan once the table is vacuumed).
    return toJobCounts(await this.#db.query<CountRow>('SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state ORDER BY kind, state'));
  }

  async requestCounts(): Promise<Array<{ state: RequestState; count: number }>> {
    return toRequestCounts(
      await this.#db.query<{ state: string; count: number }>('SELECT state, COUNT(*) AS count FROM requests GROUP BY state ORDER BY state'),
    );
  }

  async recentRequests(limit: number, state?: RequestState): Promise<RequestView[]> {
    // requests_state_block or requests_block, read backwards: the page, not the table.
    const rows = state
      ? await this.#db.query<RequestViewRow>(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE state = $1 ORDER BY requested_block DESC, seq DESC LIMIT $2`, [
          state,
          limit,
        ])
      : await this.#db.query<RequestViewRow>(`SELECT ${REQUEST_COLUMNS} FROM requests ORDER BY requested_block DESC, seq DESC LIMIT $1`, [limit]);
    return this.#withJobs(rows);
  }

  async recentDisputes(limit: number): Promise<RequestView[]> {
    const rows = await this.#db.query<RequestViewRow>(
      `SELECT ${REQUEST_COLUMNS} FROM requests WHERE disputed_at IS NOT NULL ORDER BY disputed_at DESC, seq DESC LIMIT $1`,
      [limit],
    );
    return this.#withJobs(rows);
  }

  /** The rows as views, with the jobs of the whole page read in one statement (the (request_id, kind) index). */
  async #withJobs(rows: readonly RequestViewRow[]): Promise<RequestView[]> {
    if (rows.length === 0) return [];
    const jobRows = await this.#db.query<JobViewRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.request_id = ANY($1::text[]) ORDER BY j.id`, [
      rows.map((r) => r.request_id),
    ]);
    return toRequestViews(rows, jobRows);
  }

  async recentJobs(limit: number, states: readonly JobState[]): Promise<JobView[]> {
    // jobs_state_updated: the few jobs in these states (failed ones, typically), newest first.
    const rows = await this.#db.query<JobViewRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.state = ANY($1::text[]) ORDER BY j.updated_at DESC, j.id DESC LIMIT $2`,
      [states, limit],
    );
    return toJobViews(rows);
  }

  async ledger(operator: Hex): Promise<Ledger> {
    return this.#ledgers.of(operator);
  }

  async activity(since: number, bucketMs: number): Promise<ActivityBucket[]> {
    // Three grouped range scans (jobs_created, jobs_sent, jobs_confirmed): one row per bucket comes back. Integer
    // division, as SQLite's on integers; averages over float8, as SQLite's AVG (a numeric average would come back
    // as a string).
    const [created, sent, confirmed] = await Promise.all([
      this.#db.query<{ b: number; n: number }>('SELECT created_at / $1::bigint AS b, COUNT(*) AS n FROM jobs WHERE created_at >= $2 GROUP BY b', [
        bucketMs,
        since,
      ]),
      this.#db.query<{ b: number; v: number }>(
        'SELECT sent_at / $1::bigint AS b, AVG((sent_at - created_at)::float8) AS v FROM jobs WHERE sent_at >= $2 GROUP BY b',
        [bucketMs, since],
      ),
      this.#db.query<{ b: number; n: number; v: number }>(
        `SELECT updated_at / $1::bigint AS b, COUNT(*) AS n, AVG((updated_at - sent_at)::float8) AS v FROM jobs
         WHERE updated_at >= $2 AND state = 'confirmed' AND sent_at IS NOT NULL GROUP BY b`,
        [bucketMs, since],
      ),
    ]);
    return toActivityBuckets(bucketMs, created, sent, confirmed);
  }

  async verdicts(limit: number): Promise<{ counts: Record<Verdict, number>; recent: VerdictView[] }> {
    const counts: Record<Verdict, number> = { correct: 0, wrong: 0, pending: 0, none: 0 };
    const [countRows, rows] = await Promise.all([
      this.#db.query<{ verdict: Verdict; count: number }>(
        `SELECT ${VERDICT_SQL} AS verdict, COUNT(*) AS count FROM jobs j WHERE j.kind = 'challenge' GROUP BY verdict`,
      ),
      // jobs_kind_updated, read backwards.
      this.#db.query<VerdictRow>(
        `SELECT j.request_id, ${VERDICT_SQL} AS verdict, j.state, j.error, j.updated_at, r.proposer
         FROM jobs j LEFT JOIN requests r ON r.request_id = j.request_id
         WHERE j.kind = 'challenge' ORDER BY j.updated_at DESC, j.id DESC LIMIT $1`,
        [limit],
      ),
    ]);
    for (const r of countRows) counts[r.verdict] = r.count;
    return { counts, recent: toVerdictViews(rows) };
  }
}
