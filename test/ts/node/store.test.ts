import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestTerms } from '../../../lib/protocol/index.js';
import { InvalidJobTransitionError, JobStoreError, NotLeaderError } from '../../../adapter/errors.js';
import { MIGRATIONS } from '../../../adapter/store/migrations.js';
import { openPgStore } from '../../../adapter/store/postgres/index.js';
import { openStore as openSqliteStore } from '../../../adapter/store/sqlite/index.js';
import { startPostgres, type LocalPostgres } from '../../../lib/devnet/postgres.js';
import type { NodeStores, SignedTx } from '../../../adapter/store/types.js';
import { toJson } from '../../../lib/protocol/index.js';

const MODEL = `0x${'ab'.repeat(32)}` as const;
const SENDER = `0x${'11'.repeat(20)}` as const;
const signed = (nonce: number, fee = 100n): SignedTx => ({
  hash: `0x${nonce.toString(16).padStart(4, '0')}${fee.toString(16).padStart(60, '0')}`,
  raw: `0xdeadbeef${nonce.toString(16)}`,
  maxFeePerGas: fee,
  maxPriorityFeePerGas: 1n,
});

const ZERO_HASH = `0x${'0'.repeat(64)}` as const;
const TERMS: RequestTerms = {
  requester: `0x${'22'.repeat(20)}`,
  modelId: 1n,
  callbackGasLimit: 200_000n,
  fee: 10n ** 16n,
  bond: 10n ** 18n,
  challengeWindow: 60n,
  outputLength: 2n,
  deadline: 1_700_003_600n,
  inputHash: `0x${'cd'.repeat(32)}`,
  disputeWindow: 3600n,
  verifierVersion: 2n,
  accepts: 16n,
};

const stores: NodeStores[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

let postgres: LocalPostgres | undefined;
let databases = 0;
beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(() => postgres?.stop());

/** A store backend: `fresh()` names a new empty store (a file, a database), `open` opens one (again). */
type Backend = { name: string; fresh(): string; open(location?: string): Promise<NodeStores> };

const freshFile = () => join(mkdtempSync(join(tmpdir(), 'vai-store-')), 'node.db');
const freshDatabase = () => postgres!.createDatabase(`store_${++databases}`);

const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    fresh: freshFile,
    async open(location = freshFile()) {
      const store = openSqliteStore(location);
      stores.push(store);
      return store;
    },
  },
  {
    name: 'PostgreSQL',
    fresh: freshDatabase,
    async open(location = freshDatabase()) {
      const store = await openPgStore(location);
      stores.push(store);
      return store;
    },
  },
];

describe.each(BACKENDS)('$name store', (backend) => {
  it('creates one job per (request, kind), whatever the number of sightings', async () => {
    const store = await backend.open();
    const a = await store.jobs.ensureJob({ requestId: 5n, kind: 'propose', modelId: MODEL, input: [1n, -2n, 3n ** 80n] });
    const b = await store.jobs.ensureJob({ requestId: 5n, kind: 'propose', modelId: MODEL, input: [9n] });
    const c = await store.jobs.ensureJob({ requestId: 5n, kind: 'finalize', modelId: MODEL });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.job.id).toBe(a.job.id);
    expect(b.job.input).toEqual([1n, -2n, 3n ** 80n]);
    expect(c.created).toBe(true);
    expect(await store.jobs.findJob(5n, 'propose')).toEqual(a.job);
  });

  it('validates transitions and refuses a stale compare-and-set', async () => {
    const store = await backend.open();
    const { job } = await store.jobs.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL });
    await expect(store.jobs.transition(job.id, 'seen', 'confirmed')).rejects.toThrow(InvalidJobTransitionError);
    const inferred = await store.jobs.transition(job.id, 'seen', 'inferred', { output: [7n] });
    expect(inferred.state).toBe('inferred');
    expect(inferred.output).toEqual([7n]);
    await expect(store.jobs.transition(job.id, 'seen', 'inferred')).rejects.toThrow(JobStoreError);
  });

  it('lists due jobs by time, skipping submitted, terminal and excluded ones', async () => {
    const store = await backend.open();
    const now = 1_000_000;
    const early = (await store.jobs.ensureJob({ requestId: 1n, kind: 'finalize', modelId: MODEL, notBefore: now - 10 }, now)).job;
    const late = (await store.jobs.ensureJob({ requestId: 2n, kind: 'finalize', modelId: MODEL, notBefore: now + 10 }, now)).job;
    const done = (await store.jobs.ensureJob({ requestId: 3n, kind: 'propose', modelId: MODEL }, now)).job;
    const other = (await store.jobs.ensureJob({ requestId: 4n, kind: 'propose', modelId: MODEL }, now)).job;
    await store.jobs.transition(done.id, 'seen', 'skipped');
    expect((await store.jobs.dueJobs(now, 10)).map((j) => j.id)).toEqual([other.id, early.id]);
    expect((await store.jobs.dueJobs(now + 10, 10, [other.id])).map((j) => j.id)).toEqual([early.id, late.id]);
  });

  it('gives every job one nonce, in order, kept across replacements and restarts', async () => {
    const path = backend.fresh();
    let store = await backend.open(path);
    expect(await store.txs.syncNonce(SENDER, 4)).toBe(4);
    const j1 = (await store.jobs.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL })).job;
    const j2 = (await store.jobs.ensureJob({ requestId: 2n, kind: 'propose', modelId: MODEL })).job;
    const s1 = await store.txs.submit(j1.id, 'seen', SENDER, (n) => signed(n));
    const s2 = await store.txs.submit(j2.id, 'seen', SENDER, (n) => signed(n));
    expect([s1.tx.nonce, s2.tx.nonce]).toEqual([4, 5]);
    const replacement = await store.txs.addReplacement(j1.id, (n) => signed(n, 200n));
    expect(replacement.nonce).toBe(4);
    await store.close();

    store = await backend.open(path);
    expect(await store.txs.nextNonce(SENDER)).toBe(6);
    expect(await store.txs.syncNonce(SENDER, 2)).toBe(6);
    expect((await store.txs.txsOf(j1.id)).map((t) => [t.nonce, t.maxFeePerGas])).toEqual([
      [4, 100n],
      [4, 200n],
    ]);
    expect((await store.jobs.submittedJobs()).map((j) => [j.id, j.nonce])).toEqual([
      [j1.id, 4],
      [j2.id, 5],
    ]);
  });

  it('submits a job at most once: a second submit fails and reserves no nonce', async () => {
    const store = await backend.open();
    const { job } = await store.jobs.ensureJob({ requestId: 1n, kind: 'finalize', modelId: MODEL });
    await store.txs.submit(job.id, 'seen', SENDER, (n) => signed(n));
    await expect(store.txs.submit(job.id, 'seen', SENDER, (n) => signed(n))).rejects.toThrow(JobStoreError);
    expect(await store.txs.nextNonce(SENDER)).toBe(1);
    expect(await store.txs.txsOf(job.id)).toHaveLength(1);
  });

  it('submits a batch in one transaction: contiguous nonces, a refused job leaves no gap', async () => {
    const store = await backend.open();
    const jobs = await Promise.all([1n, 2n, 3n].map(async (id) => (await store.jobs.ensureJob({ requestId: id, kind: 'propose', modelId: MODEL })).job));
    await store.jobs.transition(jobs[1]!.id, 'seen', 'skipped');
    const results = await store.txs.submitMany(
      jobs.map((j) => ({ id: j.id, state: 'seen' as const, sign: (n: number) => signed(n) })),
      SENDER,
    );
    expect(results.map((r) => ('error' in r ? 'error' : r.tx.nonce))).toEqual([0, 'error', 1]);
    expect(await store.txs.nextNonce(SENDER)).toBe(2);
    expect((await store.jobs.getJob(jobs[1]!.id))?.nonce).toBeNull();
  });

  it('rolls back the whole submission when signing throws (no nonce is burnt)', async () => {
    const store = await backend.open();
    const { job } = await store.jobs.ensureJob({ requestId: 1n, kind: 'finalize', modelId: MODEL });
    await expect(
      store.txs.submit(job.id, 'seen', SENDER, () => {
        throw new Error('signer unavailable');
      }),
    ).rejects.toThrow('signer unavailable');
    expect(await store.txs.nextNonce(SENDER)).toBe(0);
    expect((await store.jobs.getJob(job.id))?.state).toBe('seen');
    expect((await store.jobs.getJob(job.id))?.nonce).toBeNull();
  });

  it('keeps block cursors and counts jobs by state', async () => {
    const store = await backend.open();
    expect(await store.cursors.getCursor('oracle')).toBeUndefined();
    await store.cursors.setCursor('oracle', { number: 12, hash: `0x${'01'.repeat(32)}` });
    await store.cursors.setCursor('oracle', { number: 13, hash: `0x${'02'.repeat(32)}` });
    expect(await store.cursors.getCursor('oracle')).toEqual({ number: 13, hash: `0x${'02'.repeat(32)}` });
    await store.jobs.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL });
    await store.jobs.ensureJob({ requestId: 2n, kind: 'propose', modelId: MODEL });
    expect(await store.jobs.countByState()).toEqual([{ kind: 'propose', state: 'seen', count: 2 }]);
  });

  it("keeps the v2 request terms, the challenger's claim and the dispute's start", async () => {
    const store = await backend.open();
    const record = {
      requestId: 7n,
      modelId: 1n,
      terms: TERMS,
      input: [1n, 2n],
      proposal: null,
      proposedOutput: null,
      proposedAt: null,
      disputedAt: null,
      state: 'Requested' as const,
      requestedBlock: 3,
    };
    expect((await store.requests.saveRequest(record)).terms).toEqual(TERMS);
    const proposer = `0x${'33'.repeat(20)}` as const;
    const challenger = `0x${'44'.repeat(20)}` as const;
    const outputHash = `0x${'55'.repeat(32)}` as const;
    await store.requests.recordProposal(7n, { proposer, challenger: `0x${'0'.repeat(40)}`, outputHash, claimHash: ZERO_HASH }, [4n, 5n], 1000);
    expect((await store.requests.getRequest(7n))?.proposal).toEqual({ proposer, challenger: `0x${'0'.repeat(40)}`, outputHash, claimHash: ZERO_HASH });
    await store.requests.recordChallenge(7n, challenger, `0x${'66'.repeat(32)}`, 1010);
    const disputed = await store.requests.getRequest(7n);
    expect(disputed?.state).toBe('Disputed');
    expect(disputed?.proposal).toEqual({ proposer, challenger, outputHash, claimHash: `0x${'66'.repeat(32)}` });
    expect(disputed?.disputedAt).toBe(1010);
    expect(await store.requests.bondsAtRisk(challenger)).toBe(TERMS.bond);
  });

  it('keeps owed callbacks and marks their delivery; a second sighting changes nothing else', async () => {
    const store = await backend.open();
    const callback = { requestId: 9n, requester: `0x${'77'.repeat(20)}` as const, gasLimit: 150_000n, data: '0xabcdef' as const, block: 12 };
    await store.requests.saveCallback(callback);
    await store.requests.saveCallback({ ...callback, block: 13 });
    expect(await store.requests.getCallback(9n)).toEqual({ ...callback, block: 13, delivered: false });
    await store.requests.markCallbackDelivered(9n);
    await store.requests.saveCallback(callback);
    expect(await store.requests.getCallback(9n)).toEqual({ ...callback, delivered: true });
    expect(await store.requests.getCallback(10n)).toBeUndefined();
  });
});

describe('SQLite store', () => {
  it('migrates a v1 store: old terms read with the new fields at zero, unsent jobs skipped, sent ones kept', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vai-store-')), 'node.db');
    const v1 = new BetterSqlite3(path);
    for (const m of MIGRATIONS.slice(0, 2)) v1.exec(m);
    v1.pragma('user_version = 2');
    const { disputeWindow: _d, verifierVersion: _v, accepts: _a, ...v1Terms } = TERMS;
    v1.prepare(`INSERT INTO requests (request_id, model_id, terms, input, proposer, output_hash, proposed_output, proposed_at, state, requested_block)
                VALUES ('5', '1', ?, '["1","2"]', ?, ?, '["3","4"]', 100, 'Proposed', 1)`).run(toJson(v1Terms, 0), SENDER, `0x${'88'.repeat(32)}`);
    const insertJob = v1.prepare(`INSERT INTO jobs (request_id, kind, state, model_id, nonce, created_at, updated_at) VALUES ('5', ?, ?, ?, ?, 0, 0)`);
    insertJob.run('finalize', 'seen', MODEL, null);
    insertJob.run('propose', 'submitted', MODEL, 0);
    v1.close();

    const store = await BACKENDS[0]!.open(path);
    const request = await store.requests.getRequest(5n);
    expect(request?.terms).toEqual({ ...TERMS, disputeWindow: 0n, verifierVersion: 0n, accepts: 0n });
    expect(request?.proposal).toEqual({ proposer: SENDER, challenger: `0x${'0'.repeat(40)}`, outputHash: `0x${'88'.repeat(32)}`, claimHash: ZERO_HASH });
    expect(request?.disputedAt).toBeNull();
    expect((await store.jobs.findJob(5n, 'finalize'))?.state).toBe('skipped');
    expect((await store.jobs.submittedJobs()).map((j) => j.kind)).toEqual(['propose']);
    expect(await store.requests.getCallback(5n)).toBeUndefined();
  });
});

describe('PostgreSQL store: replicas and prove workers', () => {
  it('hands out distinct, contiguous nonces to concurrent submissions over the pool', async () => {
    const store = await BACKENDS[1]!.open();
    const jobs = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => (await store.jobs.ensureJob({ requestId: BigInt(i + 1), kind: 'propose', modelId: MODEL })).job),
    );
    const results = await Promise.all(jobs.map((j) => store.txs.submit(j.id, 'seen', SENDER, (n) => signed(n))));
    expect(results.map((r) => r.tx.nonce).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // A second submission of any of them fails: the compare-and-set holds across connections.
    const again = await Promise.allSettled(jobs.map((j) => store.txs.submit(j.id, 'seen', SENDER, (n) => signed(n, 7n))));
    expect(again.every((r) => r.status === 'rejected')).toBe(true);
    expect(await store.txs.nextNonce(SENDER)).toBe(40);
  });

  it('lets one replica lead a key at a time; a deposed leader cannot record a submission, and its successor resumes the nonces', async () => {
    const url = BACKENDS[1]!.fresh();
    const a = await BACKENDS[1]!.open(url);
    const b = await BACKENDS[1]!.open(url);
    const signal = new AbortController().signal;
    const leadA = await a.leadership!.acquire(SENDER, 'a', signal);
    expect(leadA.epoch).toBe(1);
    const { job: j1 } = await a.jobs.ensureJob({ requestId: 1n, kind: 'propose', modelId: MODEL });
    const { job: j2 } = await a.jobs.ensureJob({ requestId: 2n, kind: 'propose', modelId: MODEL });
    expect((await a.txs.submit(j1.id, 'seen', SENDER, (n) => signed(n))).tx.nonce).toBe(0);

    // B waits while A leads.
    const standby = new AbortController();
    const waiting = b.leadership!.acquire(SENDER, 'b', standby.signal);
    const early = await Promise.race([waiting.then(() => 'led'), new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
    expect(early).toBe('waiting');

    // A's session dies: B takes over at once, with the next epoch.
    const startedAt = Date.now();
    await a.leadership!.release();
    const leadB = await waiting;
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(leadB.epoch).toBe(2);

    // A (deposed, not knowing yet) can no longer record anything; no nonce is burnt.
    await expect(a.txs.submit(j2.id, 'seen', SENDER, (n) => signed(n))).rejects.toThrow(NotLeaderError);
    const batch = a.txs.submitMany([{ id: j2.id, state: 'seen', sign: (n) => signed(n) }], SENDER);
    await expect(batch).rejects.toThrow(NotLeaderError);
    expect((await b.jobs.getJob(j2.id))?.state).toBe('seen');
    expect(await b.txs.syncNonce(SENDER, 0)).toBe(1);
    expect((await b.txs.submit(j2.id, 'seen', SENDER, (n) => signed(n))).tx.nonce).toBe(1);
  });

  it('tells the leader when its session is gone', async () => {
    const url = BACKENDS[1]!.fresh();
    const store = await BACKENDS[1]!.open(url);
    const lead = await store.leadership!.acquire(SENDER, 'a', new AbortController().signal);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(rows).toHaveLength(1);
    } finally {
      await admin.end();
    }
    const told = await Promise.race([lead.lost, new Promise<string>((r) => setTimeout(() => r('not told'), 5000))]);
    expect(told).toBeInstanceOf(Error);
  });

  it('gives each proof to one worker (SKIP LOCKED), takes a proof back from a worker whose lease ran out, and keeps the result', async () => {
    const store = await BACKENDS[1]!.open();
    const proofs = store.proofs!;
    const jobs = await Promise.all([1n, 2n, 3n].map(async (id) => (await store.jobs.ensureJob({ requestId: id, kind: 'propose', modelId: MODEL })).job));
    const now = 1_000_000;
    for (const j of jobs) {
      expect(await proofs.requestProof({ jobId: j.id, modelHash: MODEL, input: [1n], output: [2n], prover: SENDER }, now)).toEqual({ state: 'open' });
    }
    // Asking again changes nothing.
    await proofs.requestProof({ jobId: jobs[0]!.id, modelHash: MODEL, input: [9n], output: [9n], prover: SENDER }, now);
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => proofs.claimProof(w, 60_000, now)));
    const claimed = claims.filter((c) => c !== undefined);
    expect(claimed.map((c) => c.jobId).sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(claimed.find((c) => c.jobId === jobs[0]!.id)?.input).toEqual([1n]);
    const [first] = claimed;
    const owner = ['w1', 'w2', 'w3', 'w4'][claims.indexOf(first)]!;
    // Lease over: another worker takes it; the first one's late result is refused.
    const retaken = await proofs.claimProof('w9', 60_000, now + 61_000);
    expect(retaken).toBeDefined();
    expect(await proofs.completeProof(retaken!.jobId, owner === 'w9' ? 'w8' : 'w9', { proof: '0x1234' }, now + 62_000)).toBe(true);
    const status = await proofs.requestProof({ jobId: retaken!.jobId, modelHash: MODEL, input: [1n], output: [2n], prover: SENDER });
    expect(status).toEqual({ state: 'done', proof: '0x1234' });
  });
});
