import { NonceManager, Wallet, ZeroAddress, parseEther, type JsonRpcProvider } from 'ethers';
import { modelSpec, registrationWeights } from '../../../../lib/client/model-spec.js';
import { readAnyModelDir } from '../../../../lib/model/model-dir.js';
import { graphStepsCommitment, stepsCommitment, type Hex } from '../../../../lib/semantics/index.js';
import {
  ERC1967Proxy__factory,
  BatchModule__factory,
  BisectionModule__factory,
  GraphStepExecutor__factory,
  InferenceOracle__factory,
  MockConsumer__factory,
  ModelRegistry__factory,
  type InferenceOracle,
  type MockConsumer,
  type ModelRegistry,
} from '../../../../typechain/index.js';
import { ANVIL_KEYS } from './anvil.js';

export const FEE = parseEther('0.01');
export const BOND = parseEther('1');
export const STAKE = parseEther('20');
export const CHALLENGE_WINDOW = 60; // the protocol's minimum
export const PERIODS = { requestTimeout: 3600, disputeWindow: 3600, arbitrationWindow: 7200, unbondingDelay: 8 * 86400 + 3 * 3600 + 1 };

/**
 * A model folder (chain or graph) to register; a graph model's weights never go on chain (`onChainWeights` false).
 * `steps`: also commit a chain model's per-step weights (`setStepsCommitment`), so that its disputes can be bisected.
 */
export type ModelToRegister = { dir: string; onChainWeights: boolean; steps?: boolean };

export type Protocol = {
  owner: NonceManager;
  registry: ModelRegistry;
  oracle: InferenceOracle;
  oracleAddress: Hex;
  consumer: MockConsumer;
  modelIds: bigint[];
  /** The arbitrator's key (anvil account 4). */
  arbitratorKey: string;
  /** The step executor of graph models (`GraphStepExecutor`), to name in a graph model's steps commitment. */
  graphStepExecutor: Hex;
};

/**
 * Deploys the protocol as `script/Deploy.s.sol` would, from the forge artifacts (typechain factories):
 * registry and oracle behind ERC1967 proxies, the models, a test consumer funded with 10 ETH, and stake
 * for every operator key.
 */
export async function deployProtocol(provider: JsonRpcProvider, models: ModelToRegister[], operatorKeys: readonly string[], stake = STAKE): Promise<Protocol> {
  const owner = new NonceManager(new Wallet(ANVIL_KEYS[0], provider));
  const ownerAddress = await owner.getAddress();
  const arbitrator = new Wallet(ANVIL_KEYS[4]);
  const registryImpl = await (await new ModelRegistry__factory(owner).deploy()).waitForDeployment();
  const registryProxy = await (
    await new ERC1967Proxy__factory(owner).deploy(
      await registryImpl.getAddress(),
      ModelRegistry__factory.createInterface().encodeFunctionData('initialize', [ownerAddress]),
    )
  ).waitForDeployment();
  const registry = ModelRegistry__factory.connect(await registryProxy.getAddress(), owner);
  const batchModule = await (await new BatchModule__factory(owner).deploy()).waitForDeployment();
  const bisectionModule = await (await new BisectionModule__factory(owner).deploy()).waitForDeployment();
  const graphStepExecutor = (await (await (await new GraphStepExecutor__factory(owner).deploy()).waitForDeployment()).getAddress()) as Hex;
  const oracleImpl = await (
    await new InferenceOracle__factory(owner).deploy(await batchModule.getAddress(), await bisectionModule.getAddress())
  ).waitForDeployment();
  const oracleProxy = await (
    await new ERC1967Proxy__factory(owner).deploy(
      await oracleImpl.getAddress(),
      InferenceOracle__factory.createInterface().encodeFunctionData('initialize', [
        ownerAddress,
        await registry.getAddress(),
        ownerAddress,
        arbitrator.address,
        PERIODS,
      ]),
    )
  ).waitForDeployment();
  const oracleAddress = (await oracleProxy.getAddress()) as Hex;
  const oracle = InferenceOracle__factory.connect(oracleAddress, owner);
  // The registry refreshes the oracle's copy of each model's terms (as script/Deploy.s.sol and the bootstrap do).
  await (await registry.setOracle(oracleAddress)).wait();

  const modelIds: bigint[] = [];
  for (const m of models) {
    const loaded = await readAnyModelDir(m.dir);
    const spec = modelSpec(loaded.manifest, { challengeWindow: CHALLENGE_WINDOW, minBond: BOND, fee: FEE });
    const weights = m.onChainWeights ? registrationWeights(loaded) : new Uint8Array();
    const id = await registry.registerModel.staticCall(spec, weights);
    await (await registry.registerModel(spec, weights)).wait();
    if (m.steps) {
      if (loaded.kind === 'chain') {
        const c = stepsCommitment(loaded.model);
        await (await registry.setStepsCommitment(id, { root: c.root, count: c.steps.length, executor: ZeroAddress })).wait();
      } else {
        if (!loaded.generation) throw new Error(`${m.dir} is a graph model without generation: its steps are not defined`);
        const c = graphStepsCommitment(loaded.graph, loaded.generation);
        await (await registry.setStepsCommitment(id, { root: c.root, count: c.leaves.length, executor: graphStepExecutor })).wait();
      }
    }
    modelIds.push(id);
  }
  const consumer = await (await new MockConsumer__factory(owner).deploy(oracleAddress)).waitForDeployment();
  await (await owner.sendTransaction({ to: await consumer.getAddress(), value: parseEther('10') })).wait();
  for (const key of operatorKeys) {
    const operator = InferenceOracle__factory.connect(oracleAddress, new Wallet(key, provider));
    await (await operator.depositStake({ value: stake })).wait();
  }
  return {
    owner,
    registry,
    oracle,
    oracleAddress,
    consumer: consumer.connect(owner) as MockConsumer,
    modelIds,
    arbitratorKey: arbitrator.privateKey,
    graphStepExecutor,
  };
}
