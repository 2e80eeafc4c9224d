import { Contract, type JsonRpcProvider } from 'ethers';
import { describeCall } from './calls.js';
import { chainIdOf, chainTime, operationState, safeContract, timelockContract, type OperationState } from './chain.js';
import { checkCall, type CheckReport } from './checks.js';
import type { Proposal } from './proposal.js';
import type { Hex } from '../protocol/index.js';

export type OperationStatus = {
  id: Hex;
  target: string;
  /** `registry`, `oracle`, `timelock`, `safe`, … when the target is a contract of the deployment. */
  targetName: string | null;
  value: bigint;
  data: Hex;
  call: string;
  delay: bigint;
  state: OperationState;
  /** Unix time at which it becomes executable (Waiting, Ready). */
  readyAt: bigint | null;
  /** Seconds until then (0 once Ready). */
  readyIn: bigint | null;
  /** Scheduled, then cancelled (its state is Unset again). */
  cancelled: boolean;
  /** Pending and simulated again now: why executing it would fail (null: it would succeed, or not pending). */
  wouldFail: string | null;
  scheduledInBlock: number;
};

/**
 * Where a proposal's Safe transaction is: `collecting` signatures, `executable` (threshold met), `queued` behind
 * an earlier Safe nonce, `executed` (the Safe emitted `ExecutionSuccess` for its hash), `failed`
 * (`ExecutionFailure`), or `stale` (the Safe's nonce passed it and it never ran: another transaction took the nonce).
 */
export type SafeState = 'collecting' | 'executable' | 'queued' | 'executed' | 'failed' | 'stale';

export type ProposalStatus = {
  file: string;
  kind: Proposal['kind'];
  description: string;
  safe: string;
  nonce: bigint;
  safeTxHash: Hex;
  target: string | null;
  targetName: string | null;
  call: string;
  signers: string[];
  /** Signatures by current owners / the Safe's threshold. */
  collected: number;
  threshold: bigint;
  safeState: SafeState;
  operationId: Hex | null;
  operationState: OperationState | null;
  /** The checks recorded when the proposal was built. */
  checks: CheckReport | null;
  wrongChain: boolean;
};

export type StatusParameters = {
  provider: JsonRpcProvider;
  timelock: string;
  safe: string;
  /** The oracle, to show its guardian and pause flag. */
  oracle?: string | undefined;
  /** Names for addresses (the deployment's contracts). */
  names?: Record<string, string>;
  proposals?: { file: string; proposal: Proposal }[];
  /** First block to read events from (default 0). */
  fromBlock?: number;
  /** Every operation ever scheduled, not only the pending ones. */
  all?: boolean;
};

export type StatusReturnType = {
  chainId: bigint;
  chainTime: bigint;
  safe: { address: string; threshold: bigint; owners: string[]; nonce: bigint };
  timelock: { address: string; minDelay: bigint };
  oracle: { address: string; guardian: string; paused: boolean } | null;
  operations: OperationStatus[];
  proposals: ProposalStatus[];
};

const ORACLE_VIEWS = ['function paused() view returns (bool)', 'function pauseGuardian() view returns (address)'];

/**
 * A signer's dashboard: the Safe (owners, threshold, nonce), the timelock, the oracle's guardian and pause flag,
 * the pending timelock operations (every one with `all`) with named targets, decoded calls and a fresh simulation,
 * and, for each proposal file, its signatures and where its Safe transaction is, from the Safe's own events.
 */
export async function status(params: StatusParameters): Promise<StatusReturnType> {
  const { provider } = params;
  const names = new Map(Object.entries(params.names ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const nameOf = (a: string | null) => (a === null ? null : (names.get(a.toLowerCase()) ?? null));
  const [chainId, now] = await Promise.all([chainIdOf(provider), chainTime(provider)]);
  const safe = safeContract(params.safe, provider);
  const timelock = timelockContract(params.timelock, provider);
  const oracle = params.oracle ? new Contract(params.oracle, ORACLE_VIEWS, provider) : null;
  const [threshold, owners, nonce, minDelay, oracleFacts] = await Promise.all([
    safe.getFunction('getThreshold')() as Promise<bigint>,
    safe.getFunction('getOwners')() as Promise<string[]>,
    safe.getFunction('nonce')() as Promise<bigint>,
    timelock.getFunction('getMinDelay')() as Promise<bigint>,
    oracle
      ? Promise.all([oracle.getFunction('pauseGuardian')() as Promise<string>, oracle.getFunction('paused')() as Promise<boolean>]).catch(() => null)
      : Promise.resolve(null),
  ]);

  const from = params.fromBlock ?? 0;
  const [scheduled, cancelled] = await Promise.all([
    timelock.queryFilter(timelock.filters.CallScheduled!(), from),
    timelock.queryFilter(timelock.filters.Cancelled!(), from),
  ]);
  const cancelledIds = new Set(cancelled.map((l) => l.topics[1] ?? ''));
  const seen = new Set<string>();
  const candidates = scheduled.flatMap((log) => {
    const parsed = timelock.interface.parseLog(log);
    if (parsed === null) return [];
    const id = parsed.args.getValue('id') as Hex;
    const key = `${id}:${String(parsed.args.getValue('index'))}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ id, parsed, block: log.blockNumber }];
  });
  const operations = (
    await Promise.all(
      candidates.map(async ({ id, parsed, block }): Promise<OperationStatus | null> => {
        const { state, readyAt } = await operationState(timelock, id);
        const pending = state === 'Waiting' || state === 'Ready';
        if (!pending && !params.all) return null;
        const target = parsed.args.getValue('target') as string;
        const value = parsed.args.getValue('value') as bigint;
        const data = parsed.args.getValue('data') as Hex;
        let wouldFail: string | null = null;
        if (pending) {
          const r = await checkCall({ provider, from: params.timelock, target, value, data, skipLayout: true });
          const failed = r.checks.filter((c) => !c.ok);
          wouldFail = failed.length > 0 ? failed.map((c) => c.detail).join('; ') : null;
        }
        return {
          id,
          target,
          targetName: nameOf(target),
          value,
          data,
          call: describeCall(data),
          delay: parsed.args.getValue('delay') as bigint,
          state,
          readyAt: pending ? readyAt : null,
          readyIn: pending ? (readyAt > now ? readyAt - now : 0n) : null,
          cancelled: state === 'Unset' && cancelledIds.has(id),
          wouldFail,
          scheduledInBlock: block,
        };
      }),
    )
  ).filter((o): o is OperationStatus => o !== null);

  const ownerSet = new Set(owners.map((o) => o.toLowerCase()));
  const executions = new Map<string, Promise<{ success: Set<string>; failure: Set<string> }>>();
  const executionsOf = (address: string) => {
    const key = address.toLowerCase();
    let e = executions.get(key);
    if (e === undefined) {
      e = safeExecutions(provider, address, from);
      executions.set(key, e);
    }
    return e;
  };
  const proposals: ProposalStatus[] = [];
  for (const { file, proposal: p } of params.proposals ?? []) {
    const wrongChain = p.chainId !== chainId;
    const ps = p.safe.toLowerCase() === params.safe.toLowerCase() ? { threshold, nonce, owners: ownerSet } : await safeFacts(provider, p.safe);
    const signers = p.signatures.map((s) => s.signer);
    const collected = signers.filter((s) => ps.owners.has(s.toLowerCase())).length;
    let safeState: SafeState;
    if (ps.nonce > p.safeTx.nonce) {
      const ran = wrongChain ? null : await executionsOf(p.safe);
      const hash = p.safeTxHash.toLowerCase();
      safeState = ran?.success.has(hash) ? 'executed' : ran?.failure.has(hash) ? 'failed' : 'stale';
    } else if (ps.nonce < p.safeTx.nonce) safeState = 'queued';
    else safeState = BigInt(collected) >= ps.threshold ? 'executable' : 'collecting';
    const operationId = p.operation?.id ?? p.cancelId ?? null;
    const target = p.operation?.target ?? (p.kind === 'call' ? p.safeTx.to : null);
    proposals.push({
      file,
      kind: p.kind,
      description: p.description,
      safe: p.safe,
      nonce: p.safeTx.nonce,
      safeTxHash: p.safeTxHash,
      target,
      targetName: nameOf(target),
      call: p.operation ? describeCall(p.operation.data) : p.kind === 'cancel' ? `cancel(id: ${p.cancelId})` : describeCall(p.safeTx.data),
      signers,
      collected,
      threshold: ps.threshold,
      safeState,
      operationId,
      operationState:
        operationId !== null && !wrongChain && p.timelock ? (await operationState(timelockContract(p.timelock, provider), operationId)).state : null,
      checks: p.checks,
      wrongChain,
    });
  }

  return {
    chainId,
    chainTime: now,
    safe: { address: params.safe, threshold, owners, nonce },
    timelock: { address: params.timelock, minDelay },
    oracle: params.oracle && oracleFacts ? { address: params.oracle, guardian: oracleFacts[0], paused: oracleFacts[1] } : null,
    operations,
    proposals,
  };
}

/** The SafeTx hashes the Safe executed, successfully or not (its `ExecutionSuccess` / `ExecutionFailure` events). */
async function safeExecutions(provider: JsonRpcProvider, address: string, from: number) {
  const s = safeContract(address, provider);
  const [ok, failed] = await Promise.all([s.queryFilter(s.filters.ExecutionSuccess!(), from), s.queryFilter(s.filters.ExecutionFailure!(), from)]);
  return { success: new Set(ok.map((l) => (l.topics[1] ?? '').toLowerCase())), failure: new Set(failed.map((l) => (l.topics[1] ?? '').toLowerCase())) };
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
