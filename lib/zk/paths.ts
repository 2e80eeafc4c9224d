import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../project.js';

const requireFromHere = createRequire(import.meta.url);

/** Where generated circuits are written and compiled (git-ignored). */
export const CIRCUIT_BUILD_DIR = join(PROJECT_ROOT, 'circuits', 'build');

/** The cache for powers of tau: `$VAI_CACHE_DIR`, else `<project>/.vai/cache`. */
export function cacheDir(): string {
  const env = process.env.VAI_CACHE_DIR;
  if (env) return isAbsolute(env) ? env : resolve(env);
  return join(PROJECT_ROOT, '.vai', 'cache');
}

export function ptauCacheDir(): string {
  return join(cacheDir(), 'ptau');
}

/**
 * The set-up artifacts of a model live beside its manifest, in `<modelDir>/zk/`; those of its batch circuit of K
 * inferences in `<modelDir>/zk/batch-<K>/`.
 */
export function zkDir(modelDir: string, batch?: number): string {
  return batch === undefined ? join(modelDir, 'zk') : join(modelDir, 'zk', `batch-${batch}`);
}

export const ARTIFACTS = {
  settings: 'zk.json',
  wasm: 'circuit.wasm',
  r1cs: 'circuit.r1cs',
  sym: 'circuit.sym',
  zkey: 'circuit.zkey',
  vkey: 'vkey.json',
  verifier: 'Verifier.sol',
} as const;

/** The installed folder of an npm package (found from its entry point: some packages do not export package.json). */
export function packageDir(name: string): string {
  let dir = dirname(requireFromHere.resolve(name));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find the package folder of ${name}`);
    dir = up;
  }
}
