#!/usr/bin/env node
// Builds the Solidity sources in chunks. solcjs (WebAssembly) runs out of memory ("memory access out of
// bounds", "getWasmTableEntry is not a function") when one compilation selects output for too many contracts at
// once; forge's cache lets each chunk be compiled separately, after which `forge build` / `forge test` find
// nothing left to do.
//   node script/build-sol.mjs [--chunk N]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forgeBinary } from './forge.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const at = process.argv.indexOf('--chunk');
const chunkSize = at > 0 ? Number(process.argv[at + 1]) : 8;

function solidityFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sol'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

// A chunk near solcjs's memory limit can also spin instead of crashing (one CPU busy, no output, for as long as one
// waits): a chunk gets CHUNK_SECONDS, a single file FILE_SECONDS. `timeout` signals its whole process group, so the
// solc process that forge started goes too.
const CHUNK_SECONDS = 300;
const FILE_SECONDS = 1200;

// forge's output is kept and shown only for a real failure: a chunk that exhausts solcjs prints a long WebAssembly
// stack trace (or runs out of time), and the retry in halves that follows succeeds.
function forge(paths) {
  const seconds = paths.length > 1 ? CHUNK_SECONDS : FILE_SECONDS;
  // The forge binary itself: `npx forge` exits 0 whatever happens (script/forge.mjs).
  const run = spawnSync('timeout', ['-k', '10', String(seconds), forgeBinary(), 'build', ...paths], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const timedOut = run.status === 124 || run.status === 137;
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${timedOut ? `\nbuild-sol: no result after ${seconds} s\n` : ''}`;
  const crashed = timedOut || /memory access out of bounds|getWasmTableEntry|solc exited with/.test(output);
  return { ok: run.status === 0 && !crashed, crashed, output };
}
// A chunk whose files pull in many sources can still exhaust solcjs: it is retried in halves (what compiled is
// cached), and a single file that fails is a real error, reported as forge printed it.
let compiled = 0;
function build(paths) {
  const run = forge(paths);
  if (run.ok) {
    if (/Compiling \d+ files?/.test(run.output)) compiled += paths.length;
    return;
  }
  if (paths.length <= 1 || !run.crashed) {
    process.stderr.write(run.output);
    console.error(`build-sol: ${paths.join(', ')} failed to compile`);
    process.exit(1);
  }
  build(paths.slice(0, Math.ceil(paths.length / 2)));
  build(paths.slice(Math.ceil(paths.length / 2)));
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
console.error(
  compiled > 0 ? `build-sol: ${files.length} Solidity files up to date (${compiled} compiled now)` : `build-sol: ${files.length} Solidity files up to date`,
);
