import { outputHash } from '../../lib/semantics/index.js';
import type { Action } from './actions.js';
import type { DecisionInput } from './view.js';

const sameValues = (a: readonly bigint[], b: readonly bigint[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Watcher: re-executes another operator's proposal and, when the output differs from the canonical one,
 * challenges it (locking an equal bond) with the correct output as its claim (`claimHash`), which is what a
 * resolution or the arbitrator can find right. A wrong proposal seen after its window (the node was away) can no
 * longer be challenged: `skipped`, logged. A challenge the free stake cannot bond (less the bonds of this node's
 * proposals and challenges in flight) would revert: it waits for stake to come free while the window is open, like a
 * proposal. States: seen -> inferred -> submitted, or skipped when it agrees.
 */
export async function decideChallenge({ job, view, config, calldata, inference }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request?.proposal || !job.claimed) return { type: 'fail', reason: 'proposal record missing' };
  const served = await view.served(request.modelId);
  if (!served) return { type: 'skip', reason: 'model not served' };

  if (job.state === 'seen') {
    if (!inference) return { type: 'infer', model: served.model, input: request.input };
    if (!inference.ok) return { type: 'retry', error: inference.error };
    const { output } = inference;
    if (sameValues(output, job.claimed)) return { type: 'skip', reason: 'proposal is correct', output };
    return {
      type: 'record',
      output,
      note: {
        level: 'warn',
        message: 'wrong proposal',
        fields: { request: job.requestId.toString(), proposer: request.proposal.proposer, claimed: job.claimed.map(String), correct: output.map(String) },
      },
    };
  }
  // A challenge must land before the window ends (chain time); the next block is at least one second later.
  // Right after a start the follower has not read the head yet: the chain is asked.
  const now = view.chainTime() ?? (await view.latestBlockTime());
  const windowEnd = (request.proposedAt ?? 0) + Number(request.terms.challengeWindow);
  if (now !== undefined && request.proposedAt !== null && now + 1 >= windowEnd) {
    return {
      type: 'skip',
      reason: 'challenge window over',
      note: {
        level: 'warn',
        message: 'wrong proposal seen after its challenge window: it cannot be challenged',
        fields: { request: job.requestId.toString(), windowEnd, chainTime: now },
      },
    };
  }
  const onChain = await view.onChain();
  if (onChain.state !== 'Proposed') return { type: 'skip', reason: `request is ${onChain.state}` };
  const bond = request.terms.bond;
  const free = await view.freeStake();
  if (free < bond) return { type: 'wait', ms: config.recheckMs, stake: { bond, free } };
  const claimHash = outputHash(job.output!);
  return {
    type: 'send',
    calldata: calldata.challenge(job.requestId, request.terms, request.proposal, claimHash),
    bond,
    note: { level: 'info', message: 'challenging with the correct output as the claim', fields: { request: job.requestId.toString(), claimHash } },
  };
}
