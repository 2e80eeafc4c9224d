import { InvalidJobTransitionError, JobStoreError } from '../errors.js';
import { isTerminal, type JobKind } from '../jobs/machine.js';
import type { Job } from '../store/types.js';
import { sleep } from '../timeout.js';
import type { RoleContext } from './context.js';
import { runJob } from './executor.js';
import type { DecodedRevert } from '../chain/oracle.js';
import { ActionReverted, formatRevert, isStateRevert } from './submit.js';

/** Works on one job as far as it goes now; what it throws is classified by the runner. */
export type JobHandler = (ctx: RoleContext, job: Job) => Promise<void>;

/** Reverts that only mean "too early": the job is tried again later. */
const RETRY_LATER: Partial<Record<JobKind, readonly string[]>> = {
  // The free stake cannot bond the proposal now (concurrent proposals, stake not yet deposited): it may later.
  propose: ['InferenceOracleInsufficientStake'],
  finalize: ['InferenceOracleOutsideWindow'],
  expire: ['InferenceOracleOutsideWindow'],
  expireDispute: ['InferenceOracleOutsideWindow'],
  // The game moved between the read and the simulation (the other side's move, a timeout): decide again.
  bisect: ['BisectionUnexpectedPhase'],
};

/**
 * Reverts that mean "nothing left for this job to do": too late (a challenge after its window, a resolution
 * after the dispute window), or a callback that reverts again (it stays owed) or that someone else delivered.
 */
const NOTHING_TO_DO: Partial<Record<JobKind, readonly string[]>> = {
  challenge: ['InferenceOracleOutsideWindow'],
  resolve: ['InferenceOracleOutsideWindow'],
  // A game in progress decides the dispute: it cannot expire.
  expireDispute: ['BisectionInProgress'],
  bisect: ['InferenceOracleOutsideWindow'],
  deliver: ['InferenceOracleCallbackFailed', 'InferenceOracleNoPendingCallback'],
};

/**
 * What a transaction that was mined and reverted means for its job: `skipped` when someone else got there first (the
 * request moved on: another finalize, settlement or proposal landed before it; or nothing was left to do), else
 * `failed`. `revert` is the reason decoded by replaying the call at its block (undefined: none could be decoded).
 */
export function minedRevertVerdict(kind: JobKind, revert: DecodedRevert | undefined): 'skipped' | 'failed' {
  if (!revert) return 'failed';
  if (revert.name === 'InferenceOracleUnexpectedRequestState' || NOTHING_TO_DO[kind]?.includes(revert.name)) return 'skipped';
  return 'failed';
}

/** Back-off for failures that are not the job's fault (RPC down, timeouts): 250 ms doubling to 5 s. */
export function backoffMs(attempts: number): number {
  return Math.min(5000, 250 * 2 ** Math.min(attempts, 5));
}

/**
 * Runs due jobs with bounded concurrency. A job is worked on by one worker at a time in this process;
 * across processes the store's compare-and-set transitions and one-submission rule keep it safe.
 */
export class JobRunner {
  readonly #inFlight = new Set<number>();
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(
    readonly ctx: RoleContext,
    readonly concurrency: number,
    readonly handle: JobHandler = runJob,
  ) {}

  get busy(): number {
    return this.#inFlight.size;
  }

  /** Makes the loop look for due jobs now (new events arrived). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Starts every due job that fits in the concurrency limit; returns how many started. */
  async tick(now = Date.now()): Promise<number> {
    const free = this.concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    const jobs = await this.ctx.services.store.jobs.dueJobs(now, free, [...this.#inFlight]);
    for (const job of jobs) {
      this.#inFlight.add(job.id);
      void this.#run(job).finally(() => {
        this.#inFlight.delete(job.id);
        this.wake();
      });
    }
    return jobs.length;
  }

  async #run(job: Job): Promise<void> {
    const { store, logger, metrics } = this.ctx.services;
    const jobs = store.jobs;
    const started = Date.now();
    try {
      await this.handle(this.ctx, job);
      logger.debug({ job: job.id, kind: job.kind, request: job.requestId.toString(), ms: Date.now() - started }, 'job step done');
    } catch (err) {
      const current = await jobs.getJob(job.id);
      if (!current || isTerminal(current.state) || current.state === 'submitted') return;
      const log = { job: job.id, kind: job.kind, request: job.requestId.toString() };
      if (err instanceof InvalidJobTransitionError || err instanceof JobStoreError) {
        logger.debug({ ...log, err: err.message }, 'job moved by another worker');
      } else if (isStateRevert(err)) {
        await jobs.transition(current.id, current.state, 'skipped', { error: (err as Error).message });
      } else if (err instanceof ActionReverted) {
        if (err.revert && NOTHING_TO_DO[job.kind]?.includes(err.revert.name)) {
          logger.info({ ...log, revert: err.revert.name }, 'nothing left to do');
          await jobs.transition(current.id, current.state, 'skipped', { error: err.message });
        } else if (err.revert && RETRY_LATER[job.kind]?.includes(err.revert.name)) {
          logger.debug({ ...log, revert: formatRevert(err.revert) }, 'the oracle refuses this action for now: will try again');
          await jobs.update(current.id, current.state, { attempts: current.attempts + 1, notBefore: Date.now() + 1000 });
        } else {
          logger.error(
            { ...log, revert: err.revert ? formatRevert(err.revert) : err.message, args: err.revert?.args.map(String) },
            'the oracle refuses this action',
          );
          await jobs.transition(current.id, current.state, 'failed', { error: err.message });
        }
      } else {
        const wait = backoffMs(current.attempts);
        metrics.rpcErrors.inc({ loop: 'jobs' });
        logger.warn({ ...log, err: (err as Error).message, retryInMs: wait }, 'job failed, will retry');
        await jobs.update(current.id, current.state, { attempts: current.attempts + 1, notBefore: Date.now() + wait });
      }
    }
  }

  /** Loops until `signal` aborts: wakes on new events or every `intervalMs`. */
  async run(signal: AbortSignal, intervalMs: number): Promise<void> {
    while (!signal.aborted) {
      this.#woken = false;
      try {
        await this.tick();
      } catch (err) {
        this.ctx.services.logger.warn({ err: (err as Error).message }, 'job loop failed, will retry');
      }
      if (this.#woken) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, intervalMs);
        signal.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
      this.#wake = undefined;
    }
  }

  /** Resolves when no job is in flight (for a clean stop). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight.size > 0 && Date.now() < deadline) await sleep(20);
  }
}
