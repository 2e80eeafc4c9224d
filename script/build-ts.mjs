#!/usr/bin/env node
// Compiles the TypeScript that `vai` runs (lib/, commands/, adapter/ and the generated typechain/) to JavaScript
// in dist/, one file per source file, so that a command starts without a TypeScript loader (tsx costs about
// 0.25 s per process). esbuild only strips types: `npm run typecheck` is what checks them.
//
// `node script/build-ts.mjs`          builds when a source is newer than its output (or --force)
// `node script/build-ts.mjs --check`  exits 1 when dist/ is stale (bin/vai.js rebuilds in that case)
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
const SOURCE_DIRS = ['lib', 'commands', 'adapter', 'typechain'];
const STAMP = join(DIST, '.built');

function* sources(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** All sources, and the newest modification time among them and their folders (a deleted file changes its folder). */
export function sourceState() {
  const files = [];
  let newest = statSync(join(ROOT, 'package.json')).mtimeMs;
  for (const dir of SOURCE_DIRS) {
    const root = join(ROOT, dir);
    if (!existsSync(root)) continue;
    for (const file of sources(root)) {
      files.push(file);
      newest = Math.max(newest, statSync(file).mtimeMs);
    }
  }
  return { files, newest };
}

/** Whether dist/ is older than a source (or missing). */
export function isStale(state = sourceState()) {
  return !existsSync(STAMP) || statSync(STAMP).mtimeMs < state.newest;
}

export async function buildTs({ force = false } = {}) {
  const state = sourceState();
  if (!force && !isStale(state)) return false;
  const { build } = await import('esbuild');
  // Built beside dist/ and swapped in, so that a `vai` process loading dist/ meanwhile never sees half of it.
  const next = `${DIST}.${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  await build({
    entryPoints: state.files,
    outdir: next,
    outbase: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  writeFileSync(join(next, '.built'), `${state.files.length} files from ${SOURCE_DIRS.join(', ')}\n`);
  const old = `${DIST}.old.${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(next, DIST);
  rmSync(old, { recursive: true, force: true });
  return true;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  if (process.argv.includes('--check')) {
    process.exitCode = isStale() ? 1 : 0;
  } else {
    const built = await buildTs({ force: process.argv.includes('--force') });
    console.error(built ? `dist/: compiled ${sourceState().files.length} TypeScript files` : 'dist/: up to date');
  }
}
