import { ZERO_ADDRESS } from '../chain/types.js';
import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

/**
 * Finalizer (keeper): a dispute nobody settled within the request's dispute window (`terms.disputeWindow` from
 * the challenge, chain time) is ended with `expireDispute`: the challenge was not substantiated, the proposal
 * stands (provenance Optimistic), the challenger's bond is slashed, and the caller earns the resolver reward.
 * The consumer's callback becomes owed (a `deliver` job). States: seen -> submitted, or skipped when the dispute
 * was settled in time.
 */
export async function runExpireDisputeJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request?.proposal || !request.proposedOutput || request.proposal.challenger === ZERO_ADDRESS)
    return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'dispute record missing' }));
  if (request.state !== 'Disputed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${request.state}` }));
  // expireDispute needs block.timestamp > disputedAt + disputeWindow; the next block is at least latest + 1.
  const closesAt = (request.disputedAt ?? 0) + Number(request.terms.disputeWindow);
  const now = ctx.chainTime();
  if (now === undefined || now + 1 <= closesAt) {
    const waitMs = now === undefined ? ctx.recheckMs : Math.min(ctx.recheckMs, Math.max(100, (closesAt - now) * 1000));
    return void (await ctx.store.update(job.id, job.state, { notBefore: Date.now() + waitMs }));
  }
  const onChain = await ctx.oracle.requestRecord(job.requestId);
  if (onChain.state !== 'Disputed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${onChain.state}` }));
  await simulateAndSend(ctx, job, job.state, ctx.oracle.calldata.expireDispute(job.requestId, request.terms, request.proposal, request.proposedOutput));
}
