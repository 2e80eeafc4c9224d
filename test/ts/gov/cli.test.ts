import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Contract, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GovAlreadyExecutedError,
  GovBelowThresholdError,
  GovCancelledError,
  GovNotOwnerError,
  GovNotReadyError,
  GovProposalFileError,
  GovStaleProposalError,
  GovTransactionError,
  GovWrongChainError,
  approve,
  encodeCall,
  encodeUpgrade,
  execute,
  propose,
  readProposal,
  status,
  writeProposal,
  type Deployment,
  type Proposal,
} from '../../../lib/gov/index.js';
import { KEYS, ROOT, addressOf, deployGovernance, increaseTime, sharedLayoutBuild, startAnvil, vaiGov, type Anvil } from './helpers.js';

const MIN_DELAY = 60;
const REGISTRY_ABI = [
  'function modelCount() view returns (uint256)',
  'function modelTerms(uint256) view returns ((uint16,uint16,int64,int64,uint96,uint96,uint32,bool))',
];
const ORACLE_ABI = ['function paused() view returns (bool)', 'function pause()', 'function setPaused(bool)', 'function owner() view returns (address)'];
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';

const SPEC_SIG = 'registerModel((bytes32,uint16,uint16,int64,int64,uint8,uint8,address,uint32,uint96,uint96),bytes)';
const spec = (hash: string) => [
  [hash, 2, 2, -1024, 1024, 8, 0, '0x0000000000000000000000000000000000000000', 3600, '1000000000000000000', '10000000000000000'],
  '0x',
];

describe('vai gov against anvil (Safe 1.4.1 → TimelockController → protocol)', () => {
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  let d: Deployment;
  let dir: string;
  let common: string[];
  let buildInfoDir: string;
  const owner = (i: number) => new Wallet(KEYS.owners[i]!, provider);
  const relayer = () => new NonceManager(new Wallet(KEYS.relayer, provider));

  beforeAll(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1, pollingInterval: 50 });
    dir = await mkdtemp(join(ROOT, 'cache/gov-cli-'));
    d = await deployGovernance(anvil.url, MIN_DELAY, join(dir, 'deployment.json'));
    common = ['--rpc-url', anvil.url, '--deployment', join(dir, 'deployment.json')];
    buildInfoDir = await sharedLayoutBuild();
  });

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  async function approvedBy(p: Proposal, owners: number[], forceUnchecked = false): Promise<Proposal> {
    let q = p;
    for (const i of owners) q = (await approve({ provider, proposal: q, signer: owner(i), buildInfoDir, forceUnchecked })).proposal;
    return q;
  }

  it('registers a model through the command line: propose, approve ×2, execute, wait, execute', async () => {
    const file = join(dir, 'register.json');
    const hash = `0x${'11'.repeat(32)}`;
    let r = await vaiGov([
      'propose',
      ...common,
      '--target',
      'registry',
      '--function',
      SPEC_SIG,
      '--args',
      JSON.stringify(spec(hash)),
      '--description',
      'register model',
      '--out',
      file,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('schedule via Safe');

    r = await vaiGov(['approve', file, ...common], { VAI_GOV_PRIVATE_KEY: KEYS.owners[0] });
    expect(r.code, r.stderr).toBe(0);
    r = await vaiGov(['status', file, ...common, '--json']);
    const s1 = JSON.parse(r.stdout) as { proposals: { collected: number; threshold: string; safeState: string }[] };
    expect(s1.proposals[0]).toMatchObject({ collected: 1, threshold: '2', safeState: 'collecting' });

    r = await vaiGov(['execute', file, ...common, '--private-key', KEYS.relayer]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Below threshold: 1 of 2 owner signatures collected.');

    r = await vaiGov(['approve', file, ...common, '--private-key', KEYS.owners[2]!]);
    expect(r.code, r.stderr).toBe(0);
    r = await vaiGov(['execute', file, ...common, '--private-key', KEYS.relayer, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: ['safe'], operationState: 'Waiting' });

    r = await vaiGov(['execute', file, ...common, '--private-key', KEYS.relayer]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Not yet ready');

    const registry = new Contract(d.registry, REGISTRY_ABI, provider);
    expect(await registry.getFunction('modelCount')()).toBe(0n);
    await increaseTime(anvil.url, MIN_DELAY);
    r = await vaiGov(['execute', file, ...common, '--private-key', KEYS.relayer, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: ['timelock'], operationState: 'Done' });
    expect(await registry.getFunction('modelCount')()).toBe(1n);

    r = await vaiGov(['execute', file, ...common, '--private-key', KEYS.relayer]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Already executed');

    r = await vaiGov(['status', file, ...common]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pending operations (0; --all for history):');
    r = await vaiGov(['status', file, ...common, '--all']);
    expect(r.stdout).toMatch(/Done 0x[0-9a-f]{64}\n {4}registry\.registerModel\(spec: \(0x1111/);
    expect(r.stdout).toMatch(/2\/2 signatures \(0x[0-9a-fA-F]{40}, 0x[0-9a-fA-F]{40}\), Safe tx executed, operation Done/);
  });

  it('validates flags before touching the chain, naming the flag', async () => {
    let r = await vaiGov(['propose', ...common, '--target', 'registry']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[Param: function] give exactly one of --function (with --args), --calldata, --upgrade.');
    r = await vaiGov(['propose', ...common, '--target', 'registry', '--calldata', '0x12', '--salt', '0x1234']);
    expect(r.stderr).toContain('[Param: salt] must be 32 bytes of hex.');
    r = await vaiGov(['propose', ...common, '--target', 'nowhere', '--calldata', '0x12345678']);
    expect(r.stderr).toContain('[Param: target] nowhere is neither an address nor one of oracle, registry, timelock, safe, arbitrationSafe.');
    r = await vaiGov(['propose', ...common, '--target', 'registry', '--function', 'setFee(uint256,uint96)', '--args', '[1]']);
    expect(r.stderr).toContain('[Param: args] The arguments do not fit setFee(uint256,uint96)');
    r = await vaiGov(['status', '--rpc-url', 'not a url']);
    expect(r.stderr).toContain('[Param: rpc-url] must be a URL.');
  });

  it('sets a parameter, and refuses non-owners, edited files and stale nonces', async () => {
    const data = encodeCall('setFee(uint256,uint96)', [1, 12345n]);
    const p = await propose({ provider, safe: d.safe, timelock: d.timelock, kind: 'schedule', target: d.registry, data, description: 'fee' });
    await expect(approve({ provider, proposal: p, signer: new Wallet(KEYS.stranger, provider) })).rejects.toBeInstanceOf(GovNotOwnerError);

    const signed = await approvedBy(p, [0]);
    await expect(execute({ provider, proposal: signed, sender: relayer() })).rejects.toBeInstanceOf(GovBelowThresholdError);

    // Edited after signing: the signed SafeTx, or the operation it schedules.
    const file = join(dir, 'edited.json');
    await writeProposal(file, signed);
    const original = await readFile(file, 'utf8');
    const zeroFee = encodeCall('setFee(uint256,uint96)', [1, 0n]);
    const editedOp = JSON.parse(original) as { operation: { data: string } };
    editedOp.operation.data = zeroFee;
    await writeFile(file, JSON.stringify(editedOp));
    await expect(readProposal(file)).rejects.toThrow(/does not match the SafeTx it signs/);
    const editedTx = JSON.parse(original) as { safeTx: { data: string } };
    editedTx.safeTx.data = editedTx.safeTx.data.replace('3039', '3038');
    await writeFile(file, JSON.stringify(editedTx));
    await expect(readProposal(file)).rejects.toBeInstanceOf(GovProposalFileError);
    await writeFile(file, original);
    expect((await readProposal(file)).signatures).toHaveLength(1);

    const ready = await approvedBy(signed, [1]);
    expect(await execute({ provider, proposal: ready, sender: relayer() })).toMatchObject({ steps: ['safe'], operationState: 'Waiting' });
    await increaseTime(anvil.url, MIN_DELAY);
    expect(await execute({ provider, proposal: ready, sender: relayer() })).toMatchObject({ steps: ['timelock'], operationState: 'Done' });
    const registry = new Contract(d.registry, REGISTRY_ABI, provider);
    const terms = (await registry.getFunction('modelTerms')(1)) as unknown[];
    expect(terms[4]).toBe(12345n);
    // A proposal built for the nonce the Safe has used since is stale.
    await expect(approve({ provider, proposal: p, signer: owner(2) })).rejects.toBeInstanceOf(GovStaleProposalError);
    // status tells the executed one from the stale one by the Safe's ExecutionSuccess events, not by the nonce alone.
    const later = await propose({ provider, safe: d.safe, timelock: d.timelock, kind: 'schedule', target: d.registry, data, description: 'later' });
    const s = await status({
      provider,
      safe: d.safe,
      timelock: d.timelock,
      proposals: [
        { file: 'ready', proposal: ready },
        { file: 'later', proposal: { ...later, safeTx: { ...later.safeTx, nonce: later.safeTx.nonce + 1n } } },
      ],
    });
    expect(s.proposals.map((x) => x.safeState)).toEqual(['executed', 'queued']);
    const other = await approvedBy(later, [0, 1]);
    const rival = await approvedBy(
      await propose({ provider, safe: d.safe, timelock: d.timelock, kind: 'schedule', target: d.registry, data, description: 'rival' }),
      [0, 1],
    );
    await execute({ provider, proposal: rival, sender: relayer() });
    const after = await status({ provider, safe: d.safe, timelock: d.timelock, proposals: [{ file: 'other', proposal: other }] });
    expect(after.proposals[0]?.safeState).toBe('stale');
  });

  it('upgrades the oracle, or cancels the upgrade while it waits', async () => {
    const data = encodeUpgrade(d.oracleImplementation!);
    const p = await approvedBy(
      await propose({ provider, safe: d.safe, timelock: d.timelock, kind: 'schedule', target: d.oracle, data, description: 'upgrade', buildInfoDir }),
      [0, 1],
    );
    await execute({ provider, proposal: p, sender: relayer() });
    await expect(execute({ provider, proposal: p, sender: relayer() })).rejects.toBeInstanceOf(GovNotReadyError);

    const c = await approvedBy(
      await propose({ provider, safe: d.safe, timelock: d.timelock, kind: 'cancel', cancelId: p.operation!.id, description: 'cancel' }),
      [1, 2],
    );
    const r = await execute({ provider, proposal: c, sender: relayer() });
    expect(r.operationState).toBe('Unset');
    await expect(execute({ provider, proposal: c, sender: relayer() })).rejects.toBeInstanceOf(GovAlreadyExecutedError);
    await increaseTime(anvil.url, MIN_DELAY);
    await expect(execute({ provider, proposal: p, sender: relayer() })).rejects.toBeInstanceOf(GovCancelledError);

    const s = await status({ provider, safe: d.safe, timelock: d.timelock, proposals: [{ file: 'upgrade', proposal: p }], all: true });
    const op = s.operations.find((o) => o.id === p.operation!.id);
    expect(op).toMatchObject({ state: 'Unset', cancelled: true });
    expect(op?.call).toMatch(/^upgradeToAndCall\(/);

    // Proposed again with a new salt, it goes through.
    const again = await approvedBy(
      await propose({ provider, safe: d.safe, timelock: d.timelock, kind: 'schedule', target: d.oracle, data, description: 'upgrade again', buildInfoDir }),
      [0, 2],
    );
    await execute({ provider, proposal: again, sender: relayer() });
    await increaseTime(anvil.url, MIN_DELAY);
    expect((await execute({ provider, proposal: again, sender: relayer() })).operationState).toBe('Done');
    const slot = await provider.getStorage(d.oracle, IMPLEMENTATION_SLOT);
    expect(`0x${slot.slice(26)}`.toLowerCase()).toBe(d.oracleImplementation!.toLowerCase());
  });

  it('lets the guardian pause at once; unpausing goes through the timelock; the Safe cannot go around it', async () => {
    const oracle = new Contract(d.oracle, ORACLE_ABI, new Wallet(KEYS.guardian, provider));
    await (await oracle.getFunction('pause')()).wait();
    expect(await oracle.getFunction('paused')()).toBe(true);
    await expect(oracle.getFunction('setPaused')(false)).rejects.toThrow();

    // A direct call by the Safe (no timelock) is refused by the oracle: the Safe is not its owner.
    const direct = await approvedBy(
      await propose({
        provider,
        safe: d.arbitrationSafe,
        kind: 'call',
        target: d.oracle,
        data: encodeCall('setPaused(bool)', [false]),
        description: 'bypass',
        forceUnchecked: true,
      }),
      [0, 1],
      true,
    );
    await expect(execute({ provider, proposal: direct, sender: relayer() })).rejects.toThrow(GovTransactionError);
    await expect(execute({ provider, proposal: direct, sender: relayer() })).rejects.toThrow(/GS013/);

    const unpause = await approvedBy(
      await propose({
        provider,
        safe: d.safe,
        timelock: d.timelock,
        kind: 'schedule',
        target: d.oracle,
        data: encodeCall('setPaused(bool)', [false]),
        description: 'unpause',
      }),
      [1, 2],
    );
    await execute({ provider, proposal: unpause, sender: relayer() });
    expect(await oracle.getFunction('paused')()).toBe(true);
    await increaseTime(anvil.url, MIN_DELAY);
    await execute({ provider, proposal: unpause, sender: relayer() });
    expect(await oracle.getFunction('paused')()).toBe(false);
    expect(await oracle.getFunction('owner')()).toBe(d.timelock);
    expect(addressOf(KEYS.guardian)).toBe(d.guardian);
  });

  it('refuses a proposal on another chain', async () => {
    const p = await approvedBy(
      await propose({
        provider,
        safe: d.safe,
        timelock: d.timelock,
        kind: 'schedule',
        target: d.registry,
        data: encodeCall('setFee(uint256,uint96)', [1, 1n]),
      }),
      [0, 1],
    );
    const other = await startAnvil(1337);
    const otherProvider = new JsonRpcProvider(other.url, undefined, { cacheTimeout: -1 });
    try {
      await expect(approve({ provider: otherProvider, proposal: p, signer: new Wallet(KEYS.owners[2]!, otherProvider) })).rejects.toBeInstanceOf(
        GovWrongChainError,
      );
      await expect(execute({ provider: otherProvider, proposal: p, sender: new Wallet(KEYS.relayer, otherProvider) })).rejects.toThrow(
        'Wrong chain: the proposal is bound to chain 31337, the RPC endpoint is chain 1337.',
      );
      const file = join(dir, 'other-chain.json');
      await writeProposal(file, p);
      const r = await vaiGov(['execute', file, '--rpc-url', other.url, '--private-key', KEYS.relayer]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Wrong chain');
    } finally {
      otherProvider.destroy();
      await other.stop();
    }
  });
});
