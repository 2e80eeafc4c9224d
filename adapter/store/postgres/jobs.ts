import { JobStoreError } from '../../errors.js';
import { assertTransition, isJobKind, isJobState, type JobKind, type JobState } from '../../jobs/machine.js';
import { PATCH_COLUMNS, encodeValues, patchValue, toJob, type JobRow } from '../rows.js';
import type { Job, JobPatch, JobStore, NewJob } from '../types.js';
import type { PgDatabase, Queryable } from './database.js';

/** `SET` assignments of a patch, numbered from `$first`. */
function patchAssignments(patch: JobPatch, first: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof JobPatch, JobPatch[keyof JobPatch]]>) {
    if (value === undefined) continue;
    parts.push(`, ${PATCH_COLUMNS[key]} = $${first + values.length}`);
    values.push(patchValue(key, value));
  }
  return { sql: parts.join(''), values };
}

/** Reads a job inside the caller's transaction; throws if it does not exist. */
export async function readJob(c: Queryable, id: number): Promise<Job> {
  const { rows } = await c.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
  if (!rows[0]) throw new JobStoreError(`Job ${id} does not exist.`);
  return toJob(rows[0]);
}

/**
 * The compare-and-set move of a job, inside the caller's transaction: one `UPDATE … WHERE id AND state`, which
 * PostgreSQL re-checks on the row after any concurrent writer committed, so two replicas or workers cannot both
 * move a job out of one state.
 */
export async function moveJob(c: Queryable, id: number, from: JobState, to: JobState, patch: JobPatch, now: number): Promise<Job> {
  assertTransition(id, from, to);
  const { sql, values } = patchAssignments(patch, 5);
  const { rows } = await c.query<JobRow>(`UPDATE jobs SET state = $1, updated_at = $2${sql} WHERE id = $3 AND state = $4 RETURNING *`, [
    to,
    now,
    id,
    from,
    ...values,
  ]);
  if (rows[0]) return toJob(rows[0]);
  const current = await c.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [id]);
  throw new JobStoreError(current.rows[0] ? `Job ${id} is ${current.rows[0].state}, not ${from}: another worker moved it.` : `Job ${id} does not exist.`);
}

/** {@link JobStore} on PostgreSQL: each method one statement or one transaction. */
export class PgJobs implements JobStore {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async ensureJob(spec: NewJob, now = Date.now()): Promise<{ job: Job; created: boolean }> {
    const [inserted] = await this.#db.query<JobRow>(
      `INSERT INTO jobs (request_id, kind, state, model_id, input, claimed, not_before, created_at, updated_at)
       VALUES ($1, $2, 'seen', $3, $4, $5, $6, $7, $7) ON CONFLICT (request_id, kind) DO NOTHING RETURNING *`,
      [spec.requestId.toString(), spec.kind, spec.modelId, encodeValues(spec.input), encodeValues(spec.claimed), spec.notBefore ?? 0, now],
    );
    if (inserted) return { job: toJob(inserted), created: true };
    const existing = await this.findJob(spec.requestId, spec.kind);
    if (!existing) throw new JobStoreError(`Job (${spec.requestId}, ${spec.kind}) vanished after a conflicting insert.`);
    return { job: existing, created: false };
  }

  async getJob(id: number): Promise<Job | undefined> {
    const [row] = await this.#db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return row && toJob(row);
  }

  async findJob(requestId: bigint, kind: JobKind): Promise<Job | undefined> {
    const [row] = await this.#db.query<JobRow>('SELECT * FROM jobs WHERE request_id = $1 AND kind = $2', [requestId.toString(), kind]);
    return row && toJob(row);
  }

  async dueJobs(now: number, limit: number, exclude: readonly number[] = []): Promise<Job[]> {
    const rows = await this.#db.query<JobRow>(
      `SELECT * FROM jobs WHERE state IN ('seen', 'inferred', 'proof_pending') AND not_before <= $1
       AND id <> ALL($2::bigint[]) ORDER BY not_before, id LIMIT $3`,
      [now, exclude, limit],
    );
    return rows.map(toJob);
  }

  async submittedJobs(): Promise<Job[]> {
    return (await this.#db.query<JobRow>(`SELECT * FROM jobs WHERE state = 'submitted' ORDER BY nonce, id`)).map(toJob);
  }

  async transition(id: number, from: JobState, to: JobState, patch: JobPatch = {}, now = Date.now()): Promise<Job> {
    return moveJob(this.#db.pool, id, from, to, patch, now);
  }

  async update(id: number, state: JobState, patch: JobPatch, now = Date.now()): Promise<Job> {
    const { sql, values } = patchAssignments(patch, 4);
    const [row] = await this.#db.query<JobRow>(`UPDATE jobs SET updated_at = $1${sql} WHERE id = $2 AND state = $3 RETURNING *`, [now, id, state, ...values]);
    if (!row) throw new JobStoreError(`Job ${id} is not ${state}.`);
    return toJob(row);
  }

  async countByState(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>> {
    const rows = await this.#db.query<{ kind: string; state: string; count: number }>(
      'SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state ORDER BY kind, state',
    );
    return rows.filter((r): r is { kind: JobKind; state: JobState; count: number } => isJobKind(r.kind) && isJobState(r.state));
  }
}
