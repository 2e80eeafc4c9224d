import { FetchRequest, JsonRpcProvider, Network } from 'ethers';
import { ChainError } from '../errors.js';
import { redactUrl, scrubber, urlSecrets } from '../redact.js';
import { sleep } from '../timeout.js';

/**
 * A JSON-RPC provider pinned to `chainId` (`staticNetwork`): no network detection loop, so an RPC that
 * goes away makes calls fail (and the node's loops retry) instead of stalling start-up; no response cache.
 */
export function createProvider(url: string, chainId: bigint, options: { timeoutMs?: number; pollingMs?: number } = {}): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.timeout = options.timeoutMs ?? 10_000;
  const network = Network.from(chainId);
  // cacheTimeout -1: ethers would otherwise answer a repeated call (getBlock('latest')) from a 250 ms cache.
  return new JsonRpcProvider(request, network, { staticNetwork: network, batchMaxCount: 50, pollingInterval: options.pollingMs ?? 1000, cacheTimeout: -1 });
}

/** Asks the RPC for its chain id, retrying until it answers or `timeoutMs` passes. */
export async function fetchChainId(url: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<bigint> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { result?: string };
      if (body.result) return BigInt(body.result);
      lastError = new Error(JSON.stringify(body));
    } catch (err) {
      lastError = err;
    }
    await sleep(500, signal);
  }
  // The message names the RPC by scheme://host[:port] only: the URL may carry credentials.
  const scrub = scrubber(urlSecrets(url));
  throw new ChainError(`The RPC at ${redactUrl(url)} did not answer eth_chainId within ${timeoutMs} ms: ${scrub(reasonOf(lastError))}.`, {
    cause: lastError,
    metaMessages: ['Check --rpc, and that the node (anvil, geth, a provider) is up.'],
  });
}

/** The short reason of a failed fetch: undici hides the useful part (ECONNREFUSED, ENOTFOUND) in its cause. */
function reasonOf(err: unknown): string {
  if (err === undefined) return 'no answer';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const text = cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
  return String(text).split('\n')[0]!.slice(0, 200);
}
