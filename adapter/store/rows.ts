import type { Hex } from '../../lib/semantics/index.js';
import { REQUEST_STATES, ZERO_ADDRESS, ZERO_HASH, toJson, type Proposal, type RequestState, type RequestTerms } from '../../lib/protocol/index.js';
import { JobStoreError } from '../errors.js';
import { isJobKind, isJobState } from '../jobs/machine.js';
import type { Job, JobPatch, OwedCallback, RequestRecord, TxRecord } from './types.js';

// The rows of the store's tables as both backends return them (SQLite, and PostgreSQL with its 64-bit integers
// parsed as numbers: ids, times in ms, nonces and blocks stay below 2^53), and their mapping to the store's types.

/** Integer lists as stored: JSON arrays of decimal strings (values can exceed 2^53). */
export const encodeValues = (v: readonly bigint[] | null | undefined): string | null => (v == null ? null : JSON.stringify(v.map((x) => x.toString())));

export const decodeValues = (s: string | null): bigint[] | null => (s == null ? null : (JSON.parse(s) as string[]).map((x) => BigInt(x)));

export type JobRow = {
  id: number;
  request_id: string;
  kind: string;
  state: string;
  model_id: string;
  input: string | null;
  output: string | null;
  claimed: string | null;
  proof: string | null;
  not_before: number;
  attempts: number;
  error: string | null;
  nonce: number | null;
  created_at: number;
  updated_at: number;
};

export function toJob(row: JobRow): Job {
  if (!isJobKind(row.kind) || !isJobState(row.state)) throw new JobStoreError(`Job ${row.id} has an unknown kind or state (${row.kind}, ${row.state}).`);
  return {
    id: row.id,
    requestId: BigInt(row.request_id),
    kind: row.kind,
    state: row.state,
    modelId: row.model_id as Hex,
    input: decodeValues(row.input),
    output: decodeValues(row.output),
    claimed: decodeValues(row.claimed),
    proof: row.proof as Hex | null,
    notBefore: row.not_before,
    attempts: row.attempts,
    error: row.error,
    nonce: row.nonce,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export const PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  input: 'input',
  output: 'output',
  claimed: 'claimed',
  proof: 'proof',
  notBefore: 'not_before',
  attempts: 'attempts',
  error: 'error',
  modelId: 'model_id',
  nonce: 'nonce',
};

/** A patch value as stored (integer lists as JSON). */
export function patchValue(key: keyof JobPatch, value: JobPatch[keyof JobPatch]): unknown {
  return key === 'input' || key === 'output' || key === 'claimed' ? encodeValues(value as bigint[] | null) : value;
}

export type TxRow = {
  id: number;
  job_id: number;
  sender: string;
  nonce: number;
  hash: string;
  raw: string;
  max_fee: string;
  priority_fee: string;
  sent_at: number;
};

export function toTx(row: TxRow): TxRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    from: row.sender as Hex,
    nonce: row.nonce,
    hash: row.hash as Hex,
    raw: row.raw as Hex,
    maxFeePerGas: BigInt(row.max_fee),
    maxPriorityFeePerGas: BigInt(row.priority_fee),
    sentAt: row.sent_at,
  };
}

export type RequestRow = {
  request_id: string;
  model_id: string;
  terms: string;
  input: string;
  proposer: string | null;
  challenger: string | null;
  output_hash: string | null;
  claim_hash: string | null;
  proposed_output: string | null;
  proposed_at: number | null;
  disputed_at: number | null;
  state: string;
  requested_block: number;
};

export const encodeTerms = (t: RequestTerms): string => toJson(t, 0);

/** Terms as stored (JSON, integers as strings); rows from before protocol v2 got the new fields' zero values. */
export function decodeTerms(s: string): RequestTerms {
  const t = JSON.parse(s) as Record<keyof RequestTerms, string | boolean | undefined>;
  const int = (v: string | boolean | undefined): bigint => BigInt(typeof v === 'string' ? v : 0);
  return {
    requester: t.requester as Hex,
    modelId: int(t.modelId),
    callbackGasLimit: int(t.callbackGasLimit),
    fee: int(t.fee),
    bond: int(t.bond),
    challengeWindow: int(t.challengeWindow),
    outputLength: int(t.outputLength),
    deadline: int(t.deadline),
    inputHash: t.inputHash as Hex,
    disputeWindow: int(t.disputeWindow),
    verifierVersion: int(t.verifierVersion),
    accepts: int(t.accepts),
  };
}

export const requestStateRank = (s: RequestState): number => (s === 'Finalized' || s === 'Failed' || s === 'Expired' ? 4 : REQUEST_STATES.indexOf(s));

export function toRequest(row: RequestRow): RequestRecord {
  const state = REQUEST_STATES.find((s) => s === row.state);
  if (!state) throw new JobStoreError(`Request ${row.request_id} has an unknown state ${row.state}.`);
  const proposal: Proposal | null =
    row.proposer && row.output_hash
      ? {
          proposer: row.proposer as Hex,
          challenger: (row.challenger ?? ZERO_ADDRESS) as Hex,
          outputHash: row.output_hash as Hex,
          claimHash: (row.claim_hash ?? ZERO_HASH) as Hex,
        }
      : null;
  return {
    requestId: BigInt(row.request_id),
    modelId: BigInt(row.model_id),
    terms: decodeTerms(row.terms),
    input: decodeValues(row.input) ?? [],
    proposal,
    proposedOutput: decodeValues(row.proposed_output),
    proposedAt: row.proposed_at,
    disputedAt: row.disputed_at,
    state,
    requestedBlock: row.requested_block,
  };
}

export type CallbackRow = { request_id: string; requester: string; gas_limit: number; data: string; block_number: number; delivered: number | boolean };

export function toCallback(row: CallbackRow): OwedCallback {
  return {
    requestId: BigInt(row.request_id),
    requester: row.requester as Hex,
    gasLimit: BigInt(row.gas_limit),
    data: row.data as Hex,
    block: row.block_number,
    delivered: Number(row.delivered) !== 0,
  };
}
