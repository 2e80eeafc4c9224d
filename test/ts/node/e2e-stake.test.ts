import { JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../adapter/node.js';
import { REQUEST_STATES } from '../../../lib/protocol/index.js';
import { ANVIL_KEYS, rpc, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { startTestNode } from './helpers/node.js';
import { BOND, CHALLENGE_WINDOW, FEE, deployProtocol, type Protocol } from './helpers/protocol.js';

// A proposer whose free stake bonds one proposal at a time: the second request is held (not sent to revert)
// until the first proposal's bond is released by its finalization, then proposed.

const state = (name: (typeof REQUEST_STATES)[number]): bigint => BigInt(REQUEST_STATES.indexOf(name));
const modelDir = writeModelDir(classifier, 'classifier');

let anvil: Anvil;
let provider: JsonRpcProvider;
let node: RunningNode | undefined;

beforeAll(async () => {
  anvil = await startAnvil(['--block-time', '1']);
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
});
afterAll(async () => {
  await node?.stop();
  provider?.destroy();
  await anvil?.stop();
});

async function request(p: Protocol, input: bigint[]): Promise<bigint> {
  const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
  await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
  return id;
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}

describe('a proposer short of free stake', () => {
  it('holds a proposal it cannot bond, and proposes it once a bond is released', async () => {
    const key = ANVIL_KEYS[7]!;
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [key], BOND);
    node = await startTestNode({ rpc: anvil.url, key, oracle: p.oracleAddress, models: modelDir, roles: 'proposer,finalizer' });
    const first = await request(p, [1n, 2n, 3n, 4n]);
    await waitFor(async () => (await p.oracle.requestState(first)) === state('Proposed'), 20_000, 'the first proposal', 100);
    const second = await request(p, [5n, 6n, 7n, 8n]);

    // Held, not sent: the request stays open, the node reports it, and no proposal transaction reverted.
    const port = node.port;
    await waitFor(async () => ((await metric(port, 'vai_proposals_held')) >= 1 ? true : undefined), 20_000, 'the held proposal metric', 200);
    expect(await p.oracle.requestState(second)).toBe(state('Requested'));
    expect(await metric(port, 'vai_free_stake_wei')).toBe(0);
    const held = await node.store.jobs.findJob(second, 'propose');
    expect(held?.state).not.toBe('submitted');
    expect(held?.state).not.toBe('failed');

    // The first proposal matures and is finalized by the node: its bond is free again, so the second is proposed.
    await rpc(anvil.url, 'evm_increaseTime', [CHALLENGE_WINDOW + 1]);
    await rpc(anvil.url, 'evm_mine');
    await waitFor(async () => (await p.oracle.requestState(second)) === state('Proposed'), 30_000, 'the second proposal', 100);
    expect(await p.oracle.requestState(first)).toBe(state('Finalized'));
    expect(await metric(port, 'vai_proposals_held')).toBe(0);
  });
});
