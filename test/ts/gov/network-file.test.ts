import { describe, expect, it } from 'vitest';
import { networkFileSchema } from '../../../lib/devnet/network-file.js';
import { KEYS, addressOf } from './helpers.js';

describe("the local network file's governance section", () => {
  const base = { rpc: 'http://127.0.0.1:8545', chainId: 31337, startedAt: 'now', contracts: {}, models: {}, apps: {}, accounts: {}, nodes: [] };
  const who = (key: string) => ({ address: addressOf(key), key });
  const governance = {
    safe: addressOf(KEYS.deployer),
    timelock: addressOf(KEYS.relayer),
    threshold: 2,
    minDelay: 30,
    owners: KEYS.owners.map(who),
    guardian: who(KEYS.guardian),
    executor: who(KEYS.relayer),
  };

  it('carries the owners, the guardian and an executor with their keys', () => {
    const parsed = networkFileSchema.parse({ ...base, governance });
    expect(parsed.governance?.owners.map((o) => o.key)).toEqual([...KEYS.owners]);
    expect(parsed.governance?.guardian.address).toBe(addressOf(KEYS.guardian));
  });

  it('refuses a malformed key, and still reads a file written before the section existed', () => {
    expect(networkFileSchema.safeParse({ ...base, governance: { ...governance, guardian: { address: addressOf(KEYS.guardian), key: '0x12' } } }).success).toBe(
      false,
    );
    expect(networkFileSchema.parse(base).governance).toBeUndefined();
  });
});
