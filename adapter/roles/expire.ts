import type { Action } from './actions.js';
import type { DecisionInput } from './view.js';
import { chainTimeWaitMs } from './waiting.js';

/**
 * Finalizer (keeper): a request nobody proposed for by its deadline is expired, so that it ends in a
 * terminal state and the requester gets its fee back. Created by the deadline sweep (`sweepDeadlines`).
 * States: seen -> submitted, or skipped when a proposal came after all.
 */
export async function decideExpire({ job, view, config, calldata }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request) return { type: 'fail', reason: 'request record missing' };
  if (request.state !== 'Requested') return { type: 'skip', reason: `request is ${request.state}` };
  const now = view.chainTime();
  const deadline = Number(request.terms.deadline);
  if (now === undefined || now + 1 <= deadline) return { type: 'wait', ms: chainTimeWaitMs(now === undefined ? undefined : deadline - now, config.recheckMs) };
  return { type: 'send', calldata: calldata.expire(job.requestId, request.terms) };
}
