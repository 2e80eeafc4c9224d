import type { Hex, Provenance, RequestState, RequestTerms } from '../../lib/protocol/index.js';

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
    /** A bisection game moved (opened, bisected): whoever must answer has until `deadline` (chain time, s). */
    | { type: 'bisectionMoved'; requestId: bigint; mover: Hex; lo: number; hi: number; deadline: bigint }
  );
