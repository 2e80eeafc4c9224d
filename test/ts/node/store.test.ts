import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidJobTransitionError, JobStoreError } from '../../../adapter/errors.js';
import { SqliteJobStore } from '../../../adapter/store/sqlite.js';
import type { SignedTx } from '../../../adapter/store/types.js';

const MODEL = `0x${'ab'.repeat(32)}` as const;
const SENDER = `0x${'11'.repeat(20)}` as const;
const signed = (nonce: number, fee = 100n): SignedTx => ({
  hash: `0x${nonce.toString(16).padStart(4, '0')}${fee.toString(16).padStart(60, '0')}`,
  raw: `0xdeadbeef${nonce.toString(16)}`,
  maxFeePerGas: fee,
  maxPriorityFeePerGas: 1n,
});

const stores: SqliteJobStore[] = [];
function openStore(path = join(mkdtempSync(join(tmpdir(), 'vai-store-')), 'node.db')): SqliteJobStore {
  const store = new SqliteJobStore(path);
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('SqliteJobStore', () => {
  it('creates one job per (request, kind), whatever the number of sightings', async () => {
    const store = openStore();
    const a = await store.ensureJob({ requestId: 5n, kind: 'propose', modelId: MODEL, input: [1n, -2n, 3n ** 80n] });
    const b = await store.ensureJob({ requestId: 5n, kind: 'propose', modelId: MODEL, input: [9n] });
    const c = await store.ensureJob({ requestId: 5n, kind: 'finalize', modelId: MODEL });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.job.id).toBe(a.job.id);
    expect(b.job.input).toEqual([1n, -2n, 3n ** 80n]);
    expect(c.created).toBe(true);
    expect(await store.findJob(5n, 'propose')).toEqual(a.job);
  });

  it('validates transitions and refuses a stale compare-and-set', async () => {
    const store = openStore();
    const { job } = await store.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL });
    await expect(store.transition(job.id, 'seen', 'confirmed')).rejects.toThrow(InvalidJobTransitionError);
    const inferred = await store.transition(job.id, 'seen', 'inferred', { output: [7n] });
    expect(inferred.state).toBe('inferred');
    expect(inferred.output).toEqual([7n]);
    await expect(store.transition(job.id, 'seen', 'inferred')).rejects.toThrow(JobStoreError);
  });

  it('lists due jobs by time, skipping submitted, terminal and excluded ones', async () => {
    const store = openStore();
    const now = 1_000_000;
    const early = (await store.ensureJob({ requestId: 1n, kind: 'finalize', modelId: MODEL, notBefore: now - 10 }, now)).job;
    const late = (await store.ensureJob({ requestId: 2n, kind: 'finalize', modelId: MODEL, notBefore: now + 10 }, now)).job;
    const done = (await store.ensureJob({ requestId: 3n, kind: 'propose', modelId: MODEL }, now)).job;
    const other = (await store.ensureJob({ requestId: 4n, kind: 'propose', modelId: MODEL }, now)).job;
    await store.transition(done.id, 'seen', 'skipped');
    expect((await store.dueJobs(now, 10)).map((j) => j.id)).toEqual([other.id, early.id]);
    expect((await store.dueJobs(now + 10, 10, [other.id])).map((j) => j.id)).toEqual([early.id, late.id]);
  });

  it('gives every job one nonce, in order, kept across replacements and restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vai-store-'));
    const path = join(dir, 'node.db');
    let store = openStore(path);
    expect(await store.syncNonce(SENDER, 4)).toBe(4);
    const j1 = (await store.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL })).job;
    const j2 = (await store.ensureJob({ requestId: 2n, kind: 'propose', modelId: MODEL })).job;
    const s1 = await store.submit(j1.id, 'seen', SENDER, (n) => signed(n));
    const s2 = await store.submit(j2.id, 'seen', SENDER, (n) => signed(n));
    expect([s1.tx.nonce, s2.tx.nonce]).toEqual([4, 5]);
    const replacement = await store.addReplacement(j1.id, (n) => signed(n, 200n));
    expect(replacement.nonce).toBe(4);
    await store.close();

    store = openStore(path);
    expect(await store.nextNonce(SENDER)).toBe(6);
    expect(await store.syncNonce(SENDER, 2)).toBe(6);
    expect((await store.txsOf(j1.id)).map((t) => [t.nonce, t.maxFeePerGas])).toEqual([[4, 100n], [4, 200n]]);
    expect((await store.submittedJobs()).map((j) => [j.id, j.nonce])).toEqual([[j1.id, 4], [j2.id, 5]]);
  });

  it('submits a job at most once: a second submit fails and reserves no nonce', async () => {
    const store = openStore();
    const { job } = await store.ensureJob({ requestId: 1n, kind: 'finalize', modelId: MODEL });
    await store.submit(job.id, 'seen', SENDER, (n) => signed(n));
    await expect(store.submit(job.id, 'seen', SENDER, (n) => signed(n))).rejects.toThrow(JobStoreError);
    expect(await store.nextNonce(SENDER)).toBe(1);
    expect(await store.txsOf(job.id)).toHaveLength(1);
  });

  it('submits a batch in one transaction: contiguous nonces, a refused job leaves no gap', async () => {
    const store = openStore();
    const jobs = await Promise.all([1n, 2n, 3n].map(async (id) => (await store.ensureJob({ requestId: id, kind: 'propose', modelId: MODEL })).job));
    await store.transition(jobs[1]!.id, 'seen', 'skipped');
    const results = await store.submitMany(jobs.map((j) => ({ id: j.id, state: 'seen' as const, sign: (n: number) => signed(n) })), SENDER);
    expect(results.map((r) => ('error' in r ? 'error' : r.tx.nonce))).toEqual([0, 'error', 1]);
    expect(await store.nextNonce(SENDER)).toBe(2);
    expect((await store.getJob(jobs[1]!.id))?.nonce).toBeNull();
  });

  it('rolls back the whole submission when signing throws (no nonce is burnt)', async () => {
    const store = openStore();
    const { job } = await store.ensureJob({ requestId: 1n, kind: 'finalize', modelId: MODEL });
    await expect(
      store.submit(job.id, 'seen', SENDER, () => {
        throw new Error('signer unavailable');
      }),
    ).rejects.toThrow('signer unavailable');
    expect(await store.nextNonce(SENDER)).toBe(0);
    expect((await store.getJob(job.id))?.state).toBe('seen');
    expect((await store.getJob(job.id))?.nonce).toBeNull();
  });

  it('keeps block cursors and counts jobs by state', async () => {
    const store = openStore();
    expect(await store.getCursor('oracle')).toBeUndefined();
    await store.setCursor('oracle', { number: 12, hash: `0x${'01'.repeat(32)}` });
    await store.setCursor('oracle', { number: 13, hash: `0x${'02'.repeat(32)}` });
    expect(await store.getCursor('oracle')).toEqual({ number: 13, hash: `0x${'02'.repeat(32)}` });
    await store.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL });
    await store.ensureJob({ requestId: 2n, kind: 'propose', modelId: MODEL });
    expect(await store.countByState()).toEqual([{ kind: 'propose', state: 'seen', count: 2 }]);
  });
});
