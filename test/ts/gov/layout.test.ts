import { beforeAll, describe, expect, it } from 'vitest';
import { validateLayout } from '../../../lib/gov/layout.js';
import { sharedLayoutBuild, vaiGov } from './helpers.js';

/**
 * Storage-layout validation with @openzeppelin/upgrades-core over forge build info: the protocol's upgradeable
 * contracts, the compatible V2 fixtures, and the incompatible one (a field inserted in the namespaced struct).
 */
describe('upgrade safety (upgrades-core over forge build info)', () => {
  let buildInfo: string;

  beforeAll(async () => {
    buildInfo = await sharedLayoutBuild();
  });

  it('passes every upgradeable contract of the protocol', async () => {
    const r = await validateLayout({ buildInfoDir: buildInfo, exclude: ['test/**'] });
    expect(r.report).toContain('src-sol/oracle/InferenceOracle.sol:InferenceOracle');
    expect(r.report).toContain('src-sol/registry/ModelRegistry.sol:ModelRegistry');
    expect(r.total).toBeGreaterThanOrEqual(2);
    expect(r.ok, r.report).toBe(true);
  });

  it.each(['InferenceOracleV2', 'ModelRegistryV2', 'ExampleUpgradeableConsumer', 'ExampleUpgradeableConsumerV2'])(
    'passes the compatible %s (against its @custom:oz-upgrades-from reference)',
    async (contract) => {
      const r = await validateLayout({ buildInfoDir: buildInfo, contract });
      expect(r.ok, r.report).toBe(true);
      expect(r.passed).toBe(1);
    },
  );

  it('rejects the V2 that inserts a field before the existing ones, naming it', async () => {
    const r = await validateLayout({ buildInfoDir: buildInfo, contract: 'InferenceOracleV2Incompatible' });
    expect(r.ok).toBe(false);
    expect(r.report).toContain('Inserted `protocolFeeBps`');
    expect(r.report).toContain('upgrades from src-sol/oracle/InferenceOracle.sol:InferenceOracle');
  });

  it('rejects the oracle as an upgrade of the registry (different namespaces: deleted storage)', async () => {
    const r = await validateLayout({ buildInfoDir: buildInfo, contract: 'InferenceOracle', reference: 'ModelRegistry' });
    expect(r.ok).toBe(false);
    expect(r.report).toMatch(/Deleted namespace `erc7201:vai\.storage\.ModelRegistry`/);
  });

  it('fails `vai gov layout` (exit 1) on the incompatible V2 and passes it on V2', async () => {
    let r = await vaiGov(['layout', '--build-info', buildInfo, '--contract', 'InferenceOracleV2Incompatible']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Inserted `protocolFeeBps`');
    r = await vaiGov(['layout', '--build-info', buildInfo, '--contract', 'InferenceOracleV2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, passed: 1, total: 1 });
  });
});
