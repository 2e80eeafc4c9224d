import type { Groth16Proof } from 'snarkjs';

/** A message to the proving worker. */
export type ProveJob = {
  id: number;
  wasm: string;
  zkey: string;
  /** The circuit's inputs as decimal strings: `inPacked` (an array) and `prover` (one field element). */
  circuitInput: Record<string, string | string[]>;
};

/** The worker's answer to one {@link ProveJob}. */
export type ProveReply =
  | { id: number; ok: true; proof: Groth16Proof; publicSignals: string[]; witnessMs: number; proveMs: number }
  | { id: number; ok: false; error: string };
