import type { Hex } from '../../lib/semantics/index.js';
import type { BisectionGame } from '../../lib/protocol/index.js';
import type { ModelInfo, StepsCommitmentInfo } from '../chain/oracle.js';
import type { OwedCallback, RequestRecord } from '../store/types.js';
import type { RoleContext } from './context.js';
import type { ServedModel } from './model-resolver.js';
import type { JobView, OnChainRecord } from './view.js';

/** Reads once, then answers the same (a failed read fails the run, which ends there). */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= read());
}

function oncePerKey<K, T>(read: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const values = new Map<K, Promise<T>>();
  return (key) => {
    let value = values.get(key);
    if (!value) {
      value = read(key);
      values.set(key, value);
    }
    return value;
  };
}

/**
 * The {@link JobView} of one run of one job: what it reads from the store, the chain and the clock is read once and
 * kept for the run, so that the decisions taken one after the other in a run (after inference, after a proof that
 * could not be made) see the same request, the same on-chain record and the same chain time, as one pass would.
 * Matured proposals and the node's memory (carried finalizations, arbitration requests) are read live: other jobs
 * change them meanwhile.
 */
export function liveJobView(ctx: RoleContext, requestId: bigint): JobView {
  const { config, services, state } = ctx;
  let chainTime: { value: number | undefined } | undefined;
  return {
    request: once<RequestRecord | undefined>(() => services.store.requests.getRequest(requestId)),
    callback: once<OwedCallback | undefined>(() => services.store.requests.getCallback(requestId)),
    onChain: once<OnChainRecord>(() => services.oracle.requestRecord(requestId)),
    served: oncePerKey<bigint, ServedModel | undefined>((modelId) => services.models.served(modelId)),
    canProve: (model) => services.inference.canProve(model),
    // Straight from the registry (not the resolver's cache), as the resolver decides whether weights are on chain.
    model: oncePerKey<bigint, ModelInfo>((modelId) => services.oracle.model(modelId)),
    arbitrator: once<Hex>(() => services.oracle.arbitrator()),
    stepsCommitment: oncePerKey<bigint, StepsCommitmentInfo>((modelId) => services.oracle.stepsCommitment(modelId)),
    bisection: once<BisectionGame>(() => services.oracle.bisection(requestId)),
    graphTraces: () => state.graphTraces,
    chainTime: () => {
      chainTime ??= { value: state.chainTime() };
      return chainTime.value;
    },
    latestBlockTime: once(async () => (await services.provider.getBlock('latest'))?.timestamp),
    // Read when a proposal is about to be sent (not kept: a retry after a concurrent claim reads again).
    maturedOwnProposals: (byChainTime, limit) => services.store.requests.maturedProposals(config.address, byChainTime, limit),
    carried: () => state.carried.active(),
    freeStake: once(async () => {
      // Read at the newest block the node knows of, so that the ledger can tell which of its bonds it already shows.
      const head = state.bonds.chainHead();
      const free = await state.bonds.freeAt(head, async (tag) => (await services.oracle.stakeOf(config.address, tag)).free);
      return free - state.bonds.inFlight(requestId.toString(), head);
    }),
    arbitrationRequested: () => state.arbitrationRequests.has(requestId.toString()),
    chainHead: () => state.chainHead(),
    batchSizes: async (model, modelId, verifierVersion) => {
      const local = services.inference.batchSizes(model);
      if (local.length === 0 || state.batches.isBroken(modelId, verifierVersion)) return [];
      let onChain = state.batches.verifierSizes(modelId, verifierVersion);
      if (!onChain) {
        const verifiers = await Promise.all(local.map((k) => services.oracle.batchVerifierOf(modelId, verifierVersion, k)));
        onChain = local.filter((_, i) => BigInt(verifiers[i]!) !== 0n);
        state.batches.setVerifierSizes(modelId, verifierVersion, onChain);
      }
      return onChain;
    },
    batchWaiting: (modelId, verifierVersion) => state.batches.waiting(modelId, verifierVersion).filter((e) => e.requestId !== requestId),
    inBatch: () => state.batches.inFlight(requestId.toString()),
    // The longest proof of that size seen (a minute before the first), then a few blocks to be mined.
    batchLandingS: (batchSize) => (state.batches.provingS(batchSize) ?? 60) * 1.5 + 3 * config.blockTimeS,
  };
}
