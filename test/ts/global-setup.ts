import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs once before the TypeScript tests: the typechain types the node and its tests import must exist. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'script', 'gen-types.mjs')], { stdio: 'inherit' });
}
