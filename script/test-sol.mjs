#!/usr/bin/env node
// Runs the forge tests group by group (after script/build-sol.mjs). One forge run over the whole project makes
// forge recompile every file it counts as changed in a single solcjs call, which the WebAssembly compiler cannot
// hold for this project; each group compiles only what it needs. Exits non-zero if any group fails.
//   node script/test-sol.mjs [extra forge test args]
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const testRoot = 'test/sol';
const dirs = readdirSync(join(root, testRoot), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['utils', 'fixtures'].includes(e.name))
  .map((e) => `${testRoot}/${e.name}`)
  .sort();
// Each directory of tests, and the test files directly under test/sol.
const groups = [...dirs.map((d) => ({ match: `${d}/**`, skip: dirs.filter((o) => o !== d).map((o) => `${o}/**`) })), { match: `${testRoot}/*.t.sol`, skip: dirs.map((o) => `${o}/**`) }];
let failed = 0;
for (const g of groups) {
  console.error(`test-sol: ${g.match}`);
  try {
    execFileSync('npx', ['forge', 'test', '--match-path', g.match, '--skip', 'test/bench/**', ...g.skip, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  } catch {
    failed += 1;
    console.error(`test-sol: ${g.match} failed`);
  }
}
if (failed) {
  console.error(`test-sol: ${failed} group(s) failed`);
  process.exit(1);
}
