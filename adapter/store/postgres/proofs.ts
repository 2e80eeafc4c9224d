import type { Hex } from '../../../lib/semantics/index.js';
import { decodeValues, encodeValues } from '../rows.js';
import type { ProofQueue, ProofStatus, ProofTask } from '../types.js';
import type { PgDatabase } from './database.js';

type ProofRow = { job_id: number; model_id: string; input: string; output: string; prover: string; state: string; proof: string | null; error: string | null };

const toTask = (r: ProofRow): ProofTask => ({
  jobId: r.job_id,
  modelHash: r.model_id as Hex,
  input: decodeValues(r.input) ?? [],
  output: decodeValues(r.output) ?? [],
  prover: r.prover as Hex,
});

function toStatus(r: ProofRow): ProofStatus {
  if (r.state === 'done' && r.proof) return { state: 'done', proof: r.proof as Hex };
  if (r.state === 'failed') return { state: 'failed', error: r.error ?? 'unknown' };
  return { state: r.state === 'claimed' ? 'claimed' : 'open' };
}

/**
 * {@link ProofQueue} on PostgreSQL: the `proofs` table. A worker claims with `FOR UPDATE SKIP LOCKED` (workers
 * never wait for each other) and a lease, not a lock held while proving: the leader moves the job meanwhile, and a
 * worker that dies leaves a lease that runs out, after which another worker takes the proof.
 */
export class PgProofQueue implements ProofQueue {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async requestProof(task: ProofTask, now = Date.now()): Promise<ProofStatus> {
    await this.#db.query(
      `INSERT INTO proofs (job_id, model_id, input, output, prover, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (job_id) DO NOTHING`,
      [task.jobId, task.modelHash, encodeValues(task.input), encodeValues(task.output), task.prover.toLowerCase(), now],
    );
    const [row] = await this.#db.query<ProofRow>('SELECT * FROM proofs WHERE job_id = $1', [task.jobId]);
    return toStatus(row!);
  }

  async claimProof(worker: string, leaseMs: number, now = Date.now()): Promise<ProofTask | undefined> {
    const [row] = await this.#db.query<ProofRow>(
      `UPDATE proofs SET state = 'claimed', worker = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
       WHERE job_id = (
         SELECT job_id FROM proofs WHERE state = 'open' OR (state = 'claimed' AND lease_until < $3)
         ORDER BY created_at, job_id LIMIT 1 FOR UPDATE SKIP LOCKED
       ) RETURNING *`,
      [worker, now + leaseMs, now],
    );
    return row && toTask(row);
  }

  async completeProof(jobId: number, worker: string, result: { proof: Hex } | { error: string }, now = Date.now()): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE proofs SET state = $1, proof = $2, error = $3, updated_at = $4 WHERE job_id = $5 AND state = 'claimed' AND worker = $6 RETURNING job_id`,
      ['proof' in result ? 'done' : 'failed', 'proof' in result ? result.proof : null, 'error' in result ? result.error : null, now, jobId, worker],
    );
    return rows.length === 1;
  }
}
