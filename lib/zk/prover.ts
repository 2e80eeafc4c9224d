import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ProofGenerationError } from './errors.js';
import { packageDir } from './paths.js';
import type { ProveJob, ProveReply } from './prove-protocol.js';

type Success = Extract<ProveReply, { ok: true }>;

/**
 * Runs Groth16 proving in one long-lived worker thread. The worker is unref'd while idle, so an idle
 * prover never keeps the process alive; `close()` terminates it.
 */
export class WorkerProver {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: Success): void; reject(e: Error): void }>();

  private spawn(): Worker {
    // Run from TypeScript sources (tests, tsx scripts), the worker registers tsx's loader before it imports
    // the worker module; a compiled build loads prove-worker.js directly.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './prove-worker.ts' : './prove-worker.js', import.meta.url);
    const worker = fromSource
      ? new Worker(
          `import(${JSON.stringify(pathToFileURL(join(packageDir('tsx'), 'dist', 'esm', 'api', 'index.mjs')).href)})` +
            `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`,
          { eval: true },
        )
      : new Worker(url);
    worker.on('message', (reply: ProveReply) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) job.resolve(reply);
      else job.reject(new ProofGenerationError('Proving failed in the worker.', { details: reply.error }));
    });
    const failAll = (err: Error): void => {
      for (const job of this.pending.values()) job.reject(new ProofGenerationError('The proving worker died.', { cause: err, details: err.message }));
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (this.worker === worker) failAll(new Error(`worker exited with code ${code}`));
    });
    worker.unref();
    return worker;
  }

  /**
   * Starts the worker now (it loads snarkjs, about 0.25 s), so that its start overlaps the caller's own loading
   * and reading; an idle warm worker does not keep the process alive.
   */
  warm(): void {
    this.worker ??= this.spawn();
  }

  prove(job: Omit<ProveJob, 'id'>): Promise<Success> {
    this.worker ??= this.spawn();
    const worker = this.worker;
    const id = this.nextId++;
    worker.ref();
    return new Promise<Success>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id } satisfies ProveJob);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

let shared: WorkerProver | undefined;

/** The process-wide prover used by {@link proveInference} unless one is passed in. */
export function sharedProver(): WorkerProver {
  shared ??= new WorkerProver();
  return shared;
}

export async function closeSharedProver(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
}
