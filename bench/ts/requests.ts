// Request load for the node benchmarks: `requestInference` transactions with distinct pseudo-random inputs (no cache
// hits), pre-signed by several wallets so that the harness can offer them as fast as the RPC takes them.
import { Transaction, Wallet, type JsonRpcProvider } from 'ethers';
import { InferenceOracle__factory } from '../../typechain/index.js';
import { ANVIL_KEYS } from '../../test/ts/node/helpers/anvil.js';
import { FEE } from '../../test/ts/node/helpers/protocol.js';

export type RequestLoad = {
  provider: JsonRpcProvider;
  oracle: string;
  modelId: bigint;
  count: number;
  /** Wallets signing in turn (anvil accounts 2, 3, …). */
  wallets: number;
  inputLength: number;
  /** The model's input range: every value is drawn in it. */
  range: readonly [bigint, bigint];
  seed: number;
};

/** `count` signed raw transactions, wallet `i % wallets` signing the `i`-th with its next nonce. */
export async function presignRequests(o: RequestLoad): Promise<string[]> {
  const iface = InferenceOracle__factory.createInterface();
  const wallets = Array.from({ length: o.wallets }, (_, i) => new Wallet(ANVIL_KEYS[2 + i] ?? Wallet.createRandom().privateKey));
  const nonces = await Promise.all(wallets.map((w) => o.provider.getTransactionCount(w.address)));
  const feeData = await o.provider.getFeeData();
  const [lo, hi] = o.range;
  let seed = o.seed;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: o.count }, (_, i) => {
    const w = i % o.wallets;
    const input = Array.from({ length: o.inputLength }, () => lo + BigInt(Math.floor(rand() * Number(hi - lo + 1n))));
    const tx = Transaction.from({
      type: 2,
      chainId: 31337n,
      nonce: nonces[w]!++,
      to: o.oracle,
      value: FEE,
      gasLimit: 400_000n,
      maxFeePerGas: (feeData.maxFeePerGas ?? 2_000_000_000n) * 4n,
      maxPriorityFeePerGas: feeData.maxPriorityFeePerGas ?? 1_000_000n,
      data: iface.encodeFunctionData('requestInference', [o.modelId, input, 0, 0]),
    });
    tx.signature = wallets[w]!.signingKey.sign(tx.unsignedHash);
    return tx.serialized;
  });
}
