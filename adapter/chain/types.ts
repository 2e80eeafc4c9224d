import type { Hex } from '../../lib/semantics/index.js';
import type { Provenance } from '../../lib/client/oracle-abi.js';

export { PROVENANCES, type Provenance } from '../../lib/client/oracle-abi.js';

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
  /** Seconds a dispute stays open to resolution once challenged (then anyone may `expireDispute`). */
  disputeWindow: bigint;
  /** The model's verifier version at request time (0: none); proofs for the request are checked by it. */
  verifierVersion: bigint;
  /** Whether the model's weights are on chain (disputes settle by re-execution). */
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

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as Hex;
export const ZERO_HASH = `0x${'0'.repeat(64)}` as Hex;

type LogMeta = { blockNumber: number; blockHash: Hex; logIndex: number; txHash: Hex };

/** The oracle events the node acts on, decoded. */
export type OracleEvent = LogMeta &
  (
    | { type: 'requested'; requestId: bigint; modelId: bigint; terms: RequestTerms; input: bigint[] }
    | { type: 'proposed'; requestId: bigint; proposer: Hex; outputHash: Hex; output: bigint[] }
    | { type: 'challenged'; requestId: bigint; challenger: Hex; claimHash: Hex }
    | {
        type: 'resolved';
        requestId: bigint;
        /** Zero when both claims were wrong. */
        winner: Hex;
        resolver: Hex;
        provenance: Provenance;
        reward: bigint;
        resolverReward: bigint;
        toTreasury: bigint;
      }
    | { type: 'finalized'; requestId: bigint; outputHash: Hex; output: bigint[]; provenance: Provenance; callbackSucceeded: boolean }
    | { type: 'failed'; requestId: bigint; state: RequestState; code: number }
    | { type: 'callbackPending'; requestId: bigint; requester: Hex; gasLimit: bigint; data: Hex }
    | { type: 'callbackDelivered'; requestId: bigint }
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
  /** Chain time (s) of the block that included the challenge (the dispute window runs from it). */
  disputedAt: number | null;
  /** The last state learnt from events. */
  state: RequestState;
  requestedBlock: number;
};

/** A consumer callback the oracle owes (`CallbackPending`), delivered with `deliverCallback`. */
export type OwedCallback = {
  requestId: bigint;
  requester: Hex;
  gasLimit: bigint;
  data: Hex;
  /** Block of the `CallbackPending` event. */
  block: number;
  /** A `CallbackDelivered` event was seen. */
  delivered: boolean;
};
