import type { Hex, IntModel } from '../semantics/types.js';

const ZERO = /^0x0{40}$/i;

// Which way a dispute about a chain model is settled when no proof settles it: on-chain re-execution of the whole
// model in one transaction, or the bisection game over the parties' traces (docs/PROTOCOL.md, "Bisection"). Pure.

/**
 * Gas of `resolveByReexecution` for a chain model, estimated from its size: a fixed part (the dispute's checks,
 * settlement and storage) plus a price per multiply-accumulate (reading the weights from the SSTORE2 contract,
 * decoding and the arithmetic in `IntegerModel`). Calibrated on measured figures: 184,420 gas for the 2→3→2 model
 * (12 MACs, the gas benchmark) and 1,595,386 to 1,641,375 for the 64→32→10 digits model (2,368 MACs, the gas and
 * bisection benchmarks, two inputs), which gives about 600 to 620 gas a MAC and 177,000 fixed; rounded up (640),
 * so that the estimate errs on the side of bisecting.
 */
export const REEXECUTION_FIXED_GAS = 180_000n;
export const REEXECUTION_GAS_PER_MAC = 640n;

/** The multiply-accumulates of one inference of a chain model. */
export function modelMacs(model: IntModel): bigint {
  return model.layers.reduce((sum, l) => sum + BigInt(l.inDim) * BigInt(l.outDim), 0n);
}

/** {@link REEXECUTION_FIXED_GAS} + {@link REEXECUTION_GAS_PER_MAC} × MACs: what re-executing `model` on chain costs. */
export function estimateReexecutionGas(model: IntModel): bigint {
  return REEXECUTION_FIXED_GAS + REEXECUTION_GAS_PER_MAC * modelMacs(model);
}

/**
 * The largest transaction a node sends in a dispute: 10 M gas fits an L1 block (30–36 M) with room for others, and
 * the block limit of the common L2s. A re-execution above it is not attempted: the game is played instead.
 */
export const DISPUTE_TX_GAS_CAP = 10_000_000n;

export type DisputeWayInput = {
  /** The registry holds the model's steps commitment (`stepsCommitmentOf(modelId).count > 0`). */
  stepsCommitted: boolean;
  /**
   * A generation model (an integer graph), whose steps only the registry's graph step executor runs
   * (`StepsCommitment.executor`); default a chain model, whose steps the bisection module runs itself.
   */
  graph?: { stepExecutor: Hex };
  /** The model's weights are on chain (re-execution is possible at all). */
  weightsOnChain: boolean;
  /** Estimated gas of re-executing the model ({@link estimateReexecutionGas}). */
  reexecutionGas: bigint;
  /** Largest transaction to send (default {@link DISPUTE_TX_GAS_CAP}). */
  txGasCap?: bigint;
};

/**
 * Whether a dispute that no proof settles is played as a bisection game rather than re-executed: the model must
 * have a steps commitment, and either no weights on chain (nothing to re-execute; the arbitrator would be left) or a
 * re-execution above the cap (it would not fit a block, or would cost more than the game's worst case). A graph
 * model's commitment must also name its step executor: without one its last step could not be executed.
 */
export function disputeByBisection(input: DisputeWayInput): boolean {
  if (!input.stepsCommitted) return false;
  if (input.graph && ZERO.test(input.graph.stepExecutor)) return false;
  return !input.weightsOnChain || input.reexecutionGas > (input.txGasCap ?? DISPUTE_TX_GAS_CAP);
}
