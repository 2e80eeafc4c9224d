import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { approve } from '../lib/gov/approve.js';
import { encodeCall, encodeUpgrade, parseArgs } from '../lib/gov/calls.js';
import { chainIdOf } from '../lib/gov/chain.js';
import { defaultDeploymentPath, readDeployment, resolveTarget, type Deployment } from '../lib/gov/deployment.js';
import { GovConfigError } from '../lib/gov/errors.js';
import { execute } from '../lib/gov/execute.js';
import { buildLayoutInfo, validateLayout } from '../lib/gov/layout.js';
import {
  keyOptionsSchema,
  layoutOptionsSchema,
  parseOptions,
  proposeOptionsSchema,
  statusOptionsSchema,
  type CommonOptions,
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

async function context(o: CommonOptions): Promise<Context> {
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

function humanProposal(file: string, p: Proposal): string[] {
  const lines = [`proposal ${file}`, `  ${p.kind} via Safe ${p.safe} (nonce ${p.safeTx.nonce}, chain ${p.chainId})`, `  safeTxHash ${p.safeTxHash}`];
  if (p.operation) lines.push(`  operation ${p.operation.id} (delay ${p.operation.delay} s)`);
  if (p.cancelId) lines.push(`  cancels ${p.cancelId}`);
  lines.push(`  signatures: ${p.signatures.length}${p.signatures.length ? ` (${p.signatures.map((s) => s.signer).join(', ')})` : ''}`);
  return lines;
}

function humanStatus(s: StatusReturnType): string[] {
  const lines = [
    `chain ${s.chainId}, time ${s.chainTime}`,
    `Safe ${s.safe.address}: ${s.safe.threshold} of ${s.safe.owners.length} owners, nonce ${s.safe.nonce}`,
    `Timelock ${s.timelock.address}: minimum delay ${s.timelock.minDelay} s`,
    `operations (${s.operations.length}):`,
  ];
  for (const op of s.operations) {
    const when =
      op.readyAt === null ? '' : op.state === 'Waiting' ? ` ready at ${op.readyAt} (in ${op.readyAt - s.chainTime} s)` : ` ready since ${op.readyAt}`;
    lines.push(`  ${op.state}${op.cancelled ? ' (cancelled)' : ''} ${op.id} ${op.target} ${op.call}${when}`);
  }
  lines.push(`proposals (${s.proposals.length}):`);
  for (const p of s.proposals) {
    lines.push(
      `  ${p.file}: ${p.kind} ${p.call} — ${p.collected}/${p.threshold} signatures, ${p.wrongChain ? 'other chain' : p.safeState}` +
        (p.operationState ? `, operation ${p.operationState}` : ''),
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

/** `vai gov propose | approve | execute | status`. */
export function govCommand(): Command {
  const gov = new Command('gov').description(DESCRIPTIONS.gov);

  commonOptions(
    gov
      .command('propose')
      .description('build a Safe transaction that schedules a call on the timelock (or cancels one, or calls directly) and write it to a file')
      .option('--target <name|address>', 'oracle, registry, timelock, safe, arbitrationSafe, or an address')
      .option('--function <signature>', 'e.g. "setFee(uint256,uint96)"')
      .option('--args <json>', 'the arguments as a JSON array, e.g. \'[1, "1000"]\'')
      .option('--calldata <hex>', 'the call, already encoded')
      .option('--upgrade <implementation>', 'upgradeToAndCall(implementation, --init-calldata) on a UUPS target')
      .option('--init-calldata <hex>', 'call run by the new implementation during the upgrade', '0x')
      .option('--value <wei>', 'ETH sent with the call', '0')
      .option('--salt <bytes32>', 'timelock salt (default: random)')
      .option('--predecessor <bytes32>', 'operation that must be executed first')
      .option('--delay <seconds>', "timelock delay (default: the timelock's minimum)")
      .option('--cancel <operationId>', 'propose cancelling a scheduled operation instead')
      .option('--direct', 'the Safe makes the call itself, no timelock (arbitration: default Safe is the arbitration Safe)', false)
      .option('--description <text>', 'what and why, for the signers', '')
      .option('--out <file>', `proposal file (default ${DEFAULT_PROPOSAL_DIR}/<nonce>-<kind>-<hash>.json)`),
  ).action(async (raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(proposeOptionsSchema, raw);
        const ctx = await context(o);
        provider = ctx.provider;
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
        });
        const file = o.out ?? join(DEFAULT_PROPOSAL_DIR, `${proposal.safeTx.nonce}-${proposal.kind}-${proposal.safeTxHash.slice(2, 10)}.json`);
        await writeProposal(file, proposal);
        printResult(o, { file, proposal }, () => [...humanProposal(file, proposal), `next: vai gov approve ${file} --private-key <owner key>`]);
      },
      () => provider?.destroy(),
    );
  });

  keyOption(
    commonOptions(gov.command('approve').description("add an owner's signature to a proposal file").argument('<file>', 'proposal file')),
    'owner key (or VAI_GOV_PRIVATE_KEY)',
  ).action(async (file: string, raw: Record<string, unknown>) => {
    let provider: JsonRpcProvider | null = null;
    await runAction(
      { json: raw.json === true },
      async () => {
        const o = parseOptions(keyOptionsSchema, raw);
        const proposal = await readProposal(file);
        provider = new JsonRpcProvider(o.rpcUrl, undefined, { cacheTimeout: -1 });
        const r = await approve({ provider, proposal, signer: wallet(o, provider) });
        await writeProposal(file, r.proposal);
        printResult(o, { file, signer: r.signer, replaced: r.replaced, signatures: r.proposal.signatures.length }, () => [
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
        .description('submit the Safe transaction once the threshold is met; after the delay, execute the timelock operation')
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
          if (r.operationState !== null) lines.push(`operation ${r.operationState}${r.readyAt ? `, ready at ${r.readyAt}` : ''}`);
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
      .description('pending timelock operations and their states; signatures collected on proposal files')
      .argument('[files...]', `proposal files (default: every file in ${DEFAULT_PROPOSAL_DIR})`)
      .option('--dir <dir>', 'folder of proposal files', DEFAULT_PROPOSAL_DIR)
      .option('--from-block <n>', 'first block to read timelock events from', '0'),
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
        const s = await status({ provider: ctx.provider, safe: ctx.safe, timelock: ctx.timelock, proposals, fromBlock: o.fromBlock });
        printResult(o, s, () => humanStatus(s));
      },
      () => provider?.destroy(),
    );
  });

  gov
    .command('layout')
    .description('check upgrade safety (storage layout against @custom:oz-upgrades-from or --reference) with @openzeppelin/upgrades-core')
    .option('--contract <name>', 'contract to check (default: every upgradeable contract outside test/)')
    .option('--reference <name>', 'the version it upgrades from (default: its @custom:oz-upgrades-from annotation)')
    .option('--build-info <dir>', 'forge build info with storage layouts (default: build now with the layout profile)')
    .option('--paths <paths...>', 'sources to build', ['src-sol'])
    .option('--json', 'print JSON', false)
    .action(async (raw: Record<string, unknown>) => {
      await runAction({ json: raw.json === true }, async () => {
        const o = parseOptions(layoutOptionsSchema, raw);
        const buildInfoDir = o.buildInfo ?? (await buildLayoutInfo({ root: process.cwd(), outDir: join('cache', 'layout'), paths: o.paths }));
        const r = await validateLayout({ buildInfoDir, contract: o.contract, reference: o.reference, exclude: o.contract ? undefined : ['test/**'] });
        printResult(o, r, () => [r.report]);
        if (!r.ok) process.exitCode = 1;
      });
    });

  return gov;
}
