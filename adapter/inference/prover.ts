import type { Hex } from '../../lib/semantics/index.js';
import type { LoadedModel } from './catalog.js';

/** Makes a zero-knowledge proof that `model` maps `input` to `output` (the verifier's `proof` bytes). */
export interface Prover {
  /** True when the model has a circuit and proving key this prover can use. */
  canProve(model: LoadedModel): boolean;
  /**
   * A proof bound to `prover`, the address that will submit it: the oracle verifies it against its
   * `msg.sender`, so the proof is worthless to anyone who copies it from the mempool.
   */
  prove(model: LoadedModel, input: readonly bigint[], output: readonly bigint[], prover: Hex): Promise<Hex>;
  close?(): Promise<void>;
}
