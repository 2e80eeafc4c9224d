import { join } from 'node:path';
import { Contract, ContractFactory, JsonRpcProvider, Wallet, type InterfaceAbi } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVENANCES } from '../../../lib/client/oracle-abi.js';
import { IBatches__factory } from '../../../typechain/index.js';
import { runReference } from '../../../lib/semantics/index.js';
import { closeSharedProver, releaseCurve, setupModel } from '../../../lib/zk/index.js';
import type { RunningNode } from '../../../adapter/node.js';
import { ANVIL_KEYS, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { startTestNode } from './helpers/node.js';
import { BOND, FEE, STAKE, deployProtocol, type Protocol } from './helpers/protocol.js';
import { compileSolidity } from '../../../lib/devnet/solidity.js';

const STATE = { Proposed: 2n, Disputed: 3n, Finalized: 4n };
const modelDir = writeModelDir(classifier, 'classifier');

let anvil: Anvil;
let provider: JsonRpcProvider;
let p: Protocol;
let verifier: Contract;
const nodes: RunningNode[] = [];

beforeAll(async () => {
  // The model's circuit, Groth16 keys and Solidity verifier (vai zk setup), then the protocol with it.
  await setupModel(modelDir);
  const verifierArtifact = compileSolidity(join(modelDir, 'zk', 'Verifier.sol'), 'ClassifierVerifier');
  anvil = await startAnvil(['--block-time', '1']);
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
  p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [ANVIL_KEYS[1], ANVIL_KEYS[2], ANVIL_KEYS[3]]);
  const deployed = await (await new ContractFactory(verifierArtifact.abi as InterfaceAbi, verifierArtifact.bytecode, p.owner).deploy()).waitForDeployment();
  verifier = new Contract(await deployed.getAddress(), verifierArtifact.abi as InterfaceAbi, provider);
  await (await p.registry.setVerifier(p.modelIds[0]!, await verifier.getAddress())).wait();
});
afterAll(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await closeSharedProver();
  await releaseCurve();
  provider?.destroy();
  await anvil?.stop();
});

async function request(input: bigint[]): Promise<bigint> {
  const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
  await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
  return id;
}

describe('ZK paths', () => {
  it('proposes with a proof: finalized at once, no bond, no challenge window', async () => {
    const node = await startTestNode({ rpc: anvil.url, key: ANVIL_KEYS[1], oracle: p.oracleAddress, models: modelDir, roles: 'proposer', prove: true });
    nodes.push(node);
    const input = [12n, 34n, 56n, 78n];
    const id = await request(input);
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 60_000, 'finalization with a proof', 100);
    expect(await p.oracle.queryFilter(p.oracle.filters.OutputProposed(id))).toHaveLength(0);
    expect(await p.consumer.lastOutput()).toEqual(runReference(classifier, input));
    const stake = await p.oracle.stakeOf(node.address);
    expect(stake.free).toBe(STAKE + FEE);
    expect(stake.locked).toBe(0n);
    const job = await waitFor(
      async () => {
        const j = await node.store.jobs.findJob(id, 'propose');
        return j?.state === 'confirmed' ? j : undefined;
      },
      10_000,
      'the propose job to be confirmed',
    );
    expect(job.proof).toMatch(/^0x[0-9a-f]{512}$/);
    // The node proved for its own address, the sender: the same proof is worthless to anyone else.
    const output = runReference(classifier, input);
    expect(await verifier.getFunction('verifyInference').staticCall(input, output, node.address, job.proof)).toBe(true);
    const copier = new Wallet(ANVIL_KEYS[5]).address;
    expect(await verifier.getFunction('verifyInference').staticCall(input, output, copier, job.proof)).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
    expect(metrics).toMatch(/vai_proving_seconds_count\{model="classifier"\} 1/);
    await node.stop();
  });

  it('settles a dispute with a proof of the correct output', async () => {
    const cheater = await startTestNode({
      rpc: anvil.url,
      key: ANVIL_KEYS[2],
      oracle: p.oracleAddress,
      models: modelDir,
      roles: 'proposer',
      unsafeCorruptOutputForTests: true,
      prove: true,
    });
    const watcher = await startTestNode({
      rpc: anvil.url,
      key: ANVIL_KEYS[3],
      oracle: p.oracleAddress,
      models: modelDir,
      roles: 'watcher,finalizer',
      prove: true,
    });
    nodes.push(cheater, watcher);
    const input = [99n, 1n, 50n, 0n];
    const id = await request(input);
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 60_000, 'the dispute to be settled', 100);
    const resolved = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved[0]!.args.winner).toBe(watcher.address);
    expect(PROVENANCES[Number(resolved[0]!.args.provenance)]).toBe('Proof');
    // The resolver (either node: both can prove) is paid 10 % of the losing bond, claimable.
    expect(await p.oracle.claimableOf(resolved[0]!.args.resolver)).toBe(BOND / 10n);
    // The settlement owes the consumer its callback; the watcher (finalizer) delivers it.
    await waitFor(async () => (await p.oracle.queryFilter(p.oracle.filters.CallbackDelivered(id))).length > 0, 20_000, 'the callback to be delivered', 100);
    expect(await p.consumer.lastOutput()).toEqual(runReference(classifier, input));
    expect((await p.oracle.stakeOf(cheater.address)).free).toBe(STAKE - BOND);
    // Both nodes are involved and may settle it: exactly one resolution lands, and it carries a proof.
    const jobs = await waitFor(
      async () => {
        const js = await Promise.all([watcher, cheater].map((n) => n.store.jobs.findJob(id, 'resolve')));
        return js.every((j) => j && ['confirmed', 'failed', 'skipped'].includes(j.state)) ? js : undefined;
      },
      15_000,
      'the resolve jobs to end',
    );
    const confirmed = jobs.filter((j) => j?.state === 'confirmed');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.proof).not.toBeNull();
  });

  it('proves requests that arrive together in one batch: one proposeWithProofBatch finalizes them all', async () => {
    // This node alone answers (the cheater of the dispute test would propose first).
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    // The model's batch circuit of 4 (vai zk setup --batch 4) and its batch verifier, set by the owner.
    await setupModel(modelDir, { batch: 4 });
    const artifact = compileSolidity(join(modelDir, 'zk', 'batch-4', 'Verifier.sol'), 'ClassifierBatch4Verifier');
    const batchVerifier = await (await new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, p.owner).deploy()).waitForDeployment();
    const batches = IBatches__factory.connect(p.oracleAddress, p.owner);
    await (await batches.setBatchVerifier(p.modelIds[0]!, 1n, 4n, await batchVerifier.getAddress())).wait();

    const node = await startTestNode({
      rpc: anvil.url,
      key: ANVIL_KEYS[4],
      oracle: p.oracleAddress,
      models: modelDir,
      roles: 'proposer',
      prove: true,
      batchWaitBlocks: 3,
    });
    nodes.push(node);
    const inputs = [
      [1n, 2n, 3n, 4n],
      [50n, 60n, 70n, 80n],
      [9n, 9n, 9n, 9n],
    ];
    const ids: bigint[] = [];
    for (const input of inputs) ids.push(await request(input));
    await waitFor(
      async () => (await Promise.all(ids.map((id) => p.oracle.requestState(id)))).every((s) => s === STATE.Finalized),
      90_000,
      'the batch to finalize every request',
      200,
    );
    const proven = await batches.queryFilter(batches.filters.BatchProven(p.modelIds[0]!, node.address));
    expect(proven.length).toBeGreaterThanOrEqual(1);
    expect(proven.reduce((n, e) => n + e.args.finalized, 0n)).toBe(3n);
    for (const [i, id] of ids.entries()) {
      const finalized = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id));
      expect(PROVENANCES[Number(finalized[0]!.args.provenance)]).toBe('Proof');
      expect(finalized[0]!.args.output.map(BigInt)).toEqual(runReference(classifier, inputs[i]!));
    }
    // One job led each batch (confirmed); the others rode along and end skipped, saying so.
    const jobs = await waitFor(
      async () => {
        const js = await Promise.all(ids.map((id) => node.store.jobs.findJob(id, 'propose')));
        return js.every((j) => j && ['confirmed', 'skipped'].includes(j.state)) ? js : undefined;
      },
      20_000,
      'the propose jobs to end',
    );
    expect(jobs.filter((j) => j?.state === 'confirmed')).toHaveLength(proven.length);
    for (const j of jobs) if (j?.state === 'skipped') expect(j.error).toBe('request is Finalized (proven in a batch)');
    const metrics = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
    expect(metrics).toMatch(/vai_batch_size_sum\{model="classifier"\} 3/);
    expect(metrics).toMatch(/vai_batch_proving_seconds_count\{model="classifier",size="4"\} \d/);
    await node.stop();
  });
});
