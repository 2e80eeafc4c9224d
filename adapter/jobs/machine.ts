import { InvalidJobTransitionError } from '../errors.js';

/**
 * What a job does on chain for one request. One job per (request, kind): the store refuses a second.
 * - `propose`: run the model, propose the output (with a proof when proving is on);
 * - `challenge`: re-execute someone else's proposal and challenge it, naming the correct output, when it differs;
 * - `resolve`: settle a dispute (a proof of the correct output, on-chain re-execution or arbitration), own or
 *   others' (the settler earns the resolver reward);
 * - `finalize`: finalize a proposal whose challenge window has passed (own or others');
 * - `expire`: end a request nobody proposed for before its deadline (the fee goes back to the requester);
 * - `expireDispute`: end a dispute nobody settled within its window (the proposal stands);
 * - `deliver`: deliver a consumer callback the oracle owes (`CallbackPending`);
 * - `bisect`: play this node's side of a dispute's bisection game (the challenger opens it, the proposer defends),
 *   one move per transaction: each confirmed move that does not end the game puts the job back to `inferred`
 *   (`submitted -> inferred`, with a fresh nonce), and the next move is derived from the chain again.
 */
export const JOB_KINDS = ['propose', 'challenge', 'resolve', 'finalize', 'expire', 'expireDispute', 'deliver', 'bisect'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * States of a job. `submitted` carries its transactions (nonce, hashes) in the store;
 * `confirmed`, `failed` and `skipped` are terminal.
 */
export const JOB_STATES = ['seen', 'inferred', 'proof_pending', 'submitted', 'confirmed', 'failed', 'skipped'] as const;
export type JobState = (typeof JOB_STATES)[number];

const TRANSITIONS: Record<JobState, readonly JobState[]> = {
  seen: ['inferred', 'proof_pending', 'submitted', 'failed', 'skipped'],
  inferred: ['proof_pending', 'submitted', 'failed', 'skipped'],
  // A proof that cannot be made falls back to the optimistic path (back to `inferred`).
  proof_pending: ['inferred', 'submitted', 'failed', 'skipped'],
  // skipped: the transaction reverted because someone else acted first (a lost race is not a failure).
  // inferred: a move of a bisection game was confirmed and the game goes on (`bisect` jobs only, see above).
  submitted: ['confirmed', 'failed', 'skipped', 'inferred'],
  confirmed: [],
  failed: [],
  skipped: [],
};

export const TERMINAL_STATES: readonly JobState[] = ['confirmed', 'failed', 'skipped'];

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws {@link InvalidJobTransitionError} unless the machine allows `from -> to`. */
export function assertTransition(jobId: number, from: JobState, to: JobState): void {
  if (!canTransition(from, to)) throw new InvalidJobTransitionError(jobId, from, to);
}

export function isJobKind(value: string): value is JobKind {
  return (JOB_KINDS as readonly string[]).includes(value);
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}
