#!/usr/bin/env node
// Runs the forge gas benchmark (bench/sol/) in the `bench` profile, where every top-level call is an isolated
// transaction, and writes its gas snapshots (`oracle.json`, `chainlink.json`, `batch.json`) to bench/results/gas/,
// or to the folder given (relative to the project root). Build first (script/build-sol.mjs); `npm run bench:gas`
// does, then writes bench/results/gas.md.
//   node bench/ts/gas.mjs [snapshots folder] [--only <benchmark>]   (--only Graph: test/sol/gas/GasBenchmarkGraph.t.sol)
//
// Forge looks for test contracts in the profile's `test` folder (test/sol) only, and a profile with a `test` folder of
// its own makes forge rebuild its whole cache at every switch, so test/sol/gas/GasBenchmark*.t.sol only point forge at
// bench/sol/. Each of them runs in a forge run of its own, the others skipped: all of them in one solcjs call do not
// fit in memory. Each run writes its snapshots to a folder of its own; the groups are merged here.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forge } from '../../script/forge.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const snapshots = join(root, args[0] ?? 'bench/results/gas');
const gasDir = 'test/sol/gas';
const all = readdirSync(join(root, gasDir)).filter((f) => /^GasBenchmark.*\.t\.sol$/.test(f));
// A benchmark run alone still skips the others: forge would compile them in the same solcjs call.
const benchmarks = all
  .filter((f) => only === undefined || f === `GasBenchmark${only}.t.sol`)
  .map((f) => `${gasDir}/${f}`)
  .sort();
if (benchmarks.length === 0) throw new Error(`no gas benchmark test/sol/gas/GasBenchmark${only}.t.sol`);
// The other test folders are skipped, or forge would compile them in the same solcjs call.
const otherFolders = readdirSync(join(root, 'test', 'sol'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['gas', 'utils', 'fixtures'].includes(e.name))
  .map((e) => `test/sol/${e.name}/**`);

const groups = new Map();
for (const benchmark of benchmarks) {
  const out = mkdtempSync(join(tmpdir(), 'vai-gas-'));
  try {
    const skip = [...otherFolders, ...all.map((f) => `${gasDir}/${f}`).filter((b) => b !== benchmark)].flatMap((s) => ['--skip', s]);
    // The forge binary itself, which fails when a benchmark fails (`npx forge` always exits 0: script/forge.mjs).
    forge(['test', '--match-path', benchmark, ...skip], {
      cwd: root,
      env: { FOUNDRY_PROFILE: 'bench', FOUNDRY_SNAPSHOTS: out, FORGE_SNAPSHOT_EMIT: 'true' },
    });
    for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
      groups.set(file, { ...(groups.get(file) ?? {}), ...JSON.parse(readFileSync(join(out, file), 'utf8')) });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
mkdirSync(snapshots, { recursive: true });
for (const [file, entries] of groups) {
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(join(snapshots, file), `${JSON.stringify(sorted, null, 2)}\n`);
}
