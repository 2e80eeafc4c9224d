import { AbiCoder, hexlify, keccak256 } from 'ethers';
import { VaiError } from '../errors.js';
import type { Generation } from '../semantics/generation.js';
import type { GraphStepsCommitment } from '../semantics/graph-steps.js';
import { type GraphStepWitness, graphStepWitness } from '../semantics/graph-trace.js';
import type { IntGraph } from '../semantics/graph.js';
import { merkleProof } from '../semantics/merkle.js';
import type { Hex } from '../semantics/types.js';

// The last move of a generation model's bisection game (docs/PROTOCOL.md, "Bisection"): what
// `IBisection.executeStepWithWitness` takes besides the request's terms and proposal. Pure.

/**
 * `GraphStep.Witness` as the step executor decodes it (`abi.decode(witness, (GraphStep.Witness))`): the rows a node
 * step reads with every row hash of their tensors, the row hashes of the tensor it writes (of the logits for an
 * argmax step) and the logits row an argmax step reads.
 */
export const GRAPH_STEP_WITNESS_ABI =
  'tuple(tuple(bytes32[] rowHashes, uint256 lo, uint256 hi, int256[] values)[] inputs, bytes32[] outputRowHashes, int256[] logitsRow)';

/** A step witness without its pre-state (which is sent as `pre`), as `abi.encode` gives it to the executor. */
export type EncodedWitness = Omit<GraphStepWitness, 'pre'>;

export class GraphStepCallError extends VaiError {
  override name = 'GraphStepCallError';
}

/** `abi.encode(GraphStep.Witness)` of a step witness (its `pre` is not part of it). */
export function encodeGraphStepWitness(witness: EncodedWitness): Hex {
  const value = {
    inputs: witness.inputs.map((t) => ({ rowHashes: t.rowHashes, lo: BigInt(t.lo), hi: BigInt(t.hi), values: t.values })),
    outputRowHashes: witness.outputRowHashes,
    logitsRow: witness.logitsRow,
  };
  return AbiCoder.defaultAbiCoder().encode([GRAPH_STEP_WITNESS_ABI], [value]) as Hex;
}

/** The witness `data` encodes ({@link encodeGraphStepWitness}'s inverse). */
export function decodeGraphStepWitness(data: Hex): EncodedWitness {
  // Read by position: a decoded struct is an array, and its `values` field would read as the array's method.
  type Rows = [Hex[], bigint, bigint, bigint[]];
  const [inputs, outputRowHashes, logitsRow] = AbiCoder.defaultAbiCoder().decode([GRAPH_STEP_WITNESS_ABI], data)[0] as [Rows[], Hex[], bigint[]];
  return {
    inputs: [...inputs].map(([rowHashes, lo, hi, values]) => ({ rowHashes: [...rowHashes], lo: Number(lo), hi: Number(hi), values: [...values] })),
    outputRowHashes: [...outputRowHashes],
    logitsRow: [...logitsRow],
  };
}

/** The arguments of `executeStepWithWitness` that the step decides: `weights`, `pre` and `witness`. */
export type GraphStepCall = {
  /** `StepWeights`: the step's VGS1 encoding and its Merkle proof against the model's steps root. */
  weights: { encoding: Hex; proof: Hex[] };
  /** The words of the agreed state before the step (for step 0, the request input). */
  pre: bigint[];
  /** `abi.encode(GraphStep.Witness)`. */
  witness: Hex;
};

/**
 * The call data of step `step` of the trace of `input` (`graphTraceCommitment`): its encoding proven against
 * `commitment` (`graphStepsCommitment`, the root the registry holds), the state before it and its witness. It walks
 * the trace up to the step (up to a whole trace's time for the last step).
 */
export function graphStepCall(p: {
  graph: IntGraph;
  gen: Generation;
  input: readonly bigint[];
  step: number;
  commitment: GraphStepsCommitment;
}): GraphStepCall {
  const { graph, gen, input, step, commitment } = p;
  if (!commitment.plan.steps[step]) throw new GraphStepCallError(`Step ${step} does not exist: the model has ${commitment.plan.steps.length} steps.`);
  const { encoding, witness } = graphStepWitness(graph, gen, input, step);
  const { pre, ...rest } = witness;
  if (keccak256(encoding) !== commitment.leaves[step])
    throw new GraphStepCallError(`Step ${step}'s encoding is not the one the steps commitment holds: the commitment is of another model or generation.`);
  return { weights: { encoding: hexlify(encoding) as Hex, proof: merkleProof(commitment.leaves, step) }, pre, witness: encodeGraphStepWitness(rest) };
}
