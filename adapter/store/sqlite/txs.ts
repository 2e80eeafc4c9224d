import type { Database } from 'better-sqlite3';
import type { Hex } from '../../../lib/semantics/index.js';
import { JobStoreError } from '../../errors.js';
import { assertTransition, type JobState } from '../../jobs/machine.js';
import type { Job, SignedTx, TxRecord, TxStore } from '../types.js';
import type { SqliteDatabase } from './database.js';
import { moveJob, readJob } from './jobs.js';
import { toTx, type TxRow } from '../rows.js';

/**
 * {@link TxStore} over the shared SQLite connection. Submissions and replacements are committed durably (fsync,
 * see `SqliteDatabase`) and move the job in the same transaction as they reserve its nonce and record its
 * transaction.
 */
export class SqliteTxs implements TxStore {
  readonly #sql: SqliteDatabase;

  constructor(sql: SqliteDatabase) {
    this.#sql = sql;
  }

  get #db(): Database {
    return this.#sql.db;
  }

  #reserveNonce(from: Hex): number {
    const row = this.#db.prepare('SELECT next FROM nonces WHERE sender = ?').get(from.toLowerCase()) as { next: number } | undefined;
    const nonce = row?.next ?? 0;
    this.#db
      .prepare('INSERT INTO nonces (sender, next) VALUES (?, ?) ON CONFLICT (sender) DO UPDATE SET next = excluded.next')
      .run(from.toLowerCase(), nonce + 1);
    return nonce;
  }

  #insertTx(jobId: number, from: Hex, nonce: number, signed: SignedTx, now: number): TxRecord {
    const info = this.#db
      .prepare('INSERT INTO txs (job_id, sender, nonce, hash, raw, max_fee, priority_fee, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(jobId, from.toLowerCase(), nonce, signed.hash, signed.raw, signed.maxFeePerGas.toString(), signed.maxPriorityFeePerGas.toString(), now);
    return toTx(this.#db.prepare('SELECT * FROM txs WHERE id = ?').get(info.lastInsertRowid) as TxRow);
  }

  async submit(id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now = Date.now()) {
    return this.#sql.durably(() => this.#submitOne(id, state, from, sign, now));
  }

  async submitMany(items: ReadonlyArray<{ id: number; state: JobState; sign: (nonce: number) => SignedTx }>, from: Hex, now = Date.now()) {
    return this.#sql.durably(() =>
      items.map((item) => {
        // A savepoint per job: one that fails leaves no trace (no nonce reserved) and the others go on.
        try {
          return this.#sql.atomically(() => this.#submitOne(item.id, item.state, from, item.sign, now));
        } catch (err) {
          return { error: err as Error };
        }
      }),
    );
  }

  #submitOne(id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now: number): { job: Job; tx: TxRecord } {
    const job = readJob(this.#db, id);
    if (job.state !== state) throw new JobStoreError(`Job ${id} is ${job.state}, not ${state}: another worker moved it.`);
    assertTransition(id, state, 'submitted');
    const nonce = job.nonce ?? this.#reserveNonce(from);
    // The first submission's time stays (replacements and a game's later moves do not move it): the dashboard's
    // reaction and inclusion times.
    if (job.nonce == null) this.#db.prepare('UPDATE jobs SET nonce = ?, sent_at = COALESCE(sent_at, ?) WHERE id = ?').run(nonce, now, id);
    const tx = this.#insertTx(id, from, nonce, sign(nonce), now);
    return { job: moveJob(this.#db, id, state, 'submitted', {}, now), tx };
  }

  async addReplacement(jobId: number, sign: (nonce: number) => SignedTx, now = Date.now()): Promise<TxRecord> {
    return this.#sql.durably(() => {
      const job = readJob(this.#db, jobId);
      if (job.state !== 'submitted' || job.nonce == null) throw new JobStoreError(`Job ${jobId} has no transaction to replace.`);
      const first = this.#db.prepare('SELECT sender FROM txs WHERE job_id = ? LIMIT 1').get(jobId) as { sender: string } | undefined;
      if (!first) throw new JobStoreError(`Job ${jobId} has no transaction to replace.`);
      return this.#insertTx(jobId, first.sender as Hex, job.nonce, sign(job.nonce), now);
    });
  }

  async txsOf(jobId: number): Promise<TxRecord[]> {
    return (this.#db.prepare('SELECT * FROM txs WHERE job_id = ? ORDER BY id').all(jobId) as TxRow[]).map(toTx);
  }

  async nextNonce(from: Hex): Promise<number> {
    const row = this.#db.prepare('SELECT next FROM nonces WHERE sender = ?').get(from.toLowerCase()) as { next: number } | undefined;
    return row?.next ?? 0;
  }

  async syncNonce(from: Hex, atLeast: number): Promise<number> {
    return this.#sql.atomically(() => {
      this.#db
        .prepare('INSERT INTO nonces (sender, next) VALUES (?, ?) ON CONFLICT (sender) DO UPDATE SET next = MAX(next, excluded.next)')
        .run(from.toLowerCase(), atLeast);
      return (this.#db.prepare('SELECT next FROM nonces WHERE sender = ?').get(from.toLowerCase()) as { next: number }).next;
    });
  }
}
