import type { JsonRpcProvider, Wallet } from 'ethers';
import { approve } from '../gov/approve.js';
import { readDeployment, type Deployment } from '../gov/deployment.js';
import { execute } from '../gov/execute.js';
import { propose } from '../gov/propose.js';
import type { Hex } from '../protocol/index.js';
import { increaseTime } from './anvil.js';
import { runForgeScript } from './forge.js';

export type GovernanceSettings = {
  rpc: string;
  deployerKey: string;
  owners: readonly string[];
  threshold: number;
  guardian: string;
  minDelay: number;
  /** Oracle periods; the deploy script's defaults when omitted. */
  periods?: { requestTimeout: number; disputeWindow: number; arbitrationWindow: number; unbondingDelay: number };
  out: string;
};

/** Deploys the protocol under a Safe and a timelock with `script/DeployGovernance.s.sol` (one deploy path for every chain). */
export async function deployGovernance(s: GovernanceSettings): Promise<Deployment> {
  await runForgeScript('script/DeployGovernance.s.sol', s.rpc, s.deployerKey, {
    GOV_OWNERS: s.owners.join(','),
    GOV_THRESHOLD: String(s.threshold),
    GOV_MIN_DELAY: String(s.minDelay),
    GOV_GUARDIAN: s.guardian,
    ...(s.periods
      ? {
          GOV_REQUEST_TIMEOUT: String(s.periods.requestTimeout),
          GOV_DISPUTE_WINDOW: String(s.periods.disputeWindow),
          GOV_ARBITRATION_WINDOW: String(s.periods.arbitrationWindow),
          GOV_UNBONDING_DELAY: String(s.periods.unbondingDelay),
        }
      : {}),
    GOV_DEPLOYMENT_OUT: s.out,
  });
  return readDeployment(s.out);
}

/**
 * Passes one call through governance on a local chain: the Safe's owners sign a `schedule` on the timelock,
 * the Safe submits it, the chain's clock moves past the delay, and the operation is executed.
 */
export async function governLocally(params: {
  provider: JsonRpcProvider;
  rpc: string;
  deployment: Deployment;
  owners: readonly Wallet[];
  target: string;
  data: Hex;
  description: string;
}): Promise<string[]> {
  const { provider, deployment, owners } = params;
  let proposal = await propose({
    provider,
    safe: deployment.safe,
    timelock: deployment.timelock,
    kind: 'schedule',
    target: params.target,
    data: params.data,
    description: params.description,
  });
  for (const signer of owners) proposal = (await approve({ provider, proposal, signer })).proposal;
  const sender = owners[0]!;
  const scheduled = await execute({ provider, proposal, sender });
  await increaseTime(params.rpc, Number(deployment.minDelay ?? 0n) + 1);
  const executed = await execute({ provider, proposal, sender });
  return [...scheduled.transactions, ...executed.transactions];
}
