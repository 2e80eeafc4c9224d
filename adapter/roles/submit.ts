import type { Hex } from '../../lib/semantics/index.js';
import type { DecodedRevert } from '../chain/oracle.js';
import type { JobState } from '../jobs/machine.js';
import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';

/** The oracle refused the action in a simulation: the decoded custom error. */
export class ActionReverted extends Error {
  constructor(readonly revert: DecodedRevert | undefined, readonly data: string | undefined) {
    super(revert ? `reverted with ${revert.name}` : `reverted${data ? ` (${data.slice(0, 10)})` : ''}`);
  }
}

function revertData(err: unknown): string | undefined {
  let current: unknown = err;
  for (let i = 0; i < 5 && current; i++) {
    const c = current as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } }; cause?: unknown };
    for (const d of [c.data, c.error?.data, c.info?.error?.data]) if (typeof d === 'string' && d.startsWith('0x')) return d;
    current = c.cause ?? c.error;
  }
  return undefined;
}

/** Is this an EVM revert (as opposed to a network or RPC failure, which is retried)? */
function isRevert(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'CALL_EXCEPTION' || revertData(err) !== undefined || /execution reverted|revert/i.test(String((err as Error).message));
}

/**
 * Simulates the oracle call (estimateGas from this node's address); on success sends it through the
 * transaction sender (the store makes it at most once per job). Throws {@link ActionReverted} if the
 * oracle would refuse it.
 */
export async function simulateAndSend(ctx: RoleContext, job: Job, state: JobState, data: Hex): Promise<void> {
  let gas: bigint;
  try {
    gas = await ctx.provider.estimateGas({ from: ctx.address, to: ctx.oracle.address, data });
  } catch (err) {
    if (!isRevert(err)) throw err;
    const raw = revertData(err);
    throw new ActionReverted(raw ? ctx.oracle.decodeRevert(raw) : undefined, raw);
  }
  await ctx.sender.send(job, state, { to: ctx.oracle.address, data, gasLimit: (gas * 13n) / 10n + 20_000n });
}

/** The request's current on-chain state is not one this job can act in: nothing more to do. */
export function isStateRevert(err: unknown): boolean {
  return err instanceof ActionReverted && err.revert?.name === 'InferenceOracleUnexpectedRequestState';
}
