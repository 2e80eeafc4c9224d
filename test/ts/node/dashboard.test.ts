import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hex } from '../../../lib/semantics/index.js';
import { activitySeries } from '../../../adapter/http/dashboard.js';
import { scrubber } from '../../../adapter/redact.js';
import { PgDashboard } from '../../../adapter/store/postgres/dashboard.js';
import { openPgStore, PgDatabase } from '../../../adapter/store/postgres/index.js';
import { openStore } from '../../../adapter/store/sqlite/index.js';
import type { NodeStores } from '../../../adapter/store/types.js';
import { startPostgres, type LocalPostgres } from '../../../lib/devnet/postgres.js';
import { serveDashboard } from './helpers/dashboard.js';
import { FILL_BOND, FILL_FEE, fillStore } from './helpers/fill.js';
import { ME, OTHER, requestTerms } from './helpers/terms.js';
import { ZERO_ADDRESS, ZERO_HASH } from '../../../lib/protocol/index.js';

// The dashboard's queries on both stores, with the same expectations: SQLite (in memory) and PostgreSQL (a throwaway
// cluster, lib/devnet/postgres.ts, one fresh database per store).
let postgres: LocalPostgres | undefined;
let databases = 0;
beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(() => postgres?.stop());

type Backend = { name: string; open(): Promise<NodeStores> };
const BACKENDS: Backend[] = [
  { name: 'SQLite', open: async () => openStore(':memory:') },
  { name: 'PostgreSQL', open: () => openPgStore(postgres!.createDatabase(`dashboard_${++databases}`), { poolSize: 4 }) },
];

/** One more request of ME's, proposed and finalized undisputed. */
async function fillMore(store: NodeStores): Promise<void> {
  const requestId = 77_777n;
  await store.requests.saveRequest({
    requestId,
    modelId: 1n,
    terms: requestTerms({ fee: FILL_FEE, bond: FILL_BOND }),
    input: [1n],
    proposal: null,
    proposedOutput: null,
    proposedAt: null,
    disputedAt: null,
    state: 'Requested',
    requestedBlock: 1,
  });
  await store.requests.recordProposal(requestId, { proposer: ME, challenger: ZERO_ADDRESS, outputHash: ZERO_HASH, claimHash: ZERO_HASH }, [1n], 10);
  await store.requests.recordSettlement(requestId, { state: 'Finalized', at: 80, provenance: 'Optimistic' });
}

const KEY = `0x${'ab'.repeat(32)}`;
const RPC_SECRET = 'sup3rs3cr3tapikey';

describe.each(BACKENDS)('dashboard queries on $name', (backend) => {
  let store: NodeStores;
  let jobs: number;
  beforeAll(async () => {
    store = await backend.open();
    jobs = await fillStore(store, { requests: 200, operator: ME });
  });
  afterAll(() => store.close());

  it('counts jobs and requests by state', async () => {
    const jobCounts = await store.dashboard.jobCounts();
    expect(jobCounts.reduce((a, c) => a + c.count, 0)).toBe(jobs);
    expect(jobCounts.find((c) => c.kind === 'propose' && c.state === 'seen')?.count).toBe(20);
    const requests = Object.fromEntries((await store.dashboard.requestCounts()).map((r) => [r.state, r.count]));
    expect(requests).toEqual({ Finalized: 160, Proposed: 20, Requested: 20 });
  });

  it('lists the newest requests first, with their life cycle and the node jobs for each', async () => {
    const list = await store.dashboard.recentRequests(10);
    expect(list).toHaveLength(10);
    expect(list.map((r) => r.requestedBlock)).toEqual([...Array(10).keys()].map((i) => 1199 - i));
    const won = list.find((r) => r.winner !== null && r.winner === ME.toLowerCase())!;
    expect(won.jobs.map((j) => [j.kind, j.state])).toEqual([
      ['challenge', 'confirmed'],
      ['resolve', 'confirmed'],
    ]);
    expect(won.jobs[0]!.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(won).toMatchObject({ state: 'Finalized', provenance: 'Reexecution', fee: FILL_FEE, bond: FILL_BOND });
    expect(won.requestedAt).not.toBeNull();
    expect(won.settledAt! - won.requestedAt!).toBe(64);
    const proposed = await store.dashboard.recentRequests(5, 'Proposed');
    expect(proposed.every((r) => r.state === 'Proposed' && r.jobs[0]?.state === 'submitted')).toBe(true);
    const disputes = await store.dashboard.recentDisputes(100);
    expect(disputes).toHaveLength(40);
  });

  it('adds up earnings and slashes from the settlements and dispute outcomes', async () => {
    expect(await store.dashboard.ledger(ME)).toEqual({
      // 6 undisputed finalized proposals and 1 won dispute in every 10 requests.
      fees: 20n * 7n * FILL_FEE,
      disputeRewards: 20n * (FILL_BOND / 2n),
      resolverRewards: 20n * (FILL_BOND / 10n),
      slashed: 20n * FILL_BOND,
      disputesWon: 20,
      disputesLost: 20,
      disputesResolved: 20,
    });
    const other = await store.dashboard.ledger(OTHER);
    expect(other.disputesWon).toBe(20);
    // Later settlements are added to what was summed (only they are read).
    const before = await store.dashboard.ledger(ME);
    await fillMore(store);
    const after = await store.dashboard.ledger(ME);
    expect(after).toEqual({ ...before, fees: before.fees + FILL_FEE });
  });

  it("tells the watcher's verdicts from its challenge jobs", async () => {
    const s = await backend.open();
    const mk = async (id: bigint, claimed: bigint[], output: bigint[] | null) => {
      const { job } = await s.jobs.ensureJob({ requestId: id, kind: 'challenge', modelId: '0x1', claimed });
      if (output) await s.jobs.transition(job.id, 'seen', output[0] === claimed[0] ? 'skipped' : 'inferred', { output });
    };
    await mk(1n, [1n], [1n]);
    await mk(2n, [1n], [2n]);
    await mk(3n, [1n], null);
    const v = await s.dashboard.verdicts(10);
    expect(v.counts).toEqual({ correct: 1, wrong: 1, pending: 1, none: 0 });
    expect(v.recent.map((r) => [r.requestId, r.verdict]).sort()).toEqual([
      [1n, 'correct'],
      [2n, 'wrong'],
      [3n, 'pending'],
    ]);
    await s.close();
  });
});

describe.each(BACKENDS)('activity series on $name', (backend) => {
  it('counts jobs per minute with the mean reaction and inclusion times, in the store and on the chart', async () => {
    const s = await backend.open();
    const now = 10 * 3_600_000;
    const minute = now - 5 * 60_000;
    const submit = async (requestId: bigint, createdAt: number, sentAt: number, confirmedAt?: number) => {
      const { job } = await s.jobs.ensureJob({ requestId, kind: 'propose', modelId: '0x1' }, createdAt);
      const hash = `0x${requestId.toString(16).padStart(64, '0')}` as Hex;
      await s.txs.submit(job.id, 'seen', ME, () => ({ hash, raw: '0x00', maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }), sentAt);
      if (confirmedAt) await s.jobs.transition(job.id, 'submitted', 'confirmed', {}, confirmedAt);
    };
    await submit(1n, minute, minute + 100, minute + 4100);
    await submit(2n, minute + 10, minute + 310, minute + 6310);
    await submit(3n, minute + 20, minute + 1020);
    await s.jobs.ensureJob({ requestId: 4n, kind: 'finalize', modelId: '0x1' }, now - 3_600_000 * 2); // before the hour
    const buckets = await s.dashboard.activity(now - 3_600_000, 60_000);
    expect(buckets).toEqual([{ start: minute, created: 3, confirmed: 2, reactionMs: (100 + 300 + 1000) / 3, inclusionMs: 5000 }]);
    const series = activitySeries(buckets, now);
    expect(series.t).toHaveLength(60);
    const i = series.t.indexOf(minute / 1000);
    expect([series.created[i], series.confirmed[i], series.reactionMs[i], series.inclusionS[i]]).toEqual([3, 2, 467, 5]);
    expect(series.created.reduce((a, b) => a + b, 0)).toBe(3);
    expect(series.reactionMs.filter((v) => v !== null)).toHaveLength(1);
    await s.close();
  });
});

describe.each(BACKENDS)('dashboard HTTP API on $name', (backend) => {
  let store: NodeStores;
  let server: Awaited<ReturnType<typeof serveDashboard>>;
  beforeAll(async () => {
    store = await backend.open();
    await fillStore(store, { requests: 50, operator: ME });
    // A job whose error quotes the RPC URL (an RPC client's message): the answers must not carry it.
    const { job } = await store.jobs.ensureJob({ requestId: 999n, kind: 'propose', modelId: '0x1' });
    await store.jobs.transition(job.id, 'seen', 'failed', { error: `connect ECONNREFUSED https://rpc.example/v3/${RPC_SECRET} key ${KEY}` });
    server = await serveDashboard(store, {
      address: ME as Hex,
      status: { lastError: `fetch https://user:${RPC_SECRET}@rpc.example failed` },
      scrub: scrubber([`https://rpc.example/v3/${RPC_SECRET}`, RPC_SECRET, KEY]),
    });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('serves the page and its assets from the node, with a restrictive content policy', async () => {
    const page = await fetch(`${server.base}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('/ui/assets/app.js');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    for (const asset of ['app.js', 'app.css', 'uPlot.min.js', 'uPlot.min.css']) {
      const res = await fetch(`${server.base}/ui/assets/${asset}`);
      expect(res.status, asset).toBe(200);
    }
    expect((await fetch(`${server.base}/ui/assets/..%2Fserver.ts`)).status).toBe(404);
  });

  it('answers the summary and request pages; bad parameters are 400', async () => {
    const summary = (await (await fetch(`${server.base}/ui/api/summary`)).json()) as Record<string, unknown> & {
      node: { address: string; freeStake: string };
      ledger: { fees: string };
      series: { t: number[] };
    };
    expect(summary.node.address).toBe(ME);
    expect(summary.node.freeStake).toBe((19n * 10n ** 18n).toString());
    expect(BigInt(summary.ledger.fees)).toBe(5n * 7n * FILL_FEE);
    expect(summary.series.t).toHaveLength(60);
    expect(Object.keys(summary).sort()).toEqual(['at', 'disputes', 'failed', 'jobs', 'ledger', 'node', 'requests', 'series', 'verdicts']);
    const page = (await (await fetch(`${server.base}/ui/api/requests?limit=3&state=Finalized`)).json()) as { requests: Array<{ state: string }> };
    expect(page.requests.map((r) => r.state)).toEqual(['Finalized', 'Finalized', 'Finalized']);
    const bad = await fetch(`${server.base}/ui/api/requests?limit=0`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^\[Param: limit\]/);
    expect((await fetch(`${server.base}/ui/api/requests?state=Nope`)).status).toBe(400);
  });

  it('never shows the key or the RPC URL credentials', async () => {
    const bodies = await Promise.all(
      ['/ui', '/ui/api/summary', '/ui/api/requests?limit=500', '/ui/api/disputes'].map(async (p) => (await fetch(`${server.base}${p}`)).text()),
    );
    const all = bodies.join('\n');
    expect(all).toContain('[redacted]');
    expect(all).not.toContain(RPC_SECRET);
    expect(all).not.toContain(KEY.slice(2));
  });
});

describe('the same answers on both stores', () => {
  it('gives every query the same result for the same data', async () => {
    const now = 20 * 3_600_000;
    const [lite, pg] = await Promise.all(BACKENDS.map((b) => b.open()));
    try {
      for (const s of [lite!, pg!]) {
        await fillStore(s, { requests: 120, operator: ME, now });
        // A failed job, for the failed list.
        const { job } = await s.jobs.ensureJob({ requestId: 999n, kind: 'propose', modelId: '0x1' }, now - 1000);
        await s.jobs.transition(job.id, 'seen', 'failed', { error: 'out of gas' }, now - 500);
      }
      const answers = async (s: NodeStores) => ({
        jobs: (await s.dashboard.jobCounts()).sort((a, b) => `${a.kind}/${a.state}`.localeCompare(`${b.kind}/${b.state}`)),
        requests: (await s.dashboard.requestCounts()).sort((a, b) => a.state.localeCompare(b.state)),
        recent: await s.dashboard.recentRequests(500),
        finalized: await s.dashboard.recentRequests(7, 'Finalized'),
        disputes: await s.dashboard.recentDisputes(200),
        failed: await s.dashboard.recentJobs(20, ['failed']),
        ledgerMe: await s.dashboard.ledger(ME),
        ledgerOther: await s.dashboard.ledger(OTHER),
        activity: await s.dashboard.activity(now - 3_600_000, 60_000),
        verdicts: await s.dashboard.verdicts(50),
      });
      const [a, b] = [await answers(lite!), await answers(pg!)];
      expect(a.recent).toHaveLength(120);
      expect(a.failed.map((j) => j.error)).toEqual(['out of gas']);
      expect(a.activity.length).toBeGreaterThan(50);
      expect(b).toEqual(a);
    } finally {
      await lite?.close();
      await pg?.close();
    }
  });
});

describe('the ledger on PostgreSQL', () => {
  it('does not step over a settlement that commits after a later one', async () => {
    const url = postgres!.createDatabase(`dashboard_${++databases}`);
    const store = await openPgStore(url, { poolSize: 4 });
    const blocker = new pg.Client({ connectionString: url });
    // Lock waits are read on a connection of their own, outside the blocker's transaction (which would see one
    // snapshot of pg_stat_activity for as long as it runs).
    const observer = new pg.Client({ connectionString: url });
    await Promise.all([blocker.connect(), observer.connect()]);
    const waiting = async () =>
      Number((await observer.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).rows[0]!.n);
    try {
      for (const id of [1n, 2n]) {
        await store.requests.saveRequest({
          requestId: id,
          modelId: 1n,
          terms: requestTerms({ fee: FILL_FEE, bond: FILL_BOND }),
          input: [1n],
          proposal: null,
          proposedOutput: null,
          proposedAt: null,
          disputedAt: null,
          state: 'Requested',
          requestedBlock: Number(id),
        });
        await store.requests.recordProposal(id, { proposer: ME, challenger: ZERO_ADDRESS, outputHash: ZERO_HASH, claimHash: ZERO_HASH }, [1n], 10);
      }
      expect(await store.dashboard.ledger(ME)).toMatchObject({ fees: 0n });
      // Request 1's settlement takes the first number, then waits on a row lock held here: it is slow to commit.
      await blocker.query('BEGIN');
      await blocker.query("SELECT state FROM requests WHERE request_id = '1' FOR UPDATE");
      const first = store.requests.recordSettlement(1n, { state: 'Finalized', at: 80, provenance: 'Optimistic' });
      await vi.waitUntil(async () => (await waiting()) === 1, { timeout: 10_000, interval: 20 });
      // Request 2's settlement, meanwhile, must not commit a higher number while the first is pending (it would, with
      // a plain sequence, and the ledger would read it and then never read number 1).
      const second = store.requests.recordSettlement(2n, { state: 'Finalized', at: 81, provenance: 'Optimistic' });
      const secondDone = second.then(() => true);
      await vi.waitUntil(async () => (await waiting()) === 2 || (await Promise.race([secondDone, Promise.resolve(false)])), { timeout: 10_000, interval: 20 });
      await store.dashboard.ledger(ME);
      await blocker.query('COMMIT');
      await Promise.all([first, second]);
      expect(await store.dashboard.ledger(ME)).toMatchObject({ fees: 2n * FILL_FEE });
    } finally {
      await blocker.query('ROLLBACK').catch(() => {});
      await Promise.all([blocker.end(), observer.end()]);
      await store.close();
    }
  });
});

describe('the dashboard queries on PostgreSQL', () => {
  it('are each served by an index, the pages in their order', async () => {
    const url = postgres!.createDatabase(`dashboard_${++databases}`);
    const store = await openPgStore(url, { poolSize: 2 });
    const db = await PgDatabase.open(url, { max: 2 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await fillStore(store, { requests: 100, operator: ME });
      // The reader's statements, as it sends them (run for real, and recorded to be explained).
      const sent: Array<{ sql: string; params: unknown[] }> = [];
      const query = db.query.bind(db);
      db.query = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
        sent.push({ sql, params });
        return query<R>(sql, params);
      };
      const reader = new PgDashboard(db);
      const pages = new Set<string>();
      const page = async (fn: () => Promise<unknown>) => {
        const before = sent.length;
        await fn();
        pages.add(sent[before]!.sql);
      };
      await page(() => reader.recentRequests(50));
      await page(() => reader.recentRequests(50, 'Finalized'));
      await page(() => reader.recentDisputes(20));
      await Promise.all([reader.jobCounts(), reader.requestCounts(), reader.recentJobs(20, ['failed']), reader.ledger(ME)]);
      await reader.activity(Date.now() - 3_600_000, 60_000);
      await reader.verdicts(20);
      expect(sent.length).toBeGreaterThanOrEqual(14);
      // With sequential scans and sorts priced out, the planner takes an index wherever one serves the query: a
      // sequential scan left means no index can, a sort left in a page's plan means no index gives its order.
      await client.query('ANALYZE');
      await client.query('SET enable_seqscan = off');
      await client.query('SET enable_sort = off');
      const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
      for (const { sql, params } of sent) {
        const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const plan = nodes(rows[0]!['QUERY PLAN'][0]!.Plan);
        expect(
          plan.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']),
          sql,
        ).toEqual([]);
        if (pages.has(sql))
          expect(
            plan.map((n) => n['Node Type']),
            sql,
          ).not.toContain('Sort');
      }
    } finally {
      await client.end();
      await db.close();
      await store.close();
    }
  });
});

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };
