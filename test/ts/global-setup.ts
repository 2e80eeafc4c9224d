import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const script = (name: string): string => join(import.meta.dirname, '..', '..', 'script', name);

/**
 * Runs once before the TypeScript tests: the typechain types the node and its tests import must exist, and
 * dist/ (what `bin/vai.js` runs) is compiled once here rather than by the first of many parallel CLI tests.
 */
export default function setup(): void {
  execFileSync(process.execPath, [script('gen-types.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [script('build-ts.mjs')], { stdio: 'inherit' });
}
