import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { describeConfig, parseNodeConfig, UNSAFE_TEST_ENV } from '../../../adapter/config.js';
import { NodeConfigError, UnsafeOptionError } from '../../../adapter/errors.js';
import { startNode } from '../../../adapter/node.js';
import { openStore } from '../../../adapter/store/sqlite/index.js';
import { classifier, writeModelDir } from './helpers/models.js';

const KEY = `0x${'ac'.repeat(32)}`;
const ORACLE = `0x${'12'.repeat(20)}`;
const base = { rpc: 'http://127.0.0.1:8545', key: KEY, oracle: ORACLE, models: 'a,b' };

describe('node config', () => {
  it('applies defaults and splits lists', () => {
    const c = parseNodeConfig({ ...base, roles: 'proposer, finalizer', confirmations: '3' });
    expect(c.models).toEqual(['a', 'b']);
    expect(c.roles).toEqual(['proposer', 'finalizer']);
    expect(c.confirmations).toBe(3);
    expect(c.prove).toBe(false);
    expect(c.key.reveal()).toBe(KEY);
  });

  it('never shows the private key when printed, serialized or inspected', () => {
    const c = parseNodeConfig(base);
    const shown = [JSON.stringify(describeConfig(c)), inspect(c), String(c.key), JSON.stringify(c)].join('\n');
    expect(shown).not.toContain('ac'.repeat(32));
    expect(shown).toContain('[secret]');
  });

  it.each([
    [{ ...base, rpc: 'not a url' }, '[Param: rpc]'],
    [{ ...base, key: '0x1234' }, '[Param: key]'],
    [{ ...base, roles: 'proposer,miner' }, '[Param: roles.1]'],
    [{ ...base, models: '' }, '[Param: models]'],
    [{ ...base, confirmations: -1 }, '[Param: confirmations]'],
    [{ ...base, oracle: undefined }, '[Param: oracle] pass --oracle ADDRESS or --deployment FILE'],
  ])('names the bad setting (%#)', (raw, message) => {
    expect(() => parseNodeConfig(raw)).toThrow(NodeConfigError);
    expect(() => parseNodeConfig(raw)).toThrow(message);
  });

  it('reads the oracle address from a deployment file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vai-cfg-')), 'deployment.json');
    writeFileSync(file, JSON.stringify({ chainId: 31337, InferenceOracle: ORACLE, ModelRegistry: KEY.slice(0, 42) }));
    expect(parseNodeConfig({ ...base, oracle: undefined, deployment: file }).oracle).toBe(ORACLE);
    writeFileSync(file, JSON.stringify({ chainId: 31337 }));
    expect(() => parseNodeConfig({ ...base, oracle: undefined, deployment: file })).toThrow('[Param: deployment]');
  });

  it('refuses the cheating option unless the test env flag is set', () => {
    const raw = { ...base, unsafeCorruptOutputForTests: true };
    expect(() => parseNodeConfig(raw, {})).toThrow(UnsafeOptionError);
    expect(parseNodeConfig(raw, { [UNSAFE_TEST_ENV]: '1' }).unsafeCorruptOutputForTests).toBe(true);
  });

  it("defaults the callback gas a node delivers for others to 500,000 and bounds it by the oracle's maximum", () => {
    expect(parseNodeConfig(base).maxCallbackGas).toBe(500_000);
    expect(parseNodeConfig({ ...base, maxCallbackGas: '0' }).maxCallbackGas).toBe(0);
    expect(() => parseNodeConfig({ ...base, maxCallbackGas: '5000001' })).toThrow(/\[Param: maxCallbackGas\]/);
  });

  it('refuses a job store that follows another oracle (request ids repeat across deployments)', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'vai-config-')), 'node.db');
    const store = openStore(db);
    await store.cursors.setCursor(`oracle:0x${'34'.repeat(20)}`, { number: 1, hash: `0x${'00'.repeat(32)}` });
    await store.close();
    const config = parseNodeConfig({ ...base, models: writeModelDir(classifier), db, port: 0 });
    await expect(startNode(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(NodeConfigError);
  });
});
