import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { keccak256 } from 'ethers';
import { packageDir } from '../../lib/zk/paths.js';
import { packWords } from '../../lib/semantics/graph-trace.js';
import type { GraphTraceJob, GraphTraceReply, GraphTraceResults } from './graph-trace-protocol.js';

/** A job without its id. */
export type GraphTraceRequest = GraphTraceJob extends infer J ? (J extends GraphTraceJob ? Omit<J, 'id'> : never) : never;
/** Runs one job and answers its `GraphTraceResults[op]` (in the worker thread; a test may run it in line). */
export type GraphTraceRunner = (job: GraphTraceRequest) => Promise<unknown>;

/** A result computed in the background: ready, still computing (look again later), or failed. */
export type Pending<T> = { state: 'ready'; value: T } | { state: 'computing' } | { state: 'failed'; error: string };

/** Traces kept at most (each about 0.5 MB for the committed GPT: 7,745 state hashes); the oldest go first. */
const MAX_KEPT = 16;

/**
 * Generation models' traces for the bisection game (docs/NODE.md, "The bisection game"): each computed once per
 * model and input, off the event loop, and kept in memory for the whole game, so a move never waits for a
 * recomputation. Nothing is stored: after a restart the first decision of a game starts the computation again and
 * waits for it (the game's move window, an hour on public chains, is far longer than a trace).
 */
export class GraphTraces {
  readonly #kept = new Map<string, Pending<unknown>>();
  constructor(readonly run: GraphTraceRunner = workerRunner()) {}

  /** The trace of `input` on the generation model in `dir` (`graphTraceCommitment`). */
  trace(dir: string, input: readonly bigint[]): Pending<GraphTraceResults['trace']> {
    return this.#get(`trace:${dir}:${keccak256(packWords(input))}`, { op: 'trace', dir, input: [...input] });
  }

  /** The model's steps root and count (`graphStepsCommitment`): what the registry must hold. */
  stepsRoot(dir: string): Pending<GraphTraceResults['stepsRoot']> {
    return this.#get(`steps:${dir}`, { op: 'stepsRoot', dir });
  }

  /** The call data of step `step` of the trace of `input` (`graphStepCall`). */
  stepCall(dir: string, input: readonly bigint[], step: number): Pending<GraphTraceResults['stepCall']> {
    return this.#get(`call:${dir}:${keccak256(packWords(input))}:${step}`, { op: 'stepCall', dir, input: [...input], step });
  }

  #get<T>(key: string, job: GraphTraceRequest): Pending<T> {
    const kept = this.#kept.get(key);
    if (kept) return kept as Pending<T>;
    this.#kept.set(key, { state: 'computing' });
    if (this.#kept.size > MAX_KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    // A result evicted while computing is dropped (a later look computes it again).
    const settle = (done: Pending<unknown>) => this.#kept.has(key) && this.#kept.set(key, done);
    this.run(job).then(
      (value) => settle({ state: 'ready', value }),
      (err: unknown) => settle({ state: 'failed', error: err instanceof Error ? err.message : String(err) }),
    );
    return { state: 'computing' };
  }

  /** Forgets a failed result, so that the next look computes it again. */
  forget(pending: Pending<unknown>): void {
    for (const [key, value] of this.#kept) if (value === pending) this.#kept.delete(key);
  }
}

/** A runner on one long-lived worker thread, unref'd while idle (an idle worker never keeps the node alive). */
export function workerRunner(): GraphTraceRunner {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const spawn = (): Worker => {
    // From TypeScript sources (tests, tsx scripts) the worker registers tsx's loader first; a build loads the .js.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './graph-trace-worker.ts' : './graph-trace-worker.js', import.meta.url);
    const w = fromSource
      ? new Worker(
          `import(${JSON.stringify(pathToFileURL(join(packageDir('tsx'), 'dist', 'esm', 'api', 'index.mjs')).href)})` +
            `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`,
          { eval: true },
        )
      : new Worker(url);
    w.on('message', (reply: GraphTraceReply) => {
      const job = pending.get(reply.id);
      if (!job) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.ok) job.resolve(reply.value);
      else job.reject(new Error(reply.error));
    });
    const failAll = (err: Error): void => {
      for (const job of pending.values()) job.reject(err);
      pending.clear();
      worker = undefined;
    };
    w.on('error', failAll);
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`the graph trace worker exited with code ${code}`));
    });
    w.unref();
    return w;
  };
  return (job) =>
    new Promise<unknown>((resolve, reject) => {
      worker ??= spawn();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...job, id });
    });
}
