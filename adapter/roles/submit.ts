import type { Hex } from '../../lib/semantics/index.js';
import type { DecodedRevert } from '../chain/oracle.js';
import type { JobState } from '../jobs/machine.js';
import type { Job } from '../store/types.js';
import type { RoleContext } from './context.js';

/** The oracle refused the action in a simulation: the decoded custom error. */
export class ActionReverted extends Error {
  constructor(
    readonly revert: DecodedRevert | undefined,
    readonly data: string | undefined,
  ) {
    super(revert ? `reverted with ${formatRevert(revert)}` : `reverted${data ? ` (${data.slice(0, 10)})` : ''}`);
  }
}

/** `Name(arg, …)` of a decoded custom error (just `Name` without arguments), for logs and job errors. */
export function formatRevert(revert: DecodedRevert): string {
  return revert.args.length === 0 ? revert.name : `${revert.name}(${revert.args.map(String).join(', ')})`;
}

export function revertData(err: unknown): string | undefined {
  let current: unknown = err;
  for (let i = 0; i < 5 && current; i++) {
    const c = current as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } }; cause?: unknown };
    for (const d of [c.data, c.error?.data, c.info?.error?.data]) if (typeof d === 'string' && d.startsWith('0x')) return d;
    current = c.cause ?? c.error;
  }
  return undefined;
}

/** Is this an EVM revert (as opposed to a network or RPC failure, which is retried)? */
export function isRevert(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'CALL_EXCEPTION' || revertData(err) !== undefined || /execution reverted|revert/i.test(String((err as Error).message));
}

/**
 * Gas limits learnt per call shape (selector and calldata length) for calls whose cost does not depend on
 * the request: `propose` and `challenge`. Other calls (finalize, resolutions and a proposal that carries
 * finalizations call consumers back, re-execution runs the model) are estimated every time.
 */
const FIXED_COST = new Set(['propose', 'challenge']);

/**
 * Simulates the oracle call from this node's address (`eth_call`, or `eth_estimateGas` the first time a
 * call shape is seen and for calls whose cost varies); on success sends it through the transaction sender
 * (the store makes it at most once per job). Throws {@link ActionReverted} if the oracle would refuse it.
 */
export async function simulateAndSend(ctx: RoleContext, job: Job, state: JobState, data: Hex, opts: { variableCost?: boolean } = {}): Promise<void> {
  const { config, services, state: memory } = ctx;
  const shape = `${data.slice(0, 10)}:${data.length}`;
  const fixedCost = FIXED_COST.has(job.kind) && !opts.variableCost;
  const cached = fixedCost ? memory.gasByShape.get(shape) : undefined;
  let gas: bigint;
  try {
    const tx = { from: config.address, to: services.oracle.address, data };
    if (cached !== undefined) {
      await services.provider.call(tx);
      gas = cached;
    } else {
      gas = ((await services.provider.estimateGas(tx)) * 13n) / 10n + 20_000n;
      if (fixedCost) memory.gasByShape.set(shape, gas);
    }
  } catch (err) {
    if (!isRevert(err)) throw err;
    const raw = revertData(err);
    throw new ActionReverted(raw ? services.oracle.decodeRevert(raw) : undefined, raw);
  }
  await services.sender.send(job, state, { to: services.oracle.address, data, gasLimit: gas });
}

/** The request's current on-chain state is not one this job can act in: nothing more to do. */
export function isStateRevert(err: unknown): boolean {
  return err instanceof ActionReverted && err.revert?.name === 'InferenceOracleUnexpectedRequestState';
}
