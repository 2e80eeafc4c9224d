import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

/**
 * Finalizer (keeper): a request nobody proposed for by its deadline is expired, so that it ends in a
 * terminal state and the requester gets its fee back. Created by the deadline sweep (`sweepDeadlines`).
 * States: seen -> submitted, or skipped when a proposal came after all.
 */
export async function runExpireJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request) return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'request record missing' }));
  if (request.state !== 'Requested') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${request.state}` }));
  const now = ctx.chainTime();
  const deadline = Number(request.terms.deadline);
  if (now === undefined || now + 1 <= deadline) {
    const waitMs = now === undefined ? ctx.recheckMs : Math.min(ctx.recheckMs, Math.max(100, (deadline - now) * 1000));
    return void (await ctx.store.update(job.id, job.state, { notBefore: Date.now() + waitMs }));
  }
  await simulateAndSend(ctx, job, job.state, ctx.oracle.calldata.expire(job.requestId, request.terms));
}

/** Creates an `expire` job for every request past its deadline without a proposal; returns how many are new. */
export async function sweepDeadlines(ctx: RoleContext): Promise<number> {
  const now = ctx.chainTime();
  if (now === undefined) return 0;
  let created = 0;
  for (const r of await ctx.store.requestsPastDeadline(now, 256)) {
    if ((await ctx.store.ensureJob({ requestId: r.requestId, kind: 'expire', modelId: `0x${r.modelId.toString(16)}` })).created) created++;
  }
  return created;
}
