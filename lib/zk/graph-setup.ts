import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { graphHash, type InputHashKind, type IntGraph } from '../semantics/index.js';
import { ZkArtifactError } from './errors.js';
import { generateGraphCircuit, type NodeCost } from './graph-circuit.js';
import { graphCircuitLayout } from './graph-layout.js';
import type { CircuitLayout } from './layout.js';
import { zkDir } from './paths.js';
import { artifactPaths, ZK_SETTINGS_FORMAT, type ZkSettings, zkSettingsSchema } from './settings.js';
import { setupCircuit, type SetupOptions, type SetupResult } from './setup.js';

/** Per-node constraint estimate written beside the set-up (`zk/costs.json`), for the docs and the benchmark. */
export const GRAPH_COSTS_FILE = 'costs.json';

export type GraphSetupResult = SetupResult & { costs: NodeCost[]; estimate: number };

/**
 * The Groth16 set-up of an integer graph's circuit into `<dir>/zk/`, with the same artifacts as a chain model's
 * (`setupModel`) plus `costs.json`. The graph is passed in memory: a graph model folder (`vai-int-graph/1`) is read
 * by its caller.
 */
export async function setupGraph(dirArg: string, graph: IntGraph, opts: SetupOptions & { name: string; inputHash?: InputHashKind }): Promise<GraphSetupResult> {
  if (opts.batch !== undefined) throw new ZkArtifactError('Batch circuits are not available for graph models yet.');
  const t0 = Date.now();
  const dir = resolve(dirArg);
  const layout = graphCircuitLayout(graph, opts.inputHash);
  const circuit = generateGraphCircuit(graph, layout);
  const result = await setupCircuit({ modelDir: dir, modelDirArg: dirArg, name: opts.name, layout, source: circuit.source, startedAt: t0 }, opts);
  await writeFile(
    join(zkDir(dir), GRAPH_COSTS_FILE),
    `${JSON.stringify({ estimate: circuit.total, constraints: result.constraints, nodes: circuit.costs }, null, 1)}\n`,
  );
  return { ...result, costs: circuit.costs, estimate: circuit.total };
}

export type GraphArtifacts = { dir: string; graph: IntGraph; layout: CircuitLayout; settings: ZkSettings; files: ReturnType<typeof artifactPaths> };

/** Loads the set-up of `graph` from `<dir>/zk/`; refuses a missing one or one made for another graph. */
export async function loadGraphArtifacts(dir: string, graph: IntGraph): Promise<GraphArtifacts> {
  const files = artifactPaths(dir);
  const next = ['Run the set-up first (setupGraph).'];
  let raw: string;
  try {
    raw = await readFile(files.settings, 'utf8');
  } catch (cause) {
    throw new ZkArtifactError(`No ZK set-up in ${zkDir(dir)}.`, { cause, metaMessages: next });
  }
  const parsed = zkSettingsSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new ZkArtifactError(`${files.settings} is not a valid ${ZK_SETTINGS_FORMAT} settings file.`, { metaMessages: next });
  const hash = graphHash(graph);
  if (parsed.data.modelHash !== hash)
    throw new ZkArtifactError(`The ZK set-up in ${zkDir(dir)} was made for model ${parsed.data.modelHash}, not ${hash}.`, {
      metaMessages: ['The model changed since the set-up: run the set-up again.'],
    });
  const layout = graphCircuitLayout(graph, parsed.data.inputHash);
  if (layout.nPublic !== parsed.data.nPublic)
    throw new ZkArtifactError('The ZK set-up has another public-signal layout than this compiler: run the set-up again.');
  return { dir, graph, layout, settings: parsed.data, files };
}
