import type { Contract, ContractTransactionResponse, JsonRpcProvider, Signer } from 'ethers';
import { assertChain, chainTime, operationState, safeContract, timelockContract, wrapTxError, type OperationState } from './chain.js';
import { checkProposalCall } from './checks.js';
import {
  GovAlreadyExecutedError,
  GovCheckFailedError,
  GovBelowThresholdError,
  GovCancelledError,
  GovNotReadyError,
  GovStaleProposalError,
  GovTransactionError,
} from './errors.js';
import { packSignatures, type Proposal } from './proposal.js';
import type { Hex } from '../protocol/index.js';

export type ExecuteParameters = { provider: JsonRpcProvider; proposal: Proposal; sender: Signer };

export type ExecuteReturnType = {
  /** What this run did: submitted the Safe transaction, executed the timelock operation, or both. */
  steps: ('safe' | 'timelock')[];
  transactions: string[];
  /** For schedule and cancel proposals: the operation's state afterwards. */
  operationState: OperationState | null;
  /** A cancel proposal went through: the operation it names is cancelled. */
  cancelled: boolean;
  readyAt: bigint | null;
};

/**
 * Moves a proposal one step on: submits the Safe's `execTransaction` once the signatures reach the threshold
 * (which schedules or cancels on the timelock, or makes the direct call), and, for a scheduled operation whose
 * delay has passed, calls the timelock's `execute` (open to anyone). Run it again after the delay.
 */
export async function execute({ provider, proposal, sender }: ExecuteParameters): Promise<ExecuteReturnType> {
  await assertChain(provider, proposal.chainId);
  const safe = safeContract(proposal.safe, sender);
  const result: ExecuteReturnType = { steps: [], transactions: [], operationState: null, readyAt: null, cancelled: false };

  if (proposal.kind === 'call') {
    const safeNonce = BigInt(await safe.getFunction('nonce')());
    if (safeNonce > proposal.safeTx.nonce) {
      if (await safeExecuted(safe, proposal.safeTxHash)) throw new GovAlreadyExecutedError(`Safe transaction ${proposal.safeTxHash}`);
      throw new GovStaleProposalError(proposal.safeTx.nonce, safeNonce);
    }
    await submitSafeTx(safe, proposal, result);
    return result;
  }

  const timelock = timelockContract(proposal.timelock ?? '', sender);
  if (proposal.kind === 'cancel') {
    const id = proposal.cancelId ?? ('0x' as Hex);
    const { state } = await operationState(timelock, id);
    if (state === 'Done') throw new GovAlreadyExecutedError(`operation ${id} ran before it could be cancelled`);
    if (state === 'Unset') throw new GovAlreadyExecutedError(`operation ${id} is not pending (cancelled already, or never scheduled)`);
    await submitSafeTx(safe, proposal, result);
    result.operationState = (await operationState(timelock, id)).state;
    result.cancelled = result.operationState === 'Unset';
    return result;
  }

  const op = proposal.operation;
  if (op === null) throw new GovTransactionError('A schedule proposal without an operation.');
  let { state, readyAt } = await operationState(timelock, op.id);
  if (state === 'Done') throw new GovAlreadyExecutedError(`operation ${op.id}`);
  if (state === 'Unset') {
    const safeNonce = BigInt(await safe.getFunction('nonce')());
    if (safeNonce > proposal.safeTx.nonce) {
      if (await safeExecuted(safe, proposal.safeTxHash)) throw new GovCancelledError(op.id);
      throw new GovStaleProposalError(proposal.safeTx.nonce, safeNonce);
    }
    await submitSafeTx(safe, proposal, result);
    ({ state, readyAt } = await operationState(timelock, op.id));
  }
  if (state === 'Waiting') {
    if (result.steps.length === 0) throw new GovNotReadyError(op.id, readyAt, await chainTime(provider));
    return { ...result, operationState: state, readyAt };
  }
  if (state === 'Ready') {
    // Simulated again first: a call that fails now would revert inside `execute` with only the timelock's view
    // of it; the simulation names the callee's own error.
    const checks = await checkProposalCall(provider, proposal, { skipLayout: true });
    const failed = checks?.checks.filter((c) => !c.ok && c.name !== 'layout') ?? [];
    if (failed.length > 0) {
      throw new GovCheckFailedError(
        `Operation ${op.id} would fail now`,
        failed,
        `Cancel it: vai gov propose --cancel ${op.id}, then propose a corrected call.`,
      );
    }
    let tx: ContractTransactionResponse;
    try {
      tx = (await timelock.getFunction('execute')(op.target, op.value, op.data, op.predecessor, op.salt, { value: op.value })) as ContractTransactionResponse;
    } catch (err) {
      throw wrapTxError(`Executing operation ${op.id} on the timelock`, err, await sender.getAddress());
    }
    await tx.wait();
    result.steps.push('timelock');
    result.transactions.push(tx.hash);
    ({ state } = await operationState(timelock, op.id));
  }
  return { ...result, operationState: state, readyAt: null };
}

async function safeExecuted(safe: Contract, hash: Hex): Promise<boolean> {
  const logs = await safe.queryFilter(safe.filters.ExecutionSuccess!(hash), 0);
  return logs.length > 0;
}

/** Checks the signatures against the Safe's current owners and threshold, then submits `execTransaction`. */
async function submitSafeTx(safe: Contract, proposal: Proposal, result: ExecuteReturnType): Promise<void> {
  const threshold = BigInt(await safe.getFunction('getThreshold')());
  const owners = new Set(((await safe.getFunction('getOwners')()) as string[]).map((o) => o.toLowerCase()));
  const valid = proposal.signatures.filter((s) => owners.has(s.signer.toLowerCase()));
  if (BigInt(valid.length) < threshold) throw new GovBelowThresholdError(valid.length, threshold);
  const t = proposal.safeTx;
  let tx: ContractTransactionResponse;
  try {
    tx = (await safe.getFunction('execTransaction')(
      t.to,
      t.value,
      t.data,
      t.operation,
      t.safeTxGas,
      t.baseGas,
      t.gasPrice,
      t.gasToken,
      t.refundReceiver,
      packSignatures(valid),
    )) as ContractTransactionResponse;
  } catch (err) {
    throw wrapTxError(
      `The Safe transaction ${proposal.safeTxHash}`,
      err,
      safe.runner && 'getAddress' in safe.runner ? await (safe.runner as Signer).getAddress() : undefined,
    );
  }
  const receipt = await tx.wait();
  const failed = receipt?.logs.some((l) => safe.interface.parseLog(l)?.name === 'ExecutionFailure') ?? false;
  if (failed) throw new GovTransactionError(`The Safe transaction ${proposal.safeTxHash} ran but its call failed.`);
  result.steps.push('safe');
  result.transactions.push(tx.hash);
}
