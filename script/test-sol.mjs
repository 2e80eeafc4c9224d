#!/usr/bin/env node
// Runs the forge tests group by group (after script/build-sol.mjs). One forge run over the whole project makes
// forge recompile every file it counts as changed in a single solcjs call, which the WebAssembly compiler cannot
// hold for this project; each group compiles only what it needs. Exits non-zero if any group fails.
//   node script/test-sol.mjs [--group <folder under test/sol>] [extra forge test args]
//
// The gas budgets (test/sol/gas/) are their own group: the gas benchmark (bench/ts/gas.mjs: bench/sol/ in profile
// `bench`, every top-level call an isolated transaction) first writes fresh gas snapshots to cache/gas-snapshots/,
// then the budget tests (GasBudgets.t.sol) read them (`VAI_GAS_SNAPSHOTS`). The committed figures in
// bench/results/gas/ are left as they are; when the fresh ones differ, the group says so (re-run `npm run bench:gas`
// to update bench/results/).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forge } from './forge.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const testRoot = 'test/sol';
const gasDir = `${testRoot}/gas`;
// The gas benchmark's entry points (bench/ts/gas.mjs runs them, one forge run each).
const benchmark = `${gasDir}/GasBenchmark*.t.sol`;
const freshFigures = 'cache/gas-snapshots';
const committedFigures = 'bench/results/gas';
const args = process.argv.slice(2);
const at = args.indexOf('--group');
const only = at >= 0 ? `${testRoot}/${args[at + 1]}/**` : undefined;
const extra = at >= 0 ? args.filter((_, i) => i !== at && i !== at + 1) : args;

const dirs = readdirSync(join(root, testRoot), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['utils', 'fixtures'].includes(e.name))
  .map((e) => `${testRoot}/${e.name}`)
  .sort();
// The forge binary itself: `npx forge` exits 0 even when tests fail (script/forge.mjs).
const forgeTest = (args, env = {}) => forge(['test', ...args], { cwd: root, env });

/** Fresh figures that differ from the committed ones, as `group.key: committed → fresh`. */
function drift() {
  const changes = [];
  const dir = join(root, freshFigures);
  if (!existsSync(dir)) return changes;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const fresh = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const committedFile = join(root, committedFigures, file);
    const committed = existsSync(committedFile) ? JSON.parse(readFileSync(committedFile, 'utf8')) : {};
    for (const key of new Set([...Object.keys(fresh), ...Object.keys(committed)])) {
      if (fresh[key] !== committed[key]) changes.push(`${file.replace(/\.json$/, '')}.${key}: ${committed[key] ?? '—'} → ${fresh[key] ?? '—'}`);
    }
  }
  return changes;
}

// Each directory of tests, and the test files directly under test/sol; the gas benchmark runs only isolated.
const groups = [
  ...dirs.map((d) => ({ match: `${d}/**`, skip: dirs.filter((o) => o !== d).map((o) => `${o}/**`) })),
  { match: `${testRoot}/*.t.sol`, skip: dirs.map((o) => `${o}/**`) },
].map((g) => ({
  ...g,
  run: () => {
    if (g.match === `${gasDir}/**`) {
      rmSync(join(root, freshFigures), { recursive: true, force: true });
      execFileSync('node', ['bench/ts/gas.mjs', freshFigures], { cwd: root, stdio: 'inherit' });
      forgeTest(['--match-path', g.match, '--skip', benchmark, ...g.skip, ...extra], { VAI_GAS_SNAPSHOTS: freshFigures });
      const changes = drift();
      if (changes.length) {
        console.error(`test-sol: gas figures differ from ${committedFigures} (within budget; run \`npm run bench:gas\` to update):`);
        for (const c of changes) console.error(`  ${c}`);
      }
      return;
    }
    forgeTest(['--match-path', g.match, '--skip', benchmark, ...g.skip, ...extra]);
  },
}));
let failed = 0;
for (const g of groups.filter((g) => !only || g.match === only)) {
  console.error(`test-sol: ${g.match}`);
  try {
    g.run();
  } catch {
    failed += 1;
    console.error(`test-sol: ${g.match} failed`);
  }
}
if (failed) {
  console.error(`test-sol: ${failed} group(s) failed`);
  process.exit(1);
}
