import type { Hex } from '../semantics/types.js';

// The oracle's vocabulary as TypeScript sees it. Each enum list is in the order of its Solidity enum in
// src-sol/types/InferenceTypes.sol, so `LIST[Number(value)]` decodes a value read from the chain.

/** `RequestState`. */
export const REQUEST_STATES = ['None', 'Requested', 'Proposed', 'Disputed', 'Finalized', 'Failed', 'Expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** The states a request never leaves. */
export const TERMINAL_REQUEST_STATES: readonly RequestState[] = ['Finalized', 'Failed', 'Expired'];

/** The state named by an enum value read from the chain (`None` for an unknown one). */
export const toRequestState = (v: bigint | number): RequestState => REQUEST_STATES[Number(v)] ?? 'None';

export const isTerminalRequestState = (state: RequestState): boolean => TERMINAL_REQUEST_STATES.includes(state);

/** `InferenceError`: why a request failed. */
export const ERROR_CODES = ['None', 'InvalidInputLength', 'InputOutOfRange', 'NoProposal', 'ClaimsRejected'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * `Provenance`: how a result was settled, weakest evidence first. A request's `accepts` is a bitmask of
 * `1 << index`; zero accepts any.
 */
export const PROVENANCES = ['None', 'Optimistic', 'Arbitration', 'Reexecution', 'Proof'] as const;
export type Provenance = (typeof PROVENANCES)[number];

/** The provenance named by an enum value (`None` for an unknown one). */
export const toProvenance = (v: bigint | number): Provenance => PROVENANCES[Number(v)] ?? 'None';

/** The `accepts` bitmask of a list of provenances (an empty list accepts any: 0). */
export function acceptsMask(provenances: readonly Provenance[]): number {
  return provenances.reduce((mask, p) => mask | (1 << PROVENANCES.indexOf(p)), 0);
}

/** Whether a request's `accepts` bitmask allows provenance `p`. */
export function accepts(mask: bigint | number, p: Provenance): boolean {
  const m = BigInt(mask);
  return m === 0n || (m & (1n << BigInt(PROVENANCES.indexOf(p)))) !== 0n;
}

/** The provenances a bitmask names (empty for 0, which accepts any). */
export function acceptedProvenances(mask: bigint | number): Provenance[] {
  const m = BigInt(mask);
  return PROVENANCES.filter((_, i) => i > 0 && (m & (1n << BigInt(i))) !== 0n);
}

/** `RequestTerms`: fixed at request time, re-supplied in calldata by every later call. */
export type RequestTerms = {
  requester: Hex;
  modelId: bigint;
  callbackGasLimit: bigint;
  fee: bigint;
  bond: bigint;
  challengeWindow: bigint;
  outputLength: bigint;
  deadline: bigint;
  inputHash: Hex;
  /** Seconds a dispute stays open to resolution once challenged (then anyone may `expireDispute`). */
  disputeWindow: bigint;
  /** The model's verifier version at request time (0: none); proofs for the request are checked by it. */
  verifierVersion: bigint;
  /** Bitmask of `1 << Provenance` the requester accepts (0: any). */
  accepts: bigint;
};

/**
 * `Proposal`: who proposed which output hash; who challenged it (zero address if nobody) and the output the
 * challenger says is right (`claimHash`, zero if unchallenged).
 */
export type Proposal = { proposer: Hex; challenger: Hex; outputHash: Hex; claimHash: Hex };

/** `MaturedProposal`: a proposal past its window, finalized inside `proposeAndFinalize` (the `finalize` arguments). */
export type MaturedProposal = { requestId: bigint; terms: RequestTerms; proposal: Proposal; output: readonly bigint[] };
