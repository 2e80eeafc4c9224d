import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

/**
 * Finalizer (keeper): once a proposal's challenge window has passed on chain time, finalizes it, whoever
 * proposed it. This node's own proposals first wait `finalizeGraceS` more, for one of its next proposals to
 * carry the finalization (see `propose.ts`). States: seen -> submitted, or skipped when it was disputed or
 * finalized by someone else (or by one of our proposals).
 */
export async function runFinalizeJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request?.proposal || !request.proposedOutput) return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'proposal record missing' }));
  if (request.state !== 'Proposed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${request.state}` }));
  // The window ends at proposal time + challenge window (chain time); the next block's timestamp is above the
  // latest one, so it may finalize once latest + 1 >= windowEnd. Until then: no RPC call, just wait.
  const own = request.proposal.proposer.toLowerCase() === ctx.address.toLowerCase() && ctx.roles.includes('proposer');
  const windowEnd = (request.proposedAt ?? 0) + Number(request.terms.challengeWindow) + (own ? ctx.finalizeGraceS : 0);
  const now = ctx.chainTime();
  if (now === undefined || now + 1 < windowEnd) {
    const waitMs = now === undefined ? ctx.recheckMs : Math.min(ctx.recheckMs, Math.max(100, (windowEnd - now - 1) * 1000));
    return void (await ctx.store.update(job.id, job.state, { notBefore: Date.now() + waitMs }));
  }
  const onChain = await ctx.oracle.requestRecord(job.requestId);
  if (onChain.state !== 'Proposed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${onChain.state}` }));
  await simulateAndSend(ctx, job, job.state, ctx.oracle.calldata.finalize(job.requestId, request.terms, request.proposal, request.proposedOutput));
}
