#!/usr/bin/env node
// The `vai` command. It runs the JavaScript compiled into dist/ by script/build-ts.mjs (at `npm install`), and
// recompiles first when a TypeScript source is newer (about 0.5 s, once after an edit), so that a command never
// runs stale code and never pays for a TypeScript loader.
import { buildTs, isStale } from '../script/build-ts.mjs';

if (isStale()) await buildTs({ force: true });
await import('../dist/commands/main.js');
