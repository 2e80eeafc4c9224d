import type { JsonRpcProvider } from 'ethers';
import type { Hex } from '../lib/protocol/index.js';
import type { OracleGateway, OperatorStake } from './chain/oracle.js';
import { ChainError, NodeConfigError } from './errors.js';
import type { ModelCatalog } from './inference/catalog.js';

/** What the start-up checks learnt: logged, and the served models' on-chain ids are aliases in the catalog. */
export type StartupFacts = {
  registry: Hex;
  stake: OperatorStake;
  /** Each served model and the registry ids that carry its hash. */
  models: Array<{ name: string; modelHash: Hex; modelIds: string[]; deprecated: boolean }>;
};

export type StartupCheckInput = {
  provider: JsonRpcProvider;
  oracle: OracleGateway;
  chainId: bigint;
  /** The chain the operator asked for (`--chain-id`), if any. */
  expectedChainId?: bigint | undefined;
  catalog: ModelCatalog;
  address: Hex;
};

/** An RPC failure during a check, as one line (a check that cannot be made is not a check that passed). */
async function ask<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof NodeConfigError) throw err;
    const reason = String((err as { shortMessage?: string }).shortMessage ?? (err as Error).message).split('\n')[0];
    throw new ChainError(`Start-up check failed: cannot read ${what} (${reason}).`, { cause: err, metaMessages: ['Check that --rpc answers and try again.'] });
  }
}

/**
 * The checks made before the node runs, so that a wrong setting fails at once with one line instead of a node that
 * runs and does nothing: the chain is the one asked for, the oracle address holds a contract that answers the
 * oracle's views, and every served model is registered with the same model hash (the registry is the only place
 * that links a request's `modelId` to a model; a served model it does not know would never be asked for).
 */
export async function startupChecks(input: StartupCheckInput): Promise<StartupFacts> {
  const { provider, oracle, chainId, expectedChainId, catalog, address } = input;
  if (expectedChainId !== undefined && expectedChainId !== chainId) {
    throw new NodeConfigError(`[Param: chain-id] The RPC is on chain ${chainId}, not ${expectedChainId}.`, {
      metaMessages: [`Point --rpc at chain ${expectedChainId}, or drop --chain-id.`],
    });
  }
  const code = await ask(`the code at ${oracle.address}`, () => provider.getCode(oracle.address));
  if (code === '0x') {
    throw new NodeConfigError(`[Param: oracle] There is no contract at ${oracle.address} on chain ${chainId}.`, {
      metaMessages: ['Check --oracle (or --deployment) and that --rpc is the chain the oracle was deployed on.'],
    });
  }
  let registry: Hex;
  let stake: OperatorStake;
  try {
    [registry, stake] = await Promise.all([oracle.registryAddress(), oracle.stakeOf(address)]);
  } catch (err) {
    throw new NodeConfigError(`[Param: oracle] The contract at ${oracle.address} does not answer the InferenceOracle's views (addresses, stakeOf).`, {
      cause: err,
      metaMessages: ['Pass the address of the oracle proxy (the deployment file names it), not of another contract.'],
    });
  }
  const registered = await ask(`the models of the registry ${registry}`, () => oracle.registeredModels());
  const models = catalog.models.map((m) => {
    const matches = registered.filter((r) => r.modelHash.toLowerCase() === m.modelHash.toLowerCase());
    if (matches.length === 0) {
      throw new NodeConfigError(`[Param: models] Model ${m.name} (${m.modelHash}) is not registered: no model of the registry ${registry} has its hash.`, {
        metaMessages: [
          `Serve the folder of the version that is registered (its model.json names the hash), or register this one (${registered.length} models are registered).`,
        ],
      });
    }
    for (const r of matches) catalog.alias(`id:${r.modelId}`, r.modelHash);
    return { name: m.name, modelHash: m.modelHash, modelIds: matches.map((r) => r.modelId.toString()), deprecated: matches.every((r) => r.deprecated) };
  });
  return { registry, stake, models };
}
