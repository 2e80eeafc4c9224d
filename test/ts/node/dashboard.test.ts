import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hex } from '../../../lib/semantics/index.js';
import { activitySeries } from '../../../adapter/http/dashboard.js';
import { scrubber } from '../../../adapter/redact.js';
import { openStore, type SqliteStores } from '../../../adapter/store/sqlite/index.js';
import { serveDashboard } from './helpers/dashboard.js';
import { FILL_BOND, FILL_FEE, fillStore } from './helpers/fill.js';
import { ME, OTHER, requestTerms } from './helpers/terms.js';
import { ZERO_ADDRESS, ZERO_HASH } from '../../../lib/protocol/index.js';

/** One more request of ME's, proposed and finalized undisputed. */
async function fillMore(store: SqliteStores): Promise<void> {
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

describe('dashboard queries', () => {
  let store: SqliteStores;
  let jobs: number;
  beforeAll(async () => {
    store = openStore(':memory:');
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
    const s = openStore(':memory:');
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

describe('activity series', () => {
  it('counts jobs per minute with the mean reaction and inclusion times, in the store and on the chart', async () => {
    const s = openStore(':memory:');
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

describe('dashboard HTTP API', () => {
  let store: SqliteStores;
  let server: Awaited<ReturnType<typeof serveDashboard>>;
  beforeAll(async () => {
    store = openStore(':memory:');
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
