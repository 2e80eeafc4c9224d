import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProposal, type Deployment } from '../../../lib/gov/index.js';
import { IMPLEMENTATION_SLOT } from '../../../lib/gov/checks.js';
import { ensureExampleModel } from '../../../lib/apps/examples.js';
import { KEYS, ROOT, deployGovernance, increaseTime, sharedLayoutBuild, startAnvil, vaiGov, type Anvil, type CliResult } from './helpers.js';

const MIN_DELAY = 60;
const SPEC_SIG = 'registerModel((bytes32,uint16,uint16,int64,int64,uint8,uint8,address,uint32,uint96,uint96),bytes)';
const SPEC = [[`0x${'22'.repeat(32)}`, 6, 2, 0, 2048000, 13, 0, '0x0000000000000000000000000000000000000000', 3600, '1000000000000000000', '1000'], '0x'];

/**
 * docs/GOVERNANCE.md walked end to end with `vai gov` as a subprocess on anvil: a parameter change, an upgrade
 * (deploy-impl, propose, approve ×2, execute, wait, execute), an incompatible upgrade refused before anyone signs,
 * pause and unpause; and every bad input the signers can meet, answered with one line and exit 1.
 */
describe('docs/GOVERNANCE.md on anvil, and the checks before signing', () => {
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  let d: Deployment;
  let dir: string;
  let common: string[];
  let buildInfo: string;
  let n = 0;
  const file = (name: string) => join(dir, `${name}-${++n}.json`);
  const gov = (args: string[], env?: Record<string, string>) => vaiGov([...args, ...common], env);
  const fails = (r: CliResult, text: string) => {
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(text);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: /);
  };

  /** propose → approve ×2 → execute (schedules) → wait → execute; returns the last execute's output. */
  async function through(f: string): Promise<CliResult> {
    for (const key of [KEYS.owners[0]!, KEYS.owners[1]!]) expect((await gov(['approve', f, '--private-key', key, '--build-info', buildInfo])).code).toBe(0);
    const scheduled = await gov(['execute', f, '--private-key', KEYS.relayer]);
    expect(scheduled.code, scheduled.stderr).toBe(0);
    await increaseTime(anvil.url, MIN_DELAY);
    return gov(['execute', f, '--private-key', KEYS.relayer]);
  }

  beforeAll(async () => {
    // EIP-170 holds here as on a real chain: the upgrade fixture InferenceOracleV2 (about 1 KB more than the oracle)
    // deploys because the oracle keeps room for it (test/sol/oracle/CodeSize.t.sol).
    anvil = await startAnvil(31337);
    provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1 });
    dir = await mkdtemp(join(ROOT, 'cache/gov-walk-'));
    d = await deployGovernance(anvil.url, MIN_DELAY, join(dir, 'deployment.json'));
    common = ['--rpc-url', anvil.url, '--deployment', join(dir, 'deployment.json')];
    buildInfo = await sharedLayoutBuild();
  });

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('changes a parameter (registers a model), the description covered by the signatures', async () => {
    const f = file('register');
    let r = await gov([
      'propose',
      '--target',
      'registry',
      '--function',
      SPEC_SIG,
      '--args',
      JSON.stringify(SPEC),
      '--description',
      'register credit',
      '--out',
      f,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('call: registry.registerModel(spec: (');
    expect(r.stdout).toContain('checks when proposed (block');
    expect(r.stdout).toContain('ok   simulation: the call from');

    // An edited description no longer matches what the owners sign.
    const original = await readFile(f, 'utf8');
    await writeFile(f, original.replace('register credit', 'register credit (harmless)'));
    fails(await gov(['approve', f, '--private-key', KEYS.owners[0]!]), "The proposal's description does not match the SafeTx it signs.");
    await writeFile(f, original);

    r = await gov(['approve', f, '--private-key', KEYS.owners[0]!]);
    expect(r.stdout).toContain('description: register credit');
    expect(r.stdout).toContain('checks now (block');
    r = await gov(['status', f]);
    expect(r.stdout).toContain('1/2 signatures');
    expect(r.stdout).toContain('Safe tx collecting');
    expect(r.stdout).toContain('"register credit"');
    expect((await through(f)).stdout).toContain('operation Done');
    const registry = new Contract(d.registry, ['function modelCount() view returns (uint256)'], provider);
    expect(await registry.getFunction('modelCount')()).toBe(1n);
  });

  it('refuses, before anyone signs, a call to an address without code, a wrong selector and an unknown model', async () => {
    const nowhere = '0x000000000000000000000000000000000000dEaD';
    fails(
      await gov(['propose', '--target', nowhere, '--function', 'setFee(uint256,uint96)', '--args', '[1, 5]']),
      'no contract at 0x000000000000000000000000000000000000dEaD',
    );
    fails(await gov(['propose', '--target', 'registry', '--calldata', '0xdeadbeef']), 'reverted without a reason (no such function at the target');
    fails(await gov(['propose', '--target', 'registry', '--function', 'setFee(uint256,uint96)', '--args', '[99, 5]']), 'ModelRegistryUnknownModel(99)');

    // Forced, the failure is in the file for every signer, each signer must force too, and status flags it.
    const f = file('forced');
    let r = await gov(['propose', '--target', 'registry', '--function', 'setFee(uint256,uint96)', '--args', '[99, 5]', '--force-unchecked', '--out', f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('FAILED, forced with --force-unchecked');
    expect((await readProposal(f)).checks).toMatchObject({ ok: false, forced: true });
    fails(await gov(['approve', f, '--private-key', KEYS.owners[0]!]), 'Not signed, the proposed call fails its checks now');
    for (const key of [KEYS.owners[0]!, KEYS.owners[1]!]) expect((await gov(['approve', f, '--private-key', key, '--force-unchecked'])).code).toBe(0);
    expect((await gov(['execute', f, '--private-key', KEYS.relayer])).code).toBe(0);
    r = await gov(['status', f]);
    expect(r.stdout).toMatch(/Waiting 0x[0-9a-f]{64}\n {4}registry\.setFee\(modelId: 99, fee: 5\)\n {4}ready in 1 min, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(r.stdout).toContain('WOULD FAIL if executed now: the call from');
    await increaseTime(anvil.url, MIN_DELAY);
    fails(await gov(['execute', f, '--private-key', KEYS.relayer]), 'would fail now: simulation: the call from');
    const op = (await readProposal(f)).operation!.id;
    // It is cancelled (and the cancel says so), and leaves the pending list.
    const c = file('cancel');
    expect((await gov(['propose', '--cancel', op, '--description', 'drop the bad fee', '--out', c])).code).toBe(0);
    for (const key of [KEYS.owners[0]!, KEYS.owners[1]!]) await gov(['approve', c, '--private-key', key]);
    r = await gov(['execute', c, '--private-key', KEYS.relayer]);
    expect(r.stdout).toContain(`operation ${op} cancelled`);
    r = await gov(['status', f, c]);
    expect(r.stdout).toContain('pending operations (0; --all for history)');
    expect((await gov(['status', '--all', f])).stdout).toContain(`Cancelled ${op}`);
  });

  it('upgrades the oracle: deploy-impl checks the layout, propose checks the implementation, the owners sign, the timelock upgrades', async () => {
    let r = await gov([
      'deploy-impl',
      '--contract',
      'InferenceOracleV2',
      '--target',
      'oracle',
      '--build-info',
      buildInfo,
      '--private-key',
      KEYS.relayer,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const deployed = JSON.parse(r.stdout) as { address: string; current: { contract: string } };
    expect(deployed.current.contract).toBe('src-sol/oracle/InferenceOracle.sol:InferenceOracle');
    const f = file('upgrade');
    r = await gov(['propose', '--target', 'oracle', '--upgrade', deployed.address, '--description', 'oracle V2', '--build-info', buildInfo, '--out', f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok   layout: test/sol/governance/fixtures/InferenceOracleV2.sol:InferenceOracleV2 is a storage-compatible upgrade');
    expect(r.stdout).toContain('ok   proxiableUUID');
    expect((await through(f)).stdout).toContain('operation Done');
    const slot = await provider.getStorage(d.oracle, IMPLEMENTATION_SLOT);
    expect(`0x${slot.slice(26)}`).toBe(deployed.address.toLowerCase());
  });

  it('refuses an incompatible upgrade (a reordered struct) and an implementation without code', async () => {
    fails(
      await gov(['deploy-impl', '--contract', 'InferenceOracleV2Incompatible', '--build-info', buildInfo, '--private-key', KEYS.relayer]),
      'Not deployed: layout: test/sol/governance/fixtures/InferenceOracleV2Incompatible.sol:InferenceOracleV2Incompatible is not a safe upgrade',
    );
    const r = await gov([
      'deploy-impl',
      '--contract',
      'InferenceOracleV2Incompatible',
      '--build-info',
      buildInfo,
      '--private-key',
      KEYS.relayer,
      '--force-unchecked',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { address } = JSON.parse(r.stdout) as { address: string };
    const bad = await gov(['propose', '--target', 'oracle', '--upgrade', address, '--build-info', buildInfo]);
    fails(bad, 'is not a safe upgrade of test/sol/governance/fixtures/InferenceOracleV2.sol:InferenceOracleV2');
    fails(
      await gov(['propose', '--target', 'oracle', '--upgrade', '0x000000000000000000000000000000000000bEEF', '--build-info', buildInfo]),
      'implementation: no contract at the new implementation',
    );
  });

  it('pauses at once with the guardian key; vai request names the revert; unpausing goes through the timelock', async () => {
    fails(await gov(['pause', '--private-key', KEYS.stranger]), 'is not the pause guardian');
    let r = await gov(['pause', '--private-key', KEYS.guardian]);
    expect(r.code, r.stderr).toBe(0);
    fails(await gov(['pause', '--private-key', KEYS.guardian]), 'oracle is already paused');
    r = await gov(['status']);
    expect(r.stdout).toMatch(/Oracle 0x[0-9a-fA-F]{40}: PAUSED, guardian 0x[0-9a-fA-F]{40}/);
    expect(r.stdout).toMatch(/ {2}owner 0x[0-9a-fA-F]{40}\n {2}owner/);

    // `vai request` reads the model folder the network file names: built here, whatever ran before.
    const credit = await ensureExampleModel('credit');
    const network = join(dir, 'network.json');
    await writeFile(
      network,
      JSON.stringify({
        rpc: anvil.url,
        chainId: 31337,
        startedAt: new Date().toISOString(),
        contracts: { oracle: d.oracle, registry: d.registry },
        models: { credit: { modelId: '1', modelHash: `0x${'22'.repeat(32)}`, dir: credit.dir, onChainWeights: false } },
        apps: {},
        accounts: { requester: { address: new Wallet(KEYS.stranger).address, key: KEYS.stranger } },
        nodes: [],
      }),
    );
    const req = await vaiGov(['--version']).then(() =>
      import('node:child_process').then(
        ({ execFile }) =>
          new Promise<CliResult>((resolve) =>
            execFile(
              process.execPath,
              [join(ROOT, 'bin/vai.js'), 'request', '--network', network, '--model', 'credit', '--int', '--input', '[0,0,0,0,0,0]'],
              (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
            ),
          ),
      ),
    );
    fails(req, 'The oracle refuses the request for model 1: InferenceOraclePaused()');

    const f = file('unpause');
    r = await gov(['unpause', '--out', f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('call: oracle.setPaused(paused: false)');
    expect((await through(f)).stdout).toContain('operation Done');
    expect((await gov(['status'])).stdout).toContain(': not paused, guardian');
  });

  it('answers bad input with one line and exit 1', async () => {
    fails(
      await gov(['propose', '--target', 'registry', '--calldata', '0x12']),
      '[Param: calldata] 0x12 is 1 byte(s): a call starts with a 4-byte function selector.',
    );
    fails(await gov(['propose', '--target', '0x5FbDB2315678afecb367f032d93F642f64180aA3', '--calldata', '0xdeadbeef']), 'has a wrong EIP-55 checksum');
    fails(
      await gov(['propose', '--target', 'registry', '--upgrade', '0x5FbDB2315678afecb367f032d93F642f64180aA3']),
      '[Param: upgrade] 0x5FbDB2315678afecb367f032d93F642f64180aA3 has a wrong EIP-55 checksum',
    );
    const bad = await gov(['propose', '--target', 'registry', '--function', 'setFee(uint256,,)']);
    fails(bad, "[Param: function] Cannot parse the signature 'setFee(uint256,,)'.");
    expect(bad.stdout).not.toContain('Invalid Fragment');

    // A funded proposal, executed by an account without ETH: one line, no raw transaction.
    const f = file('unfunded');
    expect((await gov(['propose', '--target', 'registry', '--function', 'setFee(uint256,uint96)', '--args', '[1, 7]', '--out', f])).code).toBe(0);
    for (const key of [KEYS.owners[0]!, KEYS.owners[2]!]) expect((await gov(['approve', f, '--private-key', key])).code).toBe(0);
    const poor = Wallet.createRandom().privateKey;
    const r = await gov(['execute', f, '--private-key', poor]);
    fails(r, 'has not enough ETH to pay for gas');
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stderr).not.toMatch(/0x02f8/);
  });
});
