import type { ContractTransactionReceipt, Signer } from 'ethers';
import { VaiError } from '../errors.js';
import type { Hex } from '../semantics/index.js';
import { IModelRegistry__factory, InferenceOracle__factory, type InferenceOracle } from '../../typechain/index.js';

/** The terminal outcome of a request, as a consumer sees it. */
export type InferenceOutcome =
  | { requestId: bigint; state: 'Finalized'; output: bigint[]; cacheHit: boolean; callbackSucceeded: boolean }
  | { requestId: bigint; state: 'Failed' | 'Expired'; error: string; callbackSucceeded: boolean };

export type SentRequest = { requestId: bigint; txHash: Hex; fee: bigint; receipt: ContractTransactionReceipt };

export class RequestError extends VaiError {
  override name = 'RequestError';
}

const ERROR_CODES = ['None', 'InvalidInputLength', 'InputOutOfRange', 'NoProposal', 'DisputeUnresolved'] as const;
const TERMINAL = new Set([4n, 5n, 6n]);

/**
 * Sends `requestInference` from an externally owned account (the oracle's callback to an account is a
 * no-op; the result is read from the events and the cache). Pays the model's current fee.
 */
export async function sendRequest(params: {
  signer: Signer;
  oracle: Hex;
  modelId: bigint;
  input: readonly bigint[];
  callbackGasLimit?: number;
}): Promise<SentRequest> {
  const oracle = InferenceOracle__factory.connect(params.oracle, params.signer);
  const [registryAddress] = await oracle.addresses();
  const terms = await IModelRegistry__factory.connect(registryAddress, params.signer).modelTerms(params.modelId);
  const input = [...params.input];
  const gasLimit = params.callbackGasLimit ?? 100_000;
  let requestId: bigint;
  try {
    requestId = await oracle.requestInference.staticCall(params.modelId, input, gasLimit, { value: terms.fee });
  } catch (cause) {
    throw new RequestError(`The oracle refuses the request for model ${params.modelId}.`, { cause, details: (cause as Error).message });
  }
  const tx = await oracle.requestInference(params.modelId, input, gasLimit, { value: terms.fee });
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new RequestError(`Request transaction ${tx.hash} reverted.`);
  return { requestId, txHash: tx.hash as Hex, fee: terms.fee, receipt };
}

/** Reads the outcome of a request from the oracle's events once it is terminal, or undefined. */
export async function readOutcome(oracle: InferenceOracle, requestId: bigint): Promise<InferenceOutcome | undefined> {
  const state = await oracle.requestState(requestId);
  if (!TERMINAL.has(state)) return undefined;
  const [finalized] = await oracle.queryFilter(oracle.filters.InferenceFinalized(requestId));
  if (finalized) {
    return { requestId, state: 'Finalized', output: [...finalized.args.output], cacheHit: false, callbackSucceeded: finalized.args.callbackSucceeded };
  }
  const [hit] = await oracle.queryFilter(oracle.filters.CacheHit(requestId));
  if (hit) {
    const [, output] = await oracle.cachedResult(hit.args.modelId, hit.args.inputHash);
    return { requestId, state: 'Finalized', output: [...output], cacheHit: true, callbackSucceeded: hit.args.callbackSucceeded };
  }
  const [failed] = await oracle.queryFilter(oracle.filters.InferenceFailed(requestId));
  if (failed) {
    return {
      requestId,
      state: Number(failed.args.state) === 5 ? 'Failed' : 'Expired',
      error: ERROR_CODES[Number(failed.args.code)] ?? `code ${failed.args.code}`,
      callbackSucceeded: failed.args.callbackSucceeded,
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

