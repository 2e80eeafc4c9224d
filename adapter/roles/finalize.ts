import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

/**
 * Finalizer (keeper): once a proposal's challenge window has passed on chain time, finalizes it, whoever
 * proposed it. States: seen -> submitted, or skipped when it was disputed or finalized by someone else.
 */
export async function runFinalizeJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request?.proposal || !request.proposedOutput) return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'proposal record missing' }));
  const onChain = await ctx.oracle.requestRecord(job.requestId);
  if (onChain.state !== 'Proposed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${onChain.state}` }));
  const windowEnd = Number(onChain.time);
  const latest = await ctx.provider.getBlock('latest');
  if (!latest) throw new Error('no latest block');
  // The next block's timestamp is above the latest one: it may finalize once latest + 1 >= windowEnd.
  if (latest.timestamp + 1 < windowEnd) {
    const waitMs = Math.min(30_000, Math.max(200, (windowEnd - latest.timestamp - 1) * 1000));
    return void (await ctx.store.update(job.id, job.state, { notBefore: Date.now() + waitMs }));
  }
  await simulateAndSend(ctx, job, job.state, ctx.oracle.calldata.finalize(job.requestId, request.terms, request.proposal, request.proposedOutput));
}
