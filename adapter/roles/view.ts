import type { Hex } from '../../lib/semantics/index.js';
import type { ModelInfo, OracleGateway, StepsCommitmentInfo } from '../chain/oracle.js';
import type { BisectionGame, RequestState } from '../../lib/protocol/index.js';
import type { OwedCallback, RequestRecord } from '../store/types.js';
import type { LoadedModel } from '../inference/catalog.js';
import type { Job } from '../store/types.js';
import type { Action, Inference } from './actions.js';
import type { RoleConfig } from './context.js';
import type { GraphTraces } from './graph-traces.js';
import type { ServedModel } from './model-resolver.js';
import type { BatchEntry } from './state.js';

/** The request's record on chain: its state and time field (Proposed: window end; Disputed: dispute start). */
export type OnChainRecord = { state: RequestState; time: bigint };

/**
 * What a decision may read about its job's request, and nothing else: the mirror of the events, the chain's
 * answers, the served models and the node's memory. Read-only: a decision changes nothing, its action does.
 */
export interface JobView {
  /** The request as learnt from the events. */
  request(): Promise<RequestRecord | undefined>;
  /** The callback the oracle owes for the request, as learnt from the events. */
  callback(): Promise<OwedCallback | undefined>;
  /** The request's record on chain now. */
  onChain(): Promise<OnChainRecord>;
  /** The served model for an on-chain model id (undefined: not served here). */
  served(modelId: bigint): Promise<ServedModel | undefined>;
  /** Whether this node can prove the model's inferences. */
  canProve(model: LoadedModel): boolean;
  /** The registry's record of a model. */
  model(modelId: bigint): Promise<ModelInfo>;
  /** The registry's steps commitment of a model (`count` 0: its disputes cannot be bisected). */
  stepsCommitment(modelId: bigint): Promise<StepsCommitmentInfo>;
  /** Generation models' traces for their bisection games, computed once in the background and kept (in memory). */
  graphTraces(): GraphTraces;
  /** The request's bisection game on chain now (phase `None`: none). */
  bisection(): Promise<BisectionGame>;
  arbitrator(): Promise<Hex>;
  /** Chain time: the latest block the follower saw (undefined before its first poll). */
  chainTime(): number | undefined;
  /** The latest block's time, asked from the RPC (when the follower has not read the head yet). */
  latestBlockTime(): Promise<number | undefined>;
  /** This node's unchallenged proposals whose window ends by `byChainTime` (per the events), oldest first. */
  maturedOwnProposals(byChainTime: number, limit: number): Promise<RequestRecord[]>;
  /** Request ids whose finalization a proposal in flight already carries. */
  carried(): ReadonlySet<string>;
  /**
   * The stake this node can still bond: the oracle's free stake (read once per run) minus the bonds of its own
   * proposals being sent or not settled yet (which the chain may not show), this request's excepted.
   */
  freeStake(): Promise<bigint>;
  /** Whether the arbitrator was already asked about this request's dispute. */
  arbitrationRequested(): boolean;
  /** The newest block the follower saw (undefined before its first poll). */
  chainHead(): number | undefined;
  /**
   * The batch sizes this node can prove a group in now: a batch set-up here and a batch verifier on chain for the
   * model's verifier version; empty when the group's last batch failed a moment ago.
   */
  batchSizes(model: LoadedModel, modelId: bigint, verifierVersion: bigint): Promise<readonly number[]>;
  /** The other requests of a group waiting for a batch (none that a batch in flight carries). */
  batchWaiting(modelId: bigint, verifierVersion: bigint): BatchEntry[];
  /** Whether a batch of this node in flight carries this request. */
  inBatch(): boolean;
  /** Seconds from deciding to prove a batch of K to its transaction mined, with margin. */
  batchLandingS(batchSize: number): number;
}

/** The oracle calls' encoders (pure: ABI encoding). */
export type OracleCalldata = OracleGateway['calldata'];

/** Everything a decision is given. */
export type DecisionInput = {
  job: Job;
  view: JobView;
  config: RoleConfig;
  calldata: OracleCalldata;
  /** The outcome of the `infer` action decided just before, if that was the last action. */
  inference?: Inference;
};

/** A role: the next step of one of its jobs. */
export type Decision = (input: DecisionInput) => Promise<Action>;
