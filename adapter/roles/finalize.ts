import type { Action } from './actions.js';
import type { DecisionInput } from './view.js';
import { chainTimeWaitMs } from './waiting.js';

/**
 * Finalizer (keeper): once a proposal's challenge window has passed on chain time, finalizes it, whoever
 * proposed it. This node's own proposals first wait `finalizeGraceS` more, for one of its next proposals to
 * carry the finalization (see `propose.ts`). States: seen -> submitted, or skipped when it was disputed or
 * finalized by someone else (or by one of our proposals).
 */
export async function decideFinalize({ job, view, config, calldata }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request?.proposal || !request.proposedOutput) return { type: 'fail', reason: 'proposal record missing' };
  if (request.state !== 'Proposed') return { type: 'skip', reason: `request is ${request.state}` };
  // The window ends at proposal time + challenge window (chain time); the next block's timestamp is above the
  // latest one, so it may finalize once latest + 1 >= windowEnd. Until then: no RPC call, just wait.
  const own = request.proposal.proposer.toLowerCase() === config.address.toLowerCase() && config.roles.includes('proposer');
  const windowEnd = (request.proposedAt ?? 0) + Number(request.terms.challengeWindow) + (own ? config.finalizeGraceS : 0);
  const now = view.chainTime();
  if (now === undefined || now + 1 < windowEnd)
    return { type: 'wait', ms: chainTimeWaitMs(now === undefined ? undefined : windowEnd - now - 1, config.recheckMs) };
  const onChain = await view.onChain();
  if (onChain.state !== 'Proposed') return { type: 'skip', reason: `request is ${onChain.state}` };
  return { type: 'send', calldata: calldata.finalize(job.requestId, request.terms, request.proposal, request.proposedOutput) };
}
