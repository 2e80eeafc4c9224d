import type { Hex } from '../../lib/semantics/index.js';

/** The oracle's request states (`RequestState` in src-sol/types/InferenceTypes.sol), in enum order. */
export const REQUEST_STATES = ['None', 'Requested', 'Proposed', 'Disputed', 'Finalized', 'Failed', 'Expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

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
};

/** `Proposal`: who proposed which output hash, and who challenged it (zero address if nobody). */
export type Proposal = { proposer: Hex; challenger: Hex; outputHash: Hex };

/** `MaturedProposal`: a proposal past its window, finalized inside `proposeAndFinalize` (the `finalize` arguments). */
export type MaturedProposal = { requestId: bigint; terms: RequestTerms; proposal: Proposal; output: readonly bigint[] };

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as Hex;

type LogMeta = { blockNumber: number; blockHash: Hex; logIndex: number; txHash: Hex };

/** The oracle events the node acts on, decoded. */
export type OracleEvent = LogMeta &
  (
    | { type: 'requested'; requestId: bigint; modelId: bigint; terms: RequestTerms; input: bigint[] }
    | { type: 'proposed'; requestId: bigint; proposer: Hex; outputHash: Hex; output: bigint[] }
    | { type: 'challenged'; requestId: bigint; challenger: Hex }
    | { type: 'resolved'; requestId: bigint; winner: Hex; loser: Hex }
    | { type: 'finalized'; requestId: bigint; outputHash: Hex; output: bigint[]; callbackSucceeded: boolean }
    | { type: 'failed'; requestId: bigint; state: RequestState; code: number }
  );

/** What the node remembers of a request, built from the events (terms and proposal are needed in calldata). */
export type RequestRecord = {
  requestId: bigint;
  modelId: bigint;
  terms: RequestTerms;
  input: bigint[];
  proposal: Proposal | null;
  proposedOutput: bigint[] | null;
  /** Chain time (s) of the block that included the proposal. */
  proposedAt: number | null;
  /** The last state learnt from events. */
  state: RequestState;
  requestedBlock: number;
};
