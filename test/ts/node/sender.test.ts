import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey, computeAddress, type JsonRpcProvider } from 'ethers';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../../adapter/chain/rpc.js';
import { TxSender } from '../../../adapter/chain/sender.js';
import { openStore } from '../../../adapter/store/sqlite/index.js';
import type { NodeStores } from '../../../adapter/store/types.js';
import type { Hex } from '../../../lib/semantics/index.js';
import { ANVIL_KEYS, rpc, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';

const MODEL = `0x${'00'.repeat(32)}` as const;
const RECIPIENT = `0x${'42'.repeat(20)}` as Hex;
const logger = pino({ level: 'silent' });

let anvil: Anvil;
let provider: JsonRpcProvider;
const key = new SigningKey(ANVIL_KEYS[3]);
const address = computeAddress(key) as Hex;

beforeAll(async () => {
  anvil = await startAnvil(['--no-mining']);
  provider = createProvider(anvil.url, 31337n);
});
afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
});

function makeSender(store: NodeStores, stuckAfterMs = 60_000) {
  return new TxSender({ provider, signingKey: key, address, chainId: 31337n, stores: store, logger, confirmations: 1, stuckAfterMs, feeBumpPercent: 20 });
}

async function head(): Promise<number> {
  return provider.getBlockNumber();
}

describe('TxSender against anvil', () => {
  it('keeps nonces across a restart, re-broadcasts dropped transactions and replaces stuck ones', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vai-sender-')), 'node.db');
    let store = openStore(path);
    let sender = makeSender(store);
    expect(await sender.init()).toBe(0);
    const jobs = await Promise.all([1n, 2n, 3n].map(async (id) => (await store.jobs.ensureJob({ requestId: id, kind: 'finalize', modelId: MODEL })).job));
    const sent = await Promise.all(jobs.map((job) => sender.send(job, 'seen', { to: RECIPIENT, data: '0x', gasLimit: 21_000n, value: job.requestId })));
    expect(sent.map((t) => t.nonce)).toEqual([0, 1, 2]);
    await sender.flushed();
    // A second submission of the same job is refused by the store: nothing new reaches the RPC.
    await expect(sender.send(jobs[0]!, 'seen', { to: RECIPIENT, data: '0x', gasLimit: 21_000n })).rejects.toThrow(/not seen/);

    // The RPC loses transaction 1; the node restarts (new store handle, new sender) and must resend it.
    await rpc(anvil.url, 'anvil_dropTransaction', [sent[1]!.hash]);
    await store.close();
    store = openStore(path);
    sender = makeSender(store);
    expect(await sender.init()).toBe(3);
    expect(await rpc(anvil.url, 'eth_getTransactionByHash', [sent[1]!.hash])).toBeNull();
    expect(await sender.poll(await head())).toEqual([]);
    expect(await rpc(anvil.url, 'eth_getTransactionByHash', [sent[1]!.hash])).not.toBeNull();
    expect(await store.txs.txsOf(jobs[1]!.id)).toHaveLength(1);
    // Blocks are not coming (no mining): past stuckAfterMs every transaction is replaced with a higher fee.
    sender = makeSender(store, 0);
    expect(await sender.poll(await head())).toEqual([]);
    const txs = await Promise.all(jobs.map((j) => store.txs.txsOf(j.id)));
    for (const t of txs) {
      expect(t).toHaveLength(2);
      expect(t[1]!.nonce).toBe(t[0]!.nonce);
      expect(t[1]!.maxFeePerGas).toBeGreaterThanOrEqual((t[0]!.maxFeePerGas * 120n) / 100n);
    }

    await rpc(anvil.url, 'evm_mine');
    const outcomes = await waitFor(
      async () => {
        const o = await sender.poll(await head());
        return o.length === 3 ? o : undefined;
      },
      10_000,
      'three confirmed transactions',
    );
    expect(outcomes.every((o) => o.succeeded)).toBe(true);
    expect(new Set(outcomes.map((o) => o.receipt.hash))).toEqual(new Set(txs.map((t) => t[1]!.hash)));
    for (const job of jobs) expect((await store.jobs.getJob(job.id))?.state).toBe('confirmed');
    expect(await provider.getTransactionCount(address, 'latest')).toBe(3);
    expect(await provider.getBalance(RECIPIENT)).toBe(1n + 2n + 3n);
    // A fresh job after the restart continues the sequence.
    const job4 = (await store.jobs.ensureJob({ requestId: 4n, kind: 'finalize', modelId: MODEL })).job;
    expect((await sender.send(job4, 'seen', { to: RECIPIENT, data: '0x', gasLimit: 21_000n })).nonce).toBe(3);
    await store.close();
  });

  it("plays a bisect job on: a confirmed move goes back to inferred with a fresh nonce, the game's last call confirms it", async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'vai-sender-')), 'node.db'));
    const player = new SigningKey(ANVIL_KEYS[2]);
    const from = computeAddress(player) as Hex;
    // '0x01': a move; '0x02': the call that ends the game.
    const sender = new TxSender({
      provider,
      signingKey: player,
      address: from,
      chainId: 31337n,
      stores: store,
      logger,
      confirmations: 1,
      stuckAfterMs: 60_000,
      feeBumpPercent: 20,
      continues: (job, data) => job.kind === 'bisect' && data === '0x01',
    });
    const first = await sender.init();
    let job = (await store.jobs.ensureJob({ requestId: 9n, kind: 'bisect', modelId: MODEL })).job;
    job = await store.jobs.transition(job.id, 'seen', 'inferred', { output: [1n] });
    const settle = async () => {
      await sender.flushed();
      await rpc(anvil.url, 'evm_mine');
      return waitFor(
        async () => {
          const o = await sender.poll(await head());
          return o.length === 1 ? o[0] : undefined;
        },
        10_000,
        'the move to be mined',
      );
    };
    const move = await sender.send(job, 'inferred', { to: RECIPIENT, data: '0x01', gasLimit: 30_000n });
    const moved = await settle();
    expect(moved.succeeded).toBe(true);
    expect(moved.job).toMatchObject({ state: 'inferred', nonce: null, notBefore: 0 });
    // The next move gets the next nonce; the monitor looks only at it (the first move's receipt is not its).
    const last = await sender.send(moved.job, 'inferred', { to: RECIPIENT, data: '0x02', gasLimit: 30_000n });
    expect([move.nonce, last.nonce]).toEqual([first, first + 1]);
    expect(await sender.poll(await head())).toEqual([]);
    const ended = await settle();
    expect(ended.receipt.hash).toBe(last.hash);
    expect(ended.job.state).toBe('confirmed');
    expect(await store.txs.txsOf(job.id)).toHaveLength(2);
    await store.close();
  });
});
