import type { Database } from 'better-sqlite3';
import { JobStoreError } from '../../errors.js';
import { assertTransition, isJobKind, isJobState, type JobKind, type JobState } from '../../jobs/machine.js';
import type { Job, JobPatch, JobStore, NewJob } from '../types.js';
import type { SqliteDatabase } from './database.js';
import { PATCH_COLUMNS, encodeValues, patchValue, toJob, type JobRow } from '../rows.js';

function patchAssignments(patch: JobPatch): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof JobPatch, JobPatch[keyof JobPatch]]>) {
    if (value === undefined) continue;
    parts.push(`${PATCH_COLUMNS[key]} = ?`);
    values.push(patchValue(key, value));
  }
  return { sql: parts.map((p) => `, ${p}`).join(''), values };
}

/** Reads a job inside the caller's transaction; throws if it does not exist. */
export function readJob(db: Database, id: number): Job {
  const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  if (!row) throw new JobStoreError(`Job ${id} does not exist.`);
  return toJob(row);
}

/**
 * The compare-and-set move of a job, inside the caller's transaction (the transaction store uses it to move a
 * job to `submitted` in the same transaction that records its transaction).
 */
export function moveJob(db: Database, id: number, from: JobState, to: JobState, patch: JobPatch, now: number): Job {
  assertTransition(id, from, to);
  const { sql, values } = patchAssignments(patch);
  const info = db.prepare(`UPDATE jobs SET state = ?, updated_at = ?${sql} WHERE id = ? AND state = ?`).run(to, now, ...values, id, from);
  if (info.changes !== 1) {
    const current = db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string } | undefined;
    throw new JobStoreError(current ? `Job ${id} is ${current.state}, not ${from}: another worker moved it.` : `Job ${id} does not exist.`);
  }
  return readJob(db, id);
}

/** {@link JobStore} over the shared SQLite connection: each method one transaction. */
export class SqliteJobs implements JobStore {
  readonly #sql: SqliteDatabase;

  constructor(sql: SqliteDatabase) {
    this.#sql = sql;
  }

  get #db(): Database {
    return this.#sql.db;
  }

  async ensureJob(spec: NewJob, now = Date.now()): Promise<{ job: Job; created: boolean }> {
    return this.#sql.atomically(() => {
      const info = this.#db
        .prepare(
          `INSERT INTO jobs (request_id, kind, state, model_id, input, claimed, not_before, created_at, updated_at)
           VALUES (?, ?, 'seen', ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, kind) DO NOTHING`,
        )
        .run(spec.requestId.toString(), spec.kind, spec.modelId, encodeValues(spec.input), encodeValues(spec.claimed), spec.notBefore ?? 0, now, now);
      const row = this.#db.prepare('SELECT * FROM jobs WHERE request_id = ? AND kind = ?').get(spec.requestId.toString(), spec.kind) as JobRow;
      return { job: toJob(row), created: info.changes === 1 };
    });
  }

  async getJob(id: number): Promise<Job | undefined> {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  async findJob(requestId: bigint, kind: JobKind): Promise<Job | undefined> {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE request_id = ? AND kind = ?').get(requestId.toString(), kind) as JobRow | undefined;
    return row && toJob(row);
  }

  async dueJobs(now: number, limit: number, exclude: readonly number[] = []): Promise<Job[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE state IN ('seen', 'inferred', 'proof_pending') AND not_before <= ?
         AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY not_before, id LIMIT ?`,
      )
      .all(now, JSON.stringify(exclude), limit) as JobRow[];
    return rows.map(toJob);
  }

  async submittedJobs(): Promise<Job[]> {
    return (this.#db.prepare(`SELECT * FROM jobs WHERE state = 'submitted' ORDER BY nonce, id`).all() as JobRow[]).map(toJob);
  }

  async transition(id: number, from: JobState, to: JobState, patch: JobPatch = {}, now = Date.now()): Promise<Job> {
    return this.#sql.atomically(() => moveJob(this.#db, id, from, to, patch, now));
  }

  async update(id: number, state: JobState, patch: JobPatch, now = Date.now()): Promise<Job> {
    return this.#sql.atomically(() => {
      const { sql, values } = patchAssignments(patch);
      const info = this.#db.prepare(`UPDATE jobs SET updated_at = ?${sql} WHERE id = ? AND state = ?`).run(now, ...values, id, state);
      if (info.changes !== 1) throw new JobStoreError(`Job ${id} is not ${state}.`);
      return readJob(this.#db, id);
    });
  }

  async countByState(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>> {
    const rows = this.#db.prepare('SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state').all() as Array<{
      kind: string;
      state: string;
      count: number;
    }>;
    return rows.filter((r): r is { kind: JobKind; state: JobState; count: number } => isJobKind(r.kind) && isJobState(r.state));
  }
}
