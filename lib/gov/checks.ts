import { existsSync } from 'node:fs';
import { Interface, getAddress, type JsonRpcProvider } from 'ethers';
import { UUPS_ABI } from './abi.js';
import { decodeRevert } from './chain.js';
import { builtContracts, matchCode, validateLayout } from './layout.js';
import type { Hex } from '../protocol/index.js';

/** ERC-1967's implementation slot: where a UUPS proxy keeps its implementation, and what `proxiableUUID` must return. */
export const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';

/** One check of a proposed call, made against the chain's current state. */
export type Check = { name: 'code' | 'simulation' | 'implementation' | 'proxiableUUID' | 'layout'; ok: boolean; detail: string };

/**
 * What the checks found when the proposal was built (recorded in the file, for every signer to see) or when it was
 * re-run (approve, execute, status). `forced`: a signer chose to go on despite a failure (`--force-unchecked`).
 */
export type CheckReport = { ok: boolean; block: number; checks: Check[]; forced: boolean };

const UUPS = new Interface([...UUPS_ABI, 'function proxiableUUID() view returns (bytes32)']);

/** The revert reason of a failed `eth_call`, in words. */
export function revertReason(err: unknown): string {
  const data = typeof err === 'object' && err !== null && 'data' in err && typeof err.data === 'string' ? err.data : undefined;
  if (data !== undefined && data.length >= 10) return decodeRevert(data);
  if (data === '0x' || (err instanceof Error && /missing revert data/.test(err.message))) {
    return 'reverted without a reason (no such function at the target, or a failed low-level call)';
  }
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).replace(/ \((?:action|transaction|data|code|info)=.*$/, '');
}

export type CheckCallParameters = {
  provider: JsonRpcProvider;
  /** Who will make the call: the timelock for a scheduled operation, the Safe for a direct call. */
  from: string;
  target: string;
  value: bigint;
  data: Hex;
  /** Build info with storage layouts (`vai gov layout`); without it an upgrade's layout check fails. */
  buildInfoDir?: string | undefined;
  /** Skip the layout check (status re-simulates often and must stay fast). */
  skipLayout?: boolean;
};

/**
 * Checks a call the way it will run: there must be code at the target, and `eth_call` from the caller (the
 * timelock) with the same target, value and data must succeed on the current state. A call to an address without
 * code succeeds on chain and changes nothing, and a wrong selector or an unknown model id would otherwise only
 * show after the whole delay. For `upgradeToAndCall`, the new implementation must have code, answer
 * `proxiableUUID` with the ERC-1967 slot, and pass the storage-layout validation against the implementation
 * deployed now (both recognised by their code in the layout build).
 */
export async function checkCall(p: CheckCallParameters): Promise<CheckReport> {
  const { provider } = p;
  const checks: Check[] = [];
  const block = await provider.getBlockNumber();
  const code = await provider.getCode(p.target);
  checks.push(
    code === '0x'
      ? { name: 'code', ok: false, detail: `no contract at ${p.target}: the call would do nothing and still succeed` }
      : { name: 'code', ok: true, detail: `${(code.length - 2) / 2} bytes of code at ${p.target}` },
  );
  try {
    await provider.call({ from: p.from, to: p.target, value: p.value, data: p.data, blockTag: block });
    checks.push({ name: 'simulation', ok: true, detail: `the call from ${p.from} succeeds at block ${block}` });
  } catch (err) {
    checks.push({ name: 'simulation', ok: false, detail: `the call from ${p.from} would fail at block ${block}: ${revertReason(err)}` });
  }
  let upgrade: { implementation: string } | null = null;
  try {
    const tx = UUPS.parseTransaction({ data: p.data });
    if (tx?.name === 'upgradeToAndCall') upgrade = { implementation: getAddress(tx.args[0] as string) };
  } catch {
    // not an upgrade
  }
  if (upgrade !== null) checks.push(...(await checkUpgrade(p, upgrade.implementation, code)));
  return { ok: checks.every((c) => c.ok), block, checks, forced: false };
}

async function checkUpgrade(p: CheckCallParameters, implementation: string, proxyCode: string): Promise<Check[]> {
  const { provider } = p;
  const checks: Check[] = [];
  const implCode = await provider.getCode(implementation);
  if (implCode === '0x') return [{ name: 'implementation', ok: false, detail: `no contract at the new implementation ${implementation}` }];
  checks.push({ name: 'implementation', ok: true, detail: `${(implCode.length - 2) / 2} bytes of code at ${implementation}` });
  try {
    const [uuid] = UUPS.decodeFunctionResult('proxiableUUID', await provider.call({ to: implementation, data: UUPS.encodeFunctionData('proxiableUUID') }));
    checks.push(
      uuid === IMPLEMENTATION_SLOT
        ? { name: 'proxiableUUID', ok: true, detail: 'the ERC-1967 implementation slot' }
        : { name: 'proxiableUUID', ok: false, detail: `${String(uuid)}, not the ERC-1967 slot` },
    );
  } catch (err) {
    checks.push({ name: 'proxiableUUID', ok: false, detail: `the new implementation is not UUPS (proxiableUUID: ${revertReason(err)})` });
  }
  if (p.skipLayout) return checks;
  checks.push(await checkLayout(p, implementation, implCode, proxyCode));
  return checks;
}

async function checkLayout(p: CheckCallParameters, implementation: string, implCode: string, proxyCode: string): Promise<Check> {
  const fail = (detail: string): Check => ({ name: 'layout', ok: false, detail });
  if (proxyCode === '0x') return fail('no proxy at the target to compare with');
  if (p.buildInfoDir === undefined || !existsSync(p.buildInfoDir)) {
    return fail('no layout build to check against (run `vai gov layout --paths <sources>`, or `vai gov deploy-impl`, first)');
  }
  const slot = await p.provider.getStorage(p.target, IMPLEMENTATION_SLOT);
  const current = getAddress(`0x${slot.slice(26)}`);
  const contracts = await builtContracts(p.buildInfoDir);
  const currentName = matchCode(contracts, await p.provider.getCode(current));
  const newName = matchCode(contracts, implCode);
  if (currentName === null) return fail(`the current implementation ${current} matches no contract of the layout build (${p.buildInfoDir})`);
  if (newName === null) {
    return fail(
      `the new implementation ${implementation} matches no contract of the layout build (build its source: vai gov layout --paths src-sol <its file>)`,
    );
  }
  if (newName === currentName)
    return { name: 'layout', ok: true, detail: `the same contract as the current implementation (${currentName}): layout unchanged` };
  const r = await validateLayout({ buildInfoDir: p.buildInfoDir, contract: newName, reference: currentName });
  const finding = r.report
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^(Inserted|Deleted|Renamed|Replaced|Upgraded|Layout|Bad|Use of|Missing|Unsafe|\S+ `)/.test(l) || /^- /.test(l));
  return r.ok
    ? { name: 'layout', ok: true, detail: `${newName} is a storage-compatible upgrade of ${currentName}` }
    : fail(
        `${newName} is not a safe upgrade of ${currentName}${finding ? `: ${finding.replace(/^- /, '')}` : ''} (vai gov layout --contract ${newName} --reference ${currentName})`,
      );
}

/** One line per check, for the people who sign. */
export function describeChecks(r: CheckReport): string[] {
  return r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
}

/**
 * Runs the checks of a proposal's call again on the current state: the scheduled operation from the timelock, a
 * direct call from the Safe (without the description hash appended to its data); null for a cancel.
 */
export async function checkProposalCall(
  provider: JsonRpcProvider,
  // Structural (not `Pick<Proposal, …>`): proposal.ts imports this module's types, and files must not cycle.
  p: {
    kind: 'schedule' | 'cancel' | 'call';
    operation: { target: string; value: bigint; data: Hex } | null;
    timelock: string | null;
    safe: string;
    safeTx: { to: string; value: bigint; data: Hex };
  },
  options: { buildInfoDir?: string | undefined; skipLayout?: boolean } = {},
): Promise<CheckReport | null> {
  if (p.kind === 'schedule' && p.operation !== null && p.timelock !== null) {
    const op = p.operation;
    return checkCall({ provider, from: p.timelock, target: op.target, value: op.value, data: op.data, ...options });
  }
  if (p.kind === 'call') {
    const data = p.safeTx.data.slice(0, p.safeTx.data.length - 64) as Hex;
    return checkCall({ provider, from: p.safe, target: p.safeTx.to, value: p.safeTx.value, data, ...options });
  }
  return null;
}
