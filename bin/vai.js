#!/usr/bin/env node
// The `vai` command. It runs the JavaScript compiled into dist/ by script/build-ts.mjs (at `npm install`), and
// recompiles first when a TypeScript source is newer (about 0.5 s, once after an edit), so that a command never
// runs stale code and never pays for a TypeScript loader.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildTs, isStale, ROOT } from '../script/build-ts.mjs';

// The verbs that talk to the contracts need their typed bindings (typechain/, generated from the forge artifacts).
// A fresh install has none until `npm start` or `npm test`; these verbs generate them on first use.
const NEEDS_BINDINGS = new Set(['node', 'request']);
if (NEEDS_BINDINGS.has(process.argv[2] ?? '') && !existsSync(join(ROOT, 'typechain', 'index.ts'))) {
  process.stderr.write('vai: generating the contract bindings once (builds the contracts: a few minutes)\n');
  try {
    execFileSync(process.execPath, [join(ROOT, 'script', 'gen-types.mjs')], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  } catch {
    process.stderr.write('error: cannot generate the contract bindings (see above; `npm run gen:types` retries)\n');
    process.exit(1);
  }
}
if (isStale()) await buildTs({ force: true });
await import('../dist/commands/main.js');
