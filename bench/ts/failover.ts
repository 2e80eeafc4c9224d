// Benchmark of replicas on PostgreSQL (not a test): `npm run bench:failover`.
// Starts PostgreSQL, anvil and the protocol, and two replicas of one node identity as processes
// (`bin/vai.js node start --db postgres://…`); offers a steady request load while the leader is SIGKILLed again
// and again (alternately, as each kill makes the other replica lead), and counts from the chain how many proposal
// transactions the operator's key sent per request. Writes bench/results/failover.md.
// Options: BENCH_KILLS (default 20), BENCH_RATE (requests/s, default 20), BENCH_INTERVAL_MS (time each leader
// leads before it is killed, default 3000).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runFailover } from '../../test/ts/node/helpers/replicas.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 3000);
const root = join(import.meta.dirname, '..', '..');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const f = await runFailover({ kills: KILLS, rate: RATE, intervalMs: INTERVAL_MS, log: (line) => console.error(line) });
const ok = f.lost === 0 && f.duplicates === 0 && f.takeoverMs.every((ms) => ms <= 10_000);
const rows: Array<[string, string]> = [
  ['leader kills (SIGKILL, alternating replicas)', String(f.takeoverMs.length)],
  ['offered load', `${f.offeredPerS} requests/s for ${f.durationS.toFixed(0)} s`],
  ['requests (mined / sent)', `${f.requests} / ${f.sent}`],
  ['proposed (on chain)', String(f.proposed)],
  ['lost', String(f.lost)],
  ['requests with more than one proposal transaction', String(f.duplicates)],
  ['proposal transactions reverted', String(f.reverted)],
  ['takeover (kill → standby leads): median / p95 / max', `${pct(f.takeoverMs, 50)} / ${pct(f.takeoverMs, 95)} / ${Math.max(...f.takeoverMs)} ms`],
  ['proposals resume (kill → next proposal recorded): median / max', `${pct(f.resumeMs, 50)} / ${Math.max(...f.resumeMs)} ms`],
];
const md = [
  '# Failover (replicas on PostgreSQL)',
  '',
  `\`npm run bench:failover\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}): two replicas of one node ` +
    'identity (`vai node start --db postgres://…`, proposer role) as processes, PostgreSQL 15 and anvil on the same machine; ' +
    `the leader is SIGKILLed every ${INTERVAL_MS / 1000} s of leadership and restarted as a standby. Submissions are counted ` +
    "per request from the chain (the operator's `propose*` transactions in every block), not from the node's store.",
  '',
  '| figure | value |',
  '|---|---|',
  ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  '',
  'Propose jobs at the end, by state and error (from the shared store):',
  '',
  '| state | error | jobs |',
  '|---|---|---|',
  ...f.jobOutcomes.map((o) => `| ${o.state} | ${o.error ?? ''} | ${o.count} |`),
  '',
  `Verdict: ${ok ? 'met' : 'NOT met'} (0 lost, 0 duplicate submissions, every takeover ≤ 10 s).`,
  '',
].join('\n');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'failover.md'), md);
console.log(md);
if (!ok) process.exit(1);
