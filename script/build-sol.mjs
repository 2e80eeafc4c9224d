#!/usr/bin/env node
// Builds the Solidity sources in chunks. solcjs (WebAssembly) runs out of memory ("memory access out of
// bounds", "getWasmTableEntry is not a function") when one compilation selects output for too many contracts at
// once; forge's cache lets each chunk be compiled separately, after which `forge build` / `forge test` find
// nothing left to do.
//   node script/build-sol.mjs [--chunk N]
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const at = process.argv.indexOf('--chunk');
const chunkSize = at > 0 ? Number(process.argv[at + 1]) : 8;

function solidityFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sol'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

const forge = (paths) => execFileSync('npx', ['forge', 'build', ...paths], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
// A chunk whose files pull in many sources can still exhaust solcjs: it is retried in halves (what compiled is
// cached), and a single file that fails is a real error, reported as forge printed it.
function build(paths) {
  try {
    forge(paths);
  } catch (error) {
    if (paths.length <= 1) throw error;
    console.error(`build-sol: retrying ${paths.length} files in halves`);
    const half = Math.ceil(paths.length / 2);
    build(paths.slice(0, half));
    build(paths.slice(half));
  }
}
// Dependencies before their dependents: a file compiled after something that imports it rewrites its cache entry,
// and forge then counts every earlier importer as changed, so the final build would recompile them all at once
// (more than solcjs can hold). Sources, then scripts, then test helpers, then the gas benchmark (bench/sol/: helpers
// to the tests, test/sol/gas/ runs it), then the tests themselves.
const tests = solidityFiles('test');
const files = [
  ...solidityFiles('src-sol'),
  ...solidityFiles('script'),
  ...tests.filter((f) => !f.endsWith('.t.sol')),
  ...solidityFiles('bench/sol'),
  ...tests.filter((f) => f.endsWith('.t.sol')),
];
for (let i = 0; i < files.length; i += chunkSize) build(files.slice(i, i + chunkSize));
