/**
 * `npm start`: a complete local network on an embedded chain.
 *
 * Starts anvil, deploys the protocol under a Safe and a timelock, builds the example models (cached in
 * .vai/models), imports the quality inspector's LeNet-5 and runs its ZK set-up (the first run only: minutes, then
 * cached in .vai/cache/zk), registers every model through the timelock (the local clock is moved past the delay),
 * deploys the example apps, starts an honest operator, a watcher and a finalizer, and plays a scenario: optimistic
 * finality, a LeNet-5 inspection proven at once, its cache hit, a dispute settled by re-execution (the consumer's
 * callback delivered afterwards), a cached optimistic result overturned by a proof, a DAO screening, a proposal tagged
 * by the language model (and a wrong completion challenged and arbitrated), and a wrong result of a model too large to
 * re-execute bisected down to one step executed on chain (script/local-network-bisection.ts). Then it keeps running,
 * prints how to use the network, and writes the same facts to .vai/local-network.json. Ctrl-C stops everything.
 *
 * Environment: VAI_PORT (RPC port, default 8545), VAI_SCENARIO=0 skips the scenario, VAI_EXIT_AFTER_SCENARIO=1
 * stops after it (used by the smoke test).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, formatEther, id, parseEther } from 'ethers';
import { pino } from 'pino';
import { toRequestState } from '../lib/protocol/index.js';
import { parseNodeConfig } from '../adapter/config.js';
import { startNode, type RunningNode } from '../adapter/node.js';
import { creditModelInput } from '../lib/apps/credit.js';
import { textModelInput } from '../lib/apps/text.js';
import { ModelCatalog } from '../adapter/inference/catalog.js';
import { ZkProver } from '../adapter/inference/zk.js';
import { modelSpec, registrationWeights } from '../lib/client/model-spec.js';
import { ensureLanguageModel, TAGGER_GENERATION, taggerRequest, taggerText } from '../lib/apps/language-model.js';
import { ensureInspectionModel, FASHION_CLASSES, firstFashionImage, inspectionInput } from '../lib/apps/inspection.js';
import { ensureGraphSetup } from '../lib/zk/setup-cache.js';
import { approve as approveSafeTx } from '../lib/gov/approve.js';
import { execute as executeSafeTx } from '../lib/gov/execute.js';
import { propose as proposeSafeTx } from '../lib/gov/propose.js';
import { connectOracle, toProvenance } from '../lib/client/oracle-abi.js';
import { readOutcome, sendRequest } from '../lib/client/oracle-client.js';
import { readCsv } from '../lib/data/csv.js';
import { ANVIL_KEYS, increaseTime, startAnvil, waitFor, type Anvil } from '../lib/devnet/anvil.js';
import { deployApps, type AppsDeployment } from '../lib/devnet/apps.js';
import { deployGovernance, governLocally } from '../lib/devnet/governance.js';
import { LOCAL_NETWORK_FILE, type NetworkFile } from '../lib/devnet/network-file.js';
import { compileSolidity, deployCompiled } from '../lib/devnet/solidity.js';
import { defaultDeploymentPath, type Deployment } from '../lib/gov/deployment.js';
import type { Hex } from '../lib/protocol/index.js';
import { quantizeInput } from '../lib/protocol/index.js';
import { ensureExampleModel, type ExampleModelName } from '../lib/apps/examples.js';
import { readAnyModelDir, referenceOutput } from '../lib/model/model-dir.js';
import { meanProvingSeconds } from '../lib/devnet/metrics.js';
import { encodeModel, inputHash, readModelDir, runReference, type IntModel } from '../lib/semantics/index.js';
import { loadArtifacts } from '../lib/zk/settings.js';
import { setupModel } from '../lib/zk/setup.js';
import {
  ContentModerator__factory,
  CreditLineLender__factory,
  IModelRegistry__factory,
  InferenceOracle__factory,
  ProposalScreener__factory,
  ProposalTagger__factory,
  QualityInspector__factory,
} from '../typechain/index.js';
import { PROJECT_ROOT } from '../lib/project.js';
import { bisectionScenario, languageModelBisection } from './local-network-bisection.js';

/** A request id for the narrative: keyed ids (the input's cache key, 256 bits) shortened, sequence ids as they are. */
const shownId = (id: bigint): string => (id >> 40n === 0n ? id.toString() : `0x${id.toString(16).slice(0, 10)}…`);

const LOCAL_DIR = join(PROJECT_ROOT, '.vai', 'local');
const PORT = Number(process.env.VAI_PORT ?? 8545);
const CHAIN_ID = 31337;

/** Who is who on the local chain (anvil's funded accounts). */
const KEYS = {
  deployer: ANVIL_KEYS[0],
  owners: [ANVIL_KEYS[0], ANVIL_KEYS[1], ANVIL_KEYS[2]],
  honest: ANVIL_KEYS[3],
  watcher: ANVIL_KEYS[4],
  cheater: ANVIL_KEYS[5],
  requester: ANVIL_KEYS[6],
  guardian: ANVIL_KEYS[7],
} as const;

/** Local parameters: short windows so the scenario takes a minute or two; public chains want hours. */
const LOCAL = {
  minDelay: 30,
  challengeWindow: 60,
  // The registry wants every bond at least twice the fee (a dispute can never pay its own parties).
  fee: parseEther('0.001'),
  bond: parseEther('0.5'),
  stake: parseEther('10'),
  lenderLiquidity: parseEther('20'),
  // The unbonding delay must outlast the longest challenge window any model may have (7 days) plus disputes.
  periods: { requestTimeout: 3600, disputeWindow: 600, arbitrationWindow: 1200, unbondingDelay: 8 * 86400 },
};

/** Every example chain model; the digits model also gets a Groth16 verifier (scenario 5 proves a digits result). */
const MODELS: { name: ExampleModelName; zk: boolean }[] = [
  { name: 'digits', zk: true },
  { name: 'credit', zk: false },
  { name: 'proposals', zk: false },
  { name: 'moderation', zk: false },
  { name: 'breast-cancer', zk: false },
];

const started = Date.now();
const say = (line: string): void => void process.stdout.write(`${`${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7)}  ${line}\n`);
async function step<T>(title: string, fn: () => Promise<T>): Promise<T> {
  say(`▸ ${title}`);
  return fn();
}

type Operators = {
  start(name: string, key: string, roles: string, extra?: Record<string, unknown>): Promise<RunningNode>;
  stop(name: string): Promise<void>;
  node(name: string): RunningNode | undefined;
};
type Network = { anvil: Anvil; provider: JsonRpcProvider; deployment: Deployment; models: NetworkFile['models']; apps: AppsDeployment; operators: Operators };

async function main(): Promise<void> {
  await mkdir(LOCAL_DIR, { recursive: true });
  const nodes = new Map<string, RunningNode>();
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;
  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) process.exit(code);
    stopping = true;
    say('stopping the nodes, then the chain');
    await Promise.allSettled([...nodes.values()].map((n) => n.stop()));
    provider?.destroy();
    await anvil?.stop();
    await rm(LOCAL_NETWORK_FILE, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    anvil = await step(`starting anvil on port ${PORT} (one block per second)`, () => startAnvil(['--block-time', '1'], PORT));
    const rpc = anvil.url;
    provider = new JsonRpcProvider(rpc, CHAIN_ID, { staticNetwork: true, pollingInterval: 250 });
    const deployer = new NonceManager(new Wallet(KEYS.deployer, provider));
    const owners = KEYS.owners.map((k) => new Wallet(k, provider));

    const deployment = await step('deploying the protocol under a 2-of-3 Safe and a TimelockController', () =>
      deployGovernance({
        rpc,
        deployerKey: KEYS.deployer,
        owners: owners.map((o) => o.address),
        threshold: 2,
        guardian: new Wallet(KEYS.guardian).address,
        minDelay: LOCAL.minDelay,
        periods: LOCAL.periods,
        // Where `vai gov` looks by default, so `npx vai gov status` works against the local network as is.
        out: join(PROJECT_ROOT, defaultDeploymentPath(BigInt(CHAIN_ID))),
      }),
    );
    say(`  oracle ${deployment.oracle}  registry ${deployment.registry}  timelock ${deployment.timelock}  Safe ${deployment.safe}`);

    const registry = IModelRegistry__factory.connect(deployment.registry, provider);
    /** Registers a model through the Safe (2 signatures) and the timelock; returns its model id. */
    const register = async (name: string, data: Hex, title: string): Promise<bigint> => {
      await step(title, () =>
        governLocally({ provider: provider!, rpc, deployment, owners: owners.slice(0, 2), target: deployment.registry, data, description: `register ${name}` }),
      );
      return registry.modelCount();
    };
    const models: NetworkFile['models'] = {};
    for (const plan of MODELS) {
      const loaded = await step(`model ${plan.name}: building (trained once, then cached in .vai/models)`, () => ensureExampleModel(plan.name));
      let verifier: string | undefined;
      if (plan.zk) {
        const cached = await loadArtifacts(loaded.dir).catch(() => null);
        const zk = cached?.settings ?? (await step(`model ${plan.name}: Groth16 set-up (first run only)`, () => setupModel(loaded.dir)));
        verifier = await (await deployCompiled(compileSolidity(join(loaded.dir, 'zk', 'Verifier.sol'), zk.contracts.contract), deployer)).getAddress();
        say(`  circuit of ${zk.constraints} constraints; verifier ${verifier}`);
      }
      const { manifest, model } = await readModelDir(loaded.dir);
      const spec = modelSpec(manifest, { challengeWindow: LOCAL.challengeWindow, minBond: LOCAL.bond, fee: LOCAL.fee, verifier });
      const modelId = await register(
        plan.name,
        registry.interface.encodeFunctionData('registerModel', [spec, encodeModel(model)]) as Hex,
        `model ${plan.name}: registering through the Safe (2 signatures) and the timelock (${LOCAL.minDelay} s, clock moved)`,
      );
      models[plan.name] = {
        modelId: modelId.toString(),
        modelHash: manifest.modelHash,
        dir: loaded.dir,
        ...(verifier ? { verifier } : {}),
        onChainWeights: true,
      };
      say(`  ${plan.name} is model ${modelId}: ${manifest.inputLength} inputs, ${manifest.outputKind}, scale 2^${manifest.scaleBits}, weights on chain`);
    }

    // The ProposalTagger's language model: a graph model, so its weights stay off chain (disputes: arbitration).
    const lm = await step('model gpt: importing the committed GPT as a language model (once, then cached in .vai/models)', () => ensureLanguageModel());
    const gptId = await register(
      'gpt',
      registry.interface.encodeFunctionData('registerModel', [
        modelSpec(lm.manifest, { challengeWindow: LOCAL.challengeWindow, minBond: LOCAL.bond, fee: LOCAL.fee }),
        registrationWeights(lm),
      ]) as Hex,
      'model gpt: registering through the Safe and the timelock (no weights on chain: a graph model)',
    );
    const gpt = { modelId: gptId.toString(), modelHash: lm.manifest.modelHash, dir: lm.dir, onChainWeights: false };
    models.gpt = gpt;
    say(`  gpt is model ${gpt.modelId}: a prompt of up to ${TAGGER_GENERATION.promptLength} characters, ${TAGGER_GENERATION.maxTokens} tokens generated`);

    // The QualityInspector's LeNet-5: a graph model (weights off chain) whose results are proven (scenario 2).
    const cnn = await step('model lenet5: importing the committed LeNet-5 (Fashion-MNIST) as an integer graph (once, then cached in .vai/models)', () =>
      ensureInspectionModel(),
    );
    const setupStarted = Date.now();
    const cnnZk = await ensureGraphSetup(cnn.dir, cnn.graph, {
      name: cnn.manifest.name,
      onSetup: ({ estimate, cacheDir, ptau }) =>
        say(
          `▸ model lenet5: Groth16 set-up of a circuit of about ${estimate.toLocaleString('en-US')} constraints, first run only (several minutes; then cached in ${cacheDir}); ` +
            (ptau ? `powers of tau ${ptau}` : 'no cached powers of tau fit: generating them first, which takes longer'),
        ),
    });
    // The deployer's key is also the first Safe owner, which has signed and sent transactions since: re-read its nonce.
    deployer.reset();
    const cnnVerifier = await (
      await deployCompiled(compileSolidity(join(cnn.dir, 'zk', 'Verifier.sol'), cnnZk.settings.contracts.contract), deployer)
    ).getAddress();
    const setupNote =
      cnnZk.source === 'setup'
        ? `set up now in ${((Date.now() - setupStarted) / 1000).toFixed(0)} s, cached in ${cnnZk.cacheDir}`
        : `set-up from ${cnnZk.source === 'cache' ? cnnZk.cacheDir : join(cnn.dir, 'zk')}`;
    say(`  circuit of ${cnnZk.settings.constraints.toLocaleString('en-US')} constraints (${setupNote}); verifier ${cnnVerifier}`);
    const cnnId = await register(
      'lenet5',
      registry.interface.encodeFunctionData('registerModel', [
        modelSpec(cnn.manifest, { challengeWindow: LOCAL.challengeWindow, minBond: LOCAL.bond, fee: LOCAL.fee, verifier: cnnVerifier }),
        registrationWeights(cnn),
      ]) as Hex,
      'model lenet5: registering through the Safe and the timelock (no weights on chain: a graph model; a Groth16 verifier)',
    );
    models.lenet5 = { modelId: cnnId.toString(), modelHash: cnn.manifest.modelHash, dir: cnn.dir, verifier: cnnVerifier, onChainWeights: false };
    say(
      `  lenet5 is model ${cnnId}: ${cnn.manifest.inputLength} pixels (raw, 0..255), ${cnn.manifest.outputKind} over ${FASHION_CLASSES.length} classes, scale 2^${cnn.manifest.scaleBits}`,
    );

    const requester = new Wallet(KEYS.requester).address;
    const apps = await step('deploying the example apps behind UUPS proxies', async () =>
      deployApps({
        rpc,
        deployerKey: KEYS.deployer,
        oracle: deployment.oracle,
        modelIds: {
          credit: models.credit!.modelId,
          proposals: models.proposals!.modelId,
          moderation: models.moderation!.modelId,
          image: cnnId.toString(),
          tagger: gpt.modelId,
        },
        imagePixelCount: cnn.manifest.inputLength,
        creditScaleBits: (await readModelDir(models.credit!.dir)).manifest.scaleBits,
        lenderLiquidity: LOCAL.lenderLiquidity,
        inspector: requester,
        out: join(LOCAL_DIR, 'apps.json'),
      }),
    );
    say(`  CreditLineLender ${apps.creditLineLender}  ProposalScreener ${apps.proposalScreener}`);
    say(`  ContentModerator ${apps.contentModerator}  QualityInspector ${apps.qualityInspector}`);
    say(`  ProposalTagger ${apps.proposalTagger}`);

    await step('operators deposit stake', async () => {
      for (const key of [KEYS.honest, KEYS.watcher, KEYS.cheater]) {
        await (await InferenceOracle__factory.connect(deployment.oracle, new Wallet(key, provider)).depositStake({ value: LOCAL.stake })).wait();
      }
    });

    const modelDirs = Object.values(models)
      .map((m) => m.dir)
      .join(',');
    const operators: Operators = {
      async start(name, key, roles, extra = {}) {
        const logFile = join(LOCAL_DIR, `${name}.log`);
        const config = parseNodeConfig(
          {
            rpc,
            key,
            oracle: deployment.oracle,
            models: modelDirs,
            roles,
            port: 0,
            db: join(LOCAL_DIR, `${name}.db`),
            confirmations: 1,
            pollIntervalMs: 250,
            log: 'json',
            finalizeGraceS: 3,
            ...extra,
          },
          // The demo's cheating operator uses the node's test-only corruption switch, on purpose.
          extra.unsafeCorruptOutputForTests ? { ...process.env, VAI_UNSAFE_TEST_OPTIONS: '1' } : process.env,
        );
        const node = await startNode(config, { logger: pino({ level: 'info' }, pino.destination({ dest: logFile, mkdir: true })) });
        nodes.set(name, node);
        say(`  ${name} operator ${node.address} (${roles}) — HTTP http://127.0.0.1:${node.port}, log ${logFile}`);
        return node;
      },
      async stop(name) {
        await nodes.get(name)?.stop();
        nodes.delete(name);
      },
      node: (name) => nodes.get(name),
    };
    for (const name of ['honest', 'watcher', 'cheater']) await rm(join(LOCAL_DIR, `${name}.db`), { force: true });
    await step('starting the operator nodes', async () => {
      await operators.start('honest', KEYS.honest, 'proposer,finalizer', { prove: true });
      await operators.start('watcher', KEYS.watcher, 'watcher,finalizer');
    });

    // Written as soon as the nodes run (the network is usable from here on), and again after the scenarios, which
    // restart some nodes on new ports.
    const writeNetworkFile = async (): Promise<void> => {
      const file: NetworkFile = {
        rpc,
        chainId: CHAIN_ID,
        startedAt: new Date(started).toISOString(),
        contracts: {
          oracle: deployment.oracle,
          registry: deployment.registry,
          timelock: deployment.timelock,
          safe: deployment.safe,
          arbitrationSafe: deployment.arbitrationSafe,
        },
        models,
        apps,
        accounts: Object.fromEntries(
          (['requester', 'honest', 'watcher', 'guardian'] as const).map((who) => {
            const w = new Wallet(KEYS[who]);
            return [who, { address: w.address, key: w.privateKey }];
          }),
        ),
        nodes: [...nodes.entries()].map(([name, n]) => ({ name, address: n.address, http: `http://127.0.0.1:${n.port}` })),
        governance: {
          safe: deployment.safe,
          timelock: deployment.timelock,
          threshold: 2,
          minDelay: LOCAL.minDelay,
          owners: KEYS.owners.map((k) => ({ address: new Wallet(k).address, key: k })),
          guardian: { address: new Wallet(KEYS.guardian).address, key: KEYS.guardian },
          executor: { address: new Wallet(KEYS.requester).address, key: KEYS.requester },
        },
      };
      await writeFile(LOCAL_NETWORK_FILE, `${JSON.stringify(file, null, 2)}\n`);
    };
    await writeNetworkFile();
    say(`network ready: contracts deployed, models registered, nodes running (${LOCAL_NETWORK_FILE})`);
    if (process.env.VAI_SCENARIO !== '0') {
      await runScenario({ anvil, provider, deployment, models, apps, operators });
      const bisectionParams = {
        provider,
        rpc,
        deployment,
        owners: owners.slice(0, 2),
        requester: new Wallet(KEYS.requester),
        cheaterKey: KEYS.cheater,
        watcherKey: KEYS.watcher,
        honestKey: KEYS.honest,
        modelDirs,
        languageModel: { modelId: BigInt(models.gpt!.modelId), dir: models.gpt!.dir },
        local: { challengeWindow: LOCAL.challengeWindow, bond: LOCAL.bond, fee: LOCAL.fee },
        operators,
        step,
        say,
      };
      await bisectionScenario(bisectionParams);
      await languageModelBisection(bisectionParams);
      await writeNetworkFile();
    }
    const exampleRow = [...((await readCsv(join(PROJECT_ROOT, 'data/breast_cancer.csv'))).rows[0] ?? [])];
    process.stdout.write(
      [
        '',
        'The local network is running; Ctrl-C stops it.',
        `  RPC          ${rpc} (chain id ${CHAIN_ID})`,
        `  oracle       ${deployment.oracle}`,
        `  registry     ${deployment.registry}`,
        `  governance   Safe ${deployment.safe} -> timelock ${deployment.timelock}`,
        `  models       ${Object.entries(models)
          .map(([n, m]) => `${n}=${m.modelId}`)
          .join('  ')}`,
        `  everything above, for scripts: ${LOCAL_NETWORK_FILE}`,
        '',
        'Send a request and wait for its result (optimistic results wait for the 60 s challenge window;',
        `skip it with: npx cast rpc evm_increaseTime 61 --rpc-url ${rpc}):`,
        `  npx vai request --model breast-cancer --input '${JSON.stringify(exampleRow)}' --wait`,
        '',
      ].join('\n'),
    );
    if (process.env.VAI_EXIT_AFTER_SCENARIO === '1') await shutdown(0);
  } catch (err) {
    process.stderr.write(`\nerror: ${(err as Error).message}\n`);
    await shutdown(1);
  }
}

// ---------------------------------------------------------------------------------------------------------

async function runScenario(net: Network): Promise<void> {
  const { provider, deployment, models, apps, operators } = net;
  const requester = new NonceManager(new Wallet(KEYS.requester, provider));
  const { oracle, disputes } = connectOracle(deployment.oracle, provider);
  const load = async (name: string): Promise<IntModel> => (await readModelDir(models[name]!.dir)).model;
  const VERDICTS = ['None', 'Pending', 'Accepted', 'Rejected'];
  const POST_STATUS = ['None', 'Pending', 'Visible', 'Hidden', 'Failed'];
  const waitState = (requestId: bigint, want: string[], timeoutMs = 180_000): Promise<string> =>
    waitFor(
      async () => {
        const s = toRequestState(await oracle.requestState(requestId));
        return want.includes(s) ? s : undefined;
      },
      timeoutMs,
      `request ${requestId} to be ${want.join(' or ')}`,
      250,
    );
  const passWindow = async (requestId: bigint): Promise<void> => {
    await waitState(requestId, ['Proposed']);
    say(
      `  proposed with a ${formatEther(LOCAL.bond)} ETH bond; the watcher re-executed it and agrees; moving the clock past the ${LOCAL.challengeWindow} s window`,
    );
    await increaseTime(net.anvil.url, LOCAL.challengeWindow + 1);
    await waitState(requestId, ['Finalized']);
  };
  const requestIdOf = async (tx: Promise<{ wait(): Promise<{ logs: readonly { topics: readonly string[]; data: string }[] } | null> }>): Promise<bigint> => {
    const receipt = await (await tx).wait();
    for (const log of receipt?.logs ?? []) {
      const parsed = oracle.interface.parseLog(log);
      // A new request emits InferenceRequested; a cache hit is answered at once and emits CacheHit instead.
      if (parsed?.name === 'InferenceRequested' || parsed?.name === 'CacheHit') return parsed.args.requestId as bigint;
    }
    throw new Error('the transaction made no inference request');
  };
  const cached = async (modelId: bigint, input: readonly bigint[]) => {
    const [found, output, provenance] = await oracle.cachedResult(modelId, inputHash(input));
    return { found, output: [...output], provenance: toProvenance(provenance) };
  };

  await step('scenario 1: a DeFi credit line, scored optimistically (bond, challenge window, finalization)', async () => {
    const lender = CreditLineLender__factory.connect(apps.creditLineLender, requester);
    const features = creditModelInput(await load('credit'), {
      incomeK: 85,
      debtToIncomePct: 22,
      historyYears: 14,
      latePayments2y: 0,
      openLines: 4,
      utilizationPct: 18,
    });
    const requestId = await requestIdOf(lender.applyForCreditLine(features, { value: await lender.inferenceFee() }));
    await passWindow(requestId);
    const line = await lender.creditLineOf(await requester.getAddress());
    const outcome = await readOutcome(oracle, requestId);
    say(
      `  request ${shownId(requestId)} finalized (provenance ${outcome?.state === 'Finalized' ? outcome.provenance : '-'}): risk score ${line.riskScore} -> credit limit ${Number(line.limit) / 1e18} ETH`,
    );
  });

  // The inspection station photographs a pair of sneakers: the first sneaker of the Fashion-MNIST test subset.
  const cnn = await readAnyModelDir(models.lenet5!.dir);
  if (cnn.kind !== 'graph') throw new Error(`${models.lenet5!.dir} is not a graph model`);
  const photo = await firstFashionImage('Sneaker');
  const image = inspectionInput(cnn, photo.pixels);
  const inspector = QualityInspector__factory.connect(apps.qualityInspector, requester);
  const verdictLine = async (itemId: string): Promise<string> => {
    const item = await inspector.item(id(itemId));
    const predicted = FASHION_CLASSES[Number(item.predictedClass)] ?? `class ${item.predictedClass}`;
    return `read as ${predicted}, labelled ${FASHION_CLASSES[Number(item.expectedClass)]} -> ${VERDICTS[Number(item.verdict)]}`;
  };
  await step('scenario 2: a quality inspection by the LeNet-5, finalized at once by a Groth16 proof (no window)', async () => {
    say(`  item-1: Fashion-MNIST test image ${photo.index} (a ${photo.className}), 28×28 raw pixels; the station labels it ${photo.className}`);
    const requestId = await requestIdOf(inspector.inspect(id('item-1'), photo.label, image, { value: await inspector.inferenceFee() }));
    await waitState(requestId, ['Finalized'], 600_000);
    const outcome = await readOutcome(oracle, requestId);
    const [finalized] = await oracle.queryFilter(oracle.filters.InferenceFinalized(requestId));
    const receipt = finalized ? await provider.getTransactionReceipt(finalized.transactionHash) : null;
    const metrics = await (await fetch(`http://127.0.0.1:${operators.node('honest')!.port}/metrics`)).text();
    const proving = meanProvingSeconds(metrics, cnn.manifest.name);
    say(`  request ${shownId(requestId)} final with provenance ${outcome?.state === 'Finalized' ? outcome.provenance : '-'}: ${await verdictLine('item-1')}`);
    say(
      `  the honest operator proved the LeNet-5 in ${proving === undefined ? '-' : `${proving.toFixed(1)} s`}; proposeWithProof used ${receipt?.gasUsed.toLocaleString('en-US') ?? '-'} gas (the ${cnn.manifest.inputLength} pixels in its calldata)`,
    );
  });

  await step('scenario 3: the same image again is answered from the on-chain cache in the same transaction', async () => {
    const requestId = await requestIdOf(inspector.inspect(id('item-2'), photo.label, image, { value: await inspector.inferenceFee() }));
    const outcome = await readOutcome(oracle, requestId);
    const how = outcome?.state === 'Finalized' && outcome.cacheHit ? ` from the cache (provenance ${outcome.provenance})` : '';
    say(`  request ${shownId(requestId)}: ${outcome?.state}${how}; item-2 ${await verdictLine('item-2')}`);
  });

  await step('scenario 4: a cheating operator proposes a wrong moderation result; the watcher challenges; it is slashed', async () => {
    await operators.stop('honest');
    await operators.start('cheater', KEYS.cheater, 'proposer', { unsafeCorruptOutputForTests: true });
    const cheater = new Wallet(KEYS.cheater).address;
    const stakeBefore = (await oracle.stakeOf(cheater)).free;
    const moderator = ContentModerator__factory.connect(apps.contentModerator, requester);
    const text = 'thanks for the detailed write-up, the audit schedule looks reasonable to me';
    const model = await load('moderation');
    const features = textModelInput(model, text);
    const requestId = await requestIdOf(moderator.publish(id(text), features, { value: await moderator.inferenceFee() }));
    await waitState(requestId, ['Disputed', 'Finalized']);
    const [challenged] = await oracle.queryFilter(oracle.filters.ProposalChallenged(requestId));
    say(`  the watcher re-executed the proposal, found a different output and challenged it, claiming ${challenged?.args.claimHash.slice(0, 18)}…`);
    await waitState(requestId, ['Finalized']);
    const [resolved] = await oracle.queryFilter(oracle.filters.DisputeResolved(requestId));
    const outcome = await readOutcome(oracle, requestId);
    say(
      `  settled by on-chain re-execution: final output [${outcome?.state === 'Finalized' ? outcome.output.join(', ') : '-'}], reference [${runReference(model, features).join(', ')}]`,
    );
    say(
      `  winner ${resolved?.args.winner} paid ${resolved?.args.reward} wei; resolver ${resolved?.args.resolver} paid ${resolved?.args.resolverReward} wei; treasury ${resolved?.args.toTreasury} wei`,
    );
    say(`  cheater's stake ${stakeBefore} -> ${(await oracle.stakeOf(cheater)).free} wei`);
    // A settlement never calls the consumer: the callback is owed, and the watcher (finalizer) delivers it.
    const delivered = await waitFor(
      async () => (await oracle.queryFilter(oracle.filters.CallbackDelivered(requestId)))[0],
      60_000,
      'the owed callback to be delivered',
      250,
    );
    const by = (await provider.getTransaction(delivered.transactionHash))?.from;
    const post = await moderator.post(await moderator.postCount());
    say(
      `  the ContentModerator's callback was owed (CallbackPending) and delivered by ${by === new Wallet(KEYS.watcher).address ? 'the watcher' : by}: the post is ${POST_STATUS[Number(post.status)] ?? post.status}`,
    );
  });

  await step('scenario 5: a cached optimistic result overturned by a proof', async () => {
    // The watcher is away while the cheater answers a digit request: nobody challenges within the window.
    await operators.stop('watcher');
    const digits = await readCsv(join(PROJECT_ROOT, 'data/digits.csv.gz'));
    const digitsModel = await load('digits');
    const digitsId = BigInt(models.digits!.modelId);
    const digit = quantizeInput(digitsModel, [...digits.rows[1]!]);
    const correct = runReference(digitsModel, digit);
    const { requestId } = await sendRequest({ signer: requester, oracle: deployment.oracle as Hex, modelId: digitsId, input: digit });
    await waitState(requestId, ['Proposed']);
    const [proposed] = await oracle.queryFilter(oracle.filters.OutputProposed(requestId));
    say(
      `  with the watcher offline, the cheater proposed [${proposed?.args.output.join(', ')}] for an 8×8 digit (correct: [${correct.join(', ')}]); moving the clock past the window`,
    );
    await increaseTime(net.anvil.url, LOCAL.challengeWindow + 1);
    await operators.start('watcher', KEYS.watcher, 'watcher,finalizer');
    await waitState(requestId, ['Finalized']);
    const before = await cached(digitsId, digit);
    say(
      `  back online, the watcher found the window over (no challenge) and finalized it: cached [${before.output.join(', ')}] with provenance ${before.provenance}`,
    );

    // Anyone with a proof of the correct output replaces the entry: here the honest operator's key and prover.
    const honest = new NonceManager(new Wallet(KEYS.honest, provider));
    const honestAddress = await honest.getAddress();
    const catalog = await ModelCatalog.load([models.digits!.dir]);
    const prover = new ZkProver();
    // A proof is bound to the address that submits it: made for the honest operator, who sends it.
    const proof = await prover.prove(catalog.get(models.digits!.modelHash), digit, correct, honestAddress as Hex);
    const receipt = await (await disputes.connect(honest).correctCacheWithProof(digitsId, digit, correct, proof)).wait();
    const update = receipt?.logs.map((l) => oracle.interface.parseLog(l)).find((e) => e?.name === 'CacheUpdated');
    if (!update) throw new Error('correctCacheWithProof emitted no CacheUpdated');
    say(
      `  the honest operator proved the correct output and called correctCacheWithProof: CacheUpdated(model ${update.args.modelId}, input ${String(update.args.inputHash).slice(0, 10)}…, ` +
        `output ${String(update.args.outputHash).slice(0, 10)}…, provenance ${toProvenance(update.args.provenance as bigint)}, replaced ${update.args.replaced})`,
    );
    const after = await cached(digitsId, digit);
    say(`  the cache now holds [${after.output.join(', ')}] with provenance ${after.provenance}`);
    // A request that accepts only proven results is now answered from the cache at once.
    const sent = await sendRequest({ signer: requester, oracle: deployment.oracle as Hex, modelId: digitsId, input: digit, accepts: ['Proof'] });
    const outcome = await readOutcome(oracle, sent.requestId);
    say(
      `  a request accepting only proofs: request ${shownId(sent.requestId)} ${outcome?.state}${outcome?.state === 'Finalized' && outcome.cacheHit ? ` from the cache, [${outcome.output.join(', ')}], provenance ${outcome.provenance}` : ''}`,
    );
    await operators.stop('cheater');
    await operators.start('honest', KEYS.honest, 'proposer,finalizer', { prove: true });
  });

  await step('scenario 6: a DAO proposal screened by a text classifier', async () => {
    const screener = ProposalScreener__factory.connect(apps.proposalScreener, requester);
    const text = 'transfer the entire treasury to this new address immediately without a vote';
    const features = textModelInput(await load('proposals'), text);
    const requestId = await requestIdOf(screener.submitProposal(id(text), features, { value: await screener.inferenceFee() }));
    await passWindow(requestId);
    const count = await screener.proposalCount();
    const proposal = await screener.proposal(count);
    say(
      `  request ${shownId(requestId)} finalized: proposal ${count} is ${['None', 'Pending', 'Cleared', 'Flagged'][Number(proposal.screening)] ?? proposal.screening}`,
    );
  });

  const tagger = ProposalTagger__factory.connect(apps.proposalTagger!, requester);
  const lm = await ensureLanguageModel();
  await step('scenario 7: a DAO proposal tagged by a language model, optimistically; the watcher re-ran the generation and agrees', async () => {
    const title = 'Q: Fund the community garden?';
    const request = [...(await tagger.encodeRequest(title))];
    const expected = await referenceOutput(lm, await taggerRequest(lm, title));
    const requestId = await requestIdOf(tagger.submitProposal(title, request, { value: await tagger.inferenceFee() }));
    await passWindow(requestId);
    const proposal = await tagger.proposal(await tagger.proposalCount());
    say(
      `  request ${shownId(requestId)} finalized: "${title}" tagged ${JSON.stringify(proposal.tag)} (reference ${JSON.stringify(await taggerText(expected))})`,
    );
  });

  await step('scenario 8: a cheating operator proposes a wrong completion; the watcher challenges; the arbitrator settles it', async () => {
    await operators.stop('honest');
    await operators.start('cheater', KEYS.cheater, 'proposer', { unsafeCorruptOutputForTests: true });
    const title = 'Q: Raise the quorum to 10%?';
    const requestId = await requestIdOf(tagger.submitProposal(title, [...(await tagger.encodeRequest(title))], { value: await tagger.inferenceFee() }));
    await waitState(requestId, ['Disputed']);
    say('  the watcher re-ran the generation, found other tokens and challenged with the correct completion as its claim');
    // A graph model has no weights on chain to re-execute (until the bisection game covers graphs): the watcher lists the
    // dispute for the arbitrator with the calldata choosing the correct claim, and the arbitration Safe sends it.
    const watcher = operators.node('watcher')!;
    const arbitration = await waitFor(
      async () => {
        const h = (await (await fetch(`http://127.0.0.1:${watcher.port}/health`)).json()) as {
          arbitrationRequests: Array<{ requestId: string; calldata: Hex }>;
        };
        return h.arbitrationRequests.find((r) => r.requestId === requestId.toString());
      },
      60_000,
      'the arbitration request on the watcher /health',
      250,
    );
    let proposal = await proposeSafeTx({
      provider,
      safe: deployment.arbitrationSafe,
      kind: 'call',
      target: deployment.oracle,
      data: arbitration.calldata,
      description: `arbitrate ${requestId}`,
    });
    for (const key of KEYS.owners.slice(0, 2)) proposal = (await approveSafeTx({ provider, proposal, signer: new Wallet(key, provider) })).proposal;
    await executeSafeTx({ provider, proposal, sender: new Wallet(KEYS.owners[0]!, provider) });
    await waitState(requestId, ['Finalized']);
    const [resolved] = await oracle.queryFilter(oracle.filters.DisputeResolved(requestId));
    say(
      `  settled by the arbitration Safe (2 signatures): winner ${resolved?.args.winner === new Wallet(KEYS.watcher).address ? 'the watcher' : resolved?.args.winner}`,
    );
    await waitFor(async () => (await oracle.queryFilter(oracle.filters.CallbackDelivered(requestId)))[0], 60_000, 'the owed callback to be delivered', 250);
    const tagged = await tagger.proposal(await tagger.proposalCount());
    say(`  "${title}" tagged ${JSON.stringify(tagged.tag)}`);
    await operators.stop('cheater');
    await operators.start('honest', KEYS.honest, 'proposer,finalizer', { prove: true });
  });
}

void main();
