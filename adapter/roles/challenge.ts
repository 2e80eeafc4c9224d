import { outputHash } from '../../lib/semantics/index.js';
import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';
import { simulateAndSend } from './submit.js';

const sameValues = (a: readonly bigint[], b: readonly bigint[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Watcher: re-executes another operator's proposal and, when the output differs from the canonical one,
 * challenges it (locking an equal bond) with the correct output as its claim (`claimHash`), which is what a
 * resolution or the arbitrator can find right. A wrong proposal seen after its window (the node was away) can no
 * longer be challenged: `skipped`, logged. States: seen -> inferred -> submitted, or skipped when it agrees.
 */
export async function runChallengeJob(ctx: RoleContext, job: Job): Promise<void> {
  const request = await ctx.store.getRequest(job.requestId);
  if (!request?.proposal || !job.claimed) return void (await ctx.store.transition(job.id, job.state, 'failed', { error: 'proposal record missing' }));
  const served = await ctx.models.served(request.modelId);
  if (!served) return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'model not served' }));

  if (job.state === 'seen') {
    const { output } = await ctx.inference.infer(served.model, request.input);
    if (sameValues(output, job.claimed)) return void (await ctx.store.transition(job.id, 'seen', 'skipped', { output, error: 'proposal is correct' }));
    ctx.logger.warn(
      { request: job.requestId.toString(), proposer: request.proposal.proposer, claimed: job.claimed.map(String), correct: output.map(String) },
      'wrong proposal',
    );
    job = await ctx.store.transition(job.id, 'seen', 'inferred', { output });
  }
  // A challenge must land before the window ends (chain time); the next block is at least one second later.
  // Right after a start the follower has not read the head yet: the chain is asked.
  const now = ctx.chainTime() ?? (await ctx.provider.getBlock('latest'))?.timestamp;
  const windowEnd = (request.proposedAt ?? 0) + Number(request.terms.challengeWindow);
  if (now !== undefined && request.proposedAt !== null && now + 1 >= windowEnd) {
    ctx.logger.warn({ request: job.requestId.toString(), windowEnd, chainTime: now }, 'wrong proposal seen after its challenge window: it cannot be challenged');
    return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: 'challenge window over' }));
  }
  const onChain = await ctx.oracle.requestRecord(job.requestId);
  if (onChain.state !== 'Proposed') return void (await ctx.store.transition(job.id, job.state, 'skipped', { error: `request is ${onChain.state}` }));
  const claimHash = outputHash(job.output!);
  ctx.logger.info({ request: job.requestId.toString(), claimHash }, 'challenging with the correct output as the claim');
  await simulateAndSend(ctx, job, 'inferred', ctx.oracle.calldata.challenge(job.requestId, request.terms, request.proposal, claimHash));
}
