import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { NodeConfigError } from './errors.js';
import { ModelCatalog } from './inference/catalog.js';
import type { Prover } from './inference/prover.js';
import { ZkProver } from './inference/zk.js';
import type { Logger } from './log.js';
import { backoffMs } from './roles/runner.js';
import { isPostgresUrl, openPgStore } from './store/postgres/index.js';
import type { NodeStores } from './store/types.js';
import { sleep, withTimeout } from './timeout.js';

export type ProveWorkerOptions = {
  /** The node's PostgreSQL database. */
  db: string;
  models: readonly string[];
  logger: Logger;
  /** Proofs made at once (each one is CPU-bound). */
  concurrency?: number;
  /** How long a claimed proof is this worker's; past it, another worker may take it. */
  leaseMs?: number;
  pollIntervalMs?: number;
  proveTimeoutMs?: number;
  /** Tests: another prover than the Groth16 one. */
  prover?: Prover;
};

export type RunningProveWorker = { worker: string; proved(): number; stop(): Promise<void>; stopped: Promise<void> };

/**
 * `vai node prove-worker`: takes the proofs the leader asks for from the shared database (one worker per proof:
 * `FOR UPDATE SKIP LOCKED` and a lease), makes them with the local circuits, and writes them back; the leader's
 * executor sends the call carrying the proof. A proof it cannot make (no circuit here, the prover fails) is written
 * back as failed, and the leader falls back as it would after a local failure.
 */
export async function startProveWorker(o: ProveWorkerOptions): Promise<RunningProveWorker> {
  if (!isPostgresUrl(o.db)) throw new NodeConfigError("[Param: db] A prove worker shares the node's PostgreSQL database: pass --db postgres://…");
  const catalog = await ModelCatalog.load(o.models);
  const prover = o.prover ?? new ZkProver();
  const store: NodeStores = await openPgStore(o.db, { poolSize: 2 });
  const queue = store.proofs!;
  const worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = o.leaseMs ?? 15 * 60_000;
  const controller = new AbortController();
  const { signal } = controller;
  let proved = 0;
  o.logger.info({ worker, models: catalog.models.map((m) => m.name) }, 'prove worker up');

  const loop = async () => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const task = await queue.claimProof(worker, leaseMs);
        failures = 0;
        if (!task) {
          await sleep(o.pollIntervalMs ?? 500, signal);
          continue;
        }
        const model = catalog.find(task.modelHash);
        const started = Date.now();
        let result: { proof: `0x${string}` } | { error: string };
        if (!model || !prover.canProve(model)) result = { error: `no circuit for model ${task.modelHash} on prove worker ${worker}` };
        else {
          try {
            result = {
              proof: await withTimeout(prover.prove(model, task.input, task.output, task.prover), o.proveTimeoutMs ?? 600_000, `Proving ${model.name}`),
            };
          } catch (err) {
            result = { error: (err as Error).message };
          }
        }
        const kept = await queue.completeProof(task.jobId, worker, result);
        if ('proof' in result && kept) proved++;
        o.logger.info(
          { job: task.jobId, ms: Date.now() - started, ok: 'proof' in result, kept },
          kept ? 'proof written back' : 'proof claim lost: result dropped',
        );
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        if (failures === 1 || failures % 20 === 0) o.logger.warn({ err: (err as Error).message, failures }, 'cannot reach the proof queue, will retry');
        await sleep(backoffMs(failures), signal).catch(() => {});
      }
    }
  };
  const loops = Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 1) }, () => loop().catch(() => {})));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      controller.abort();
      await loops;
      await prover.close?.();
      await store.close();
      o.logger.info({ worker, proved }, 'prove worker stopped');
    })());
  return { worker, proved: () => proved, stop, stopped: loops.then(() => stopping) };
}
