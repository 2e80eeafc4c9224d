import type { Log } from 'ethers';
import type { Hex, InputHashKind } from '../../lib/semantics/index.js';
import type { OracleEvent } from './types.js';
import type { BisectionGame, MaturedProposal, Proposal, RequestState, RequestTerms, TraceLeaf, TraceRoot } from '../../lib/protocol/index.js';

/** What the registry says about a model. */
export type ModelInfo = {
  modelId: bigint;
  modelHash: Hex;
  /** The ZK verifier (zero address: none). */
  verifier: Hex;
  /** The SSTORE2 pointer of the on-chain weights (zero address: not re-executable on chain). */
  weights: Hex;
  deprecated: boolean;
  /** What its requests' `inputHash` is (docs/PROTOCOL.md, "Input hashes"): a `poseidon` model's proofs carry no input. */
  inputHashKind: InputHashKind;
};

/** An operator's stake in the oracle: `free` backs new bonds, `locked` is held by open proposals and challenges. */
export type OperatorStake = { free: bigint; locked: bigint };

/**
 * The registry's per-step weight commitment of a model (`count` 0: none, its disputes cannot be bisected);
 * `executor` runs a graph model's steps (`IStepExecutor`; the zero address for a chain model, whose steps the
 * bisection module runs itself).
 */
export type StepsCommitmentInfo = { root: Hex; count: number; executor: Hex };

/** A custom error decoded from revert data. */
export type DecodedRevert = { name: string; args: readonly unknown[] };

/**
 * The node's port to the InferenceOracle (and its registry): event decoding, the views it needs, and
 * calldata for every action, the dispute functions included (the oracle proxy answers them through its dispute
 * module). The ethers + typechain implementation is `EthersOracleGateway`.
 */
export interface OracleGateway {
  readonly address: Hex;
  decode(log: Log): OracleEvent | undefined;
  /** The stored state and time field (Proposed: window end; Disputed: dispute start; Requested: deadline). */
  requestRecord(requestId: bigint): Promise<{ state: RequestState; time: bigint }>;
  model(modelId: bigint): Promise<ModelInfo>;
  /** The registry's address (read through the oracle's `addresses()`). */
  registryAddress(): Promise<Hex>;
  /** Every model the registry holds (ids 1..modelCount), read at start-up to check the served models. */
  registeredModels(): Promise<ModelInfo[]>;
  /** The operator's stake at `blockTag` (default: the latest block). */
  stakeOf(operator: Hex, blockTag?: number): Promise<OperatorStake>;
  arbitrator(): Promise<Hex>;
  /** The batch verifier of K for a model's verifier version (the zero address: none). */
  batchVerifierOf(modelId: bigint, verifierVersion: bigint, batchSize: number): Promise<Hex>;
  decodeRevert(data: string): DecodedRevert | undefined;
  /** The model's steps commitment in the registry (`stepsCommitmentOf`). */
  stepsCommitment(modelId: bigint): Promise<StepsCommitmentInfo>;
  /** The bisection game of a request (`bisectionOf`; phase `None` when there is none). */
  bisection(requestId: bigint): Promise<BisectionGame>;
  calldata: {
    propose(requestId: bigint, terms: RequestTerms, output: readonly bigint[]): Hex;
    proposeAndFinalize(requestId: bigint, terms: RequestTerms, output: readonly bigint[], matured: readonly MaturedProposal[]): Hex;
    proposeWithProof(requestId: bigint, terms: RequestTerms, input: readonly bigint[], output: readonly bigint[], proof: Hex): Hex;
    /** `claimHash`: the output the challenger says is right, `keccak256(abi.encodePacked(output))`. */
    challenge(requestId: bigint, terms: RequestTerms, proposal: Proposal, claimHash: Hex): Hex;
    resolveWithProof(requestId: bigint, terms: RequestTerms, proposal: Proposal, input: readonly bigint[], output: readonly bigint[], proof: Hex): Hex;
    resolveByReexecution(requestId: bigint, terms: RequestTerms, proposal: Proposal, input: readonly bigint[]): Hex;
    resolveByArbitration(requestId: bigint, terms: RequestTerms, proposal: Proposal, output: readonly bigint[]): Hex;
    finalize(requestId: bigint, terms: RequestTerms, proposal: Proposal, output: readonly bigint[]): Hex;
    expire(requestId: bigint, terms: RequestTerms): Hex;
    /** Ends a dispute nobody settled within `terms.disputeWindow`: the proposal (`output`) stands. */
    expireDispute(requestId: bigint, terms: RequestTerms, proposal: Proposal, output: readonly bigint[]): Hex;
    deliverCallback(requestId: bigint, requester: Hex, gasLimit: bigint, data: Hex): Hex;
    /**
     * One Groth16 proof of K inferences finalizing `requests[i]` with slot i (`IBatches.proposeWithProofBatch`):
     * `signals` are the proof's packed public signals but the prover, `proof` its calldata.
     */
    proposeWithProofBatch(
      batch: { modelId: bigint; verifierVersion: bigint; batchSize: number; signals: readonly bigint[]; proof: Hex },
      requests: readonly { requestId: bigint; terms: RequestTerms }[],
    ): Hex;
    /** Optimistic proposals of many requests, one bond each, carrying matured finalizations (`IBatches.proposeBatch`). */
    proposeBatch(proposals: readonly { requestId: bigint; terms: RequestTerms; output: readonly bigint[] }[], matured: readonly MaturedProposal[]): Hex;
    /** Finalizes the matured proposals among `matured` (`IBatches.finalizeBatch`). */
    finalizeBatch(matured: readonly MaturedProposal[]): Hex;
    /** The bisection game's calls (`IBisection`), answered by the oracle proxy through its dispute module. */
    openBisection(requestId: bigint, terms: RequestTerms, proposal: Proposal, claimedOutput: readonly bigint[], trace: TraceRoot, mid: TraceLeaf): Hex;
    commitTrace(requestId: bigint, terms: RequestTerms, proposal: Proposal, trace: TraceRoot, atMid: TraceLeaf, atNext: TraceLeaf): Hex;
    bisect(requestId: bigint, atMid: TraceLeaf, atNext: TraceLeaf): Hex;
    /** `step`: the step's `VAS1` encoding with its proof against the steps root; `pre`: the agreed state. */
    executeStep(
      requestId: bigint,
      terms: RequestTerms,
      proposal: Proposal,
      step: { encoding: Hex; proof: readonly Hex[] },
      pre: readonly bigint[],
      output: readonly bigint[],
    ): Hex;
    /**
     * A graph model's last step (`IBisection.executeStepWithWitness`): `weights` its `VGS1` encoding with its proof,
     * `pre` the agreed state's words, `witness` `abi.encode(GraphStep.Witness)` (`graphStepCall`).
     */
    executeStepWithWitness(
      requestId: bigint,
      terms: RequestTerms,
      proposal: Proposal,
      weights: { encoding: Hex; proof: readonly Hex[] },
      pre: readonly bigint[],
      witness: Hex,
      output: readonly bigint[],
    ): Hex;
    timeoutBisection(requestId: bigint, terms: RequestTerms, proposal: Proposal, output: readonly bigint[]): Hex;
  };
}
