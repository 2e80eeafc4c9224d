import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { AbiCoder, Contract, JsonRpcProvider, NonceManager, Wallet, getAddress } from 'ethers';
import { approve } from '../lib/gov/approve.js';
import { describeCall, encodeCall, encodeUpgrade, parseArgs } from '../lib/gov/calls.js';
import { chainIdOf, wrapTxError } from '../lib/gov/chain.js';
import { IMPLEMENTATION_SLOT, describeChecks, type CheckReport } from '../lib/gov/checks.js';
import { defaultDeploymentPath, readDeployment, resolveTarget, type Deployment } from '../lib/gov/deployment.js';
import { GovCheckFailedError, GovConfigError, GovTransactionError } from '../lib/gov/errors.js';
import { execute } from '../lib/gov/execute.js';
import { DEFAULT_LAYOUT_DIR, buildLayoutInfo, builtContracts, matchCode, validateLayout } from '../lib/gov/layout.js';
import {
  deployImplOptionsSchema,
  keyOptionsSchema,
  layoutOptionsSchema,
  parseOptions,
  proposeOptionsSchema,
  proposeTarget,
  statusOptionsSchema,
  type CommonOptions,
  type ProposeOptions,
  type KeyOptions,
} from '../lib/gov/options.js';
import { readProposal, writeProposal, type Proposal } from '../lib/gov/proposal.js';
import type { Hex } from '../lib/protocol/index.js';
import { DESCRIPTIONS } from './descriptions.js';
import { printResult, runAction } from './output.js';
import { propose } from '../lib/gov/propose.js';
import { status, type StatusReturnType } from '../lib/gov/status.js';

/** Where proposal files go, and where `status` looks for them, by default. */
export const DEFAULT_PROPOSAL_DIR = '.vai/gov';
const DEFAULT_RPC_URL = 'http://127.0.0.1:8545';

function commonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--rpc-url <url>', 'JSON-RPC endpoint').env('VAI_RPC_URL').default(DEFAULT_RPC_URL))
    .option('--deployment <file>', 'deployment file written by script/DeployGovernance.s.sol (default .vai/governance-<chainId>.json)')
    .option('--safe <address>', 'the Safe (default: from the deployment file)')
    .option('--timelock <address>', 'the TimelockController (default: from the deployment file)')
    .option('--json', 'print JSON', false);
}

function keyOption(cmd: Command, what: string): Command {
  return cmd.addOption(new Option('--private-key <hex>', what).env('VAI_GOV_PRIVATE_KEY'));
}

type Context = { provider: JsonRpcProvider; chainId: bigint; deployment: Deployment | null; safe: string | undefined; timelock: string | undefined };

/**
 * The provider and the deployment. `strict: false` (approve) ignores a default deployment file of another chain:
 * approve only uses it for names, and the proposal's own chain check then gives the clearer error.
 */
async function context(o: CommonOptions, strict = true): Promise<Context> {
  const provider = new JsonRpcProvider(o.rpcUrl, undefined, { polling: true, pollingInterval: 100, cacheTimeout: -1 });
  let chainId: bigint;
  try {
    chainId = await chainIdOf(provider);
  } catch (cause) {
    provider.destroy();
    throw new GovConfigError(`No JSON-RPC endpoint answers at ${o.rpcUrl}.`, { metaMessages: ['Start the local network, or pass --rpc-url.'], cause });
  }
  const file = o.deployment ?? defaultDeploymentPath(chainId);
  const needDeployment = o.deployment !== undefined || o.safe === undefined || o.timelock === undefined;
  const deployment = needDeployment && (o.deployment !== undefined || existsSync(file)) ? await readDeployment(file) : null;
  if (deployment !== null && deployment.chainId !== chainId && !strict) {
    return { provider, chainId, deployment: null, safe: o.safe, timelock: o.timelock };
  }
  if (deployment !== null && deployment.chainId !== chainId) {
    throw new GovConfigError(`The deployment file ${file} is for chain ${deployment.chainId}, the RPC endpoint is chain ${chainId}.`);
  }
  return { provider, chainId, deployment, safe: o.safe ?? deployment?.safe, timelock: o.timelock ?? deployment?.timelock };
}

function wallet(o: KeyOptions, provider: JsonRpcProvider): Wallet {
  if (o.privateKey === undefined) throw new GovConfigError('[Param: private-key] is required (or set VAI_GOV_PRIVATE_KEY).');
  try {
    return new Wallet(o.privateKey, provider);
  } catch (cause) {
    // never echo the key
    throw new GovConfigError('[Param: private-key] is not a valid private key.', { cause });
  }
}

/** Where `propose`, `approve` and `deploy-impl` find the layout build unless `--build-info` says otherwise. */
const DEFAULT_BUILD_INFO = join(DEFAULT_LAYOUT_DIR, 'out', 'build-info');

/** Names of the deployment's contracts, by address, so that a signer reads `registry` rather than 0x5FbD…. */
function namesOf(ctx: Context): Record<string, string> {
  const d = ctx.deployment;
  const names: Record<string, string> = {};
  if (d !== null) {
    for (const k of ['registry', 'oracle', 'timelock', 'safe', 'arbitrationSafe'] as const) names[d[k]] = k;
    if (d.arbitrationSafe === d.safe) names[d.safe] = 'safe';
  }
  if (ctx.safe) names[ctx.safe] ??= 'safe';
  if (ctx.timelock) names[ctx.timelock] ??= 'timelock';
  return names;
}

const named = (names: Record<string, string>, address: string | null) => (address === null ? '' : (names[address] ?? address));

/** A unix time as a date a person reads (UTC: the chain's clock has no time zone). */
export function formatTime(unix: bigint): string {
  return `${new Date(Number(unix) * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

/** A duration in seconds as `2 d 3 h`, `4 min 5 s`, `7 s`. */
export function formatDuration(seconds: bigint): string {
  let s = Number(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s} s`);
  return parts.slice(0, 2).join(' ');
}

function humanChecks(checks: CheckReport | null, when: string): string[] {
  if (checks === null) return [];
  const verdict = checks.ok ? 'all passed' : checks.forced ? 'FAILED, forced with --force-unchecked' : 'FAILED';
  return [`  checks ${when} (block ${checks.block}): ${verdict}`, ...describeChecks(checks).map((l) => `  ${l}`)];
}

function humanProposal(file: string, p: Proposal, names: Record<string, string> = {}): string[] {
  const lines = [`proposal ${file}`, `  ${p.kind} via Safe ${p.safe} (nonce ${p.safeTx.nonce}, chain ${p.chainId})`];
  if (p.description) lines.push(`  description: ${p.description}`);
  if (p.operation) {
    lines.push(`  call: ${named(names, p.operation.target)}.${describeCall(p.operation.data)}${p.operation.value ? ` with ${p.operation.value} wei` : ''}`);
    lines.push(`  operation ${p.operation.id} (delay ${formatDuration(p.operation.delay)})`);
  }
  if (p.kind === 'call') lines.push(`  call: ${named(names, p.safeTx.to)}.${describeCall(p.safeTx.data)} (directly by the Safe)`);
  if (p.cancelId) lines.push(`  cancels ${p.cancelId}`);
  lines.push(`  safeTxHash ${p.safeTxHash}`);
  lines.push(...humanChecks(p.checks, 'when proposed'));
  lines.push(`  signatures: ${p.signatures.length}${p.signatures.length ? ` (${p.signatures.map((s) => s.signer).join(', ')})` : ''}`);
  return lines;
}

function humanStatus(s: StatusReturnType, names: Record<string, string>, all: boolean): string[] {
  const lines = [
    `chain ${s.chainId}, chain time ${formatTime(s.chainTime)}`,
    `Safe ${s.safe.address}: ${s.safe.threshold} of ${s.safe.owners.length} owners, nonce ${s.safe.nonce}`,
    ...s.safe.owners.map((o) => `  owner ${o}`),
    `Timelock ${s.timelock.address}: minimum delay ${formatDuration(s.timelock.minDelay)}`,
  ];
  if (s.oracle) lines.push(`Oracle ${s.oracle.address}: ${s.oracle.paused ? 'PAUSED' : 'not paused'}, guardian ${s.oracle.guardian}`);
  lines.push(all ? `operations, all (${s.operations.length}):` : `pending operations (${s.operations.length}; --all for history):`);
  for (const op of s.operations) {
    const state = op.cancelled ? 'Cancelled' : op.state;
    lines.push(`  ${state} ${op.id}`, `    ${named(names, op.target)}.${op.call}${op.value ? ` with ${op.value} wei` : ''}`);
    if (op.readyAt !== null && op.readyIn !== null) {
      lines.push(`    ${op.readyIn > 0n ? `ready in ${formatDuration(op.readyIn)}, at` : 'ready since'} ${formatTime(op.readyAt)}`);
    }
    if (op.wouldFail) lines.push(`    WOULD FAIL if executed now: ${op.wouldFail}`);
  }
  lines.push(`proposals (${s.proposals.length}):`);
  for (const p of s.proposals) {
    const what = p.kind === 'cancel' ? p.call : `${named(names, p.target)}.${p.call}`;
    lines.push(`  ${p.file}: ${p.kind} ${what}${p.description ? ` — "${p.description}"` : ''}`);
    const signers = p.signers.length ? ` (${p.signers.join(', ')})` : '';
    const op = p.operationState === null ? '' : p.kind === 'cancel' ? '' : `, operation ${p.operationState}`;
    lines.push(`    ${p.collected}/${p.threshold} signatures${signers}, Safe tx ${p.wrongChain ? 'on another chain' : p.safeState}${op}`);
    if (p.checks && !p.checks.ok)
      lines.push(
        `    checks when proposed FAILED${p.checks.forced ? ' (forced)' : ''}: ${p.checks.checks
          .filter((c) => !c.ok)
          .map((c) => c.detail)
          .join('; ')}`,
      );
  }
  return lines;
}

async function proposalFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** `propose` and its shortcut `unpause`: builds, checks and writes the proposal file. */
async function proposeAndWrite(o: ProposeOptions, onProvider: (p: JsonRpcProvider) => void): Promise<void> {
  const ctx = await context(o);
  onProvider(ctx.provider);
  let target: string | undefined;
  let data: Hex | undefined;
  if (o.target !== undefined) {
    target = resolveTarget(o.target, ctx.deployment);
    if (o.function !== undefined) data = encodeCall(o.function, parseArgs(o.args));
    else if (o.upgrade !== undefined) data = encodeUpgrade(o.upgrade, o.initCalldata);
    else data = o.calldata;
  }
  const safe = o.safe ?? (o.direct ? ctx.deployment?.arbitrationSafe : ctx.safe);
  if (safe === undefined) throw new GovConfigError('[Param: safe] is required (or a deployment file).');
  const proposal = await propose({
    provider: ctx.provider,
    safe,
    timelock: ctx.timelock,
    kind: o.cancel !== undefined ? 'cancel' : o.direct ? 'call' : 'schedule',
    target,
    data,
    value: o.value,
    salt: o.salt,
    predecessor: o.predecessor,
    delay: o.delay,
    cancelId: o.cancel,
    description: o.description,
    buildInfoDir: o.buildInfo ?? DEFAULT_BUILD_INFO,
    forceUnchecked: o.forceUnchecked,
  });
  const file = o.out ?? join(DEFAULT_PROPOSAL_DIR, `${proposal.safeTx.nonce}-${proposal.kind}-${proposal.safeTxHash.slice(2, 10)}.json`);
  await writeProposal(file, proposal);
  printResult(o, { file, proposal }, () => [...humanProposal(file, proposal, namesOf(ctx)), `next: vai gov approve ${file} --private-key <owner key>`]);
}

function proposeOptions(cmd: Command): Command {
  return commonOptions(
    cmd
      .option('--value <wei>', 'ETH sent with the call', '0')
      .option('--salt <bytes32>', 'entropy mixed with the description hash into the timelock salt (default: random)')
      .option('--predecessor <bytes32>', 'operation that must be executed first')
      .option('--delay <seconds>', "timelock delay (default: the timelock's minimum)")
      .option('--description <text>', 'what and why, for the signers (covered by their signatures)', '')
      .option('--build-info <dir>', `layout build for an upgrade's storage check (default ${DEFAULT_BUILD_INFO})`)
      .option('--force-unchecked', 'write the proposal even though a check fails (recorded in the file)', false)
      .option('--out <file>', `proposal file (default ${DEFAULT_PROPOSAL_DIR}/<nonce>-<kind>-<hash>.json)`),
  );
}

/** `vai gov propose | approve | execute | status | layout | deploy-impl | pause | unpause`. */
export function govCommand(): Command {
  const gov = new Command('gov').description(DESCRIPTIONS.gov);

  proposeOptions(
    gov
      .command('propose')
      .description(
        'build a Safe transaction that schedules a call on the timelock (or cancels one, or calls directly), check the call against the chain, and write it to a file',
      )
      .option('--target <name|address>', 'oracle, registry, timelock, safe, arbitrationSafe, or an address')
      .option('--function <signature>', 'e.g. "setFee(uint256,uint96)"')
      .option('--args <json>', 'the arguments as a JSON array, e.g. \'[1, "1000"]\'')
      .option('--calldata <hex>', 'the call, already encoded')
      .option('--upgrade <implementation>', 'upgradeToAndCall(implementation, --init-calldata) on a UUPS target')
      .option('--init-calldata <hex>', 'call run by the new implementation during the upgrade', '0x')
      .option('--cancel <operationId>', 'propose cancelling a scheduled operation instead')
      .option('--direct', 'the Safe makes the call itself, no timelock (arbitration: default Safe is the arbitration Safe)', false),
  ).action(async (raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      () =>
        proposeAndWrite(parseOptions(proposeOptionsSchema, raw), (p) => {
          provider = p;
        }),
      () => provider?.destroy(),
    );
  });

  proposeOptions(
    gov
      .command('unpause')
      .description("propose unpausing the oracle (the guardian can only pause; unpausing is the timelock's, after the delay)")
      .option('--target <name|address>', 'the paused contract', 'oracle'),
  ).action(async (raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      () =>
        proposeAndWrite(
          parseOptions(proposeOptionsSchema, {
            ...raw,
            function: 'setPaused(bool)',
            args: '[false]',
            description: raw.description || 'unpause the oracle',
          }),
          (p) => {
            provider = p;
          },
        ),
      () => provider?.destroy(),
    );
  });

  keyOption(
    commonOptions(
      gov
        .command('approve')
        .description("show a proposal's call and its checks (run again now), then add an owner's signature")
        .argument('<file>', 'proposal file')
        .option('--build-info <dir>', `layout build for an upgrade's storage check (default ${DEFAULT_BUILD_INFO})`)
        .option('--force-unchecked', 'sign even though a check fails now', false),
    ),
    'owner key (or VAI_GOV_PRIVATE_KEY)',
  ).action(async (file: string, raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(keyOptionsSchema, raw);
        const proposal = await readProposal(file);
        const ctx = await context(o, false);
        provider = ctx.provider;
        const r = await approve({
          provider: ctx.provider,
          proposal,
          signer: wallet(o, ctx.provider),
          buildInfoDir: o.buildInfo ?? DEFAULT_BUILD_INFO,
          forceUnchecked: o.forceUnchecked,
        });
        await writeProposal(file, r.proposal);
        printResult(o, { file, signer: r.signer, replaced: r.replaced, signatures: r.proposal.signatures.length, checks: r.checks }, () => [
          ...humanProposal(file, proposal, namesOf(ctx)).filter((l) => !l.startsWith('  signatures:')),
          ...humanChecks(r.checks, 'now'),
          `${r.replaced ? 'replaced' : 'added'} the signature of ${r.signer}: ${r.proposal.signatures.length} collected`,
          `next: more owners approve, then vai gov execute ${file}`,
        ]);
      },
      () => provider?.destroy(),
    );
  });

  keyOption(
    commonOptions(
      gov
        .command('execute')
        .description('submit the Safe transaction once the threshold is met; after the delay, simulate again and execute the timelock operation')
        .argument('<file>', 'proposal file'),
    ),
    'key of any funded account that sends the transactions (or VAI_GOV_PRIVATE_KEY)',
  ).action(async (file: string, raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(keyOptionsSchema, raw);
        const proposal = await readProposal(file);
        provider = new JsonRpcProvider(o.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 100 });
        const sender = new NonceManager(wallet(o, provider));
        const r = await execute({ provider, proposal, sender });
        printResult(o, { file, ...r }, () => {
          const lines = r.steps.map((s, i) => `${s === 'safe' ? 'Safe transaction' : 'timelock execute'}: ${r.transactions[i] ?? ''}`);
          if (r.cancelled) lines.push(`operation ${proposal.cancelId ?? ''} cancelled`);
          else if (r.operationState !== null) lines.push(`operation ${r.operationState}${r.readyAt ? `, ready at ${formatTime(r.readyAt)}` : ''}`);
          if (r.operationState === 'Waiting') lines.push(`next: vai gov execute ${file} after the delay`);
          return lines;
        });
      },
      () => provider?.destroy(),
    );
  });

  commonOptions(
    gov
      .command('status')
      .description('a signer’s dashboard: the Safe, the guardian and pause flag, pending timelock operations (simulated again), proposal files')
      .argument('[files...]', `proposal files (default: every file in ${DEFAULT_PROPOSAL_DIR})`)
      .option('--dir <dir>', 'folder of proposal files', DEFAULT_PROPOSAL_DIR)
      .option('--all', 'every operation ever scheduled, not only the pending ones', false)
      .option('--from-block <n>', 'first block to read events from', '0'),
  ).action(async (files: string[], raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(statusOptionsSchema, raw);
        const ctx = await context(o);
        provider = ctx.provider;
        if (ctx.safe === undefined || ctx.timelock === undefined) throw new GovConfigError('[Param: safe, timelock] are required (or a deployment file).');
        const paths = files.length > 0 ? files : await proposalFiles(o.dir);
        const proposals = await Promise.all(paths.map(async (file) => ({ file, proposal: await readProposal(file) })));
        const names = namesOf(ctx);
        const s = await status({
          provider: ctx.provider,
          safe: ctx.safe,
          timelock: ctx.timelock,
          oracle: ctx.deployment?.oracle,
          names,
          proposals,
          fromBlock: o.fromBlock,
          all: o.all,
        });
        printResult(o, s, () => humanStatus(s, names, o.all));
      },
      () => provider?.destroy(),
    );
  });

  keyOption(
    commonOptions(
      gov
        .command('pause')
        .description("the guardian pauses the oracle at once: no new requests or proposals (unpausing is the timelock's: vai gov unpause)")
        .option('--target <name|address>', 'the contract to pause', 'oracle'),
    ),
    'the guardian key (or VAI_GOV_PRIVATE_KEY)',
  ).action(async (raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(keyOptionsSchema.extend({ target: proposeTarget }), raw);
        const ctx = await context(o);
        provider = ctx.provider;
        const target = resolveTarget(o.target, ctx.deployment);
        const signer = wallet(o, ctx.provider);
        const c = new Contract(target, PAUSE_ABI, signer);
        const [guardian, owner, paused] = (await Promise.all([c.getFunction('pauseGuardian')(), c.getFunction('owner')(), c.getFunction('paused')()]).catch(
          (cause: unknown) => {
            throw new GovConfigError(`${target} has no pause guardian (pauseGuardian, owner, paused).`, {
              metaMessages: ['Pass the oracle as --target.'],
              cause,
            });
          },
        )) as [string, string, boolean];
        if (paused)
          throw new GovConfigError(`${named(namesOf(ctx), target)} is already paused.`, {
            metaMessages: ['Unpausing goes through the timelock: vai gov unpause.'],
          });
        const me = getAddress(signer.address);
        if (me !== getAddress(guardian) && me !== getAddress(owner)) {
          throw new GovConfigError(`${me} is not the pause guardian (${guardian}).`, { metaMessages: ["Sign with the guardian's key."] });
        }
        let hash: string;
        try {
          const tx = (await c.getFunction('pause')()) as { hash: string; wait: () => Promise<unknown> };
          await tx.wait();
          hash = tx.hash;
        } catch (err) {
          throw wrapTxError('pause()', err, me);
        }
        printResult(o, { target, paused: true, transaction: hash }, () => [
          `paused ${named(namesOf(ctx), target)} ${target}: ${hash}`,
          'next: vai gov unpause (a timelocked proposal)',
        ]);
      },
      () => provider?.destroy(),
    );
  });

  keyOption(
    commonOptions(
      gov
        .command('deploy-impl')
        .description('deploy a new implementation of a UUPS contract from the layout build, after checking its storage layout against the deployed one')
        .requiredOption('--contract <name>', 'the new implementation (name or path:Name), e.g. InferenceOracleV2')
        .option('--target <name|address>', 'the proxy it will upgrade', 'oracle')
        .option('--paths <paths...>', 'sources to build (the new contract and what it imports)', ['src-sol'])
        .option('--build-info <dir>', 'an existing layout build (default: build, or reuse the last one, with the layout profile)')
        .option('--force-unchecked', 'deploy even though the layout check fails', false),
    ),
    'key of the account that pays for the deployment (it gets no power)',
  ).action(async (raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(deployImplOptionsSchema, raw);
        const ctx = await context(o);
        provider = ctx.provider;
        const target = resolveTarget(o.target, ctx.deployment);
        const signer = wallet(o, ctx.provider);
        const buildInfoDir = o.buildInfo ?? (await buildLayoutInfo({ root: process.cwd(), outDir: DEFAULT_LAYOUT_DIR, paths: o.paths }));
        const contracts = await builtContracts(buildInfoDir);
        const wanted = [...contracts.keys()].filter((k) => k === o.contract || k.endsWith(`:${o.contract}`));
        if (wanted.length !== 1) {
          throw new GovConfigError(
            wanted.length === 0
              ? `[Param: contract] ${o.contract} is not in the layout build.`
              : `[Param: contract] ${o.contract} is ambiguous: ${wanted.join(', ')}.`,
            { metaMessages: [wanted.length === 0 ? 'Build its source: --paths src-sol <its file or folder>.' : 'Name it as path:Name.'] },
          );
        }
        const name = wanted[0] ?? '';
        const slot = await ctx.provider.getStorage(target, IMPLEMENTATION_SLOT);
        const current = getAddress(`0x${slot.slice(26)}`);
        const currentName = matchCode(contracts, await ctx.provider.getCode(current));
        if (currentName === null) {
          throw new GovConfigError(`The implementation behind ${named(namesOf(ctx), target)} (${current}) matches no contract of the layout build.`, {
            metaMessages: ['Build with the sources it was deployed from (--paths), or pass --build-info.'],
          });
        }
        // A redeployment of the same contract keeps its layout (upgrades-core refuses a contract as its own reference).
        const layout =
          name === currentName
            ? { ok: true, passed: 1, total: 1, report: `${name}: the same contract as the current implementation` }
            : await validateLayout({ buildInfoDir, contract: name, reference: currentName });
        if (!layout.ok && !o.forceUnchecked) {
          const finding = layout.report
            .split('\n')
            .map((l) => l.trim())
            .find((l) => /^- |^[A-Z][a-z]+ `/.test(l));
          throw new GovCheckFailedError(
            'Not deployed',
            [{ name: 'layout', detail: `${name} is not a safe upgrade of ${currentName}${finding ? `: ${finding.replace(/^- /, '')}` : ''}` }],
            `See vai gov layout --contract ${name} --reference ${currentName}.`,
          );
        }
        let creation = contracts.get(name)?.creation ?? '0x';
        // The oracle's implementation takes its batch and bisection modules (deployed on their own: the modules'
        // creation code would exceed EIP-3860 inside the oracle's): fresh ones from the same build, so the upgrade
        // brings its own.
        const ctor = (contracts.get(name)?.abi ?? []).find(
          (f): f is { type: string; inputs?: { name: string; type: string }[] } => (f as { type?: unknown }).type === 'constructor',
        );
        if (ctor?.inputs && ctor.inputs.length > 0) {
          const modules: Record<string, string> = { batchModule_: 'BatchModule', bisectionModule_: 'BisectionModule' };
          const addresses: string[] = [];
          for (const input of ctor.inputs) {
            const moduleName = modules[input.name];
            const moduleKey = [...contracts.keys()].find((k) => moduleName !== undefined && (k === moduleName || k.endsWith(`:${moduleName}`)));
            const module = moduleKey === undefined ? undefined : contracts.get(moduleKey)?.creation;
            if (!moduleName || !module) throw new GovTransactionError(`${name}'s constructor takes arguments that deploy-impl cannot supply.`);
            try {
              const receipt = await (await signer.sendTransaction({ data: module })).wait();
              if (!receipt?.contractAddress) throw new GovTransactionError(`The ${moduleName} deployment created no contract.`);
              addresses.push(receipt.contractAddress);
            } catch (err) {
              throw err instanceof GovTransactionError ? err : wrapTxError(`Deploying ${moduleName}`, err, signer.address);
            }
          }
          creation = `${creation}${AbiCoder.defaultAbiCoder()
            .encode(
              addresses.map(() => 'address'),
              addresses,
            )
            .slice(2)}`;
        }
        let address: string;
        let hash: string;
        try {
          const tx = await signer.sendTransaction({ data: creation });
          const receipt = await tx.wait();
          if (!receipt?.contractAddress) throw new GovTransactionError(`The deployment ${tx.hash} created no contract.`);
          address = receipt.contractAddress;
          hash = tx.hash;
        } catch (err) {
          throw err instanceof GovTransactionError ? err : wrapTxError(`Deploying ${name}`, err, signer.address);
        }
        const result = {
          contract: name,
          address,
          transaction: hash,
          target,
          current: { address: current, contract: currentName },
          layout: { ok: layout.ok, report: layout.report },
        };
        printResult(o, result, () => [
          `deployed ${name} at ${address} (${hash})`,
          `layout: ${layout.ok ? `a storage-compatible upgrade of ${currentName}` : `NOT compatible with ${currentName} (forced)`}`,
          `next: vai gov propose --target ${o.target} --upgrade ${address} --description "…"`,
        ]);
      },
      () => provider?.destroy(),
    );
  });

  gov
    .command('layout')
    .description('check upgrade safety (storage layout against @custom:oz-upgrades-from or --reference) with @openzeppelin/upgrades-core')
    .option('--contract <name>', 'contract to check (default: every upgradeable contract outside test/)')
    .option('--reference <name>', 'the version it upgrades from (default: its @custom:oz-upgrades-from annotation)')
    .option('--build-info <dir>', 'forge build info with storage layouts (default: build, or reuse the last build, with the layout profile)')
    .option('--paths <paths...>', 'sources to build', ['src-sol'])
    .option('--json', 'print JSON', false)
    .action(async (raw: Record<string, unknown>) => {
      await runAction({ json: raw.json === true }, async () => {
        const o = parseOptions(layoutOptionsSchema, raw);
        const buildInfoDir = o.buildInfo ?? (await buildLayoutInfo({ root: process.cwd(), outDir: DEFAULT_LAYOUT_DIR, paths: o.paths }));
        const r = await validateLayout({ buildInfoDir, contract: o.contract, reference: o.reference, exclude: o.contract ? undefined : ['test/**'] });
        printResult(o, r, () => [r.report]);
        if (!r.ok) process.exitCode = 1;
      });
    });

  return gov;
}

const PAUSE_ABI = [
  'function pause()',
  'function pauseGuardian() view returns (address)',
  'function owner() view returns (address)',
  'function paused() view returns (bool)',
];
