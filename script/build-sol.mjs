#!/usr/bin/env node
// Builds the Solidity sources in chunks. solcjs (WebAssembly) runs out of memory ("memory access out of
// bounds") when one compilation selects output for every contract of the project at once; forge's cache
// lets each chunk be compiled separately, after which `forge build` / `forge test` find nothing left to do.
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
const files = [...solidityFiles('src-sol'), ...solidityFiles('script'), ...solidityFiles('test')];
for (let i = 0; i < files.length; i += chunkSize) forge(files.slice(i, i + chunkSize));
forge([]);
