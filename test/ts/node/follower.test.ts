import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonRpcProvider } from 'ethers';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EthersOracleGateway } from '../../../adapter/chain/ethers-oracle.js';
import { createProvider } from '../../../adapter/chain/rpc.js';
import { BlockFollower } from '../../../adapter/chain/follower.js';
import type { OracleEvent } from '../../../adapter/chain/types.js';
import { openStore } from '../../../adapter/store/sqlite/index.js';
import { ANVIL_KEYS, rpc, startAnvil, type Anvil } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { FEE, deployProtocol, type Protocol } from './helpers/protocol.js';

let anvil: Anvil;
let provider: JsonRpcProvider;
let p: Protocol;

beforeAll(async () => {
  anvil = await startAnvil();
  provider = createProvider(anvil.url, 31337n, { pollingMs: 100 });
  p = await deployProtocol(provider, [{ dir: writeModelDir(classifier), onChainWeights: false }], [ANVIL_KEYS[1]]);
});
afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
});

async function request(input: bigint[]): Promise<void> {
  await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
}

describe('BlockFollower', () => {
  it('acts only on confirmed blocks, resumes from its stored cursor, and re-reads blocks replaced by a reorg', async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'vai-follow-')), 'node.db'));
    const oracle = new EthersOracleGateway(p.oracleAddress, provider);
    const seen: OracleEvent[] = [];
    const follower = (confirmations: number) =>
      new BlockFollower<OracleEvent>({
        provider,
        cursors: store.cursors,
        logger: pino({ level: 'silent' }),
        name: 'oracle',
        address: p.oracleAddress,
        confirmations,
        reorgDepth: 5,
        fromBlock: 0,
        maxLogRange: 3,
        decode: (log) => oracle.decode(log),
        handle: async (events) => void seen.push(...events),
      });
    const inputOf = (e: OracleEvent) => (e.type === 'requested' ? e.input[0] : undefined);

    await request([1n, 0n, 0n, 0n]);
    let r = await follower(1).poll();
    expect(seen).toHaveLength(0); // its block has no confirmation yet
    await rpc(anvil.url, 'evm_mine');
    r = await follower(1).poll();
    expect(seen.map(inputOf)).toEqual([1n]);
    expect(r.processedTo).toBe(r.head - 1);

    // A block the follower processed is replaced: snapshot, extend, process, revert, extend differently.
    const snapshot = await rpc<string>(anvil.url, 'evm_snapshot');
    await request([2n, 0n, 0n, 0n]);
    await follower(0).poll();
    expect(seen.map(inputOf)).toEqual([1n, 2n]);
    await rpc(anvil.url, 'evm_revert', [snapshot]);
    p.owner.reset(); // the reverted transaction's nonce is free again
    await request([3n, 0n, 0n, 0n]);
    await rpc(anvil.url, 'evm_mine');
    r = await follower(0).poll();
    // The cursor's block changed hash: the follower rewound and read the new branch (3), and the
    // re-read of the earlier blocks gave their events again, which handlers absorb (idempotent).
    expect(seen.map(inputOf)).toContain(3n);
    expect(seen.filter((e) => inputOf(e) === 3n)).toHaveLength(1);
    expect(r.processedTo).toBe(r.head);
    expect((await store.cursors.getCursor('oracle'))?.hash).toBe((await provider.getBlock(r.head))?.hash);
    await store.close();
  });
});
