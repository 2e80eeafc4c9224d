import type { Hex } from '../../lib/semantics/index.js';
import type { LoadedModel } from './catalog.js';

/** One Groth16 proof of K inferences: the verifier's packed public signals but the prover, and the proof bytes. */
export type BatchProof = { batchSize: number; signals: bigint[]; proof: Hex };

/** Makes a zero-knowledge proof that `model` maps `input` to `output` (the verifier's `proof` bytes). */
export interface Prover {
  /** True when the model has a circuit and proving key this prover can use. */
  canProve(model: LoadedModel): boolean;
  /**
   * A proof bound to `prover`, the address that will submit it: the oracle verifies it against its
   * `msg.sender`, so the proof is worthless to anyone who copies it from the mempool.
   */
  prove(model: LoadedModel, input: readonly bigint[], output: readonly bigint[], prover: Hex): Promise<Hex>;
  /** The batch sizes K with a batch set-up here (`vai zk setup --batch K`), ascending; none: no batches. */
  batchSizes?(model: LoadedModel): readonly number[];
  /**
   * One proof that `model` maps each of `inputs` to `outputs[i]`, with the batch set-up of `batchSize` (1 to K inputs;
   * the rest of the slots are padding), bound to `prover` like {@link prove}.
   */
  proveBatch?(
    model: LoadedModel,
    inputs: readonly (readonly bigint[])[],
    outputs: readonly (readonly bigint[])[],
    prover: Hex,
    batchSize: number,
  ): Promise<BatchProof>;
  close?(): Promise<void>;
}
