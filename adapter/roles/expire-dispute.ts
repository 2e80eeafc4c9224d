import { ZERO_ADDRESS } from '../../lib/protocol/index.js';
import type { Action } from './actions.js';
import type { DecisionInput } from './view.js';
import { chainTimeWaitMs } from './waiting.js';

/**
 * Finalizer (keeper): a dispute nobody settled within the request's dispute window (`terms.disputeWindow` from
 * the challenge, chain time) is ended with `expireDispute`: the challenge was not substantiated, the proposal
 * stands (provenance Optimistic), the challenger's bond is slashed, and the caller earns the resolver reward.
 * The consumer's callback becomes owed (a `deliver` job). States: seen -> submitted, or skipped when the dispute
 * was settled in time.
 */
export async function decideExpireDispute({ job, view, config, calldata }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request?.proposal || !request.proposedOutput || request.proposal.challenger === ZERO_ADDRESS) return { type: 'fail', reason: 'dispute record missing' };
  if (request.state !== 'Disputed') return { type: 'skip', reason: `request is ${request.state}` };
  // expireDispute needs block.timestamp > disputedAt + disputeWindow; the next block is at least latest + 1.
  const closesAt = (request.disputedAt ?? 0) + Number(request.terms.disputeWindow);
  const now = view.chainTime();
  if (now === undefined || now + 1 <= closesAt) return { type: 'wait', ms: chainTimeWaitMs(now === undefined ? undefined : closesAt - now, config.recheckMs) };
  const onChain = await view.onChain();
  if (onChain.state !== 'Disputed') return { type: 'skip', reason: `request is ${onChain.state}` };
  return { type: 'send', calldata: calldata.expireDispute(job.requestId, request.terms, request.proposal, request.proposedOutput) };
}
