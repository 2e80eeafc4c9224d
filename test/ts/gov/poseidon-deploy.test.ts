import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_KEYS, type Anvil, startAnvil } from '../../../lib/devnet/anvil.js';
import { ensurePoseidonT5, POSEIDON_T5_ADDRESS } from '../../../lib/devnet/poseidon.js';
import { commitWords } from '../../../lib/semantics/index.js';

let anvil: Anvil;
let provider: JsonRpcProvider;
beforeAll(async () => {
  anvil = await startAnvil();
  // No response cache: the code is read again right after the deployment.
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
});
afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
});

describe('PoseidonT5 at its deterministic address', () => {
  it('is deployed through the CREATE2 factory, once, and hashes as TypeScript does', async () => {
    const signer = new Wallet(ANVIL_KEYS[0]!, provider);
    expect(await provider.getCode(POSEIDON_T5_ADDRESS)).toBe('0x');
    expect(await ensurePoseidonT5(signer)).toBe(POSEIDON_T5_ADDRESS);
    const code = await provider.getCode(POSEIDON_T5_ADDRESS);
    expect(code.length).toBeGreaterThan(2);
    // A second call finds it and sends nothing.
    const nonce = await provider.getTransactionCount(signer.address);
    await ensurePoseidonT5(signer);
    expect(await provider.getTransactionCount(signer.address)).toBe(nonce);
    // The commitment's first permutation, on chain and in TypeScript.
    const t5 = new Contract(POSEIDON_T5_ADDRESS, ['function hash(uint256[4]) pure returns (uint256)'], provider);
    expect(await t5.getFunction('hash').staticCall([3n, 11n, 22n, 33n])).toBe(commitWords([11n, 22n, 33n], 3));
  });
});
