import type { Job } from '../store/types.js';
import { ZERO_ADDRESS } from '../chain/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

/**
 * Dispute resolution, cheapest sure way first: a ZK proof of the correct output when the model has a
 * verifier and this node can prove; else on-chain re-execution when the model's weights are on chain;
 * else an arbitration request (the calldata for the arbitrator, logged and listed on /health; sent by
 * the node itself if its key is the arbitrator, once the arbitration window opens).
 */
export async function runResolveJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request?.proposal || request.proposal.challenger === ZERO_ADDRESS)
    return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'dispute record missing' }));
  const served = await ctx.models.served(request.modelId);
  if (!served) return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'model not served' }));
  const onChain = await ctx.oracle.requestRecord(job.requestId);
  if (onChain.state !== 'Disputed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${onChain.state}` }));
  const { terms, proposal, input } = request;

  if (job.state === 'seen') {
    const { output } = await ctx.inference.infer(served.model, input);
    job = await ctx.store.transition(job.id, 'seen', 'inferred', { output });
  }
  const output = job.output!;
  const hasVerifier = served.info.verifier !== ZERO_ADDRESS;
  if (job.state === 'inferred' && job.error === null && hasVerifier && ctx.inference.canProve(served.model)) job = await ctx.store.transition(job.id, 'inferred', 'proof_pending');
  if (job.state === 'proof_pending') {
    try {
      // Bound to this node's address, the sender of resolveWithProof.
      const proof = job.proof ?? (await ctx.inference.prove(served.model, input, output, ctx.sender.address));
      if (!job.proof) job = await ctx.store.update(job.id, 'proof_pending', { proof });
      await simulateAndSend(ctx, job, 'proof_pending', ctx.oracle.calldata.resolveWithProof(job.requestId, terms, proposal, input, output, proof));
      return;
    } catch (err) {
      ctx.logger.warn({ request: job.requestId.toString(), err: (err as Error).message }, 'cannot resolve with a proof: trying the next way');
      job = await ctx.store.transition(job.id, 'proof_pending', 'inferred', { error: `proof failed: ${(err as Error).message}` });
    }
  }
  if (served.info.weights !== ZERO_ADDRESS) {
    await simulateAndSend(ctx, job, 'inferred', ctx.oracle.calldata.resolveByReexecution(job.requestId, terms, proposal, input));
    return;
  }
  const calldata = ctx.oracle.calldata.resolveByArbitration(job.requestId, terms, proposal, output);
  const key = job.requestId.toString();
  if (!ctx.arbitrationRequests.has(key)) {
    ctx.arbitrationRequests.set(key, { requestId: key, output: output.map(String), calldata, since: Date.now() });
    ctx.logger.error({ request: key, oracle: ctx.oracle.address, calldata }, 'dispute needs the arbitrator: submit this call to the oracle');
  }
  const arbitrator = await ctx.oracle.arbitrator();
  if (arbitrator.toLowerCase() !== ctx.address.toLowerCase()) {
    return void (await ctx.store.update(job.id, 'inferred', { notBefore: Date.now() + 60_000 }));
  }
  const { disputeWindow } = await ctx.oracle.periods();
  const opensAt = Number(onChain.time + disputeWindow);
  const latest = await ctx.provider.getBlock('latest');
  if (!latest || latest.timestamp < opensAt) return void (await ctx.store.update(job.id, 'inferred', { notBefore: Date.now() + Math.max(500, (opensAt - (latest?.timestamp ?? 0)) * 1000) }));
  await simulateAndSend(ctx, job, 'inferred', calldata);
}
