import { accepts } from '../../lib/client/oracle-abi.js';
import type { MaturedProposal } from '../chain/types.js';
import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { ActionReverted, simulateAndSend } from './submit.js';

/**
 * Reverts of `proposeWithProof` that only say the proof is not good for this request (the verifier refuses it or
 * cannot check it): the optimistic path is taken instead, as when no proof can be made.
 */
const PROOF_REFUSED = new Set(['InferenceOracleInvalidProof', 'InferenceOracleNoVerifier']);

/**
 * Proposer: runs the model on the request's input and proposes the output with a bond, or with a ZK
 * proof (finalized at once) when `--prove` is on, the request's terms name a verifier and the model has a circuit
 * here. A request whose `accepts` excludes optimistic results is only answered with a proof (`skipped` when this
 * node cannot prove). An optimistic proposal also finalizes up to `finalizeBatch` of this node's own matured
 * proposals in the same transaction (`proposeAndFinalize`: no transaction of their own; the oracle skips any that
 * moved on). States: seen -> inferred [-> proof_pending] -> submitted.
 */
export async function runProposeJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request) return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'request record missing' }));
  const served = await ctx.models.served(request.modelId);
  if (!served) return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'model not served' }));
  // What the events said; the on-chain truth is checked by the simulation before sending (a request that
  // moved on makes it revert with UnexpectedRequestState, and the job is skipped).
  if (request.state !== 'Requested')
    return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${request.state}` }));

  if (job.state === 'seen') {
    let output: bigint[];
    try {
      output = (await ctx.inference.infer(served.model, request.input)).output;
    } catch (err) {
      // The oracle fails a request with an invalid input itself, in the request's transaction; otherwise
      // this is a problem of the model build.
      const onChain = await ctx.oracle.requestRecord(job.requestId);
      const ended = onChain.state !== 'Requested';
      return void (await ctx.store.transition(job.id, 'seen', ended ? 'skipped' : 'failed', { error: ended ? `request is ${onChain.state}` : (err as Error).message }));
    }
    if (ctx.corruptOutput) output = output.map((v, i) => (i === 0 ? v + 1n : v));
    job = await ctx.store.transition(job.id, 'seen', 'inferred', { output });
  }
  const output = job.output!;
  const canProve = ctx.prove && !ctx.corruptOutput && request.terms.verifierVersion !== 0n && ctx.inference.canProve(served.model);
  const optimistic = accepts(request.terms.accepts, 'Optimistic');
  if (job.state === 'inferred' && canProve && job.error === null) job = await ctx.store.transition(job.id, 'inferred', 'proof_pending');
  if (job.state === 'proof_pending') {
    let proof = job.proof;
    if (!proof) {
      try {
        // Bound to this node's address, the sender of proposeWithProof: a copy of the transaction by anyone else fails.
        proof = await ctx.inference.prove(served.model, request.input, output, ctx.sender.address);
        job = await ctx.store.update(job.id, 'proof_pending', { proof });
      } catch (err) {
        ctx.logger.warn({ request: job.requestId.toString(), err: (err as Error).message }, 'no proof: proposing optimistically');
        job = await ctx.store.transition(job.id, 'proof_pending', 'inferred', { error: `proof failed: ${(err as Error).message}` });
      }
    }
    if (job.state === 'proof_pending' && proof) {
      try {
        await simulateAndSend(ctx, job, 'proof_pending', ctx.oracle.calldata.proposeWithProof(job.requestId, request.terms, request.input, output, proof));
        return;
      } catch (err) {
        // A revert without a decodable reason is a verifier that cannot check the proof at all.
        const refused = err instanceof ActionReverted && (!err.revert || PROOF_REFUSED.has(err.revert.name));
        if (!refused || !optimistic) throw err;
        ctx.logger.warn({ request: job.requestId.toString(), err: err.message }, 'the oracle refuses the proof: proposing optimistically');
        job = await ctx.store.transition(job.id, 'proof_pending', 'inferred', { error: `proof refused: ${err.message}` });
      }
    }
  }
  if (!optimistic) {
    ctx.logger.warn({ request: job.requestId.toString(), accepts: request.terms.accepts.toString() }, 'the request accepts no optimistic result and this node cannot prove it');
    return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'request accepts only results this node cannot give' }));
  }
  const matured = await maturedOwnProposals(ctx, job.requestId);
  if (matured.length === 0) return simulateAndSend(ctx, job, 'inferred', ctx.oracle.calldata.propose(job.requestId, request.terms, output));
  ctx.logger.debug({ request: job.requestId.toString(), finalizing: matured.map((m) => m.requestId.toString()) }, 'proposal carries finalizations');
  await simulateAndSend(ctx, job, 'inferred', ctx.oracle.calldata.proposeAndFinalize(job.requestId, request.terms, output, matured), { variableCost: true });
}

/** How long a matured proposal attached to one proposal is kept off the others (its transaction's time to land). */
const CARRY_MS = 60_000;

/**
 * This node's unchallenged proposals whose window has passed by the next block (chain time), per the events,
 * that no other proposal in flight carries yet; they are marked as carried by this one.
 */
async function maturedOwnProposals(ctx: RoleContext, proposing: bigint): Promise<MaturedProposal[]> {
  const now = ctx.chainTime();
  if (ctx.finalizeBatch === 0 || now === undefined) return [];
  const since = Date.now() - CARRY_MS;
  for (const [id, at] of ctx.carried) if (at < since) ctx.carried.delete(id);
  const records = await ctx.store.maturedProposals(ctx.address, now + 1, ctx.finalizeBatch + ctx.carried.size);
  const matured: MaturedProposal[] = [];
  for (const r of records) {
    if (matured.length === ctx.finalizeBatch) break;
    const key = r.requestId.toString();
    if (r.requestId === proposing || ctx.carried.has(key) || !r.proposal || !r.proposedOutput) continue;
    ctx.carried.set(key, Date.now());
    matured.push({ requestId: r.requestId, terms: r.terms, proposal: r.proposal, output: r.proposedOutput });
  }
  return matured;
}
