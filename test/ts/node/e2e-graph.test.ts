import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVENANCES } from '../../../lib/client/oracle-abi.js';
import { ZERO_ADDRESS } from '../../../lib/protocol/index.js';
import { outputHash, runGraph } from '../../../lib/semantics/index.js';
import type { RunningNode } from '../../../adapter/node.js';
import { ANVIL_KEYS, rpc, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { residualGraph, writeGraphModelDir } from './helpers/models.js';
import { startTestNode } from './helpers/node.js';
import { CHALLENGE_WINDOW, FEE, deployProtocol, type Protocol } from './helpers/protocol.js';

// A graph model (a residual connection and an argmax head: no chain of dense layers) served by the node. Its
// weights stay off chain, so a dispute over it goes to the arbitrator.
const STATE = { Proposed: 2n, Disputed: 3n, Finalized: 4n };
const graphDir = writeGraphModelDir(residualGraph, 'residual');
const row = (seed: number): bigint[] => Array.from({ length: 18 }, (_, i) => BigInt(((seed * 31 + i * 17) % 97) - 48));

let anvil: Anvil;
let provider: JsonRpcProvider;
let p: Protocol;
const nodes: RunningNode[] = [];

beforeAll(async () => {
  anvil = await startAnvil(['--block-time', '1']);
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
  p = await deployProtocol(provider, [{ dir: graphDir, onChainWeights: false }], [ANVIL_KEYS[6], ANVIL_KEYS[7]]);
});
afterAll(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  provider?.destroy();
  await anvil?.stop();
});

async function request(input: bigint[]): Promise<bigint> {
  const modelId = p.modelIds[0]!;
  const id = await p.consumer.request.staticCall(modelId, input, 200_000, FEE);
  await (await p.consumer.request(modelId, input, 200_000, FEE)).wait();
  return id;
}

const waitForState = (id: bigint, state: bigint, timeoutMs = 30_000) =>
  waitFor(async () => (await p.oracle.requestState(id)) === state, timeoutMs, `request ${id} to be in state ${state}`, 100);

describe('a graph model on the protocol', () => {
  it('is registered without on-chain weights', async () => {
    expect(await p.registry.weightsPointer(p.modelIds[0]!)).toBe(ZERO_ADDRESS);
    // Re-execution on chain has nothing to run: the registry says so by name.
    await expect(p.registry.execute(p.modelIds[0]!, row(1))).rejects.toThrow(/ModelRegistryNoWeights|reverted/);
  });

  it('is proposed by an honest node, left unchallenged by a watcher that re-ran it, and finalized with the reference output', async () => {
    const node = await startTestNode({ rpc: anvil.url, key: ANVIL_KEYS[6], oracle: p.oracleAddress, models: graphDir, roles: 'proposer,watcher,finalizer' });
    nodes.push(node);
    const input = row(1);
    const id = await request(input);
    await waitForState(id, STATE.Proposed);
    await rpc(anvil.url, 'evm_increaseTime', [CHALLENGE_WINDOW + 1]);
    await rpc(anvil.url, 'evm_mine');
    await waitForState(id, STATE.Finalized);
    await waitFor(async () => (await p.consumer.results()) >= 1n, 20_000, 'the consumer callback');
    expect(await p.consumer.lastOutput()).toEqual(runGraph(residualGraph, input));
    expect((await node.store.jobs.findJob(id, 'propose'))?.state).toBe('confirmed');
    await node.stop();
    nodes.splice(nodes.indexOf(node), 1);
  });

  it("challenges a cheater's wrong answer and hands the dispute to the arbitrator, who settles it for the watcher", async () => {
    const cheater = await startTestNode({
      rpc: anvil.url,
      key: ANVIL_KEYS[7],
      oracle: p.oracleAddress,
      models: graphDir,
      roles: 'proposer',
      unsafeCorruptOutputForTests: true,
    });
    const watcher = await startTestNode({ rpc: anvil.url, key: ANVIL_KEYS[6], oracle: p.oracleAddress, models: graphDir, roles: 'watcher,finalizer' });
    nodes.push(cheater, watcher);
    const input = row(2);
    const correct = runGraph(residualGraph, input);
    const id = await request(input);
    await waitForState(id, STATE.Disputed);
    const challenged = await p.oracle.queryFilter(p.oracle.filters.ProposalChallenged(id));
    expect(challenged.map((e) => [e.args.challenger, e.args.claimHash])).toEqual([[watcher.address, outputHash(correct)]]);
    const arbitration = await waitFor(
      async () => {
        const h = (await (await fetch(`http://127.0.0.1:${watcher.port}/health`)).json()) as {
          arbitrationRequests: Array<{ requestId: string; output: string[]; calldata: string }>;
        };
        return h.arbitrationRequests.find((r) => r.requestId === id.toString());
      },
      20_000,
      'an arbitration request on /health',
    );
    expect(arbitration.output).toEqual(correct.map(String));
    await (await new Wallet(p.arbitratorKey, provider).sendTransaction({ to: p.oracleAddress, data: arbitration.calldata })).wait();
    expect(await p.oracle.requestState(id)).toBe(STATE.Finalized);
    const resolved = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved[0]!.args.winner).toBe(watcher.address);
    expect(PROVENANCES[Number(resolved[0]!.args.provenance)]).toBe('Arbitration');
  });
});
