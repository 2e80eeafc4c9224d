import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readModelDir, type IntModel, type ModelManifest } from '../semantics/index.js';
import { ZkArtifactError } from './errors.js';
import { circuitLayout, type CircuitLayout } from './layout.js';
import { ARTIFACTS, zkDir } from './paths.js';

export const ZK_SETTINGS_FORMAT = 'vai-zk/1';

const timingsSchema = z.object({ compileMs: z.number(), ptauMs: z.number(), zkeyMs: z.number(), totalMs: z.number() });

export const zkSettingsSchema = z.object({
  format: z.literal(ZK_SETTINGS_FORMAT),
  name: z.string(),
  modelHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  constraints: z.number().int(),
  wires: z.number().int(),
  nPublic: z.number().int(),
  /** Inferences per proof, for a batch set-up (absent: the model's single circuit). */
  batch: z.number().int().positive().optional(),
  /** `poseidon`: the circuit takes its input private and makes its commitment public (absent: the packed input). */
  inputHash: z.enum(['keccak', 'poseidon']).optional(),
  power: z.number().int(),
  ptau: z.object({ path: z.string(), local: z.boolean() }),
  contracts: z.object({ contract: z.string(), groth16: z.string() }),
  versions: z.object({ circom: z.string(), snarkjs: z.string() }),
  timings: timingsSchema,
  createdAt: z.string(),
});

export type ZkSettings = z.infer<typeof zkSettingsSchema>;
export type SetupTimings = z.infer<typeof timingsSchema>;

/** A model directory with checked set-up artifacts: the manifest, the model, the layout and file paths. */
export type ZkArtifacts = {
  modelDir: string;
  manifest: ModelManifest;
  model: IntModel;
  layout: CircuitLayout;
  settings: ZkSettings;
  files: { [K in keyof typeof ARTIFACTS]: string };
};

export function artifactPaths(modelDir: string, batch?: number): ZkArtifacts['files'] {
  const dir = zkDir(modelDir, batch);
  return Object.fromEntries(Object.entries(ARTIFACTS).map(([k, f]) => [k, join(dir, f)])) as ZkArtifacts['files'];
}

/**
 * Loads a model directory's set-up (its batch set-up of `batch` inferences when given); refuses a missing or stale
 * one (made for another modelHash).
 */
export async function loadArtifacts(modelDir: string, batch?: number): Promise<ZkArtifacts> {
  const { manifest, model } = await readModelDir(modelDir);
  const files = artifactPaths(modelDir, batch);
  const next = [`Run the set-up first: vai zk setup ${modelDir}${batch === undefined ? '' : ` --batch ${batch}`}`];
  let raw: string;
  try {
    raw = await readFile(files.settings, 'utf8');
  } catch (cause) {
    throw new ZkArtifactError(`No ZK set-up in ${zkDir(modelDir, batch)}.`, { cause, metaMessages: next });
  }
  const parsed = zkSettingsSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new ZkArtifactError(`${files.settings} is not a valid ${ZK_SETTINGS_FORMAT} settings file.`, { metaMessages: next });
  const settings = parsed.data;
  if (settings.modelHash !== manifest.modelHash)
    throw new ZkArtifactError(`The ZK set-up in ${zkDir(modelDir)} was made for model ${settings.modelHash}, not ${manifest.modelHash}.`, {
      metaMessages: ['The model changed since the set-up: run vai zk setup again.'],
    });
  if (settings.batch !== batch)
    throw new ZkArtifactError(`${files.settings} is not the set-up of ${batch === undefined ? 'the single circuit' : `a batch of ${batch}`}.`, {
      metaMessages: next,
    });
  const layout = circuitLayout(manifest, model, batch ?? 1);
  if (layout.nPublic !== settings.nPublic)
    throw new ZkArtifactError('The ZK set-up has another public-signal layout than this compiler: run vai zk setup again.');
  return { modelDir, manifest, model, layout, settings, files };
}
