import { type Hex, type RequestTerms, ZERO_HASH } from '../../../../lib/protocol/index.js';

/** This node's address and another account's, for decision and executor tests that run without a chain. */
export const ME = `0x${'11'.repeat(20)}` as Hex;
export const OTHER = `0x${'22'.repeat(20)}` as Hex;

/** Request terms for tests without a chain: a two-value output, a 60 s window, one hour to settle a dispute. */
export function requestTerms(overrides: Partial<RequestTerms> = {}): RequestTerms {
  return {
    requester: OTHER,
    modelId: 1n,
    callbackGasLimit: 200_000n,
    fee: 10n,
    bond: 100n,
    challengeWindow: 60n,
    outputLength: 2n,
    deadline: 2_000n,
    inputHash: ZERO_HASH,
    disputeWindow: 3600n,
    verifierVersion: 0n,
    accepts: 0n,
    ...overrides,
  };
}
