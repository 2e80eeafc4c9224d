import { outputHash } from '../../lib/semantics/index.js';
import { proofInput, ZERO_ADDRESS } from '../../lib/protocol/index.js';
import type { Action } from './actions.js';
import { bisectsDispute } from './dispute-way.js';
import type { DecisionInput } from './view.js';

/** How often a dispute waiting for the arbitrator is looked at again (at most). */
const ARBITRATION_RECHECK_MS = 60_000;

/**
 * Dispute resolution, any dispute this node can decide (whoever settles it earns the resolver reward), cheapest
 * sure way first, within the request's dispute window (`terms.disputeWindow` from the challenge, chain time):
 * a ZK proof of the correct output when the request's terms name a verifier and this node can prove; else
 * on-chain re-execution when the request's model is re-executable; else, for a model neither can decide, an
 * arbitration request: the calldata for the arbitrator, choosing whichever claim is the correct output (or
 * rejecting both), logged and listed on /health, and sent by the node itself if its key is the arbitrator. A
 * dispute still open when its window closes is left to `expireDispute` (the finalizer's job): `skipped`. A dispute
 * to bisect (`disputeByBisection`: a steps commitment, and no weights on chain or a re-execution above the
 * transaction cap) is left to its parties' `bisect` jobs: `skipped`.
 * States: seen -> inferred [-> proof_pending [-> inferred]] -> submitted.
 */
export async function decideResolve({ job, view, config, calldata, inference }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request?.proposal || request.proposal.challenger === ZERO_ADDRESS) return { type: 'fail', reason: 'dispute record missing' };
  const served = await view.served(request.modelId);
  if (!served) return { type: 'skip', reason: 'model not served' };
  const onChain = await view.onChain();
  if (onChain.state !== 'Disputed') return { type: 'skip', reason: `request is ${onChain.state}` };
  const { terms, proposal, input } = request;
  // Resolutions are accepted until disputedAt + disputeWindow inclusive; the next block is at least now + 1.
  const closesAt = Number(onChain.time + terms.disputeWindow);
  const now = view.chainTime();
  if (now !== undefined && now + 1 > closesAt) return { type: 'skip', reason: 'dispute window over: left to expireDispute' };

  if (job.state === 'seen') {
    if (!inference) return { type: 'infer', model: served.model, input };
    if (!inference.ok) return { type: 'retry', error: inference.error };
    return { type: 'record', output: inference.output };
  }
  const output = job.output!;
  const hasVerifier = terms.verifierVersion !== 0n;
  if (job.state === 'proof_pending' || (job.state === 'inferred' && job.error === null && hasVerifier && view.canProve(served.model))) {
    return {
      type: 'prove',
      model: served.model,
      input,
      output,
      calldata: (proof) => calldata.resolveWithProof(job.requestId, terms, proposal, proofInput(served.info.inputHashKind, input), output, proof),
      // Unless someone else settled it or it is too late (nothing another way could do either): the next way.
      fallback: 'unlessSettledOrLate',
      fallbackNotes: { noProof: 'cannot resolve with a proof: trying the next way', refused: 'cannot resolve with a proof: trying the next way' },
    };
  }
  // Whether the model's weights are on chain: fixed when the model was registered, so the registry's answer now
  // is the one the request was made with.
  const weightsOnChain = (await view.model(request.modelId)).weights !== ZERO_ADDRESS;
  if (bisectsDispute(served.model, weightsOnChain, await view.stepsCommitment(request.modelId))) {
    return { type: 'skip', reason: 'settled by the bisection game (its parties play it)' };
  }
  if (weightsOnChain) {
    return { type: 'send', calldata: calldata.resolveByReexecution(job.requestId, terms, proposal, input) };
  }
  if (hasVerifier) {
    // Only a proof decides this dispute (the arbitrator may not): another resolver's, or the dispute expires.
    return {
      type: 'skip',
      reason: 'needs a proof this node cannot make',
      note: {
        level: 'warn',
        message: 'dispute needs a proof this node cannot make: left to other resolvers or to expireDispute',
        fields: { request: job.requestId.toString() },
      },
    };
  }

  // Arbitration: the arbitrator can only choose one of the two claims, or reject both (empty output).
  const correct = outputHash(output);
  const choice = correct === proposal.outputHash || correct === proposal.claimHash ? output : [];
  const arbitration = calldata.resolveByArbitration(job.requestId, terms, proposal, choice);
  if (!view.arbitrationRequested()) {
    return {
      type: 'requestArbitration',
      output: choice,
      calldata: arbitration,
      closesAt,
    };
  }
  const arbitrator = await view.arbitrator();
  if (arbitrator.toLowerCase() !== config.address.toLowerCase()) {
    const untilClose = now === undefined ? ARBITRATION_RECHECK_MS : (closesAt - now + 1) * 1000;
    return { type: 'wait', ms: Math.max(500, Math.min(ARBITRATION_RECHECK_MS, untilClose)) };
  }
  return { type: 'send', calldata: arbitration };
}
