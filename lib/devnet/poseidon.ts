import { createRequire } from 'node:module';
import type { Provider, Signer } from 'ethers';
import type { Hex } from '../semantics/index.js';
import { AnvilError } from './anvil.js';

const require = createRequire(import.meta.url);

/** The deterministic deployment of poseidon-solidity's PoseidonT5, as the npm package ships it. */
type Deployment = { address: string; proxyAddress: string; data: string };

/** Where PoseidonT5 lives on every chain (src-sol/libraries/InputHash.sol, `POSEIDON_T5`). */
export const POSEIDON_T5_ADDRESS: Hex = '0x555333f3f677Ca3930Bf7c56ffc75144c51D9767';

function deployment(): Deployment {
  return (require('poseidon-solidity') as { PoseidonT5: Deployment }).PoseidonT5;
}

/**
 * Deploys PoseidonT5 at its deterministic address through the CREATE2 factory (`0x4e59b448…`, present on anvil and
 * most chains), unless it is there already: what a network needs before a model keyed by a Poseidon commitment of
 * its input can be registered (docs/PROTOCOL.md, "Input hashes"). Returns the address.
 */
export async function ensurePoseidonT5(signer: Signer & { provider: Provider | null }): Promise<Hex> {
  const d = deployment();
  if (d.address.toLowerCase() !== POSEIDON_T5_ADDRESS.toLowerCase())
    throw new AnvilError(`poseidon-solidity deploys PoseidonT5 at ${d.address}, not at ${POSEIDON_T5_ADDRESS} where the oracle calls it.`);
  const provider = signer.provider;
  if (!provider) throw new AnvilError('The signer has no provider.');
  if ((await provider.getCode(POSEIDON_T5_ADDRESS)) !== '0x') return POSEIDON_T5_ADDRESS;
  if ((await provider.getCode(d.proxyAddress)) === '0x')
    throw new AnvilError(`No CREATE2 factory at ${d.proxyAddress}: PoseidonT5 cannot be deployed at its address on this chain.`, {
      metaMessages: ['Deploy the factory first (its presigned transaction is in poseidon-solidity, `proxy.tx`).'],
    });
  const tx = await signer.sendTransaction({ to: d.proxyAddress, data: d.data });
  const receipt = await tx.wait();
  // The code is read at the receipt's block: a `latest` read could be answered from the provider's short cache of
  // the identical call above (ethers keeps it 250 ms), which still says there is no code.
  if (receipt?.status !== 1 || (await provider.getCode(POSEIDON_T5_ADDRESS, receipt.blockNumber)) === '0x')
    throw new AnvilError(`Deploying PoseidonT5 through ${d.proxyAddress} failed (transaction ${tx.hash}).`);
  return POSEIDON_T5_ADDRESS;
}
