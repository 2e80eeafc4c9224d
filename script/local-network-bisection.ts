/**
 * The local network's bisection scenarios (`npm start`, script/local-network.ts):
 * - 9: a cheating operator's wrong result of the deep digits MLP (16 dense steps; its on-chain re-execution would
 *   take about 40 M gas, more than a block) is bisected by the watcher and the cheater down to one step, which is
 *   executed on chain, and the cheater is slashed. The model is registered through the Safe and the timelock with no
 *   weights on chain, only its steps commitment.
 * - 10: the language model's steps commitment is registered (Safe and timelock) with the graph step executor, and a
 *   cheating operator's wrong completion is bisected over its 7,744 graph steps down to the last argmax step,
 *   which the executor runs on chain; the cheater is slashed. (Scenario 8, before it, shows the same dispute
 *   settled by the arbitrator while the model had no steps commitment.)
 */
import { type JsonRpcProvider, NonceManager, type Wallet, ZeroAddress } from 'ethers';
import type { RunningNode } from '../adapter/node.js';
import { ensureDeepDigitsModel } from '../lib/apps/deep.js';
import { modelSpec } from '../lib/client/model-spec.js';
import { readOutcome, sendRequest } from '../lib/client/oracle-client.js';
import { waitFor } from '../lib/devnet/anvil.js';
import { governLocally } from '../lib/devnet/governance.js';
import type { Deployment } from '../lib/gov/deployment.js';
import { estimateReexecutionGas, type Hex, toRequestState } from '../lib/protocol/index.js';
import { GraphTraces } from '../adapter/roles/graph-traces.js';
import { taggerRequest, taggerText } from '../lib/apps/language-model.js';
import { readAnyModelDir } from '../lib/model/model-dir.js';
import { readModelDir, runReference, stepsCommitment } from '../lib/semantics/index.js';
import { GraphStepExecutor__factory, IBisection__factory, IModelRegistry__factory, InferenceOracle__factory } from '../typechain/index.js';

export type BisectionScenario = {
  provider: JsonRpcProvider;
  rpc: string;
  deployment: Deployment;
  /** Two owners of the Safe (its threshold). */
  owners: readonly Wallet[];
  requester: Wallet;
  cheaterKey: string;
  watcherKey: string;
  honestKey: string;
  /** Every other served model folder (the watcher keeps serving them). */
  modelDirs: string;
  /** The language model (registered without a steps commitment). */
  languageModel: { modelId: bigint; dir: string };
  local: { challengeWindow: number; bond: bigint; fee: bigint };
  operators: {
    start(name: string, key: string, roles: string, extra?: Record<string, unknown>): Promise<RunningNode>;
    stop(name: string): Promise<void>;
  };
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  say(line: string): void;
};

export async function bisectionScenario(s: BisectionScenario): Promise<void> {
  const { provider, deployment, operators, say } = s;
  const deep = await s.step('model digits-deep: building (16 dense layers; trained once, then cached in .vai/models)', () => ensureDeepDigitsModel());
  const { manifest, model } = await readModelDir(deep.dir);
  const registry = IModelRegistry__factory.connect(deployment.registry, provider);
  const spec = modelSpec(manifest, { challengeWindow: s.local.challengeWindow, minBond: s.local.bond, fee: s.local.fee });
  const govern = (data: Hex, description: string) =>
    governLocally({ provider, rpc: s.rpc, deployment, owners: s.owners, target: deployment.registry, data, description });
  await s.step('model digits-deep: registering with no weights on chain, then its steps commitment (Safe and timelock)', () =>
    govern(registry.interface.encodeFunctionData('registerModel', [spec, new Uint8Array()]) as Hex, 'register digits-deep'),
  );
  const modelId = await registry.modelCount();
  const steps = stepsCommitment(model);
  await govern(
    registry.interface.encodeFunctionData('setStepsCommitment', [modelId, { root: steps.root, count: steps.steps.length, executor: ZeroAddress }]) as Hex,
    'commit the steps of digits-deep',
  );
  say(
    `  digits-deep is model ${modelId}: ${model.layers.length} steps, steps root ${steps.root.slice(0, 10)}…; re-executing it would take ~${(Number(estimateReexecutionGas(model)) / 1e6).toFixed(0)} M gas`,
  );

  await s.step('scenario 9: a cheating operator proposes a wrong digits-deep result; the watcher bisects it to one step; it is slashed', async () => {
    const models = `${s.modelDirs},${deep.dir}`;
    await operators.stop('honest');
    await operators.stop('watcher');
    await operators.start('watcher', s.watcherKey, 'watcher,finalizer', { models });
    const cheater = await operators.start('cheater', s.cheaterKey, 'proposer', { unsafeCorruptOutputForTests: true, models: deep.dir });
    const oracle = InferenceOracle__factory.connect(deployment.oracle, provider);
    const bisection = IBisection__factory.connect(deployment.oracle, provider);
    const stakeBefore = (await oracle.stakeOf(cheater.address)).free;
    const input = Array.from({ length: manifest.inputLength }, (_, i) => BigInt((i * 5) % 17));
    const sent = await sendRequest({ signer: new NonceManager(s.requester.connect(provider)), oracle: deployment.oracle as Hex, modelId, input });
    const settled = () =>
      waitFor(
        async () => {
          const state = toRequestState(await oracle.requestState(sent.requestId));
          return state === 'Finalized' || state === 'Expired' ? state : undefined;
        },
        180_000,
        'the game to be decided',
        250,
      );
    await settled();
    const moves = await bisection.queryFilter(bisection.filters.BisectionMoved(sent.requestId));
    const [decided] = await bisection.queryFilter(bisection.filters.BisectionDecided(sent.requestId));
    const hashes = [...new Set([...moves, decided!].map((e) => e.transactionHash))];
    const gas = await Promise.all(hashes.map(async (h) => (await provider.getTransactionReceipt(h))!.gasUsed));
    say(
      `  the watcher opened the game; ${moves.length - 1} halving moves narrowed ${model.layers.length} steps to step ${decided?.args.step}, which it executed on chain`,
    );
    say(
      `  gas per transaction: ${gas.map((g) => g.toLocaleString('en-US')).join(', ')} (total ${gas.reduce((a, b) => a + b, 0n).toLocaleString('en-US')}, largest ${[...gas].sort((a, b) => Number(b - a))[0]?.toLocaleString('en-US')})`,
    );
    const outcome = await readOutcome(oracle, sent.requestId);
    say(
      `  final output [${outcome?.state === 'Finalized' ? outcome.output.join(', ') : '-'}], reference [${runReference(model, input).join(', ')}]; winner ${decided?.args.winner}`,
    );
    say(`  cheater's stake ${stakeBefore} -> ${(await oracle.stakeOf(cheater.address)).free} wei`);
    await operators.stop('cheater');
    await operators.stop('watcher');
    await operators.start('watcher', s.watcherKey, 'watcher,finalizer');
    await operators.start('honest', s.honestKey, 'proposer,finalizer', { prove: true });
  });
}

/** Scenario 10: the language model's wrong completion bisected to one graph step and executed on chain. */
export async function languageModelBisection(s: BisectionScenario): Promise<void> {
  const { provider, deployment, operators, say } = s;
  const lm = await readAnyModelDir(s.languageModel.dir);
  if (lm.kind !== 'graph' || !lm.generation) throw new Error(`${s.languageModel.dir} is not a language model`);
  const { modelId, dir } = s.languageModel;
  const registry = IModelRegistry__factory.connect(deployment.registry, provider);
  // The executor is stateless: anyone may deploy one; governance names it in the model's steps commitment.
  const graphStepExecutor = await s.step('deploying the graph step executor', async () => {
    const executor = await (await new GraphStepExecutor__factory(new NonceManager(s.requester.connect(provider))).deploy()).waitForDeployment();
    return (await executor.getAddress()) as Hex;
  });
  // About 30 s of keccak: in a worker thread, so that the nodes running in this process keep following the chain.
  const steps = await s.step('model gpt: its steps commitment (7,744 graph steps, computed once in a worker thread)', async () => {
    const traces = new GraphTraces();
    for (;;) {
      const root = traces.stepsRoot(dir);
      if (root.state === 'ready') return root.value;
      if (root.state === 'failed') throw new Error(root.error);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  await s.step('model gpt: registering its steps commitment with the graph step executor (Safe and timelock)', () =>
    governLocally({
      provider,
      rpc: s.rpc,
      deployment,
      owners: s.owners,
      target: deployment.registry,
      data: registry.interface.encodeFunctionData('setStepsCommitment', [
        modelId,
        { root: steps.root, count: steps.count, executor: graphStepExecutor },
      ]) as Hex,
      description: 'commit the steps of gpt',
    }),
  );
  say(`  gpt (model ${modelId}): ${steps.count} steps, steps root ${steps.root.slice(0, 10)}…, executed by the graph step executor ${graphStepExecutor}`);

  await s.step(
    'scenario 10: a cheating operator proposes a wrong completion of the language model; the watcher bisects it to its last argmax step; it is slashed',
    async () => {
      await operators.stop('honest');
      await operators.stop('watcher');
      await operators.start('watcher', s.watcherKey, 'watcher,finalizer');
      const cheater = await operators.start('cheater', s.cheaterKey, 'proposer', { unsafeCorruptOutputForTests: true, models: dir });
      const oracle = InferenceOracle__factory.connect(deployment.oracle, provider);
      const bisection = IBisection__factory.connect(deployment.oracle, provider);
      const stakeBefore = (await oracle.stakeOf(cheater.address)).free;
      const input = await taggerRequest(lm, 'Q: Fund the public goods round?');
      const t0 = Date.now();
      const sent = await sendRequest({ signer: new NonceManager(s.requester.connect(provider)), oracle: deployment.oracle as Hex, modelId, input });
      // Both nodes compute their traces first (about half a minute each, in their worker threads).
      await waitFor(
        async () => {
          const state = toRequestState(await oracle.requestState(sent.requestId));
          return state === 'Finalized' || state === 'Expired' ? state : undefined;
        },
        600_000,
        'the language model game to be decided',
        250,
      );
      const moves = await bisection.queryFilter(bisection.filters.BisectionMoved(sent.requestId));
      const [decided] = await bisection.queryFilter(bisection.filters.BisectionDecided(sent.requestId));
      const hashes = [...new Set([...moves, decided!].map((e) => e.transactionHash))];
      const gas = await Promise.all(hashes.map(async (h) => (await provider.getTransactionReceipt(h))!.gasUsed));
      say(
        `  the watcher opened the game; ${moves.length - 1} halving moves narrowed ${steps.count} steps to step ${decided?.args.step} (the last argmax), which it executed on chain (${((Date.now() - t0) / 1000).toFixed(0)} s from the request)`,
      );
      say(
        `  gas per transaction: ${gas.map((g) => g.toLocaleString('en-US')).join(', ')} (total ${gas.reduce((a, b) => a + b, 0n).toLocaleString('en-US')}, largest ${[...gas].sort((a, b) => Number(b - a))[0]?.toLocaleString('en-US')})`,
      );
      const outcome = await readOutcome(oracle, sent.requestId);
      const answer = outcome?.state === 'Finalized' ? `"${await taggerText(outcome.output)}"` : '-';
      say(`  final completion ${answer}; winner ${decided?.args.winner}`);
      say(`  cheater's stake ${stakeBefore} -> ${(await oracle.stakeOf(cheater.address)).free} wei`);
      await operators.stop('cheater');
      await operators.stop('watcher');
      await operators.start('watcher', s.watcherKey, 'watcher,finalizer');
      await operators.start('honest', s.honestKey, 'proposer,finalizer', { prove: true });
    },
  );
}
