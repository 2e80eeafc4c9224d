import type { RoleContext } from './context.js';

/** Creates an `expire` job for every request past its deadline without a proposal; returns how many are new. */
export async function sweepDeadlines(ctx: RoleContext): Promise<number> {
  const now = ctx.state.chainTime();
  if (now === undefined) return 0;
  const { requests, jobs } = ctx.services.store;
  let created = 0;
  for (const r of await requests.requestsPastDeadline(now, 256)) {
    if ((await jobs.ensureJob({ requestId: r.requestId, kind: 'expire', modelId: `0x${r.modelId.toString(16)}` })).created) created++;
  }
  return created;
}
