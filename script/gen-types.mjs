#!/usr/bin/env node
// Generates the typechain (ethers v6) types the node uses from the forge artifacts, after building them
// if they are missing or older than the Solidity sources. Output: typechain/ (gitignored).
//   node script/gen-types.mjs [--force]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = process.env.VAI_FORGE_OUT ?? join(root, 'out');
const target = join(root, 'typechain');
// The node's contracts, and what the end-to-end tests deploy (the proxy, a test consumer).
const contracts = [
  'InferenceOracle',
  'IInferenceOracle',
  'IDisputes',
  'IBatches',
  'IBisection',
  'IRequestBook',
  'IStakes',
  'IOracleEvents',
  'DisputeModule',
  'BatchModule',
  'BisectionModule',
  'GraphStepExecutor',
  'IStepExecutor',
  'OracleAutomation',
  'ModelRegistry',
  'IModelRegistry',
  'ERC1967Proxy',
  'MockConsumer',
  'CreditLineLender',
  'ProposalScreener',
  'ContentModerator',
  'QualityInspector',
  'ProposalTagger',
];
const force = process.argv.includes('--force');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const artifacts = contracts.map((c) => join(out, `${c}.sol`, `${c}.json`));
const sources = join(root, 'src-sol');
// forge rewrites its cache file on every build that compiles something, but leaves the artifacts of unchanged
// contracts as they were: a source edited after the last build is newer than the cache file.
const forgeCache = join(root, 'cache', 'forge', 'solidity-files-cache.json');
const stale = artifacts.some((a) => !existsSync(a)) || !existsSync(forgeCache) || (existsSync(sources) && newest(sources) > statSync(forgeCache).mtimeMs);
if (stale && !process.env.VAI_FORGE_OUT) {
  console.error('gen-types: building contracts (forge build)…');
  execFileSync('node', [join(root, 'script', 'build-sol.mjs')], { cwd: root, stdio: 'inherit' });
}
const present = artifacts.filter((a) => existsSync(a));
const typesStale =
  force || !existsSync(join(target, 'index.ts')) || Math.max(...present.map((a) => statSync(a).mtimeMs)) > statSync(join(target, 'index.ts')).mtimeMs;
if (!typesStale) process.exit(0);
rmSync(target, { recursive: true, force: true });
execFileSync('npx', ['typechain', '--target', 'ethers-v6', '--node16-modules', '--out-dir', target, ...present], { cwd: root, stdio: 'inherit' });
console.error(`gen-types: ${present.length} contracts -> typechain/`);
