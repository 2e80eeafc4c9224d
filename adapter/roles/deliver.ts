import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

/**
 * Finalizer: delivers a consumer callback the oracle owes (`CallbackPending`: a settlement never calls the
 * consumer, and a callback that reverted is owed too) with `deliverCallback`, paying its gas. Created for every
 * request this node settled, and for others' whose callback gas limit is at most `maxCallbackGas`. A callback
 * that reverts again (`InferenceOracleCallbackFailed`) stays owed and the job is `skipped`, as when someone else
 * delivered it first. States: seen -> submitted.
 */
export async function runDeliverJob(ctx: RoleContext, job: Job): Promise<void> {
  const callback = await ctx.store.getCallback(job.requestId);
  if (!callback) return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'callback record missing' }));
  if (callback.delivered) return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'callback delivered' }));
  await simulateAndSend(ctx, job, job.state, ctx.oracle.calldata.deliverCallback(job.requestId, callback.requester, callback.gasLimit, callback.data));
}
