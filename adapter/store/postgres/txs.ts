import type { Hex } from '../../../lib/semantics/index.js';
import { JobStoreError, NotLeaderError } from '../../errors.js';
import { assertTransition, type JobState } from '../../jobs/machine.js';
import { toTx, type TxRow } from '../rows.js';
import type { Job, SignedTx, TxRecord, TxStore } from '../types.js';
import type { PgDatabase, Queryable } from './database.js';
import { moveJob, readJob } from './jobs.js';

/**
 * {@link TxStore} on PostgreSQL. A submission is one transaction that (1) re-checks that this replica still leads
 * its key (the fencing row, read FOR SHARE: a takeover, which bumps the epoch under the row's lock, waits for it or
 * makes it fail), (2) locks the job and the key's nonce row, (3) records the signed transaction and moves the job
 * to `submitted`. Nonces therefore come from one counter, advanced only by the leader, and a new leader reads
 * them after the old one's last submission committed.
 */
export class PgTxs implements TxStore {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async #checkLeader(c: Queryable): Promise<void> {
    const fence = this.#db.fence;
    if (!fence) return;
    const { rows } = await c.query<{ holder: string; epoch: number }>('SELECT holder, epoch FROM leaders WHERE name = $1 FOR SHARE', [fence.name]);
    const row = rows[0];
    if (!row || row.holder !== fence.holder || row.epoch !== fence.epoch)
      throw new NotLeaderError(
        `This replica (${fence.holder}) no longer leads ${fence.name}: ${row ? `${row.holder} took over (epoch ${row.epoch})` : 'no leader'}.`,
      );
  }

  async #reserveNonce(c: Queryable, from: Hex): Promise<number> {
    const { rows } = await c.query<{ next: number }>(
      `INSERT INTO nonces (sender, next) VALUES ($1, 1) ON CONFLICT (sender) DO UPDATE SET next = nonces.next + 1 RETURNING next`,
      [from.toLowerCase()],
    );
    return rows[0]!.next - 1;
  }

  async #insertTx(c: Queryable, jobId: number, from: Hex, nonce: number, signed: SignedTx, now: number): Promise<TxRecord> {
    const { rows } = await c.query<TxRow>(
      'INSERT INTO txs (job_id, sender, nonce, hash, raw, max_fee, priority_fee, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *',
      [jobId, from.toLowerCase(), nonce, signed.hash, signed.raw, signed.maxFeePerGas.toString(), signed.maxPriorityFeePerGas.toString(), now],
    );
    return toTx(rows[0]!);
  }

  async #submitOne(c: Queryable, id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now: number): Promise<{ job: Job; tx: TxRecord }> {
    const { rows } = await c.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1 FOR UPDATE', [id]);
    if (!rows[0]) throw new JobStoreError(`Job ${id} does not exist.`);
    const job = await readJob(c, id);
    if (job.state !== state) throw new JobStoreError(`Job ${id} is ${job.state}, not ${state}: another worker moved it.`);
    assertTransition(id, state, 'submitted');
    const nonce = job.nonce ?? (await this.#reserveNonce(c, from));
    // The first submission's time stays (replacements do not move it): the dashboard's reaction and inclusion times.
    if (job.nonce == null) await c.query('UPDATE jobs SET nonce = $1, sent_at = COALESCE(sent_at, $2) WHERE id = $3', [nonce, now, id]);
    const tx = await this.#insertTx(c, id, from, nonce, sign(nonce), now);
    return { job: await moveJob(c, id, state, 'submitted', {}, now), tx };
  }

  async submit(id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now = Date.now()) {
    return this.#db.transaction(async (c) => {
      await this.#checkLeader(c);
      return this.#submitOne(c, id, state, from, sign, now);
    });
  }

  async submitMany(items: ReadonlyArray<{ id: number; state: JobState; sign: (nonce: number) => SignedTx }>, from: Hex, now = Date.now()) {
    return this.#db.transaction(async (c) => {
      // Leadership is checked once, for the whole batch: a deposed leader records none of it.
      await this.#checkLeader(c);
      const results: Array<{ job: Job; tx: TxRecord } | { error: Error }> = [];
      for (const item of items) {
        // A savepoint per job: one that fails leaves no trace (no nonce reserved) and the others go on.
        await c.query('SAVEPOINT job');
        try {
          results.push(await this.#submitOne(c, item.id, item.state, from, item.sign, now));
          await c.query('RELEASE SAVEPOINT job');
        } catch (err) {
          await c.query('ROLLBACK TO SAVEPOINT job');
          results.push({ error: err as Error });
        }
      }
      return results;
    });
  }

  async addReplacement(jobId: number, sign: (nonce: number) => SignedTx, now = Date.now()): Promise<TxRecord> {
    return this.#db.transaction(async (c) => {
      await this.#checkLeader(c);
      const job = await readJob(c, jobId);
      if (job.state !== 'submitted' || job.nonce == null) throw new JobStoreError(`Job ${jobId} has no transaction to replace.`);
      const { rows } = await c.query<{ sender: string }>('SELECT sender FROM txs WHERE job_id = $1 ORDER BY id LIMIT 1', [jobId]);
      if (!rows[0]) throw new JobStoreError(`Job ${jobId} has no transaction to replace.`);
      return this.#insertTx(c, jobId, rows[0].sender as Hex, job.nonce, sign(job.nonce), now);
    });
  }

  async txsOf(jobId: number): Promise<TxRecord[]> {
    return (await this.#db.query<TxRow>('SELECT * FROM txs WHERE job_id = $1 ORDER BY id', [jobId])).map(toTx);
  }

  async nextNonce(from: Hex): Promise<number> {
    const [row] = await this.#db.query<{ next: number }>('SELECT next FROM nonces WHERE sender = $1', [from.toLowerCase()]);
    return row?.next ?? 0;
  }

  async syncNonce(from: Hex, atLeast: number): Promise<number> {
    const [row] = await this.#db.query<{ next: number }>(
      'INSERT INTO nonces (sender, next) VALUES ($1, $2) ON CONFLICT (sender) DO UPDATE SET next = GREATEST(nonces.next, excluded.next) RETURNING next',
      [from.toLowerCase(), atLeast],
    );
    return row!.next;
  }
}
