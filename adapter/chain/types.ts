import type { Hex, Proposal, Provenance, RequestState, RequestTerms } from '../../lib/protocol/index.js';

// The protocol's vocabulary, for the node's modules that import it from here.
export {
  PROVENANCES,
  REQUEST_STATES,
  ZERO_ADDRESS,
  ZERO_HASH,
  type MaturedProposal,
  type Proposal,
  type Provenance,
  type RequestState,
  type RequestTerms,
} from '../../lib/protocol/index.js';

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
