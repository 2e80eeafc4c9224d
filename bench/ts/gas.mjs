#!/usr/bin/env node
// Runs the forge gas benchmark (bench/sol/, which forge reaches through test/sol/gas/GasBenchmark.t.sol) in the
// `bench` profile, where every top-level call is an isolated transaction, and writes its gas snapshots
// (`oracle.json`, `chainlink.json`) to bench/results/gas/, or to the folder given (relative to the project root).
// Build first (script/build-sol.mjs); `npm run bench:gas` does, then writes bench/results/gas.md.
//   node bench/ts/gas.mjs [snapshots folder]
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forge } from '../../script/forge.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const snapshots = process.argv[2] ?? 'bench/results/gas';
// The other test folders are skipped, or forge would compile them in the same solcjs call.
const skip = readdirSync(join(root, 'test', 'sol'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['gas', 'utils', 'fixtures'].includes(e.name))
  .flatMap((e) => ['--skip', `test/sol/${e.name}/**`]);
// The forge binary itself, which fails when a benchmark fails (`npx forge` always exits 0: script/forge.mjs).
forge(['test', '--match-path', 'test/sol/gas/GasBenchmark.t.sol', ...skip], {
  cwd: root,
  env: { FOUNDRY_PROFILE: 'bench', FOUNDRY_SNAPSHOTS: snapshots, FORGE_SNAPSHOT_EMIT: 'true' },
});
