import { JsonRpcProvider, Wallet, parseEther } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVENANCES } from '../../../lib/client/oracle-abi.js';
import { outputHash, runReference, type Hex } from '../../../lib/semantics/index.js';
import { EthersOracleGateway } from '../../../adapter/chain/ethers-oracle.js';
import { ZERO_ADDRESS, ZERO_HASH } from '../../../lib/protocol/index.js';
import type { RunningNode } from '../../../adapter/node.js';
import { ANVIL_KEYS, rpc, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { startTestNode } from './helpers/node.js';
import { BOND, CHALLENGE_WINDOW, FEE, PERIODS, STAKE, deployProtocol, type Protocol } from './helpers/protocol.js';

const STATE = { None: 0n, Requested: 1n, Proposed: 2n, Disputed: 3n, Finalized: 4n, Failed: 5n, Expired: 6n };
const modelDir = writeModelDir(classifier, 'classifier');

let anvil: Anvil;
let provider: JsonRpcProvider;
const nodes: RunningNode[] = [];

beforeAll(async () => {
  anvil = await startAnvil(['--block-time', '1']);
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
});
afterAll(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  provider?.destroy();
  await anvil?.stop();
});

/** Moves chain time past the challenge window and mines a block. */
async function passChallengeWindow(): Promise<void> {
  await rpc(anvil.url, 'evm_increaseTime', [CHALLENGE_WINDOW + 1]);
  await rpc(anvil.url, 'evm_mine');
}

async function request(p: Protocol, modelId: bigint, input: bigint[]): Promise<bigint> {
  const id = await p.consumer.request.staticCall(modelId, input, 200_000, FEE);
  await (await p.consumer.request(modelId, input, 200_000, FEE)).wait();
  return id;
}

async function stateOf(p: Protocol, id: bigint): Promise<bigint> {
  return p.oracle.requestState(id);
}

async function waitForState(p: Protocol, id: bigint, state: bigint, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await stateOf(p, id)) === state, timeoutMs, `request ${id} to be in state ${state}`, 100);
}

/** Waits for the owed callback of `id` to be delivered (settlements never call the consumer themselves). */
async function waitForDelivery(p: Protocol, id: bigint, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => (await p.oracle.queryFilter(p.oracle.filters.CallbackDelivered(id))).length > 0,
    timeoutMs,
    `the callback of request ${id} to be delivered`,
    100,
  );
}

/** The end state of a node's job, once it has one. */
async function jobEnd(node: RunningNode, id: bigint, kind: Parameters<RunningNode['store']['jobs']['findJob']>[1], timeoutMs = 15_000): Promise<string> {
  return waitFor(
    async () => {
      const j = await node.store.jobs.findJob(id, kind);
      return j && ['confirmed', 'failed', 'skipped'].includes(j.state) ? j.state : undefined;
    },
    timeoutMs,
    `the ${kind} job of request ${id} to end`,
  );
}

describe('a busy proposer', () => {
  it('finalizes its matured proposal inside its next proposal (proposeAndFinalize), with no finalize transaction', async () => {
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [ANVIL_KEYS[6]]);
    // A grace longer than the test: only a proposal can finalize the first request.
    const node = await startTestNode({
      rpc: anvil.url,
      key: ANVIL_KEYS[6],
      oracle: p.oracleAddress,
      models: modelDir,
      roles: 'proposer,watcher,finalizer',
      finalizeGraceS: 3600,
    });
    nodes.push(node);
    const first = await request(p, p.modelIds[0]!, [1n, 2n, 3n, 4n]);
    await waitForState(p, first, STATE.Proposed);
    await passChallengeWindow();
    const second = await request(p, p.modelIds[0]!, [5n, 6n, 7n, 8n]);
    await waitForState(p, second, STATE.Proposed);
    expect(await stateOf(p, first)).toBe(STATE.Finalized);
    expect(await p.consumer.lastOutput()).toEqual(runReference(classifier, [1n, 2n, 3n, 4n]));
    const [finalized] = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(first));
    const [proposed] = await p.oracle.queryFilter(p.oracle.filters.OutputProposed(second));
    expect(finalized?.transactionHash).toBe(proposed?.transactionHash);
    // The finalize job learns from the events that there is nothing left to do, and sends nothing.
    const job = await waitFor(
      async () => {
        const j = await node.store.jobs.findJob(first, 'finalize');
        return j && j.state !== 'seen' ? j : undefined;
      },
      10_000,
      'the finalize job of the first request to end',
    );
    expect(job.state).toBe('skipped');
    expect(await node.store.txs.txsOf(job.id)).toEqual([]);
    const stake = await p.oracle.stakeOf(node.address);
    expect(stake.free).toBe(STAKE - BOND + FEE);
    expect(stake.locked).toBe(BOND);
  });
});

describe('operator node against anvil', () => {
  let p: Protocol;
  let node: RunningNode;

  beforeAll(async () => {
    // Model 1 is one this node does not serve: nobody proposes for its requests.
    const unserved = writeModelDir({ ...classifier, layers: classifier.layers.map((l, i) => (i === 1 ? { ...l, bias: [1, 2] } : l)) }, 'unserved');
    p = await deployProtocol(
      provider,
      [
        { dir: modelDir, onChainWeights: true },
        { dir: unserved, onChainWeights: false },
      ],
      [ANVIL_KEYS[1]],
    );
    node = await startTestNode({ rpc: anvil.url, key: ANVIL_KEYS[1], oracle: p.oracleAddress, models: modelDir, roles: 'proposer,watcher,finalizer' });
    nodes.push(node);
  });

  it('carries an honest request from request to proposal to finalization and the consumer callback', async () => {
    const input = [10n, 90n, 3n, 50n];
    const id = await request(p, p.modelIds[0]!, input);
    await waitForState(p, id, STATE.Proposed);
    const free = (await p.oracle.stakeOf(node.address)).free;
    expect(free).toBe(STAKE - BOND);
    await passChallengeWindow();
    await waitForState(p, id, STATE.Finalized);
    expect(await p.consumer.results()).toBe(1n);
    expect(await p.consumer.lastOutput()).toEqual(runReference(classifier, input));
    const stake = await p.oracle.stakeOf(node.address);
    expect(stake.free).toBe(STAKE + FEE);
    expect(stake.locked).toBe(0n);
    await waitFor(async () => (await node.store.jobs.findJob(id, 'finalize'))?.state === 'confirmed', 10_000, 'finalize job confirmed');
    expect((await node.store.jobs.findJob(id, 'propose'))?.state).toBe('confirmed');
    // A second identical request is answered from the on-chain cache at once: no job for the node.
    const again = await request(p, p.modelIds[0]!, input);
    expect(await stateOf(p, again)).toBe(STATE.Finalized);
    expect(await p.consumer.results()).toBe(2n);
  });

  it('leaves a request with a bad input to the oracle (Failed, consumer told) and never proposes for it', async () => {
    const id = await request(p, p.modelIds[0]!, [1n, 2n, 3n, 1000n]);
    expect(await stateOf(p, id)).toBe(STATE.Failed);
    expect(await p.consumer.errors()).toBe(1n);
    const job = await waitFor(
      async () => {
        const j = await node.store.jobs.findJob(id, 'propose');
        return j && ['skipped', 'failed', 'confirmed'].includes(j.state) ? j : undefined;
      },
      10_000,
      'the propose job of the failed request to end',
    );
    expect(job.state).toBe('skipped');
    expect(await node.store.txs.txsOf(job.id)).toEqual([]);
  });

  it('expires a request nobody proposed for once its deadline has passed (keeper role)', async () => {
    const id = await request(p, p.modelIds[1]!, [1n, 1n, 1n, 1n]);
    await waitFor(async () => (await node.store.requests.getRequest(id))?.state === 'Requested', 10_000, 'the node to record the request');
    expect(await node.store.jobs.findJob(id, 'propose')).toBeUndefined();
    const errorsBefore = await p.consumer.errors();
    await rpc(anvil.url, 'evm_increaseTime', [PERIODS.requestTimeout + 1]);
    await rpc(anvil.url, 'evm_mine');
    await waitForState(p, id, STATE.Expired);
    await waitFor(async () => (await node.store.jobs.findJob(id, 'expire'))?.state === 'confirmed', 10_000, 'the expire job to be confirmed');
    // Expiry never calls the consumer: the callback is owed, and the node that expired the request delivers it.
    await waitForDelivery(p, id);
    expect(await p.consumer.errors()).toBe(errorsBefore + 1n);
    expect(await p.consumer.lastError()).toBe(3n); // InferenceError.NoProposal
    expect(await jobEnd(node, id, 'deliver')).toBe('confirmed');
    expect(await p.oracle.callbackOwed(id)).toBe(false);
  });

  it('finalizes even when the consumer reverts; the result stays in the cache', async () => {
    await (await p.consumer.setMode(1)).wait(); // Mode.Revert
    const input = [50n, 50n, 50n, 50n];
    const id = await request(p, p.modelIds[0]!, input);
    await waitForState(p, id, STATE.Proposed);
    await passChallengeWindow();
    await waitForState(p, id, STATE.Finalized);
    const events = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id));
    expect(events).toHaveLength(1);
    expect(events[0]!.args.callbackSucceeded).toBe(false);
    const { solidityPackedKeccak256 } = await import('ethers');
    const [found, output] = await p.oracle.cachedResult(p.modelIds[0]!, solidityPackedKeccak256(['int256[]'], [input]));
    expect(found).toBe(true);
    expect(output).toEqual(runReference(classifier, input));
    // The failed callback is owed; delivering it reverts again (InferenceOracleCallbackFailed): skipped, not failed.
    expect(await jobEnd(node, id, 'deliver')).toBe('skipped');
    expect(await p.oracle.callbackOwed(id)).toBe(true);
    await (await p.consumer.setMode(0)).wait();
  });
});

describe('a cheating proposer against a watcher', () => {
  let p: Protocol;
  let cheater: RunningNode;
  let watcher: RunningNode;
  const bareDir = writeModelDir(classifier, 'classifier-bare');

  beforeAll(async () => {
    // Model 0 has its weights on chain (disputes settle by re-execution); model 1 has none (arbitration).
    p = await deployProtocol(
      provider,
      [
        { dir: modelDir, onChainWeights: true },
        { dir: bareDir, onChainWeights: false },
      ],
      [ANVIL_KEYS[2], ANVIL_KEYS[3]],
    );
    const models = `${modelDir},${bareDir}`;
    cheater = await startTestNode({
      rpc: anvil.url,
      key: ANVIL_KEYS[2],
      oracle: p.oracleAddress,
      models,
      roles: 'proposer',
      unsafeCorruptOutputForTests: true,
    });
    watcher = await startTestNode({ rpc: anvil.url, key: ANVIL_KEYS[3], oracle: p.oracleAddress, models, roles: 'watcher,finalizer' });
    nodes.push(cheater, watcher);
  });

  it('challenges the wrong output with the correct claim, wins the dispute by on-chain re-execution and slashes the cheater', async () => {
    const input = [90n, 10n, 20n, 30n];
    const correct = runReference(classifier, input);
    const id = await request(p, p.modelIds[0]!, input);
    await waitForState(p, id, STATE.Finalized, 30_000);
    const proposed = await p.oracle.queryFilter(p.oracle.filters.OutputProposed(id));
    expect(proposed[0]!.args.proposer).toBe(cheater.address);
    expect(proposed[0]!.args.output).not.toEqual(correct);
    const challenged = await p.oracle.queryFilter(p.oracle.filters.ProposalChallenged(id));
    expect(challenged.map((e) => [e.args.challenger, e.args.claimHash])).toEqual([[watcher.address, outputHash(correct)]]);
    const resolved = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved).toHaveLength(1);
    const r = resolved[0]!.args;
    expect(r.winner).toBe(watcher.address);
    expect(PROVENANCES[Number(r.provenance)]).toBe('Reexecution');
    expect(r.resolverReward).toBe(BOND / 10n);
    // Whoever resolved (both nodes re-execute honestly and may) is paid the resolver reward, claimable.
    expect([watcher.address, cheater.address]).toContain(r.resolver);
    expect(await p.oracle.claimableOf(r.resolver)).toBe(r.resolverReward);
    // The settlement owes the consumer its callback; the watcher (finalizer) delivers it.
    await waitForDelivery(p, id);
    expect(await p.consumer.lastOutput()).toEqual(correct);
    expect(await jobEnd(watcher, id, 'deliver')).toBe('confirmed');
    const lost = await p.oracle.stakeOf(cheater.address);
    expect(lost.locked).toBe(0n);
    expect(lost.free).toBe(STAKE - BOND);
    const won = await p.oracle.stakeOf(watcher.address);
    expect(won.locked).toBe(0n);
    expect(won.free).toBe(STAKE + r.reward + FEE);
    expect((await watcher.store.jobs.findJob(id, 'challenge'))?.state).toBe('confirmed');
    // Exactly one resolution lands; the other node's job ends without a second one.
    const ends = await Promise.all([watcher, cheater].map((n) => jobEnd(n, id, 'resolve')));
    expect(ends.filter((s) => s === 'confirmed')).toHaveLength(1);
    // The watcher's expireDispute job finds the dispute settled in time.
    expect(await jobEnd(watcher, id, 'expireDispute')).toBe('skipped');
  });

  it('hands a dispute it cannot settle on chain to the arbitrator, with the calldata choosing its claim', async () => {
    const input = [5n, 6n, 7n, 8n];
    const correct = runReference(classifier, input);
    const id = await request(p, p.modelIds[1]!, input);
    await waitForState(p, id, STATE.Disputed, 30_000);
    const health = await waitFor(
      async () => {
        const h = (await (await fetch(`http://127.0.0.1:${watcher.port}/health`)).json()) as {
          arbitrationRequests: Array<{ requestId: string; output: string[]; calldata: string }>;
        };
        return h.arbitrationRequests.find((r) => r.requestId === id.toString());
      },
      15_000,
      'an arbitration request on /health',
    );
    expect(health.output).toEqual(correct.map(String));
    // The arbitrator (a multisig in production) sends it within the dispute window (the arbitration window).
    const arbitrator = new Wallet(p.arbitratorKey, provider);
    await (await arbitrator.sendTransaction({ to: p.oracleAddress, data: health.calldata })).wait();
    expect(await stateOf(p, id)).toBe(STATE.Finalized);
    const resolved = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved[0]!.args.winner).toBe(watcher.address);
    expect(PROVENANCES[Number(resolved[0]!.args.provenance)]).toBe('Arbitration');
    await waitForDelivery(p, id);
    expect(await p.consumer.lastOutput()).toEqual(correct);
    await waitFor(
      async () => {
        const h = (await (await fetch(`http://127.0.0.1:${watcher.port}/health`)).json()) as { arbitrationRequests: Array<{ requestId: string }> };
        return !h.arbitrationRequests.some((r) => r.requestId === id.toString());
      },
      10_000,
      'the arbitration request to leave /health',
    );
  });

  it('expires a dispute nobody settled in its window: the proposal stands, the expirer earns the resolver reward', async () => {
    const input = [9n, 8n, 7n, 6n];
    const id = await request(p, p.modelIds[1]!, input);
    await waitForState(p, id, STATE.Disputed, 30_000);
    const [proposed] = await p.oracle.queryFilter(p.oracle.filters.OutputProposed(id));
    const claimableBefore = await p.oracle.claimableOf(watcher.address);
    // Nobody arbitrates: once the arbitration window has passed, the watcher's finalizer role ends the dispute.
    await rpc(anvil.url, 'evm_increaseTime', [PERIODS.arbitrationWindow + 1]);
    await rpc(anvil.url, 'evm_mine');
    await waitForState(p, id, STATE.Finalized, 30_000);
    expect(await jobEnd(watcher, id, 'expireDispute')).toBe('confirmed');
    const [resolved] = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved!.args.winner).toBe(cheater.address);
    expect(resolved!.args.resolver).toBe(watcher.address);
    expect(PROVENANCES[Number(resolved!.args.provenance)]).toBe('Optimistic');
    expect(await p.oracle.claimableOf(watcher.address)).toBe(claimableBefore + BOND / 10n);
    const [finalized] = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id));
    expect(finalized!.args.output).toEqual(proposed!.args.output);
    expect(finalized!.args.callbackSucceeded).toBe(false);
    await waitForDelivery(p, id);
    expect(await p.consumer.lastOutput()).toEqual(proposed!.args.output);
    const h = (await (await fetch(`http://127.0.0.1:${watcher.port}/health`)).json()) as { arbitrationRequests: Array<{ requestId: string }> };
    expect(h.arbitrationRequests.some((r) => r.requestId === id.toString())).toBe(false);
  });
});

describe('a watcher settling a dispute it is not part of', () => {
  it("resolves another challenger's dispute by re-execution, earns the resolver reward and delivers the callback", async () => {
    const [cheaterKey, watcherKey] = [ANVIL_KEYS[7], ANVIL_KEYS[5]];
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [cheaterKey, watcherKey]);
    // A third operator, funded and staked here: it challenges by hand and runs no node.
    const challenger = Wallet.createRandom().connect(provider);
    await (await p.owner.sendTransaction({ to: challenger.address, value: STAKE + parseEther('1') })).wait();
    await (await p.oracle.connect(challenger).depositStake({ value: STAKE })).wait();
    const cheater = await startTestNode({
      rpc: anvil.url,
      key: cheaterKey,
      oracle: p.oracleAddress,
      models: modelDir,
      roles: 'proposer',
      unsafeCorruptOutputForTests: true,
    });
    nodes.push(cheater);
    const input = [3n, 30n, 60n, 90n];
    const correct = runReference(classifier, input);
    const id = await request(p, p.modelIds[0]!, input);
    await waitForState(p, id, STATE.Proposed, 30_000);
    // The cheater's node would settle its own dispute: it is away. A third operator challenges, and does not resolve.
    await cheater.stop();
    // The challenge, from the events like a node would build it (terms and proposal re-supplied in calldata).
    const gateway = new EthersOracleGateway(p.oracleAddress, provider);
    const [requested] = await p.oracle.queryFilter(p.oracle.filters.InferenceRequested(id));
    const [proposed] = await p.oracle.queryFilter(p.oracle.filters.OutputProposed(id));
    const terms = gateway.decode(requested!);
    if (terms?.type !== 'requested') throw new Error('cannot decode the request');
    const proposal = {
      proposer: proposed!.args.proposer as Hex,
      challenger: ZERO_ADDRESS,
      outputHash: outputHash(proposed!.args.output),
      claimHash: ZERO_HASH,
    };
    await (await challenger.sendTransaction({ to: p.oracleAddress, data: gateway.calldata.challenge(id, terms.terms, proposal, outputHash(correct)) })).wait();
    expect(await stateOf(p, id)).toBe(STATE.Disputed);
    const watcher = await startTestNode({ rpc: anvil.url, key: watcherKey, oracle: p.oracleAddress, models: modelDir, roles: 'watcher,finalizer' });
    nodes.push(watcher);
    await waitForState(p, id, STATE.Finalized, 30_000);
    const [resolved] = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved!.args.winner).toBe(challenger.address);
    expect(resolved!.args.resolver).toBe(watcher.address);
    expect(await p.oracle.claimableOf(watcher.address)).toBe(BOND / 10n);
    expect(await jobEnd(watcher, id, 'resolve')).toBe('confirmed');
    // Its own challenge job found the proposal disputed already.
    expect(await jobEnd(watcher, id, 'challenge')).toBe('skipped');
    await waitForDelivery(p, id);
    expect(await p.consumer.lastOutput()).toEqual(correct);
    expect(await jobEnd(watcher, id, 'deliver')).toBe('confirmed');
  });
});
