import { JsonRpcProvider } from 'ethers';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../adapter/node.js';
import { openPgStore } from '../../../adapter/store/postgres/index.js';
import { openStore } from '../../../adapter/store/sqlite/index.js';
import type { NodeStores } from '../../../adapter/store/types.js';
import { startPostgres, type LocalPostgres } from '../../../lib/devnet/postgres.js';
import { ANVIL_KEYS, rpc, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { launchChromium } from './helpers/browser.js';
import { serveDashboard } from './helpers/dashboard.js';
import { fillStore } from './helpers/fill.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { startTestNode } from './helpers/node.js';
import { CHALLENGE_WINDOW, FEE, deployProtocol } from './helpers/protocol.js';
import { ME } from './helpers/terms.js';

// The dashboard driven in headless Chromium (Debian's chromium through playwright-core): first over a filled store,
// then over a node on anvil, where the page must follow a request to Finalized and a dispute to its outcome live.

let browser: Browser;
beforeAll(async () => {
  // No Chromium is a failure that says how to install it (helpers/browser.ts), not a skipped test.
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh page on `url`, failing the test on any error the page's script throws. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  return { page, errors };
}

// The filled store on both backends: the page must look the same over SQLite and over PostgreSQL.
let postgres: LocalPostgres | undefined;
const BACKENDS: Array<{ name: string; open(): Promise<NodeStores> }> = [
  { name: 'SQLite', open: async () => openStore(':memory:') },
  {
    name: 'PostgreSQL',
    async open() {
      postgres = await startPostgres({ fsync: false });
      return openPgStore(postgres.createDatabase('dashboard_ui'), { poolSize: 4 });
    },
  },
];
afterAll(() => postgres?.stop());

describe.each(BACKENDS)('the dashboard over a filled store on $name', (backend) => {
  let store: NodeStores;
  let server: Awaited<ReturnType<typeof serveDashboard>>;
  beforeAll(async () => {
    store = await backend.open();
    await fillStore(store, { requests: 300, operator: ME });
    server = await serveDashboard(store, { address: ME });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('renders counts, stake, earnings, charts, life cycles and disputes, and filters requests by state', async () => {
    const { page, errors } = await open(`${server.base}/ui`);
    await page.waitForFunction(() => performance.getEntriesByName('vai:data').length > 0);
    expect(await page.locator('#requests tbody tr[data-request]').count()).toBe(50);
    expect(await page.locator('#request-counts [data-count="Finalized"]').textContent()).toBe('240');
    expect(await page.locator('#stake dd[data-key="freeStake"]').textContent()).toBe('19 ETH');
    // 7 fees of 0.01 ETH in each 10 requests; 30 won disputes at 0.5 ETH; 30 resolver rewards of 0.1; 30 slashed bonds:
    // 2.1 + 15 + 3 - 30.
    expect(await page.locator('#ledger dd[data-key="fees"]').textContent()).toBe('2.1 ETH');
    expect(await page.locator('#ledger dd[data-key="slashed"]').textContent()).toBe('30 ETH');
    expect(await page.locator('#ledger dd[data-key="net"]').textContent()).toBe('−9.9 ETH');
    expect(await page.locator('#jobs tbody tr[data-kind="propose"] td[data-state="seen"]').textContent()).toBe('30');
    expect(await page.locator('.chart canvas').count()).toBe(2);
    expect(await page.locator('#disputes tbody tr[data-outcome="won"]').count()).toBe(10);
    expect(await page.locator('#disputes tbody tr[data-outcome="lost"]').count()).toBe(10);
    // A won dispute's life cycle: the challenge and the resolution under "Disputed".
    const won = page
      .locator('#requests tbody tr[data-state="Finalized"]')
      .filter({ has: page.locator('[data-kind="challenge"]') })
      .first();
    expect(await won.locator('[data-step="Disputed"] .job').allTextContents()).toEqual(['challenge: confirmed', 'resolve: confirmed']);
    await page.selectOption('#request-filter', 'Proposed');
    await waitFor(async () => (await page.locator('#requests tbody tr[data-state="Proposed"]').count()) === 30, 5000, 'the Proposed filter');
    expect(await page.locator('#requests tbody tr[data-request]:not([data-state="Proposed"])').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the dashboard of a node on anvil', () => {
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  const nodes: RunningNode[] = [];
  beforeAll(async () => {
    anvil = await startAnvil(['--block-time', '1']);
    provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
  });
  afterAll(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    provider?.destroy();
    await anvil?.stop();
  });

  it('shows a request moving to Finalized, then a dispute this node wins, live; never the key', async () => {
    const modelDir = writeModelDir(classifier, 'classifier');
    const [honestKey, cheaterKey, watcherKey] = [ANVIL_KEYS[1], ANVIL_KEYS[2], ANVIL_KEYS[3]];
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [honestKey, cheaterKey, watcherKey]);
    const common = { rpc: anvil.url, oracle: p.oracleAddress, models: modelDir };
    // The node whose dashboard is watched: watcher and finalizer. An honest proposer answers the first request.
    const watcher = await startTestNode({ ...common, key: watcherKey, roles: 'watcher,finalizer' });
    const honest = await startTestNode({ ...common, key: honestKey, roles: 'proposer' });
    nodes.push(watcher, honest);
    const { page, errors } = await open(`http://127.0.0.1:${watcher.port}/ui`);
    await page.waitForFunction(() => performance.getEntriesByName('vai:data').length > 0);
    await page.locator('#status[data-ok="true"]').waitFor({ timeout: 15_000 });

    const request = async (input: bigint[]) => {
      const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
      await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
      return id;
    };
    const row = (id: bigint) => `#requests tbody tr[data-request="${id}"]`;

    const first = await request([10n, 90n, 3n, 50n]);
    await page.locator(`${row(first)}[data-state="Proposed"]`).waitFor({ timeout: 20_000 });
    // The watcher re-executed the honest proposal and agreed.
    await page.locator(`#verdicts tbody tr[data-request="${first}"][data-verdict="correct"]`).waitFor({ timeout: 20_000 });
    await rpc(anvil.url, 'evm_increaseTime', [CHALLENGE_WINDOW + 1]);
    await rpc(anvil.url, 'evm_mine');
    await page.locator(`${row(first)}[data-state="Finalized"]`).waitFor({ timeout: 20_000 });
    await waitFor(
      async () => (await page.locator(`${row(first)} [data-step="end"] .job[data-kind="finalize"]`).textContent()) === 'finalize: confirmed',
      20_000,
      'the finalize job confirmed on the page',
    );
    expect(await page.locator(`${row(first)} [data-step="end"] .name`).textContent()).toBe('Finalized');

    // Now a cheating proposer: the watcher challenges, the dispute is settled by re-execution, and the watcher won.
    await honest.stop();
    const cheater = await startTestNode({ ...common, key: cheaterKey, roles: 'proposer', unsafeCorruptOutputForTests: true });
    nodes.push(cheater);
    const second = await request([90n, 10n, 20n, 30n]);
    await page.locator(`#verdicts tbody tr[data-request="${second}"][data-verdict="wrong"]`).waitFor({ timeout: 30_000 });
    await page.locator(`#disputes tbody tr[data-request="${second}"][data-outcome="won"]`).waitFor({ timeout: 30_000 });
    await page.locator(`${row(second)}[data-state="Finalized"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator(`#disputes tbody tr[data-request="${second}"] td`).nth(3).textContent()).toBe('challenger won (Reexecution)');
    expect(await page.locator(`${row(second)} [data-step="Disputed"] .job[data-kind="challenge"]`).textContent()).toBe('challenge: confirmed');
    await waitFor(async () => (await page.locator('#ledger dd[data-key="disputeRewards"]').textContent()) !== '0 ETH', 10_000, 'the dispute reward');
    expect(await page.locator('#ledger dd[data-key="disputes"]').textContent()).toMatch(/^1 \/ 0 \/ [01]$/);

    // Nothing on the page or in its API carries the key.
    const texts = [
      await page.content(),
      ...(await Promise.all(['summary', 'requests?limit=500'].map(async (q) => (await fetch(`http://127.0.0.1:${watcher.port}/ui/api/${q}`)).text()))),
    ];
    for (const text of texts) expect(text.toLowerCase()).not.toContain(watcherKey.slice(2).toLowerCase());
    expect(errors).toEqual([]);
    await page.close();
  });
});
