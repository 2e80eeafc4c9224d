import { ZERO_ADDRESS as NO_VERIFIER } from '../protocol/index.js';
import type { ModelManifest } from '../semantics/index.js';

/** The registry's `ModelSpec` for a model manifest, with the economic terms chosen by the registrant. */
export function modelSpec(manifest: ModelManifest, terms: { challengeWindow: number; minBond: bigint; fee: bigint; verifier?: string | undefined }) {
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
