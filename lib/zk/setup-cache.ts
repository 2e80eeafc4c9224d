import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { graphHash, type IntGraph } from '../semantics/index.js';
import { generateGraphCircuit } from './graph-circuit.js';
import { graphCircuitLayout } from './graph-layout.js';
import { type GraphArtifacts, loadGraphArtifacts, setupGraph } from './graph-setup.js';
import { cacheDir, zkDir } from './paths.js';
import { cachedPtauPath, requiredPower } from './ptau.js';

/**
 * Where the set-up of a graph is kept between model imports: `<cache>/zk/<modelHash>/` (`.vai/cache` unless
 * `VAI_CACHE_DIR` says otherwise). A model folder is rewritten whole by every import, its `zk/` with it, while a
 * set-up is a function of the graph alone: keyed by the graph's hash, it survives re-imports and branch switches.
 */
export function graphSetupCacheDir(graph: IntGraph): string {
  return join(cacheDir(), 'zk', graphHash(graph).slice(2));
}

/** Where a graph's set-up came from: already in the model folder, copied from the cache, or made now. */
export type GraphSetupSource = 'model' | 'cache' | 'setup';

export type EnsuredGraphSetup = GraphArtifacts & { source: GraphSetupSource; cacheDir: string };

/**
 * What a new set-up is about to do: a circuit of about `estimate` constraints, cached afterwards in `cacheDir`, with
 * the cached powers of tau `ptau` (undefined: none fits, so the set-up first generates them, which takes longer).
 */
export type SetupNotice = { estimate: number; cacheDir: string; ptau: string | undefined };

/**
 * The cached powers-of-tau file to set up a circuit of about `estimate` constraints with: the smallest cached
 * power that fits it with 10 % to spare (snarkjs takes a larger file than the circuit needs), so a set-up never
 * generates a power the cache already covers; undefined when none fits (the set-up then generates its own).
 */
export function cachedPtauFor(estimate: number, nPublic: number): string | undefined {
  const need = requiredPower({ nConstraints: Math.ceil(estimate * 1.1), nPubInputs: nPublic, nOutputs: 0 });
  for (let power = need; power <= need + 4; power++) {
    const path = cachedPtauPath(power);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Returns the Groth16 set-up of `graph` in `<dir>/zk/`: the folder's own when it is there and made for this graph,
 * else the cached one copied in, else a new set-up (minutes for a CNN; `onSetup` is called first, so a caller can
 * say so), which is then cached.
 */
export async function ensureGraphSetup(
  dir: string,
  graph: IntGraph,
  opts: { name: string; onSetup?: (info: SetupNotice) => void },
): Promise<EnsuredGraphSetup> {
  const cached = graphSetupCacheDir(graph);
  const present = await loadGraphArtifacts(dir, graph).catch(() => null);
  if (present) {
    if (!existsSync(join(cached, 'zk.json'))) await copySetup(zkDir(dir), cached);
    return { ...present, source: 'model', cacheDir: cached };
  }
  if (existsSync(join(cached, 'zk.json'))) {
    await copySetup(cached, zkDir(dir));
    const restored = await loadGraphArtifacts(dir, graph).catch(() => null);
    if (restored) return { ...restored, source: 'cache', cacheDir: cached };
  }
  const layout = graphCircuitLayout(graph);
  const estimate = generateGraphCircuit(graph, layout).total;
  const ptau = cachedPtauFor(estimate, layout.nPublic);
  opts.onSetup?.({ estimate, cacheDir: cached, ptau });
  await setupGraph(dir, graph, { name: opts.name, ptau });
  await copySetup(zkDir(dir), cached);
  return { ...(await loadGraphArtifacts(dir, graph)), source: 'setup', cacheDir: cached };
}

/** Replaces `to` with a copy of the set-up folder `from` (copied beside it first, so a reader never sees half). */
async function copySetup(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(dirname(to), { recursive: true });
  await cp(from, tmp, { recursive: true });
  await rm(to, { recursive: true, force: true });
  await rename(tmp, to);
}
