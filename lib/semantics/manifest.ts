import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { VaiError } from '../errors.js';
import { computeBounds } from './bounds.js';
import { modelHash } from './encoding.js';
import { inputLength, outputLength, type IntModel } from './types.js';

export const MANIFEST_FORMAT = 'vai-int-model/1';
export const MANIFEST_FILE = 'model.json';

const integerString = z.string().regex(/^-?\d+$/, 'expected a decimal integer string');
const safeInt = z.number().int().refine(Number.isSafeInteger, 'expected a safe integer');

const layerSchema = z.object({
  inDim: z.number().int().positive(),
  outDim: z.number().int().positive(),
  relu: z.boolean(),
  weights: z.array(z.array(safeInt)),
  bias: z.array(safeInt),
  bounds: z.object({ accMin: integerString, accMax: integerString, outMin: integerString, outMax: integerString }),
});

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    name: z.string().min(1),
    modelHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    scaleBits: z.number().int(),
    inputShape: z.array(z.number().int().positive()),
    inputLength: z.number().int().positive(),
    inputRange: z.tuple([integerString, integerString]),
    outputKind: z.enum(['logits', 'argmax']),
    outputLength: z.number().int().positive(),
    classes: z.array(z.string()).optional(),
    layers: z.array(layerSchema).min(1),
    files: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();

export type ModelManifest = z.infer<typeof manifestSchema>;

export class ManifestError extends VaiError {
  override name = 'ManifestError';
}

export type ManifestExtra = {
  name: string;
  inputShape?: number[];
  classes?: string[];
  files?: Record<string, string>;
};

/** The manifest of a model: its hash, spec and bounds (throws if the model cannot be bounded). */
export function manifestFromModel(model: IntModel, extra: ManifestExtra): ModelManifest {
  const bounds = computeBounds(model);
  return {
    format: MANIFEST_FORMAT,
    name: extra.name,
    modelHash: modelHash(model),
    scaleBits: model.scaleBits,
    inputShape: extra.inputShape ?? [1, inputLength(model)],
    inputLength: inputLength(model),
    inputRange: [model.inputMin.toString(), model.inputMax.toString()],
    outputKind: model.outputKind,
    outputLength: outputLength(model),
    ...(extra.classes ? { classes: extra.classes } : {}),
    layers: model.layers.map((layer, l) => {
      const b = bounds[l]!;
      return {
        ...layer,
        bounds: { accMin: b.accMin.toString(), accMax: b.accMax.toString(), outMin: b.outMin.toString(), outMax: b.outMax.toString() },
      };
    }),
    ...(extra.files ? { files: extra.files } : {}),
  };
}

/** Validates a manifest, rebuilds its model and checks that its hash, spec and bounds are its own. */
export function parseManifest(json: unknown): { manifest: ModelManifest; model: IntModel } {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(`Invalid model manifest: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown reason'}.`);
  }
  const manifest = parsed.data;
  const model: IntModel = {
    scaleBits: manifest.scaleBits,
    outputKind: manifest.outputKind,
    inputMin: BigInt(manifest.inputRange[0]),
    inputMax: BigInt(manifest.inputRange[1]),
    layers: manifest.layers.map(({ inDim, outDim, relu, weights, bias }) => ({ inDim, outDim, relu, weights, bias })),
  };
  let expected: ModelManifest;
  try {
    expected = manifestFromModel(model, { name: manifest.name });
  } catch (cause) {
    throw new ManifestError('The manifest describes an invalid model.', { cause, details: (cause as Error).message });
  }
  const mismatch = (field: string, got: unknown, want: unknown): never => {
    throw new ManifestError(`Manifest field ${field} is ${JSON.stringify(got)}, but the model gives ${JSON.stringify(want)}.`, {
      metaMessages: ['The manifest was edited or is stale: rebuild the model.'],
    });
  };
  if (manifest.modelHash !== expected.modelHash) mismatch('modelHash', manifest.modelHash, expected.modelHash);
  if (manifest.inputLength !== expected.inputLength) mismatch('inputLength', manifest.inputLength, expected.inputLength);
  if (manifest.outputLength !== expected.outputLength) mismatch('outputLength', manifest.outputLength, expected.outputLength);
  manifest.layers.forEach((layer, l) => {
    const want = expected.layers[l]!.bounds;
    if (JSON.stringify(layer.bounds) !== JSON.stringify(want)) mismatch(`layers.${l}.bounds`, layer.bounds, want);
  });
  return { manifest, model };
}

/** Reads `<dir>/model.json` and returns the checked manifest and model. */
export async function readModelDir(dir: string): Promise<{ manifest: ModelManifest; model: IntModel }> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ManifestError(`Cannot read ${path}.`, { cause, metaMessages: ['Build the model first: vai model train | import.'] });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`${path} is not valid JSON.`, { cause });
  }
  return parseManifest(json);
}

export function serializeManifest(manifest: ModelManifest): string {
  return `${JSON.stringify(manifest, null, 1)}\n`;
}
