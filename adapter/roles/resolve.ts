import { outputHash } from '../../lib/semantics/index.js';
import type { Job } from '../store/types.js';
import { ZERO_ADDRESS } from '../chain/types.js';
import type { RoleContext } from './context.js';
import { ActionReverted, isStateRevert, simulateAndSend } from './submit.js';

/** How often a dispute waiting for the arbitrator is looked at again (at most). */
const ARBITRATION_RECHECK_MS = 60_000;

/**
 * Dispute resolution, any dispute this node can decide (whoever settles it earns the resolver reward), cheapest
 * sure way first, within the request's dispute window (`terms.disputeWindow` from the challenge, chain time):
 * a ZK proof of the correct output when the request's terms name a verifier and this node can prove; else
 * on-chain re-execution when the request's model is re-executable; else, for a model neither can decide, an
 * arbitration request: the calldata for the arbitrator, choosing whichever claim is the correct output (or
 * rejecting both), logged and listed on /health, and sent by the node itself if its key is the arbitrator. A
 * dispute still open when its window closes is left to `expireDispute` (the finalizer's job): `skipped`.
 */
export async function runResolveJob(ctx: RoleContext, job: Job): Promise<void> {
  const key = job.requestId.toString();
  const request = await ctx.store.getRequest(job.requestId);
  if (!request?.proposal || request.proposal.challenger === ZERO_ADDRESS)
    return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'dispute record missing' }));
  const served = await ctx.models.served(request.modelId);
  if (!served) return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'model not served' }));
  const onChain = await ctx.oracle.requestRecord(job.requestId);
  const skip = async (error: string) => {
    ctx.arbitrationRequests.delete(key);
    await ctx.store.transition(job.id, job.state, 'skipped', { error });
  };
  if (onChain.state !== 'Disputed') return skip(`request is ${onChain.state}`);
  const { terms, proposal, input } = request;
  // Resolutions are accepted until disputedAt + disputeWindow inclusive; the next block is at least now + 1.
  const closesAt = Number(onChain.time + terms.disputeWindow);
  const now = ctx.chainTime();
  if (now !== undefined && now + 1 > closesAt) return skip('dispute window over: left to expireDispute');

  if (job.state === 'seen') {
    const { output } = await ctx.inference.infer(served.model, input);
    job = await ctx.store.transition(job.id, 'seen', 'inferred', { output });
  }
  const output = job.output!;
  const hasVerifier = terms.verifierVersion !== 0n;
  if (job.state === 'inferred' && job.error === null && hasVerifier && ctx.inference.canProve(served.model)) job = await ctx.store.transition(job.id, 'inferred', 'proof_pending');
  if (job.state === 'proof_pending') {
    try {
      // Bound to this node's address, the sender of resolveWithProof.
      const proof = job.proof ?? (await ctx.inference.prove(served.model, input, output, ctx.sender.address));
      if (!job.proof) job = await ctx.store.update(job.id, 'proof_pending', { proof });
      await simulateAndSend(ctx, job, 'proof_pending', ctx.oracle.calldata.resolveWithProof(job.requestId, terms, proposal, input, output, proof));
      return;
    } catch (err) {
      // Someone else settled it, or it is too late: nothing another way could do either.
      if (isStateRevert(err) || (err instanceof ActionReverted && err.revert?.name === 'InferenceOracleOutsideWindow')) throw err;
      ctx.logger.warn({ request: key, err: (err as Error).message }, 'cannot resolve with a proof: trying the next way');
      job = await ctx.store.transition(job.id, 'proof_pending', 'inferred', { error: `proof failed: ${(err as Error).message}` });
    }
  }
  // Whether the model's weights are on chain: fixed when the model was registered, so the registry's answer now
  // is the one the request was made with.
  if ((await ctx.oracle.model(request.modelId)).weights !== ZERO_ADDRESS) {
    await simulateAndSend(ctx, job, 'inferred', ctx.oracle.calldata.resolveByReexecution(job.requestId, terms, proposal, input));
    return;
  }
  if (hasVerifier) {
    // Only a proof decides this dispute (the arbitrator may not): another resolver's, or the dispute expires.
    ctx.logger.warn({ request: key }, 'dispute needs a proof this node cannot make: left to other resolvers or to expireDispute');
    return skip('needs a proof this node cannot make');
  }

  // Arbitration: the arbitrator can only choose one of the two claims, or reject both (empty output).
  const correct = outputHash(output);
  const choice = correct === proposal.outputHash || correct === proposal.claimHash ? output : [];
  const calldata = ctx.oracle.calldata.resolveByArbitration(job.requestId, terms, proposal, choice);
  if (!ctx.arbitrationRequests.has(key)) {
    ctx.arbitrationRequests.set(key, { requestId: key, output: choice.map(String), calldata, since: Date.now(), closesAt });
    ctx.logger.error(
      { request: key, oracle: ctx.oracle.address, calldata, closesAt, rejectsBoth: choice.length === 0 },
      'dispute needs the arbitrator: submit this call to the oracle before the dispute window closes',
    );
  }
  const arbitrator = await ctx.oracle.arbitrator();
  if (arbitrator.toLowerCase() !== ctx.address.toLowerCase()) {
    const untilClose = now === undefined ? ARBITRATION_RECHECK_MS : (closesAt - now + 1) * 1000;
    return void (await ctx.store.update(job.id, 'inferred', { notBefore: Date.now() + Math.max(500, Math.min(ARBITRATION_RECHECK_MS, untilClose)) }));
  }
  await simulateAndSend(ctx, job, 'inferred', calldata);
}
