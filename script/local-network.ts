/**
 * `npm start`: a complete local network on an embedded chain.
 *
 * Starts anvil, deploys the protocol under a Safe and a timelock, builds the example models (cached),
 * runs the ZK set-up of the quality-inspection model (cached), registers every model through the
 * timelock (the local clock is moved past the delay), deploys the example apps, starts an honest
 * operator, a watcher and a finalizer, and plays a scenario. Then it keeps running, prints how to use
 * the network, and writes the same facts to .vai/local-network.json. Ctrl-C stops everything.
 *
 * Environment: VAI_PORT (RPC port, default 8545), VAI_SCENARIO=0 to skip the scenario.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, id, parseEther, type Signer } from 'ethers';
import { pino } from 'pino';
import { parseNodeConfig } from '../adapter/config.js';
import { startNode, type RunningNode } from '../adapter/node.js';
import { ANVIL_KEYS, increaseTime, startAnvil, waitFor, type Anvil } from '../lib/devnet/anvil.js';
import { deployGovernance, governLocally } from '../lib/devnet/governance.js';
import { LOCAL_NETWORK_FILE, type NetworkFile } from '../lib/devnet/network-file.js';
import { compileSolidity, deployCompiled } from '../lib/devnet/solidity.js';
import { readOutcome } from '../lib/client/oracle-client.js';
import { encodeCall } from '../lib/gov/calls.js';
import type { Deployment } from '../lib/gov/deployment.js';
import type { Hex } from '../lib/gov/proposal.js';
import { PROJECT_ROOT, ensureExampleModel, type ExampleModelName } from '../lib/model/examples.js';
import { encodeModel, readModelDir, runReference } from '../lib/semantics/index.js';
import { loadArtifacts } from '../lib/zk/settings.js';
import { setupModel } from '../lib/zk/setup.js';
import { IModelRegistry__factory, InferenceOracle__factory } from '../typechain/index.js';

const LOCAL_DIR = join(PROJECT_ROOT, '.vai', 'local');
const PORT = Number(process.env.VAI_PORT ?? 8545);
const ZERO = '0x0000000000000000000000000000000000000000';

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

/** Local-network parameters: short windows so the scenario runs in a minute; public chains want hours. */
const LOCAL = {
  minDelay: 30,
  challengeWindow: 60,
  fee: parseEther('0.001'),
  bond: parseEther('0.5'),
  stake: parseEther('10'),
  periods: { requestTimeout: 3600, disputeWindow: 600, arbitrationWindow: 1200, unbondingDelay: 3 * 3600 },
};

type ModelPlan = { name: ExampleModelName; zk: boolean };
const MODELS: ModelPlan[] = [
  { name: 'digits', zk: true },
  { name: 'breast-cancer', zk: false },
];

// ---------------------------------------------------------------------------------------------------------
// Progress output for people.

const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7);
const say = (line: string): void => void process.stdout.write(`${elapsed()}  ${line}\n`);
async function step<T>(title: string, fn: () => Promise<T>): Promise<T> {
  say(`▸ ${title}`);
  return fn();
}

// ---------------------------------------------------------------------------------------------------------

type Network = {
  anvil: Anvil;
  provider: JsonRpcProvider;
  deployment: Deployment;
  models: NetworkFile['models'];
  nodes: Map<string, RunningNode>;
};

async function main(): Promise<void> {
  await mkdir(LOCAL_DIR, { recursive: true });
  const stopping = { requested: false };
  const resources: { anvil?: Anvil; provider?: JsonRpcProvider; nodes: Map<string, RunningNode> } = { nodes: new Map() };
  const shutdown = async (code: number): Promise<never> => {
    if (stopping.requested) process.exit(code);
    stopping.requested = true;
    say('stopping: nodes, then the chain');
    await Promise.allSettled([...resources.nodes.values()].map((n) => n.stop()));
    resources.provider?.destroy();
    await resources.anvil?.stop();
    await rm(LOCAL_NETWORK_FILE, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const anvil = await step(`starting anvil on port ${PORT}`, () => startAnvil(['--block-time', '1'], PORT));
    resources.anvil = anvil;
    const provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 250 });
    resources.provider = provider;

    const owners = KEYS.owners.map((k) => new Wallet(k, provider));
    const deployment = await step('deploying the protocol under a 2-of-3 Safe and a timelock', () =>
      deployGovernance({
        rpc: anvil.url,
        deployerKey: KEYS.deployer,
        owners: owners.map((o) => o.address),
        threshold: 2,
        guardian: new Wallet(KEYS.guardian).address,
        minDelay: LOCAL.minDelay,
        periods: LOCAL.periods,
        out: join(LOCAL_DIR, 'governance.json'),
      }),
    );
    say(`  oracle ${deployment.oracle}, registry ${deployment.registry}, timelock ${deployment.timelock}, Safe ${deployment.safe}`);

    const models: NetworkFile['models'] = {};
    for (const plan of MODELS) {
      const loaded = await step(`model ${plan.name}: building (cached in .vai/models)`, () => ensureExampleModel(plan.name));
      let verifier: string | undefined;
      if (plan.zk) {
        const artifacts = await loadArtifacts(loaded.dir).catch(() => null);
        const zk = artifacts?.settings ?? (await step(`model ${plan.name}: ZK set-up (first run only)`, () => setupModel(loaded.dir)));
        const compiled = compileSolidity(join(loaded.dir, 'zk', 'Verifier.sol'), zk.contracts.contract);
        verifier = await (await deployCompiled(compiled, new NonceManager(new Wallet(KEYS.deployer, provider)))).getAddress();
        say(`  ${zk.constraints} constraints, verifier ${verifier}`);
      }
      const { manifest, model } = await readModelDir(loaded.dir);
      const spec = {
        modelHash: manifest.modelHash,
        inputLength: manifest.inputLength,
        outputLength: manifest.outputLength,
        inputMin: BigInt(manifest.inputRange[0]),
        inputMax: BigInt(manifest.inputRange[1]),
        scaleBits: manifest.scaleBits,
        outputKind: manifest.outputKind === 'argmax' ? 1 : 0,
        verifier: verifier ?? ZERO,
        challengeWindow: LOCAL.challengeWindow,
        minBond: LOCAL.bond,
        fee: LOCAL.fee,
      };
      const registry = IModelRegistry__factory.connect(deployment.registry, provider);
      const data = registry.interface.encodeFunctionData('registerModel', [spec, encodeModel(model)]) as Hex;
      await step(`model ${plan.name}: registering through the Safe and the timelock (clock moved ${LOCAL.minDelay} s)`, () =>
        governLocally({ provider, rpc: anvil.url, deployment, owners: owners.slice(0, 2), target: deployment.registry, data, description: `register ${plan.name}` }),
      );
      const modelId = await registry.modelCount();
      models[plan.name] = { modelId: modelId.toString(), modelHash: manifest.modelHash, dir: loaded.dir, ...(verifier ? { verifier } : {}), onChainWeights: true };
      say(`  ${plan.name} is model ${modelId} (${manifest.modelHash.slice(0, 10)}…)`);
    }

    await step('operators deposit stake', async () => {
      for (const key of [KEYS.honest, KEYS.watcher, KEYS.cheater]) {
        const oracle = InferenceOracle__factory.connect(deployment.oracle, new Wallet(key, provider));
        await (await oracle.depositStake({ value: LOCAL.stake })).wait();
      }
    });

    const modelDirs = Object.values(models).map((m) => m.dir);
    const startOperator = async (name: string, key: string, roles: string, extra: Record<string, unknown> = {}): Promise<RunningNode> => {
      const logFile = join(LOCAL_DIR, `${name}.log`);
      const config = parseNodeConfig(
        { rpc: anvil.url, key, oracle: deployment.oracle, models: modelDirs.join(','), roles, port: 0, db: join(LOCAL_DIR, `${name}.db`), confirmations: 1, pollIntervalMs: 250, log: 'json', ...extra },
        process.env,
      );
      const node = await startNode(config, { logger: pino({ level: 'info' }, pino.destination({ dest: logFile, mkdir: true })) });
      resources.nodes.set(name, node);
      say(`  ${name}: ${node.address} roles ${roles} — http://127.0.0.1:${node.port} (log ${logFile})`);
      return node;
    };
    for (const name of ['honest', 'watcher', 'cheater']) await rm(join(LOCAL_DIR, `${name}.db`), { force: true });
    await step('starting operator nodes', async () => {
      await startOperator('honest', KEYS.honest, 'proposer,finalizer', { prove: true });
      await startOperator('watcher', KEYS.watcher, 'watcher,finalizer');
    });

    const network: Network = { anvil, provider, deployment, models, nodes: resources.nodes };
    if (process.env.VAI_SCENARIO !== '0') await runScenario(network, startOperator);

    const file: NetworkFile = {
      rpc: anvil.url,
      chainId: 31337,
      startedAt: new Date(started).toISOString(),
      contracts: { oracle: deployment.oracle, registry: deployment.registry, timelock: deployment.timelock, safe: deployment.safe, arbitrationSafe: deployment.arbitrationSafe },
      models,
      apps: {},
      accounts: Object.fromEntries(
        (['requester', 'honest', 'watcher', 'guardian'] as const).map((who) => {
          const w = new Wallet(KEYS[who]);
          return [who, { address: w.address, key: w.privateKey }];
        }),
      ),
      nodes: [...resources.nodes.entries()].map(([name, n]) => ({ name, address: n.address, roles: [], http: `http://127.0.0.1:${n.port}` })),
    };
    await writeFile(LOCAL_NETWORK_FILE, `${JSON.stringify(file, null, 2)}\n`);
    const digits = models.digits;
    process.stdout.write(
      [
        '',
        'The local network is running. Ctrl-C stops it.',
        `  RPC        ${anvil.url} (chain id 31337)`,
        `  oracle     ${deployment.oracle}`,
        `  registry   ${deployment.registry}`,
        `  timelock   ${deployment.timelock} (Safe ${deployment.safe})`,
        `  models     ${Object.entries(models).map(([n, m]) => `${n} = ${m.modelId}`).join(', ')}`,
        `  facts for scripts: ${LOCAL_NETWORK_FILE}`,
        '',
        'Send a request and wait for the result (optimistic results wait for the 60 s window; move the clock with',
        `  cast rpc evm_increaseTime 61 --rpc-url ${anvil.url} to skip it):`,
        `  npx vai request --model ${digits ? 'digits' : Object.keys(models)[0]} --input '[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]' --wait`,
        '',
      ].join('\n'),
    );
    await new Promise<never>(() => {});
  } catch (err) {
    process.stderr.write(`\nerror: ${(err as Error).message}\n`);
    await shutdown(1);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The scenario.

async function runScenario(
  net: Network,
  startOperator: (name: string, key: string, roles: string, extra?: Record<string, unknown>) => Promise<RunningNode>,
): Promise<void> {
  const { provider, deployment, models } = net;
  const requester = new NonceManager(new Wallet(KEYS.requester, provider));
  const oracle = InferenceOracle__factory.connect(deployment.oracle, requester);
  const request = async (model: string, input: bigint[]): Promise<bigint> => {
    const entry = models[model]!;
    const id = await oracle.requestInference.staticCall(BigInt(entry.modelId), input, 200_000, { value: LOCAL.fee });
    await (await oracle.requestInference(BigInt(entry.modelId), input, 200_000, { value: LOCAL.fee })).wait();
    return id;
  };
  const stateName = async (requestId: bigint): Promise<string> => ['None', 'Requested', 'Proposed', 'Disputed', 'Finalized', 'Failed', 'Expired'][Number(await oracle.requestState(requestId))] ?? '?';
  const waitState = (requestId: bigint, want: string[], timeoutMs = 120_000): Promise<string> =>
    waitFor(async () => {
      const s = await stateName(requestId);
      return want.includes(s) ? s : undefined;
    }, timeoutMs, `request ${requestId} to reach ${want.join(' or ')}`, 250);
  const finalizeByClock = async (requestId: bigint): Promise<void> => {
    await waitState(requestId, ['Proposed']);
    say(`  proposed; moving the local clock past the ${LOCAL.challengeWindow} s challenge window`);
    await increaseTime(net.anvil.url, LOCAL.challengeWindow + 1);
    await waitState(requestId, ['Finalized']);
  };
  const digitsInput = async (): Promise<bigint[]> => {
    const { model } = await readModelDir(models.digits!.dir);
    return Array.from({ length: model.layers[0]!.inDim }, (_, i) => (BigInt((i * 7) % 17) << BigInt(model.scaleBits)) >> 0n).map((v) => (v > model.inputMax ? model.inputMax : v));
  };

  await step('scenario 1: an optimistic request, proposed with a bond and finalized after the window', async () => {
    const { model } = await readModelDir(models['breast-cancer']!.dir);
    const input = Array.from({ length: model.layers[0]!.inDim }, () => (model.inputMin + model.inputMax) / 2n);
    const id = await request('breast-cancer', input);
    await finalizeByClock(id);
    const outcome = await readOutcome(oracle, id);
    say(`  request ${id}: ${outcome?.state} with output [${outcome?.state === 'Finalized' ? outcome.output.join(', ') : ''}] (reference [${runReference(model, input).join(', ')}])`);
  });

  const image = await digitsInput();
  await step('scenario 2: a request finalized at once by a Groth16 proof (no window)', async () => {
    const id = await request('digits', image);
    const state = await waitState(id, ['Finalized'], 300_000);
    const outcome = await readOutcome(oracle, id);
    say(`  request ${id}: ${state} with output [${outcome?.state === 'Finalized' ? outcome.output.join(', ') : ''}]`);
  });

  await step('scenario 3: the same question again is answered from the on-chain cache in one transaction', async () => {
    const id = await request('digits', image);
    const outcome = await readOutcome(oracle, id);
    say(`  request ${id}: ${outcome?.state}${outcome?.state === 'Finalized' && outcome.cacheHit ? ' from the cache' : ''}`);
  });

  await step('scenario 4: a cheating operator is challenged by the watcher and slashed', async () => {
    await net.nodes.get('honest')?.stop();
    net.nodes.delete('honest');
    await startOperator('cheater', KEYS.cheater, 'proposer', { unsafeCorruptOutputForTests: true });
    const { model } = await readModelDir(models['breast-cancer']!.dir);
    const input = Array.from({ length: model.layers[0]!.inDim }, (_, i) => (i % 2 === 0 ? model.inputMin : model.inputMax));
    const stakeBefore = (await oracle.stakeOf(new Wallet(KEYS.cheater).address)).free;
    const id = await request('breast-cancer', input);
    await waitState(id, ['Disputed', 'Finalized'], 120_000);
    say('  the watcher challenged the wrong output');
    await waitState(id, ['Finalized'], 120_000);
    const [resolved] = await oracle.queryFilter(oracle.filters.DisputeResolved(id));
    const outcome = await readOutcome(oracle, id);
    say(`  settled: winner ${resolved?.args.winner}, loser ${resolved?.args.loser} (reward ${resolved?.args.reward} wei, treasury ${resolved?.args.toTreasury} wei)`);
    say(`  final output [${outcome?.state === 'Finalized' ? outcome.output.join(', ') : ''}], reference [${runReference(model, input).join(', ')}]; cheater's free stake ${stakeBefore} -> ${(await oracle.stakeOf(new Wallet(KEYS.cheater).address)).free}`);
    await net.nodes.get('cheater')?.stop();
    net.nodes.delete('cheater');
    await startOperator('honest', KEYS.honest, 'proposer,finalizer', { prove: true });
  });
}

void id; // keep ethers' id helper available for app keys
void main();

export type { Signer };
