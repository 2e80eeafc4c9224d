import { VaiError } from '../errors.js';

/** Errors of the zero-knowledge pipeline (circuit generation, set-up, proving, verification). */
export class ZkError extends VaiError {
  override name = 'ZkError';
}

/** circom2 refused or crashed on a generated circuit. */
export class CircuitCompileError extends ZkError {
  override name = 'CircuitCompileError';
}

/** A model that the circuit compiler cannot express (for example a value range wider than the field allows). */
export class CircuitLayoutError extends ZkError {
  override name = 'CircuitLayoutError';
}

/** Powers of tau or Groth16 set-up failed, or a set-up artifact is missing, stale or inconsistent. */
export class ZkSetupError extends ZkError {
  override name = 'ZkSetupError';
}

/** The set-up artifacts of a model directory are missing or were made for another model. */
export class ZkArtifactError extends ZkError {
  override name = 'ZkArtifactError';
}

/** Witness generation or proving failed. */
export class ProofGenerationError extends ZkError {
  override name = 'ProofGenerationError';
}

/** The circuit's output differs from the reference executor: a compiler bug, never a user error. */
export class WitnessMismatchError extends ZkError {
  override name = 'WitnessMismatchError';
  constructor(
    readonly expected: readonly bigint[],
    readonly actual: readonly bigint[],
  ) {
    super('The circuit computed a different output than the reference executor.', {
      details: `reference [${expected.join(', ')}], circuit [${actual.join(', ')}]`,
      metaMessages: ['This is a bug in the circuit compiler: report it with the model and the input.'],
    });
  }
}

/** A proof file or its public signals are malformed. */
export class ProofFormatError extends ZkError {
  override name = 'ProofFormatError';
}

/** The prover address a proof is bound to is not a 20-byte address. */
export class ProverAddressError extends ZkError {
  override name = 'ProverAddressError';
}
