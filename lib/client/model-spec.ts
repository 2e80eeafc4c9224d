import { VaiError } from '../errors.js';
import type { AnyModelDir } from '../model/model-dir.js';
import { ZERO_ADDRESS as NO_VERIFIER } from '../protocol/index.js';
import { encodeModel, type GraphManifest, type ModelManifest } from '../semantics/index.js';

/** The registry's limits on a model's request and answer lengths (src-sol/libraries/ProtocolConstants.sol). */
export const REGISTRY_LIMITS = { maxInputLength: 4096, maxOutputLength: 1024 } as const;

/** A model the registry would refuse: said before a transaction is built. */
export class ModelSpecError extends VaiError {
  override name = 'ModelSpecError';
}

/**
 * The registry's `ModelSpec` for a model manifest (chain or graph), with the economic terms chosen by the
 * registrant. Throws {@link ModelSpecError} for lengths the registry refuses.
 */
export function modelSpec(
  manifest: ModelManifest | GraphManifest,
  terms: { challengeWindow: number; minBond: bigint; fee: bigint; verifier?: string | undefined },
) {
  if (manifest.inputLength > REGISTRY_LIMITS.maxInputLength || manifest.outputLength > REGISTRY_LIMITS.maxOutputLength) {
    throw new ModelSpecError(
      `Model ${manifest.name} takes ${manifest.inputLength} values and answers ${manifest.outputLength}; the registry takes at most ${REGISTRY_LIMITS.maxInputLength} and ${REGISTRY_LIMITS.maxOutputLength}.`,
    );
  }
  return {
    modelHash: manifest.modelHash,
    inputLength: manifest.inputLength,
    outputLength: manifest.outputLength,
    inputMin: BigInt(manifest.inputRange[0]),
    inputMax: BigInt(manifest.inputRange[1]),
    scaleBits: manifest.scaleBits,
    outputKind: manifest.outputKind === 'argmax' ? 1 : 0,
    verifier: terms.verifier ?? NO_VERIFIER,
    challengeWindow: terms.challengeWindow,
    minBond: terms.minBond,
    fee: terms.fee,
  };
}

/**
 * The `weights` argument of `registerModel`: a chain model's canonical encoding, which the registry stores and
 * the oracle re-executes in a dispute; empty for a graph model, whose weights stay off chain (the registry's
 * `weights.length == 0` path), so its disputes are settled by a proof or by arbitration.
 */
export function registrationWeights(m: AnyModelDir): Uint8Array {
  return m.kind === 'chain' ? encodeModel(m.model) : new Uint8Array();
}
