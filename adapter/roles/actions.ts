import type { Hex } from '../../lib/semantics/index.js';
import type { MaturedProposal } from '../../lib/protocol/index.js';
import type { LoadedModel } from '../inference/catalog.js';
import type { BatchEntry } from './state.js';

/** A log line a decision asks for: decisions do no I/O, the executor writes it when it acts. */
export type Note = { level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> };

/**
 * What a failed transaction carrying a proof leads to (a proof that cannot be made always falls back to the
 * job's next way, recorded as "proof failed"):
 * - `proofRefused`: only a refusal of the proof itself falls back (`InvalidProof`, `NoVerifier`, or a revert
 *   without a reason: a verifier that cannot check it), recorded as "proof refused";
 * - `unlessSettledOrLate`: everything falls back but the request having moved on or its window having closed
 *   (no other way could do better), recorded as "proof failed";
 * - `never`: every failure is the runner's (its error classification).
 */
export type ProofFallback = 'proofRefused' | 'unlessSettledOrLate' | 'never';

/**
 * One step of a job, as decided by its role (`roles/<role>.ts`) and carried out by the executor
 * (`roles/executor.ts`). The job's next state follows from the action:
 * - `infer` (stays): run the model; the output (or the failure) is given to the next decision;
 * - `record`: seen -> inferred, keeping `output`;
 * - `prove`: [inferred ->] proof_pending, prove (the proof is kept), send `calldata(proof)` -> submitted; on a
 *   failure per `fallback` -> inferred with the error, and the role decides again (its next way);
 * - `proveBatch`: inferred -> submitted: take `entries` (this job's request among them) into one batch, prove them
 *   with one proof and send `proposeWithProofBatch`; the other entries' jobs ride along (they wait, and skip once
 *   their request is settled). A batch that cannot be proven or is refused gives its requests back to their own
 *   ways, and the role decides again;
 * - `send`: simulate and send the oracle call -> submitted (a refusal is the runner's to classify);
 * - `requestArbitration` (stays): list the dispute for the arbitrator (/health) and log it, once;
 * - `wait` (stays): look again in `ms` (chain time has not reached a window's end yet, the free stake cannot
 *   bond a proposal yet: `stake`, or the request waits for its batch to fill: `batch`, offered to the pool);
 * - `skip` -> skipped: nothing left to do; `fail` -> failed: cannot be done;
 * - `retry` (stays): an error that is not the job's fault, handed to the runner (back-off).
 */
export type Action =
  | { type: 'infer'; model: LoadedModel; input: readonly bigint[] }
  | { type: 'record'; output: bigint[]; note?: Note }
  | {
      type: 'prove';
      model: LoadedModel;
      input: readonly bigint[];
      output: readonly bigint[];
      /** The oracle call carrying the proof (made bound to this node's address, the sender). */
      calldata: (proof: Hex) => Hex;
      fallback: ProofFallback;
      /** Log messages of a fallback: when no proof could be made, and when the oracle would not take it. */
      fallbackNotes: { noProof: string; refused: string };
    }
  | {
      type: 'proveBatch';
      model: LoadedModel;
      modelId: bigint;
      verifierVersion: bigint;
      batchSize: number;
      /** The requests of the batch, oldest first (this job's among them). */
      entries: readonly BatchEntry[];
      /** Blocks its oldest request waited (for the metric). */
      waitedBlocks: number;
    }
  | {
      type: 'send';
      calldata: Hex;
      /** The call's gas varies with the request (estimated every time, see `submit.ts`). */
      variableCost?: boolean;
      /** Own matured proposals whose finalization this call carries (kept off other proposals for a while). */
      carries?: readonly MaturedProposal[];
      /** The bond the call locks from the free stake (a proposal or a challenge): counted until it settles. */
      bond?: bigint;
      note?: Note;
      /** A move of a bisection game (for the metrics): who moves, the call, and the chain seconds left to its deadline. */
      move?: { role: 'proposer' | 'challenger'; action: string; slackS: number };
    }
  | {
      type: 'requestArbitration';
      /** The claim the arbitrator should choose (empty: reject both). */
      output: readonly bigint[];
      calldata: Hex;
      /** Chain time after which only `expireDispute` can end the dispute. */
      closesAt: number;
    }
  | {
      type: 'wait';
      ms: number;
      /** A proposal held because the free stake cannot bond it (logged once per request, with the shortfall). */
      stake?: { bond: bigint; free: bigint };
      /** The request waits for its batch to fill: kept in the batch pool meanwhile. */
      batch?: BatchEntry;
    }
  | { type: 'skip'; reason: string; output?: bigint[]; note?: Note }
  | { type: 'fail'; reason: string }
  | { type: 'retry'; error: Error };

/** The result of an `infer` action, given to the decision that follows it. */
export type Inference = { ok: true; output: bigint[] } | { ok: false; error: Error };
