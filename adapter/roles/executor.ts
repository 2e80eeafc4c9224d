import type { Hex } from '../../lib/semantics/index.js';
import { isTerminal, type JobKind } from '../jobs/machine.js';
import type { BatchProof } from '../inference/prover.js';
import type { Job } from '../store/types.js';
import type { Action, Inference, Note, ProofFallback } from './actions.js';
import { decideBisect } from './bisect.js';
import { decideChallenge } from './challenge.js';
import type { RoleContext } from './context.js';
import { decideDeliver } from './deliver.js';
import { decideExpireDispute } from './expire-dispute.js';
import { decideExpire } from './expire.js';
import { decideFinalize } from './finalize.js';
import { liveJobView } from './live-view.js';
import { decidePropose } from './propose.js';
import { decideResolve } from './resolve.js';
import { ActionReverted, isStateRevert, simulateAndSend } from './submit.js';
import type { Decision } from './view.js';

/** Each job kind's role: what its next step is. */
export const DECISIONS: Record<JobKind, Decision> = {
  propose: decidePropose,
  challenge: decideChallenge,
  resolve: decideResolve,
  finalize: decideFinalize,
  expire: decideExpire,
  expireDispute: decideExpireDispute,
  deliver: decideDeliver,
  bisect: decideBisect,
};

/** Where a step leaves the run: over (the job is terminal, submitted or waiting), or on with the job as it is now. */
type Step = { over: true } | { over: false; job: Job; inference?: Inference };

const OVER: Step = { over: true };

/** More steps than any role takes (infer, record, prove, fall back, arbitrate, send): a decision that loops. */
const MAX_STEPS = 12;

/**
 * Runs one job as far as it goes now: asks its role for the next action, carries it out, and again, until the
 * job is terminal, submitted or waiting (or an error goes to the runner, which classifies it). The reads of one
 * run are kept for the run (`liveJobView`), so that its decisions see one state of the world.
 */
export async function runJob(ctx: RoleContext, job: Job): Promise<void> {
  const view = liveJobView(ctx, job.requestId);
  const decide = DECISIONS[job.kind];
  let inference: Inference | undefined;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const action = await decide({ job, view, config: ctx.config, calldata: ctx.services.oracle.calldata, inference });
    const step = await execute(ctx, job, action);
    if (step.over || isTerminal(step.job.state) || step.job.state === 'submitted') return;
    ({ job, inference } = step);
  }
  throw new Error(`job ${job.id} (${job.kind}) took more than ${MAX_STEPS} steps in one run`);
}

function write(ctx: RoleContext, note: Note | undefined): void {
  if (note) ctx.services.logger[note.level](note.fields, note.message);
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Carries out one action: the only place where a role's decision touches the store, the chain or the models. */
async function execute(ctx: RoleContext, job: Job, action: Action): Promise<Step> {
  const { services, state } = ctx;
  const jobs = services.store.jobs;
  switch (action.type) {
    case 'infer':
      try {
        return { over: false, job, inference: { ok: true, output: (await services.inference.infer(action.model, action.input)).output } };
      } catch (err) {
        return { over: false, job, inference: { ok: false, error: toError(err) } };
      }
    case 'record':
      write(ctx, action.note);
      return { over: false, job: await jobs.transition(job.id, job.state, 'inferred', { output: action.output }) };
    case 'prove':
      state.batches.withdraw([job.requestId.toString()]);
      return proveAndSend(ctx, job, action);
    case 'proveBatch':
      return proveBatchAndSend(ctx, job, action);
    case 'send': {
      // Claimed before the send, as they are attached to this call: a concurrent proposal that picked one of them
      // meanwhile makes this one decide again without it.
      const carried = action.carries?.map((m) => m.requestId.toString()) ?? [];
      if (carried.length > 0 && !state.carried.claim(carried)) return { over: false, job };
      write(ctx, action.note);
      const request = job.requestId.toString();
      state.batches.withdraw([request]);
      if (state.bonds.release(request)) services.logger.info({ request }, 'free stake can bond the held proposal: proposing');
      // Counted before the send: a concurrent proposal deciding meanwhile must not bond the same stake.
      if (action.bond !== undefined) state.bonds.add(request, action.bond);
      try {
        await simulateAndSend(ctx, job, job.state, action.calldata, { variableCost: action.variableCost ?? false });
      } catch (err) {
        state.bonds.remove(request);
        throw err;
      }
      if (action.move) {
        services.metrics.bisectionMoves.inc({ role: action.move.role, move: action.move.action });
        services.metrics.bisectionMoveSlackSeconds.observe(action.move.slackS);
      }
      return OVER;
    }
    case 'requestArbitration': {
      const requestId = job.requestId.toString();
      state.arbitrationRequests.set(requestId, {
        requestId,
        output: action.output.map(String),
        calldata: action.calldata,
        since: Date.now(),
        closesAt: action.closesAt,
      });
      services.logger.error(
        { request: requestId, oracle: services.oracle.address, calldata: action.calldata, closesAt: action.closesAt, rejectsBoth: action.output.length === 0 },
        'dispute needs the arbitrator: submit this call to the oracle before the dispute window closes',
      );
      return { over: false, job };
    }
    case 'wait':
      if (action.batch) state.batches.offer(action.batch);
      if (action.stake) {
        const request = job.requestId.toString();
        const shortfall = action.stake.bond - action.stake.free;
        if (state.bonds.hold(request, shortfall)) {
          services.logger.warn(
            { request, bond: action.stake.bond.toString(), freeStake: action.stake.free.toString(), shortfall: shortfall.toString() },
            `free stake cannot bond this ${job.kind === 'challenge' ? 'challenge' : 'proposal'}: holding it until stake comes free (depositStake, settled proposals)`,
          );
        }
      }
      await jobs.update(job.id, job.state, { notBefore: Date.now() + action.ms });
      return OVER;
    case 'skip':
      write(ctx, action.note);
      state.bonds.release(job.requestId.toString());
      state.batches.withdraw([job.requestId.toString()]);
      // A dispute this node no longer works on needs nothing from the arbitrator on its behalf.
      if (job.kind === 'resolve') state.arbitrationRequests.delete(job.requestId.toString());
      await jobs.transition(job.id, job.state, 'skipped', action.output ? { output: action.output, error: action.reason } : { error: action.reason });
      return OVER;
    case 'fail':
      state.batches.withdraw([job.requestId.toString()]);
      await jobs.transition(job.id, job.state, 'failed', { error: action.reason });
      return OVER;
    case 'retry':
      throw action.error;
  }
}

/**
 * Reverts of a proof's transaction that only say the proof is not good for this request (the verifier refuses it
 * or cannot check it).
 */
const PROOF_REFUSED = new Set(['InferenceOracleInvalidProof', 'InferenceOracleNoVerifier']);

/** What the job records when a failed proof transaction falls back per `policy`; undefined: it does not. */
function fallbackLabel(policy: ProofFallback, err: unknown): 'proof refused' | 'proof failed' | undefined {
  switch (policy) {
    case 'proofRefused':
      // A revert without a decodable reason is a verifier that cannot check the proof at all.
      return err instanceof ActionReverted && (!err.revert || PROOF_REFUSED.has(err.revert.name)) ? 'proof refused' : undefined;
    case 'unlessSettledOrLate':
      return isStateRevert(err) || (err instanceof ActionReverted && err.revert?.name === 'InferenceOracleOutsideWindow') ? undefined : 'proof failed';
    case 'never':
      return undefined;
  }
}

/** How often a job waiting for a prove worker's proof looks for it. */
const PROOF_POLL_MS = 500;

/**
 * The proof-or-fallback policy of every role that proves: the job moves to `proof_pending`, the proof is made
 * once and kept (a restart sends the same one), and the call carrying it is sent. A proof that cannot be made, or
 * a call the policy lets fall back, returns the job to `inferred` with the reason as its error, which tells the
 * role not to prove again: it decides its next way.
 */
async function proveAndSend(ctx: RoleContext, job: Job, action: Extract<Action, { type: 'prove' }>): Promise<Step> {
  const { services } = ctx;
  if (job.state === 'inferred') job = await services.store.jobs.transition(job.id, 'inferred', 'proof_pending');
  let proof: Hex | null = job.proof;
  const queue = ctx.config.proveWorkers ? services.store.proofs : undefined;
  if (!proof && queue) {
    // A prove worker makes it: ask once, look again later; the job waits in proof_pending meanwhile.
    const status = await queue.requestProof({
      jobId: job.id,
      modelHash: action.model.modelHash,
      input: action.input,
      output: action.output,
      prover: services.sender.address,
    });
    if (status.state === 'failed') return fallBack(ctx, job, action.fallbackNotes.noProof, 'proof failed', new Error(status.error));
    if (status.state !== 'done') {
      await services.store.jobs.update(job.id, 'proof_pending', { notBefore: Date.now() + PROOF_POLL_MS });
      return OVER;
    }
    proof = status.proof;
    job = await services.store.jobs.update(job.id, 'proof_pending', { proof });
  }
  if (!proof) {
    try {
      // Bound to this node's address, the sender of the call: a copy of the transaction by anyone else fails.
      proof = await services.inference.prove(action.model, action.input, action.output, services.sender.address);
      job = await services.store.jobs.update(job.id, 'proof_pending', { proof });
    } catch (err) {
      return fallBack(ctx, job, action.fallbackNotes.noProof, 'proof failed', toError(err));
    }
  }
  try {
    await simulateAndSend(ctx, job, 'proof_pending', action.calldata(proof));
    return OVER;
  } catch (err) {
    const label = fallbackLabel(action.fallback, err);
    if (!label) throw err;
    return fallBack(ctx, job, action.fallbackNotes.refused, label, toError(err));
  }
}

async function fallBack(ctx: RoleContext, job: Job, message: string, label: 'proof refused' | 'proof failed', err: Error): Promise<Step> {
  ctx.services.logger.warn({ request: job.requestId.toString(), err: err.message }, message);
  return { over: false, job: await ctx.services.store.jobs.transition(job.id, 'proof_pending', 'inferred', { error: `${label}: ${err.message}` }) };
}

/**
 * A batch led by this job: its requests are claimed (kept off other batches and waiting in their own jobs), proven
 * with one proof and finalized by one `proposeWithProofBatch` from this job (inferred -> submitted). A batch that
 * cannot be proven or that the oracle would refuse gives its requests back and sends its group the single way for a
 * while (`BatchPool.breakGroup`); this job decides again. A failure of the chain itself goes to the runner (retried),
 * its requests given back too: a batch sent twice costs gas, not results (the oracle skips settled requests).
 */
async function proveBatchAndSend(ctx: RoleContext, job: Job, action: Extract<Action, { type: 'proveBatch' }>): Promise<Step> {
  const { services, state } = ctx;
  const { entries, model, modelId, verifierVersion, batchSize } = action;
  const ids = entries.map((e) => e.requestId.toString());
  // A concurrent leader took one of them meanwhile: decide again (this request may ride with that batch).
  if (!state.batches.claim(ids)) return { over: false, job };
  const giveBack = (message: string, err: Error): Step => {
    state.batches.release(ids);
    state.batches.breakGroup(modelId, verifierVersion);
    services.logger.warn({ model: model.name, requests: ids, size: batchSize, err: err.message }, message);
    return { over: false, job };
  };
  const started = performance.now();
  let proof: BatchProof;
  try {
    proof = await services.inference.proveBatch(
      model,
      entries.map((e) => e.input),
      entries.map((e) => e.output),
      services.sender.address,
      batchSize,
    );
  } catch (err) {
    return giveBack('no batch proof: proving these requests one by one', toError(err));
  }
  state.batches.recordProving(batchSize, (performance.now() - started) / 1000);
  const data = services.oracle.calldata.proposeWithProofBatch(
    { modelId, verifierVersion, batchSize: proof.batchSize, signals: proof.signals, proof: proof.proof },
    entries.map((e) => ({ requestId: e.requestId, terms: e.terms })),
  );
  try {
    await simulateAndSend(ctx, job, 'inferred', data, { variableCost: true });
  } catch (err) {
    if (err instanceof ActionReverted) return giveBack('the oracle refuses the batch: proving these requests one by one', err);
    state.batches.release(ids);
    throw err;
  }
  services.metrics.batchSize.observe({ model: model.name }, entries.length);
  services.metrics.batchWaitBlocks.observe({ model: model.name }, action.waitedBlocks);
  services.logger.info({ model: model.name, requests: ids, size: batchSize, waitedBlocks: action.waitedBlocks }, 'batch proof sent');
  return OVER;
}
