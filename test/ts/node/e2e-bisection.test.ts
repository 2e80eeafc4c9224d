import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IBisection__factory } from '../../../typechain/index.js';
import { runReference } from '../../../lib/semantics/index.js';
import type { RunningNode } from '../../../adapter/node.js';
import { ensureDeepDigitsModel } from '../../../lib/apps/deep.js';
import { DISPUTE_TX_GAS_CAP, estimateReexecutionGas } from '../../../lib/protocol/index.js';
import { ANVIL_KEYS, freePort, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { deepClassifier, writeModelDir } from './helpers/models.js';
import { startTestNode, tempDir } from './helpers/node.js';
import { TcpProxy } from './helpers/proxy.js';
import { BOND, FEE, STAKE, deployProtocol } from './helpers/protocol.js';

// Two nodes play a dispute's bisection game on anvil: a cheating proposer (`unsafeCorruptOutputForTests`) and an
// honest watcher, which is SIGKILLed right after it opened the game and restarted; the model has no weights on chain,
// only its steps commitment, so the game is the only way to settle the dispute short of the arbitrator.

const STATE = { Disputed: 3n, Finalized: 4n };
const PHASE = { None: 0n, ProposerToMove: 1n };
const modelDir = writeModelDir(deepClassifier, 'deep');
const root = join(import.meta.dirname, '..', '..', '..');
const CHEATER = ANVIL_KEYS[6];
const WATCHER = ANVIL_KEYS[7];

let anvil: Anvil;
let provider: JsonRpcProvider;
const children: ChildProcess[] = [];
const nodes: RunningNode[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  provider?.destroy();
  await anvil?.stop();
});

/** The watcher as its own process (`bin/vai.js node start`), so that it can be SIGKILLed. */
function spawnWatcher(args: string[], logFile: string): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'vai.js'), 'node', 'start', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return child;
}

function jobState(db: string, requestId: bigint, kind: string): string | undefined {
  try {
    const conn = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare('SELECT state FROM jobs WHERE request_id = ? AND kind = ?').get(requestId.toString(), kind) as { state: string } | undefined)?.state;
    } finally {
      conn.close();
    }
  } catch {
    return undefined; // not created or not migrated yet
  }
}

describe('the bisection game between two nodes', () => {
  it('narrows a wrong proposal to its last step, executes it on chain and slashes the liar, across a SIGKILL of the watcher', async () => {
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: false, steps: true }], [CHEATER, WATCHER]);
    const watcher = new Wallet(WATCHER).address;
    const cheater = await startTestNode({
      rpc: anvil.url,
      key: CHEATER,
      oracle: p.oracleAddress,
      models: modelDir,
      roles: 'proposer',
      confirmations: 0,
      unsafeCorruptOutputForTests: true,
    });
    nodes.push(cheater);
    const dir = tempDir();
    const db = join(dir, 'node.db');
    const logFile = join(dir, 'node.log');
    const args = ['--rpc', anvil.url, '--key', WATCHER, '--oracle', p.oracleAddress, '--models', modelDir, '--roles', 'watcher', '--db', db, '--port', '0'];
    args.push('--confirmations', '0', '--poll-interval-ms', '100', '--log', 'json', '--log-level', 'debug');
    let child = spawnWatcher(args, logFile);

    const input = [30n, 70n, 10n, 90n];
    const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
    await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
    const bisection = IBisection__factory.connect(p.oracleAddress, provider);
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Disputed, 30_000, 'the challenge', 100);
    await waitFor(async () => (await bisection.bisectionOf(id)).phase !== PHASE.None, 30_000, 'the game to open', 50);

    // The watcher dies right after its opening; the proposer answers meanwhile and the game waits for the watcher.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await waitFor(async () => (await bisection.bisectionOf(id)).phase !== PHASE.ProposerToMove, 30_000, "the proposer's answer", 50);
    const stalled = await bisection.bisectionOf(id);
    expect(stalled.hi - stalled.lo).toBeGreaterThan(1n);
    child = spawnWatcher(args, logFile);

    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 60_000, 'the game to be decided', 100);
    // The step's transaction ends the watcher's job (the moves before it each put it back to play on).
    await waitFor(() => jobState(db, id, 'bisect') === 'confirmed', 20_000, "the watcher's bisect job to be confirmed");
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    // Decided by the last step's execution, for the watcher; the consumer gets the model's output.
    const steps = deepClassifier.layers.length;
    const [decided] = await bisection.queryFilter(bisection.filters.BisectionDecided(id));
    expect(decided?.args.winner).toBe(watcher);
    expect(decided?.args.timedOut).toBe(false);
    expect(decided?.args.step).toBe(BigInt(steps - 1));
    const [resolved] = await p.oracle.queryFilter(p.oracle.filters.DisputeResolved(id));
    expect(resolved?.args.winner).toBe(watcher);
    const [finalized] = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id));
    expect(finalized?.args.output).toEqual(runReference(deepClassifier, input));
    // The liar's bond is gone; the watcher got its own back, the fee, its share of the bond and the resolver's.
    const lost = await p.oracle.stakeOf(cheater.address);
    expect([lost.free, lost.locked]).toEqual([STAKE - BOND, 0n]);
    expect((await p.oracle.stakeOf(watcher)).free).toBeGreaterThan(STAKE);

    // Every move: the opening, ceil(log2 5) = 3 halvings, each in its own transaction under the cap.
    const moves = await bisection.queryFilter(bisection.filters.BisectionMoved(id));
    expect(moves).toHaveLength(1 + Math.ceil(Math.log2(steps)));
    const txs = new Set([...moves, decided!].map((e) => e.transactionHash));
    for (const hash of txs) expect((await provider.getTransactionReceipt(hash))!.gasUsed).toBeLessThanOrEqual(DISPUTE_TX_GAS_CAP);
    expect(jobState(db, id, 'resolve')).toBe('skipped');
    await waitFor(async () => (await cheater.store.jobs.findJob(id, 'bisect'))?.state === 'skipped', 10_000, "the proposer's bisect job to end");
  });

  it('settles a dispute of the deep digits MLP, whose re-execution would not fit a block, with every transaction under 10 M gas', async () => {
    const deep = await ensureDeepDigitsModel();
    expect(estimateReexecutionGas(deep.model)).toBeGreaterThan(30_000_000n);
    const p = await deployProtocol(provider, [{ dir: deep.dir, onChainWeights: false, steps: true }], [CHEATER, WATCHER]);
    const common = { rpc: anvil.url, oracle: p.oracleAddress, models: deep.dir, confirmations: 0 };
    const cheater = await startTestNode({ ...common, key: CHEATER, roles: 'proposer', unsafeCorruptOutputForTests: true });
    const watcher = await startTestNode({ ...common, key: WATCHER, roles: 'watcher' });
    nodes.push(cheater, watcher);
    const input = Array.from({ length: deep.manifest.inputLength }, (_, i) => BigInt((i * 5) % 17));
    const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
    await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 120_000, 'the deep game to be decided', 100);
    const bisection = IBisection__factory.connect(p.oracleAddress, provider);
    const moves = await bisection.queryFilter(bisection.filters.BisectionMoved(id));
    const [decided] = await bisection.queryFilter(bisection.filters.BisectionDecided(id));
    expect(decided?.args.winner).toBe(watcher.address);
    expect(moves).toHaveLength(1 + Math.ceil(Math.log2(deep.model.layers.length)));
    for (const hash of new Set([...moves, decided!].map((e) => e.transactionHash))) {
      expect((await provider.getTransactionReceipt(hash))!.gasUsed).toBeLessThanOrEqual(DISPUTE_TX_GAS_CAP);
    }
    const [finalized] = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id));
    expect(finalized?.args.output).toEqual(runReference(deep.model, input));
  });

  it("rides out an outage of the watcher's RPC in the middle of the game and wins it", async () => {
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: false, steps: true }], [CHEATER, WATCHER]);
    const proxy = new TcpProxy(await freePort(), anvil.port);
    await proxy.start();
    const common = { oracle: p.oracleAddress, models: modelDir, confirmations: 0 };
    const cheater = await startTestNode({ ...common, rpc: anvil.url, key: CHEATER, roles: 'proposer', unsafeCorruptOutputForTests: true });
    const watcher = await startTestNode({ ...common, rpc: proxy.url, key: WATCHER, roles: 'watcher' });
    nodes.push(cheater, watcher);
    const input = [90n, 10n, 70n, 30n];
    const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
    await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
    const bisection = IBisection__factory.connect(p.oracleAddress, provider);
    await waitFor(async () => (await bisection.bisectionOf(id)).phase !== PHASE.None, 30_000, 'the game to open', 20);
    await proxy.cut();
    // The proposer answers while the watcher cannot see the chain: its move is due, and it waits for the RPC.
    await waitFor(async () => (await bisection.bisectionOf(id)).phase !== PHASE.ProposerToMove, 30_000, "the proposer's answer", 50);
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await bisection.queryFilter(bisection.filters.BisectionMoved(id))).length).toBe(2);
    await proxy.start();
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 60_000, 'the game to be decided', 100);
    const [decided] = await bisection.queryFilter(bisection.filters.BisectionDecided(id));
    expect(decided?.args.winner).toBe(watcher.address);
    expect(decided?.args.timedOut).toBe(false);
    await proxy.cut();
  });
});
