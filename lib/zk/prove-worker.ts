/**
 * The proving worker: witness calculation and the Groth16 prover run here, off the caller's event loop.
 * It keeps snarkjs' curve (and its threads) loaded between jobs, so only the first proof pays for it.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { ProveJob, ProveReply } from './prove-protocol.js';

if (!parentPort) throw new Error('prove-worker must run in a worker thread');
const port = parentPort;

// snarkjs' field arithmetic (ffjavascript) starts its own threads through the `web-worker` package, which
// decides at load time, from `isMainThread`, whether it is the spawning side or one of its own threads.
// This thread is the spawning side: say so before snarkjs loads (its threads are fresh and see `false`).
const threads = createRequire(import.meta.url)('node:worker_threads') as { isMainThread: boolean };
Object.defineProperty(threads, 'isMainThread', { value: true });
const snarkjs = await import('snarkjs');
// The curve (WebAssembly and its threads) is built now rather than by the first proof, so that a caller that warms
// the worker early (`WorkerProver.warm()`) overlaps it with its own work. snarkjs finds it in `globalThis`.
const curveReady = snarkjs.curves.getCurveFromName('bn128').then(
  () => undefined,
  () => undefined, // the first proof builds it again and reports the error
);

port.on('message', (job: ProveJob) => {
  void (async (): Promise<ProveReply> => {
    try {
      await curveReady;
      const t0 = performance.now();
      const wtns = { type: 'mem' as const };
      await snarkjs.wtns.calculate(job.circuitInput, job.wasm, wtns);
      const t1 = performance.now();
      const { proof, publicSignals } = await snarkjs.groth16.prove(job.zkey, wtns);
      const t2 = performance.now();
      return { id: job.id, ok: true, proof, publicSignals, witnessMs: t1 - t0, proveMs: t2 - t1 };
    } catch (err) {
      return { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  })().then((reply) => port.postMessage(reply));
});
