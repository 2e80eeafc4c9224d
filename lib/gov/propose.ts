import { hexlify, randomBytes, type JsonRpcProvider } from 'ethers';
import { chainIdOf, operationId, operationState, safeContract, timelockContract } from './chain.js';
import { checkCall, type CheckReport } from './checks.js';
import { GovCheckFailedError, GovConfigError } from './errors.js';
import {
  SAFE_OPERATION_CALL,
  descriptionHashOf,
  descriptionSalt,
  safeTxHash,
  withDescription,
  type Proposal,
  type ProposalKind,
  type SafeTx,
} from './proposal.js';
import { ZERO_ADDRESS, ZERO_HASH, type Hex } from '../protocol/index.js';

export type ProposeParameters = {
  provider: JsonRpcProvider;
  /** The Safe that will sign: the governance Safe, or the arbitration Safe for a direct `call`. */
  safe: string;
  /** Required for `schedule` and `cancel`. */
  timelock?: string | undefined;
  kind: ProposalKind;
  /** `schedule` and `call`: the call to make. */
  target?: string | undefined;
  value?: bigint | undefined;
  data?: Hex | undefined;
  /** `schedule`: defaults to a random salt, no predecessor, and the timelock's minimum delay. */
  salt?: Hex | undefined;
  predecessor?: Hex | undefined;
  delay?: bigint | undefined;
  /** `cancel`: the operation to cancel. */
  cancelId?: Hex | undefined;
  description?: string | undefined;
  /** Build info with storage layouts for an upgrade's layout check (default: none, and that check fails). */
  buildInfoDir?: string | undefined;
  /** Build the proposal even when a check fails (the failure is recorded in the file, `forced`). */
  forceUnchecked?: boolean | undefined;
};

/**
 * Builds a Safe transaction (not yet signed) at the Safe's current nonce: `schedule` a call on the timelock,
 * `cancel` a scheduled operation, or make a direct `call`. The SafeTx hash is computed locally (EIP-712, bound to
 * the chain id and the Safe) and checked against the Safe's own `getTransactionHash`.
 *
 * @example
 * const p = await propose({ provider, safe, timelock, kind: 'schedule', target: registry, data: encodeCall('setFee(uint256,uint96)', [1, 10n ** 16n]) });
 */
export async function propose(params: ProposeParameters): Promise<Proposal> {
  const { provider, kind } = params;
  if (params.data !== undefined && params.data.length > 2 && params.data.length < 10) {
    throw new GovConfigError(`[Param: calldata] ${params.data} is ${(params.data.length - 2) / 2} byte(s): a call starts with a 4-byte function selector.`, {
      metaMessages: ['Encode the call with --function and --args, or pass the whole calldata.'],
    });
  }
  const description = params.description ?? '';
  const descriptionHash = descriptionHashOf(description);
  let saltEntropy: Hex | null = null;
  let checks: CheckReport | null = null;
  const chainId = await chainIdOf(provider);
  const safe = safeContract(params.safe, provider);
  let nonce: bigint;
  try {
    nonce = BigInt(await safe.getFunction('nonce')());
  } catch (cause) {
    throw new GovConfigError(`${params.safe} does not answer as a Safe.`, { metaMessages: ['Check --safe and --rpc-url.'], cause });
  }

  let to: string;
  let data: Hex;
  let value = 0n;
  let operation: Proposal['operation'] = null;
  let cancelId: Hex | null = null;
  let timelockAddress: string | null = null;
  if (kind === 'call') {
    if (params.target === undefined || params.data === undefined) throw new GovConfigError('A direct call needs --target and the call.');
    to = params.target;
    data = withDescription(params.data, descriptionHash);
    value = params.value ?? 0n;
    checks = await checkCall({ provider, from: params.safe, target: to, value, data: params.data, buildInfoDir: params.buildInfoDir });
  } else {
    if (params.timelock === undefined) throw new GovConfigError('[Param: timelock] is required (or a deployment file).');
    timelockAddress = params.timelock;
    const timelock = timelockContract(params.timelock, provider);
    to = params.timelock;
    if (kind === 'schedule') {
      if (params.target === undefined || params.data === undefined) throw new GovConfigError('A proposal needs --target and the call.');
      const minDelay = BigInt(await timelock.getFunction('getMinDelay')());
      const delay = params.delay ?? minDelay;
      if (delay < minDelay) throw new GovConfigError(`[Param: delay] ${delay} s is below the timelock's minimum delay of ${minDelay} s.`);
      saltEntropy = params.salt ?? (hexlify(randomBytes(32)) as Hex);
      const salt = descriptionSalt(descriptionHash, saltEntropy);
      const predecessor = params.predecessor ?? ZERO_HASH;
      const opValue = params.value ?? 0n;
      const id = operationId(params.target, opValue, params.data, predecessor, salt);
      const onChainId = (await timelock.getFunction('hashOperation')(params.target, opValue, params.data, predecessor, salt)) as string;
      if (onChainId !== id)
        throw new GovConfigError(`The timelock computes operation id ${onChainId}, expected ${id}: is ${params.timelock} a TimelockController?`);
      const { state } = await operationState(timelock, id);
      if (state !== 'Unset') throw new GovConfigError(`Operation ${id} already exists on the timelock (${state}); use another --salt.`);
      operation = { id, target: params.target, value: opValue, data: params.data, predecessor, salt, delay };
      checks = await checkCall({
        provider,
        from: params.timelock,
        target: params.target,
        value: opValue,
        data: params.data,
        buildInfoDir: params.buildInfoDir,
      });
      data = timelock.interface.encodeFunctionData('schedule', [params.target, opValue, params.data, predecessor, salt, delay]) as Hex;
    } else {
      if (params.cancelId === undefined) throw new GovConfigError('[Param: cancel] the operation id to cancel is required.');
      const { state } = await operationState(timelock, params.cancelId);
      if (state !== 'Waiting' && state !== 'Ready') {
        throw new GovConfigError(`Operation ${params.cancelId} is ${state}: only a Waiting or Ready operation can be cancelled.`);
      }
      cancelId = params.cancelId;
      data = withDescription(timelock.interface.encodeFunctionData('cancel', [cancelId]) as Hex, descriptionHash);
    }
  }

  if (checks !== null && !checks.ok) {
    if (!params.forceUnchecked) {
      throw new GovCheckFailedError(
        'Refused before signing',
        checks.checks.filter((c) => !c.ok),
        'Fix the call; or, knowing why it fails now (e.g. it depends on an earlier operation), pass --force-unchecked: the file records the failure for every signer.',
      );
    }
    checks = { ...checks, forced: true };
  }
  const safeTx: SafeTx = {
    to,
    value,
    data,
    operation: SAFE_OPERATION_CALL,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: ZERO_ADDRESS,
    refundReceiver: ZERO_ADDRESS,
    nonce,
  };
  const hash = safeTxHash(chainId, params.safe, safeTx);
  const onChain = (await safe.getFunction('getTransactionHash')(
    safeTx.to,
    safeTx.value,
    safeTx.data,
    safeTx.operation,
    safeTx.safeTxGas,
    safeTx.baseGas,
    safeTx.gasPrice,
    safeTx.gasToken,
    safeTx.refundReceiver,
    safeTx.nonce,
  )) as string;
  if (onChain !== hash) {
    throw new GovConfigError(`The Safe computes SafeTx hash ${onChain}, expected ${hash}.`, {
      metaMessages: ['vai gov speaks Safe 1.4.x (EIP-712 domain with chainId).'],
    });
  }
  return {
    version: 2,
    kind,
    description,
    descriptionHash,
    saltEntropy,
    checks,
    chainId,
    safe: params.safe,
    timelock: timelockAddress,
    operation,
    cancelId,
    safeTx,
    safeTxHash: hash,
    signatures: [],
  };
}
