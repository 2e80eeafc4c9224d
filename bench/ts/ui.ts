/**
 * `npm run bench:ui`: the dashboard's first paint against a node with a big store. Fills a store with 10,000
 * requests (and their jobs and transactions, `test/ts/node/helpers/fill.ts`), serves the node's HTTP endpoint over
 * it, loads `/ui` in headless Chromium (Debian's `chromium`, through playwright-core) several times and reports the
 * paint entries (`performance.getEntriesByType('paint')`), when the data first showed (the page's `vai:data` mark),
 * and the JSON API's response times. Writes bench/results/ui.md (ui-postgres.md with `--store postgres`: the same
 * over a throwaway PostgreSQL cluster, lib/devnet/postgres.ts). `--requests N`, `--loads N`, `--screenshot FILE`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openPgStore } from '../../adapter/store/postgres/index.js';
import { openStore } from '../../adapter/store/sqlite/index.js';
import type { NodeStores } from '../../adapter/store/types.js';
import { startPostgres, type LocalPostgres } from '../../lib/devnet/postgres.js';
import type { Hex } from '../../lib/semantics/index.js';
import { CHROMIUM, launchChromium } from '../../test/ts/node/helpers/browser.js';
import { serveDashboard } from '../../test/ts/node/helpers/dashboard.js';
import { fillStore } from '../../test/ts/node/helpers/fill.js';

const BUDGET_MS = 1000;
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const requests = Number(arg('requests', '10000'));
const loads = Number(arg('loads', '5'));
const screenshot = arg('screenshot', '');
const backend = arg('store', 'sqlite');
if (backend !== 'sqlite' && backend !== 'postgres') {
  console.error(`error: [Param: store] sqlite or postgres, not ${backend}`);
  process.exit(2);
}
const operator = `0x${'11'.repeat(20)}` as Hex;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

let postgres: LocalPostgres | undefined;
let store: NodeStores;
if (backend === 'postgres') {
  postgres = await startPostgres();
  store = await openPgStore(postgres.createDatabase('bench_ui'));
} else store = openStore(join(mkdtempSync(join(tmpdir(), 'vai-bench-ui-')), 'node.db'));
const fillStarted = performance.now();
const jobs = await fillStore(store, { requests, operator });
const fillMs = performance.now() - fillStarted;
console.error(`filled ${requests} requests, ${jobs} jobs in ${(fillMs / 1000).toFixed(1)} s`);
const server = await serveDashboard(store, { address: operator });
const browser = await launchChromium();

try {
  // The JSON API, timed from here (the summary is cached for 1 s by the node: each call waits that out, to time the
  // queries, not the cache).
  const api: Record<string, number[]> = {
    '/ui/api/summary': [],
    '/ui/api/requests?limit=50': [],
    '/ui/api/requests?limit=500': [],
    '/ui/api/disputes?limit=20': [],
  };
  const sizes: Record<string, number> = {};
  for (let round = 0; round < 5; round++) {
    for (const path of Object.keys(api)) {
      const started = performance.now();
      const body = await (await fetch(`${server.base}${path}`)).text();
      api[path]!.push(performance.now() - started);
      sizes[path] = body.length;
    }
    await new Promise((r) => setTimeout(r, 1100));
  }

  const runs: Array<{ fp: number; fcp: number; data: number; dcl: number }> = [];
  for (let i = 0; i < loads; i++) {
    // A fresh context each time: nothing cached, as a first visit.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${server.base}/ui`, { waitUntil: 'load' });
    await page.waitForFunction(() => performance.getEntriesByName('vai:data').length > 0, undefined, { timeout: 30_000 });
    const t = await page.evaluate(() => {
      // The browser's Performance (this project's types are Node's, without the DOM's entry types).
      type Entry = { name: string; startTime: number; domContentLoadedEventEnd?: number };
      const perf = performance as unknown as { getEntriesByType(type: string): Entry[]; getEntriesByName(name: string): Entry[] };
      const paint = Object.fromEntries(perf.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      return {
        fp: paint['first-paint'] ?? Number.NaN,
        fcp: paint['first-contentful-paint'] ?? Number.NaN,
        data: perf.getEntriesByName('vai:data')[0]?.startTime ?? Number.NaN,
        dcl: perf.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? Number.NaN,
      };
    });
    runs.push(t);
    if (i === 0 && screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await context.close();
  }
  const col = (k: keyof (typeof runs)[number]) => runs.map((r) => r[k]);
  const worstFcp = Math.max(...col('fcp'));
  const worstData = Math.max(...col('data'));
  const verdict = worstFcp <= BUDGET_MS ? 'within' : 'OVER';
  const md = [
    `# Dashboard (\`/ui\`)${backend === 'postgres' ? ' on PostgreSQL' : ''}`,
    '',
    `\`npm run bench:ui${backend === 'postgres' ? ' -- --store postgres' : ''}\` (bench/ts/ui.ts), ${new Date().toISOString().slice(0, 10)}: a ${backend === 'postgres' ? 'PostgreSQL' : 'SQLite'} store with ${requests.toLocaleString('en')} requests and ` +
      `${jobs.toLocaleString('en')} jobs (filled in ${(fillMs / 1000).toFixed(1)} s), the node's HTTP endpoint over it, \`/ui\` loaded ${loads} times in headless ` +
      `Chromium (${CHROMIUM}, a fresh context each: nothing cached), ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}.`,
    '',
    '| page load | median | worst |',
    '|---|---|---|',
    `| first paint | ${ms(pct(col('fp'), 50))} | ${ms(Math.max(...col('fp')))} |`,
    `| first contentful paint | ${ms(pct(col('fcp'), 50))} | ${ms(worstFcp)} |`,
    `| DOMContentLoaded | ${ms(pct(col('dcl'), 50))} | ${ms(Math.max(...col('dcl')))} |`,
    `| data shown (summary + 50 requests rendered) | ${ms(pct(col('data'), 50))} | ${ms(worstData)} |`,
    '',
    `First contentful paint is ${verdict} the 1 s budget (worst ${ms(worstFcp)}).`,
    '',
    'The API, timed from the client over 5 rounds; the first call is the cold one (the ledger sums every settlement once, ' +
      'the charts read the past hour once a minute; later calls read only what changed).',
    '',
    '| API call | first | median | worst of the rest | body |',
    '|---|---|---|---|---|',
    ...Object.entries(api).map(
      ([path, xs]) => `| \`${path}\` | ${ms(xs[0]!)} | ${ms(pct(xs, 50))} | ${ms(Math.max(...xs.slice(1)))} | ${(sizes[path]! / 1024).toFixed(1)} kB |`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(process.cwd(), 'bench', 'results', backend === 'postgres' ? 'ui-postgres.md' : 'ui.md'), md);
  console.log(md);
  if (worstFcp > BUDGET_MS) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
  await store.close();
  postgres?.stop();
}
