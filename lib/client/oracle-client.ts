import type { ContractTransactionReceipt, Signer } from 'ethers';
import { VaiError } from '../errors.js';
import { ERROR_CODES, acceptsMask, isTerminalRequestState, toProvenance, toRequestState, type Hex, type Provenance } from '../protocol/index.js';
import { inputHashKindOf, inputHashOf } from '../semantics/index.js';
import { oracleInterface } from './oracle-abi.js';
import { IModelRegistry__factory, InferenceOracle__factory, type InferenceOracle } from '../../typechain/index.js';

export { PROVENANCES, acceptsMask, acceptedProvenances, type Provenance } from '../protocol/index.js';

/**
 * What became of a request's consumer callback: it `ran` in the transaction that ended the request, was
 * `delivered` later (`deliverCallback`, after a settlement or a failed first try), or is still `owed`.
 */
export type CallbackStatus = 'ran' | 'delivered' | 'owed';

/** The terminal outcome of a request, as a consumer sees it. */
export type InferenceOutcome =
  | { requestId: bigint; state: 'Finalized'; output: bigint[]; provenance: Provenance; cacheHit: boolean; callback: CallbackStatus }
  | { requestId: bigint; state: 'Failed' | 'Expired'; error: string; callback: CallbackStatus };

/** `inputHash`: the request's key, of the model's input-hash kind (keccak256 of the input or its Poseidon commitment). */
export type SentRequest = { requestId: bigint; txHash: Hex; fee: bigint; inputHash: Hex; receipt: ContractTransactionReceipt };

export class RequestError extends VaiError {
  override name = 'RequestError';
}

/**
 * Sends `requestInference` from an externally owned account (the oracle's callback to an account is a
 * no-op; the result is read from the events and the cache). Pays the model's current fee. `accepts` lists the
 * provenances the request accepts, from the cache or a new answer (empty or absent: any); a request that
 * accepts only `Proof` is answered only by a proven result.
 */
export async function sendRequest(params: {
  signer: Signer;
  oracle: Hex;
  modelId: bigint;
  input: readonly bigint[];
  callbackGasLimit?: number;
  accepts?: readonly Provenance[];
}): Promise<SentRequest> {
  const oracle = InferenceOracle__factory.connect(params.oracle, params.signer);
  const [registryAddress] = await oracle.addresses();
  const terms = await IModelRegistry__factory.connect(registryAddress, params.signer).modelTerms(params.modelId);
  const input = [...params.input];
  const gasLimit = params.callbackGasLimit ?? 100_000;
  const accepts = acceptsMask(params.accepts ?? []);
  let requestId: bigint;
  try {
    requestId = await oracle.requestInference.staticCall(params.modelId, input, gasLimit, accepts, { value: terms.fee });
  } catch (cause) {
    const revert = decodeOracleRevert(cause);
    throw new RequestError(`The oracle refuses the request for model ${params.modelId}${revert ? `: ${revert}` : ''}.`, {
      cause,
      details: (cause as Error).message,
      metaMessages: revert === 'InferenceOraclePaused()' ? ['The oracle is paused by its guardian; `vai gov status` shows it, governance unpauses.'] : [],
    });
  }
  const tx = await oracle.requestInference(params.modelId, input, gasLimit, accepts, { value: terms.fee });
  const receipt = await tx.wait();
  if (receipt?.status !== 1) throw new RequestError(`Request transaction ${tx.hash} reverted.`);
  const range = { inputMin: terms.inputMin, inputMax: terms.inputMax };
  const inputHash = inputHashOf(inputHashKindOf(terms.inputHashKind), input, range, { onOutOfRange: 'sentinel' });
  return { requestId, txHash: tx.hash as Hex, fee: terms.fee, inputHash, receipt };
}

/**
 * `Name(args)` of the oracle's custom error carried by a failed call, decoded with the oracle's whole ABI (its own
 * errors and the dispute module's), or undefined when the failure carries no revert data (no connection, …).
 */
export function decodeOracleRevert(err: unknown): string | undefined {
  const data = revertData(err);
  if (data === undefined) return undefined;
  try {
    const e = oracleInterface().parseError(data);
    if (e) return `${e.name}(${e.args.map((a: unknown) => String(a)).join(', ')})`;
  } catch {
    // not one of the oracle's errors: name the selector
  }
  return `custom error ${data.slice(0, 10)}`;
}

/** The revert data of an ethers call error (at `data`, or under `info.error.data` from some endpoints). */
function revertData(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const data = 'data' in err ? err.data : undefined;
  if (typeof data === 'string' && data.length >= 10) return data;
  const inner = 'info' in err && typeof err.info === 'object' && err.info !== null && 'error' in err.info ? err.info.error : undefined;
  const nested = typeof inner === 'object' && inner !== null && 'data' in inner ? inner.data : undefined;
  return typeof nested === 'string' && nested.length >= 10 ? nested : undefined;
}

async function callbackStatus(oracle: InferenceOracle, requestId: bigint, ran: boolean): Promise<CallbackStatus> {
  if (ran) return 'ran';
  const delivered = await oracle.queryFilter(oracle.filters.CallbackDelivered(requestId));
  return delivered.length > 0 ? 'delivered' : 'owed';
}

/** Reads the outcome of a request from the oracle's events once it is terminal, or undefined. */
export async function readOutcome(oracle: InferenceOracle, requestId: bigint): Promise<InferenceOutcome | undefined> {
  const state = toRequestState(await oracle.requestState(requestId));
  if (!isTerminalRequestState(state)) return undefined;
  const [finalized] = await oracle.queryFilter(oracle.filters.InferenceFinalized(requestId));
  if (finalized) {
    const { output, provenance, callbackSucceeded } = finalized.args;
    return {
      requestId,
      state: 'Finalized',
      output: [...output],
      provenance: toProvenance(provenance),
      cacheHit: false,
      callback: await callbackStatus(oracle, requestId, callbackSucceeded),
    };
  }
  const [hit] = await oracle.queryFilter(oracle.filters.CacheHit(requestId));
  if (hit) {
    // The entry as it is now (a proof or a re-execution may have corrected it since).
    const [, output, provenance] = await oracle.cachedResult(hit.args.modelId, hit.args.inputHash);
    return {
      requestId,
      state: 'Finalized',
      output: [...output],
      provenance: toProvenance(provenance),
      cacheHit: true,
      callback: await callbackStatus(oracle, requestId, hit.args.callbackSucceeded),
    };
  }
  const [failed] = await oracle.queryFilter(oracle.filters.InferenceFailed(requestId));
  if (failed) {
    return {
      requestId,
      state: toRequestState(failed.args.state) === 'Failed' ? 'Failed' : 'Expired',
      error: ERROR_CODES[Number(failed.args.code)] ?? `code ${failed.args.code}`,
      callback: await callbackStatus(oracle, requestId, failed.args.callbackSucceeded),
    };
  }
  throw new RequestError(`Request ${requestId} is terminal but the oracle emitted no outcome event for it.`);
}

/** Polls until the request is terminal or `timeoutMs` passes. */
export async function waitForOutcome(oracle: InferenceOracle, requestId: bigint, timeoutMs: number, pollMs = 500): Promise<InferenceOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await readOutcome(oracle, requestId);
    if (outcome) return outcome;
    if (Date.now() > deadline) {
      throw new RequestError(`Request ${requestId} did not end within ${Math.round(timeoutMs / 1000)} s.`, {
        metaMessages: ['Is an operator node running for this model, and a finalizer? On a local network, optimistic results wait for the challenge window.'],
      });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
