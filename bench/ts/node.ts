// Benchmark of the operator node on the optimistic path (not a test): `npm run bench:node`.
// Starts anvil (1 s blocks), deploys the protocol with the digits example model, starts one node
// (proposer), sends N requests from several wallets as fast as the RPC takes them, and measures
// requests/s carried from request to proposal, proposal latency (blocks and ms) and memory.
// Writes bench/results/node.md.  Options: BENCH_REQUESTS (default 1000), BENCH_RATES (offered requests/s
// per scenario, comma-separated, 0 = all at once; default "100,0"), BENCH_WALLETS (default 6),
// BENCH_CONCURRENCY (node --concurrency, default 256), BENCH_DB or --db=<list> (stores: sqlite, postgres; default both:
// PostgreSQL is a throwaway local cluster, lib/devnet/postgres.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { pino } from 'pino';
import { ensureExampleModel } from '../../lib/apps/examples.js';
import { presignRequests } from './requests.js';
import { parseNodeConfig } from '../../adapter/config.js';
import { startNode } from '../../adapter/node.js';
import pg from 'pg';
import { SqliteDatabase } from '../../adapter/store/sqlite/index.js';
import { startPostgres, type LocalPostgres } from '../../lib/devnet/postgres.js';
import { InferenceOracle__factory } from '../../typechain/index.js';
import { ANVIL_KEYS, startAnvil, waitFor } from '../../test/ts/node/helpers/anvil.js';
import { tempDir } from '../../test/ts/node/helpers/node.js';
import { BOND, deployProtocol } from '../../test/ts/node/helpers/protocol.js';

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 6);
const RATES = (process.env.BENCH_RATES ?? '100,0').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const CONFIRMATIONS = 1;
const DB_ARG = process.argv.find((a) => a.startsWith('--db='))?.slice('--db='.length);
const DBS = (DB_ARG ?? process.env.BENCH_DB ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
for (const d of DBS) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`unknown store ${d}: sqlite or postgres`);
const root = join(import.meta.dirname, '..', '..');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const mb = (b: number) => (b / 2 ** 20).toFixed(0);

type Figures = Record<string, string>;

/** One scenario: a fresh anvil, protocol and node; N requests offered at `RATE` per second (0: at once). */
async function run(RATE: number, backend: 'sqlite' | 'postgres'): Promise<Figures> {
  const digits = await ensureExampleModel('digits');
  const [lo, hi] = digits.manifest.inputRange.map(BigInt) as [bigint, bigint];
  const anvil = await startAnvil(['--block-time', '1', '--gas-limit', '3000000000', '--accounts', String(WALLETS + 2)]);
  const provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 200, batchMaxCount: 100 });
  const operatorKey = ANVIL_KEYS[1]!;
  // Every open proposal locks a bond: stake enough for all of them.
  const p = await deployProtocol(provider, [{ dir: digits.dir, onChainWeights: false }], [operatorKey], BOND * BigInt(N + 10));
  const modelId = p.modelIds[0]!;

  const dir = tempDir('vai-bench-');
  let postgres: LocalPostgres | undefined;
  let db = join(dir, 'node.db');
  if (backend === 'postgres') {
    postgres = await startPostgres();
    db = postgres.createDatabase('bench');
  }
  const config = parseNodeConfig({
    rpc: anvil.url,
    key: operatorKey,
    oracle: p.oracleAddress,
    models: digits.dir,
    roles: 'proposer',
    db,
    port: 0,
    confirmations: CONFIRMATIONS,
    pollIntervalMs: 100,
    concurrency: CONCURRENCY,
    log: 'json',
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  const node = await startNode(config, { logger: pino({ level: config.logLevel }, pino.destination(join(dir, 'node.log'))) });

  // Requests: pre-signed by several wallets (distinct inputs, no cache hits), broadcast as fast as anvil takes them.
  const raws = await presignRequests({
    provider,
    oracle: p.oracleAddress,
    modelId,
    count: N,
    wallets: WALLETS,
    inputLength: digits.manifest.inputLength,
    range: [lo, hi],
    seed: 1,
  });

  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 100);
  const rssBefore = process.memoryUsage().rss;

  // Offered load: RATE requests per second in 100 ms slices (or everything at once).
  const t0 = Date.now();
  const slice = RATE > 0 ? Math.max(1, Math.round(RATE / 10)) : 50;
  for (let i = 0; i < raws.length; i += slice) {
    if (RATE > 0) {
      const due = t0 + (i / RATE) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    await Promise.all(raws.slice(i, i + slice).map((r) => provider.send('eth_sendRawTransaction', [r])));
  }
  const sentMs = Date.now() - t0;

  const oracle = InferenceOracle__factory.connect(p.oracleAddress, provider);
  const proposedAt = new Map<bigint, number>();
  let from = 0;
  await waitFor(
    async () => {
      const head = await provider.getBlockNumber();
      const logs = await oracle.queryFilter(oracle.filters.OutputProposed(), from, head);
      for (const l of logs) if (!proposedAt.has(l.args.requestId)) proposedAt.set(l.args.requestId, Date.now());
      from = Math.max(0, head - 2);
      const failed = await node.store.jobs.countByState();
      const bad = failed.find((c) => c.kind === 'propose' && c.state === 'failed');
      if (bad) throw new Error(`${bad.count} proposals failed: see ${join(dir, 'node.log')}`);
      return proposedAt.size >= N;
    },
    600_000,
    `${N} proposals`,
    100,
  );
  const tEnd = Date.now();
  clearInterval(sampler);

  // Latency in blocks: request block -> proposal block, minus the confirmations the node waits for.
  const requested = await oracle.queryFilter(oracle.filters.InferenceRequested(), 0);
  const proposed = await oracle.queryFilter(oracle.filters.OutputProposed(), 0);
  const reqBlock = new Map(requested.map((l) => [l.args.requestId, l.blockNumber]));
  const blockTimes = new Map<number, number>();
  const timeOf = async (b: number) => {
    if (!blockTimes.has(b)) blockTimes.set(b, (await provider.getBlock(b))!.timestamp);
    return blockTimes.get(b)!;
  };
  const afterConfirmation: number[] = [];
  const chainSeconds: number[] = [];
  for (const l of proposed) {
    const rb = reqBlock.get(l.args.requestId)!;
    afterConfirmation.push(l.blockNumber - rb - CONFIRMATIONS);
    chainSeconds.push((await timeOf(l.blockNumber)) - (await timeOf(rb)));
  }
  const firstBlock = Math.min(...requested.map((l) => l.blockNumber));
  const lastBlock = Math.max(...proposed.map((l) => l.blockNumber));
  const chainWindow = (await timeOf(lastBlock)) - (await timeOf(firstBlock));

  await node.stop();
  // The node's own processing time per request: job created (request confirmed and read) -> proposal signed and sent.
  const processing = `SELECT j.created_at AS c, t.sent_at AS s FROM jobs j JOIN txs t ON t.job_id = j.id WHERE j.kind = 'propose'`;
  let rows: Array<{ c: number | string; s: number | string }>;
  if (postgres) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    rows = (await client.query<{ c: string; s: string }>(processing)).rows;
    await client.end();
    postgres.stop();
  } else {
    const store = new SqliteDatabase(db);
    rows = store.db.prepare(processing).all() as Array<{ c: number; s: number }>;
    store.close();
  }
  const internal = rows.map((r) => Number(r.s) - Number(r.c));
  provider.destroy();
  await anvil.stop();

  const within = afterConfirmation.filter((b) => b <= 1).length / afterConfirmation.length;
  const throughput = N / ((tEnd - t0) / 1000);
  // Sustained rate: proposals seen per second between the 10th and the 90th percentile proposal.
  const seen = [...proposedAt.values()].sort((a, b) => a - b);
  const p10 = seen[Math.floor(seen.length * 0.1)]!;
  const p90 = seen[Math.floor(seen.length * 0.9)]!;
  const sustained = (seen.length * 0.8) / Math.max(0.001, (p90 - p10) / 1000);
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  return {
    'offered load': RATE > 0 ? `${RATE} req/s (${(sentMs / 1000).toFixed(1)} s to send)` : `all at once (${(sentMs / 1000).toFixed(1)} s to send)`,
    'requests carried from request to proposal': `${N}`,
    'throughput, wall clock (first request sent → last proposal seen)': `**${throughput.toFixed(0)} req/s**`,
    'sustained proposal rate (10th → 90th percentile proposal)': `${sustained.toFixed(0)} req/s`,
    'throughput, chain time (first request block → last proposal block)': `${(N / Math.max(1, chainWindow)).toFixed(0)} req/s over ${chainWindow} s`,
    'proposal latency after confirmation, p50 / p95 / max (blocks)': `**${pct(afterConfirmation, 50)}** / ${pct(afterConfirmation, 95)} / ${Math.max(...afterConfirmation)}`,
    'proposals within one block after confirmation': `${(within * 100).toFixed(1)} %`,
    'request block → proposal block, p50 / p95 (s, 1 s blocks)': `${pct(chainSeconds, 50)} / ${pct(chainSeconds, 95)}`,
    'node processing, job created → proposal signed, p50 / p95 / p99 (ms)': `${pct(internal, 50)} / ${pct(internal, 95)} / ${pct(internal, 99)}`,
    'memory (node + harness process), RSS before / peak': `${mb(rssBefore)} / ${mb(peakRss)} MiB`,
    'memory, peak JS heap': `${mb(peakHeap)} MiB`,
    'machine load average at the end (1 / 5 / 15 min)': load,
  };
}

async function main(): Promise<void> {
  const results: Array<{ rate: number; backend: string; figures: Figures }> = [];
  for (const backend of DBS)
    for (const rate of RATES) {
      console.error(`bench:node: ${backend}, scenario ${rate > 0 ? `${rate} req/s` : 'burst'}, ${N} requests…`);
      results.push({ rate, backend, figures: await run(rate, backend) });
    }
  const keys = Object.keys(results[0]!.figures);
  const name = (b: string) => (b === 'postgres' ? 'PostgreSQL' : 'SQLite');
  const header = `| figure | ${results.map((r) => `${name(r.backend)}, ${r.rate > 0 ? `steady ${r.rate} req/s` : 'burst'}`).join(' | ')} |`;
  const rows = keys.map((k) => `| ${k} | ${results.map((r) => r.figures[k]).join(' | ')} |`);
  const md = `# Operator node benchmark (optimistic path)

Generated by \`npm run bench:node\` (bench/ts/node.ts) on ${new Date().toISOString().slice(0, 10)}:
${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${mb(totalmem())} MiB RAM, Node ${process.version}.

Set-up per scenario: a fresh anvil with 1 s blocks, the protocol deployed from the forge artifacts, the
\`digits\` example model (64 inputs, 64→32→10, argmax; onnxruntime on the integer graph, every output
cross-checked by the reference executor), one node with the proposer role, ${CONFIRMATIONS} confirmation,
100 ms polling, --concurrency ${CONCURRENCY}; the store is SQLite (WAL, one fsync per batch of submissions) or
PostgreSQL 15 on the same machine (\`--db postgres://…\`, fsync on, one commit per batch of submissions, the leader's
fencing check in it). ${N}
requests with distinct inputs, pre-signed by ${WALLETS} wallets, offered at a steady rate or all at once.
The benchmark harness, anvil and the node share the machine's cores (and, when this was run, the machine
was shared with other engineers' builds and tests: see the load average).

Targets: ≥ 100 requests/s carried from request to proposal; proposal latency p50 within one block after
the request is confirmed.

${header}
|---|${results.map(() => '---|').join('')}
${rows.join('\n')}

Latency in blocks counts from the block that included the request plus the ${CONFIRMATIONS} confirmation the
node waits for: 0 means the proposal landed in the very block that confirmed the request, 1 in the next one.
"Node processing" is measured in the node's store (job created when the confirmed event is read → proposal
signed and recorded); the rest of the latency is the poll interval, the broadcast and the block time.
`;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'node.md'), md);
  console.log(md);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
