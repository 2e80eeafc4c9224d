import type { Action } from './actions.js';
import type { DecisionInput } from './view.js';

/**
 * Finalizer: delivers a consumer callback the oracle owes (`CallbackPending`: a settlement never calls the
 * consumer, and a callback that reverted is owed too) with `deliverCallback`, paying its gas. Created for every
 * request this node settled, and for others' whose callback gas limit is at most `maxCallbackGas`. A callback
 * that reverts again (`InferenceOracleCallbackFailed`) stays owed and the job is `skipped`, as when someone else
 * delivered it first. States: seen -> submitted.
 */
export async function decideDeliver({ job, view, calldata }: DecisionInput): Promise<Action> {
  const callback = await view.callback();
  if (!callback) return { type: 'fail', reason: 'callback record missing' };
  if (callback.delivered) return { type: 'skip', reason: 'callback delivered' };
  return { type: 'send', calldata: calldata.deliverCallback(job.requestId, callback.requester, callback.gasLimit, callback.data) };
}
