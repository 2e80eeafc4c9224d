import type { JsonRpcProvider } from 'ethers';
import { describeCall } from './calls.js';
import { chainIdOf, chainTime, operationState, safeContract, timelockContract, type OperationState } from './chain.js';
import type { Proposal } from './proposal.js';
import type { Hex } from '../protocol/index.js';

export type OperationStatus = {
  id: Hex;
  target: string;
  value: bigint;
  data: Hex;
  call: string;
  delay: bigint;
  state: OperationState;
  /** Unix time at which it becomes executable (Waiting, Ready). */
  readyAt: bigint | null;
  /** Scheduled, then cancelled (its state is Unset again). */
  cancelled: boolean;
  scheduledInBlock: number;
};

export type ProposalStatus = {
  file: string;
  kind: Proposal['kind'];
  description: string;
  safe: string;
  nonce: bigint;
  safeTxHash: Hex;
  call: string;
  signers: string[];
  /** Signatures by current owners / the Safe's threshold. */
  collected: number;
  threshold: bigint;
  /** `collecting` → `executable` (threshold met) → `submitted` (the Safe's nonce passed it), or `stale`. */
  safeState: 'collecting' | 'executable' | 'submitted' | 'stale';
  operationId: Hex | null;
  operationState: OperationState | null;
  wrongChain: boolean;
};

export type StatusParameters = {
  provider: JsonRpcProvider;
  timelock: string;
  safe: string;
  proposals?: { file: string; proposal: Proposal }[];
  /** First block to read timelock events from (default 0). */
  fromBlock?: number;
};

export type StatusReturnType = {
  chainId: bigint;
  chainTime: bigint;
  safe: { address: string; threshold: bigint; owners: string[]; nonce: bigint };
  timelock: { address: string; minDelay: bigint };
  operations: OperationStatus[];
  proposals: ProposalStatus[];
};

/**
 * The timelock's operations (from its `CallScheduled` / `Cancelled` events, states read live) and, for each
 * proposal file, the signatures collected and how far it has gone.
 */
export async function status(params: StatusParameters): Promise<StatusReturnType> {
  const { provider } = params;
  const [chainId, now] = await Promise.all([chainIdOf(provider), chainTime(provider)]);
  const safe = safeContract(params.safe, provider);
  const timelock = timelockContract(params.timelock, provider);
  const [threshold, owners, nonce, minDelay] = await Promise.all([
    safe.getFunction('getThreshold')() as Promise<bigint>,
    safe.getFunction('getOwners')() as Promise<string[]>,
    safe.getFunction('nonce')() as Promise<bigint>,
    timelock.getFunction('getMinDelay')() as Promise<bigint>,
  ]);

  const from = params.fromBlock ?? 0;
  const [scheduled, cancelled] = await Promise.all([
    timelock.queryFilter(timelock.filters.CallScheduled!(), from),
    timelock.queryFilter(timelock.filters.Cancelled!(), from),
  ]);
  const cancelledIds = new Set(cancelled.map((l) => l.topics[1] ?? ''));
  const operations: OperationStatus[] = [];
  const seen = new Set<string>();
  for (const log of scheduled) {
    const parsed = timelock.interface.parseLog(log);
    if (parsed === null) continue;
    const id = parsed.args.getValue('id') as Hex;
    const key = `${id}:${String(parsed.args.getValue('index'))}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { state, readyAt } = await operationState(timelock, id);
    const data = parsed.args.getValue('data') as Hex;
    operations.push({
      id,
      target: parsed.args.getValue('target') as string,
      value: parsed.args.getValue('value') as bigint,
      data,
      call: describeCall(data),
      delay: parsed.args.getValue('delay') as bigint,
      state,
      readyAt: state === 'Waiting' || state === 'Ready' ? readyAt : null,
      cancelled: state === 'Unset' && cancelledIds.has(id),
      scheduledInBlock: log.blockNumber,
    });
  }

  const ownerSet = new Set(owners.map((o) => o.toLowerCase()));
  const proposals: ProposalStatus[] = [];
  for (const { file, proposal: p } of params.proposals ?? []) {
    const wrongChain = p.chainId !== chainId;
    const ps = p.safe.toLowerCase() === params.safe.toLowerCase() ? { threshold, nonce, owners: ownerSet } : await safeFacts(provider, p.safe);
    const signers = p.signatures.map((s) => s.signer);
    const collected = signers.filter((s) => ps.owners.has(s.toLowerCase())).length;
    const safeState: ProposalStatus['safeState'] =
      ps.nonce > p.safeTx.nonce ? 'submitted' : ps.nonce < p.safeTx.nonce ? 'stale' : BigInt(collected) >= ps.threshold ? 'executable' : 'collecting';
    const operationId = p.operation?.id ?? p.cancelId ?? null;
    proposals.push({
      file,
      kind: p.kind,
      description: p.description,
      safe: p.safe,
      nonce: p.safeTx.nonce,
      safeTxHash: p.safeTxHash,
      call: p.operation ? describeCall(p.operation.data) : describeCall(p.safeTx.data),
      signers,
      collected,
      threshold: ps.threshold,
      safeState,
      operationId,
      operationState:
        operationId !== null && !wrongChain && p.timelock ? (await operationState(timelockContract(p.timelock, provider), operationId)).state : null,
      wrongChain,
    });
  }

  return {
    chainId,
    chainTime: now,
    safe: { address: params.safe, threshold, owners, nonce },
    timelock: { address: params.timelock, minDelay },
    operations,
    proposals,
  };
}

async function safeFacts(provider: JsonRpcProvider, address: string) {
  const s = safeContract(address, provider);
  const [threshold, nonce, owners] = await Promise.all([
    s.getFunction('getThreshold')() as Promise<bigint>,
    s.getFunction('nonce')() as Promise<bigint>,
    s.getFunction('getOwners')() as Promise<string[]>,
  ]);
  return { threshold, nonce, owners: new Set(owners.map((o) => o.toLowerCase())) };
}
