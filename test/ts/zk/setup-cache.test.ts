import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAND_GRAPHS } from '../../../lib/model/hand-graphs.js';
import { ptauCacheDir, zkDir } from '../../../lib/zk/paths.js';
import { cachedPtauPath } from '../../../lib/zk/ptau.js';
import { cachedPtauFor, ensureGraphSetup, graphSetupCacheDir } from '../../../lib/zk/setup-cache.js';

describe('the cached set-up of a graph model', () => {
  const hg = HAND_GRAPHS.find((g) => g.name === 'graph-residual-argmax')!;
  const other = HAND_GRAPHS.find((g) => g.name === 'graph-conv')!;
  const realPtau = ptauCacheDir();
  const saved = process.env.VAI_CACHE_DIR;
  let root: string;
  let dir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vai-setup-cache-'));
    // A cache of its own (the set-ups), sharing the project's powers of tau (never regenerated here).
    await mkdir(join(root, 'cache', 'ptau'), { recursive: true });
    for (const file of await readdir(realPtau).catch(() => [])) await symlink(join(realPtau, file), join(root, 'cache', 'ptau', file));
    process.env.VAI_CACHE_DIR = join(root, 'cache');
    dir = join(root, 'model');
    await mkdir(dir);
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.VAI_CACHE_DIR;
    else process.env.VAI_CACHE_DIR = saved;
    await rm(root, { recursive: true, force: true });
  });

  it('is made once and cached under the graph hash, saying so first', async () => {
    const said: number[] = [];
    const made = await ensureGraphSetup(dir, hg.graph, { name: 'residual', onSetup: ({ estimate }) => said.push(estimate) });
    expect(made.source).toBe('setup');
    expect(said).toHaveLength(1);
    expect(said[0]).toBeGreaterThan(0);
    expect(made.cacheDir).toBe(graphSetupCacheDir(hg.graph));
    expect(made.cacheDir.startsWith(join(root, 'cache', 'zk'))).toBe(true);
    expect(await readFile(join(made.cacheDir, 'circuit.zkey'))).toEqual(await readFile(made.files.zkey));
  });

  it("is the model folder's own on the next call, with no set-up", async () => {
    const again = await ensureGraphSetup(dir, hg.graph, { name: 'residual', onSetup: () => expect.unreachable('no set-up') });
    expect(again.source).toBe('model');
  });

  it('comes back from the cache when the model folder lost it (a re-import rewrites the folder)', async () => {
    const before = await readFile(join(zkDir(dir), 'circuit.zkey'));
    await rm(zkDir(dir), { recursive: true });
    const restored = await ensureGraphSetup(dir, hg.graph, { name: 'residual', onSetup: () => expect.unreachable('no set-up') });
    expect(restored.source).toBe('cache');
    expect(await readFile(restored.files.zkey)).toEqual(before);
  });

  it('is made again for another graph, whose cache entry is its own', async () => {
    expect(graphSetupCacheDir(other.graph)).not.toBe(graphSetupCacheDir(hg.graph));
    const made = await ensureGraphSetup(dir, other.graph, { name: 'other' });
    expect(made.source).toBe('setup');
    expect(existsSync(join(graphSetupCacheDir(hg.graph), 'zk.json'))).toBe(true);
  });

  it('uses the smallest cached powers of tau that fit, with room to spare', async () => {
    process.env.VAI_CACHE_DIR = join(root, 'fake-cache');
    await mkdir(join(root, 'fake-cache', 'ptau'), { recursive: true });
    for (const power of [8, 12, 16]) await writeFile(cachedPtauPath(power), '');
    expect(cachedPtauFor(100, 3)).toBe(cachedPtauPath(8));
    expect(cachedPtauFor(1_000, 3)).toBe(cachedPtauPath(12));
    // 30,000 rows and 10 % more need 2^16 (2^15 = 32,768 would be too tight).
    expect(cachedPtauFor(30_000, 28)).toBe(cachedPtauPath(16));
    expect(cachedPtauFor(60_000, 28)).toBeUndefined();
    process.env.VAI_CACHE_DIR = join(root, 'cache');
  });
});
