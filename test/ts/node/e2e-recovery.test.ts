import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReference } from '../../../lib/semantics/index.js';
import type { RunningNode } from '../../../adapter/node.js';
import { ANVIL_KEYS, freePort, rpc, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { startTestNode, tempDir } from './helpers/node.js';
import { TcpProxy } from './helpers/proxy.js';
import { CHALLENGE_WINDOW, FEE, deployProtocol, type Protocol } from './helpers/protocol.js';

const STATE = { Proposed: 2n, Finalized: 4n };
const modelDir = writeModelDir(classifier, 'classifier');
const root = join(import.meta.dirname, '..', '..', '..');

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

async function request(p: Protocol, input: bigint[]): Promise<bigint> {
  const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
  await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
  return id;
}

/** The node as its own process (`bin/vai.js node start`), so that it can be SIGKILLed. */
function spawnNode(args: string[], logFile: string): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'vai.js'), 'node', 'start', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return child;
}

function jobRow(db: string, requestId: bigint, kind: string): { state: string; nonce: number | null } | undefined {
  const conn = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare('SELECT state, nonce FROM jobs WHERE request_id = ? AND kind = ?').get(requestId.toString(), kind) as
      | { state: string; nonce: number | null }
      | undefined;
  } catch {
    return undefined; // not migrated yet
  } finally {
    conn.close();
  }
}

function txHashes(db: string): string[] {
  const conn = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT hash FROM txs ORDER BY id').all() as Array<{ hash: string }>).map((r) => r.hash);
  } finally {
    conn.close();
  }
}

describe('node recovery', () => {
  it('is SIGKILLed with its proposal in flight (and the transaction lost), restarts, and the request is proposed and finalized exactly once', async () => {
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [ANVIL_KEYS[5]]);
    const dir = tempDir();
    const db = join(dir, 'node.db');
    const logFile = join(dir, 'node.log');
    const args = [
      '--rpc',
      anvil.url,
      '--key',
      ANVIL_KEYS[5],
      '--oracle',
      p.oracleAddress,
      '--models',
      modelDir,
      '--db',
      db,
      '--port',
      '0',
      '--confirmations',
      '0',
      '--poll-interval-ms',
      '100',
      '--log',
      'json',
      '--finalize-grace-s',
      '0',
    ];
    const input = [1n, 2n, 3n, 4n];

    // Mining stops after the request: the proposal can only wait in the mempool.
    await rpc(anvil.url, 'evm_setAutomine', [false]);
    const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
    const requestTx = await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE);
    await rpc(anvil.url, 'evm_mine');
    await requestTx.wait();
    let child = spawnNode(args, logFile);
    await waitFor(() => jobRow(db, id, 'propose')?.state === 'submitted', 30_000, 'the proposal to be submitted');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await rpc(anvil.url, 'anvil_dropAllTransactions');

    child = spawnNode(args, logFile);
    // The restarted node must send the same signed transaction again, not a second proposal.
    const [stored] = txHashes(db);
    expect(stored).toBeDefined();
    await waitFor(async () => (await rpc(anvil.url, 'eth_getTransactionByHash', [stored])) !== null, 30_000, 'the stored proposal to be re-broadcast');
    expect(txHashes(db)).toEqual([stored]);
    await rpc(anvil.url, 'evm_setAutomine', [true]);
    await rpc(anvil.url, 'evm_mine');
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Proposed, 20_000, 'the proposal on chain', 100);

    // Kill it again while the challenge window runs, then let the window pass.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await rpc(anvil.url, 'evm_increaseTime', [CHALLENGE_WINDOW + 1]);
    await rpc(anvil.url, 'evm_mine');
    child = spawnNode(args, logFile);
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 30_000, 'finalization', 100);
    await waitFor(() => jobRow(db, id, 'finalize')?.state === 'confirmed', 20_000, 'the finalize job to be confirmed');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    expect(await p.oracle.queryFilter(p.oracle.filters.OutputProposed(id))).toHaveLength(1);
    expect(await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id))).toHaveLength(1);
    expect(await p.consumer.results()).toBe(1n);
    expect(await p.consumer.lastOutput()).toEqual(runReference(classifier, input));
    // Stake deposit, one proposal, one finalization: nothing was ever sent twice from the operator's key.
    expect(await provider.getTransactionCount(new Wallet(ANVIL_KEYS[5]).address)).toBe(3);
    expect(txHashes(db)).toHaveLength(2);
  });

  it('rides out 10 s without its RPC and catches up by itself', async () => {
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [ANVIL_KEYS[6]]);
    const proxy = new TcpProxy(await freePort(), anvil.port);
    await proxy.start();
    const node = await startTestNode({ rpc: proxy.url, key: ANVIL_KEYS[6], oracle: p.oracleAddress, models: modelDir, confirmations: 0 });
    nodes.push(node);
    const health = async () => (await (await fetch(`http://127.0.0.1:${node.port}/health`)).json()) as { ok: boolean; lastError?: string };
    await waitFor(async () => (await health()).ok, 10_000, 'the node to be healthy');

    await proxy.cut();
    const cutAt = Date.now();
    const input = [7n, 7n, 7n, 7n];
    const id = await request(p, input); // straight to anvil: the node cannot see it
    await waitFor(async () => (await health()).lastError !== undefined, 10_000, 'the node to notice the outage');
    // The outage itself: 10 s of wall time is the scenario, not a synchronization.
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - cutAt))));
    expect(await p.oracle.requestState(id)).toBe(1n);
    await proxy.start();

    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Proposed, 20_000, 'the proposal after the outage', 100);
    await rpc(anvil.url, 'evm_increaseTime', [CHALLENGE_WINDOW + 1]);
    await rpc(anvil.url, 'evm_mine');
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 20_000, 'finalization after the outage', 100);
    await waitFor(async () => (await health()).ok, 10_000, 'the node to be healthy again');
    expect(await p.consumer.lastOutput()).toEqual(runReference(classifier, input));
    await proxy.cut();
  });
});
