import type { JsonRpcProvider } from 'ethers';
import type { Hex } from '../../lib/semantics/index.js';
import type { OracleGateway } from '../chain/oracle.js';
import type { TxSender } from '../chain/sender.js';
import type { Role } from '../config.js';
import type { InferenceService } from '../inference/service.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';
import type { NodeStores } from '../store/types.js';
import type { GraphTraces } from './graph-traces.js';
import type { ModelResolver } from './model-resolver.js';
import type { ArbitrationRequest, BatchPool, BondLedger, CarriedFinalizations } from './state.js';

/** What the operator chose: fixed for the life of the node. */
export type RoleConfig = {
  address: Hex;
  roles: readonly Role[];
  prove: boolean;
  /** Proofs are made by prove workers sharing the database (`store.proofs`), not by this process. */
  proveWorkers: boolean;
  /** Test-only: the proposer lies (config refuses it unless VAI_UNSAFE_TEST_OPTIONS=1). */
  corruptOutput: boolean;
  /** Longest wait before a time-bound job looks at the chain clock again (chain time can jump). */
  recheckMs: number;
  /** Own matured proposals finalized inside each new proposal (`proposeAndFinalize`); 0 turns it off. */
  finalizeBatch: number;
  /** Seconds past its window an own proposal waits for a new proposal to carry its finalization. */
  finalizeGraceS: number;
  /**
   * Blocks the oldest request of a group may wait for a batch proof to fill (models with batch set-ups and batch
   * verifiers on chain only); 0: prove whatever is waiting at once, in the smallest batch that holds it.
   */
  batchWaitBlocks: number;
  /** The chain's block time (s), for the batches' deadline arithmetic. */
  blockTimeS: number;
  /** Largest gas limit of an owed callback delivered for a request this node did not settle (its own: any). */
  maxCallbackGas: number;
};

/** What the roles act through: the store, the chain, the models, and what observes them. */
export type RoleServices = {
  store: NodeStores;
  oracle: OracleGateway;
  sender: TxSender;
  inference: InferenceService;
  provider: JsonRpcProvider;
  logger: Logger;
  metrics: NodeMetrics;
  models: ModelResolver;
};

/** What the node keeps in memory while it runs (lost on restart, and nothing depends on keeping it). */
export type RoleState = {
  /** Gas limits learnt per call shape for fixed-cost calls (see `submit.ts`). */
  gasByShape: Map<string, bigint>;
  /** Matured proposals already attached to a proposal in flight. */
  carried: CarriedFinalizations;
  /** Disputes this node cannot settle itself and hands to the arbitrator, by request id. */
  arbitrationRequests: Map<string, ArbitrationRequest>;
  /** Bonds of own proposals the chain's free stake may not show yet, and the requests held for stake. */
  bonds: BondLedger;
  /** Requests waiting for a batch, and batches in flight. */
  batches: BatchPool;
  /** Generation models' traces for their bisection games (recomputed after a restart). */
  graphTraces: GraphTraces;
  /** The newest block the follower saw (undefined before its first poll). */
  chainHead: () => number | undefined;
  /** Chain time: the timestamp of the latest block the follower saw (undefined before the first poll). */
  chainTime: () => number | undefined;
};

/** Everything the roles' executor and the event handler need; built once by the composition root (`adapter/node.ts`). */
export type RoleContext = { config: RoleConfig; services: RoleServices; state: RoleState };
