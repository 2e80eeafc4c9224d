import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelDir, type LoadedModel } from './pipeline.js';
import { trainModel } from './train-action.js';

/** The project root (two levels above lib/model). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where generated example models live: a cache outside git, rebuilt by `npm run models:build`. */
export const EXAMPLE_MODELS_DIR = join(PROJECT_ROOT, '.vai', 'models');

/** The example models and the exact training run that produces each (deterministic for its seed). */
export const EXAMPLE_MODELS = {
  digits: { data: 'data/digits.csv.gz', hidden: [32], epochs: 40, seed: 1, testSplit: 0.2 },
  'breast-cancer': { data: 'data/breast_cancer.csv', hidden: [32], epochs: 40, seed: 1, testSplit: 0.2 },
} as const;

export type ExampleModelName = keyof typeof EXAMPLE_MODELS;

/**
 * Returns the example model's folder, training it first when it is missing, unreadable or was
 * trained with other settings than {@link EXAMPLE_MODELS} records.
 */
export async function ensureExampleModel(name: ExampleModelName, force = false): Promise<LoadedModel> {
  const spec = EXAMPLE_MODELS[name];
  const dir = join(EXAMPLE_MODELS_DIR, name);
  if (!force) {
    const cached = await loadModelDir(dir).catch(() => null);
    const t = cached?.manifest.training as { seed?: number; epochs?: number; hidden?: number[]; testSplit?: number } | undefined;
    if (
      cached && t &&
      t.seed === spec.seed && t.epochs === spec.epochs && t.testSplit === spec.testSplit &&
      JSON.stringify(t.hidden) === JSON.stringify(spec.hidden)
    ) {
      return cached;
    }
  }
  await trainModel({
    data: join(PROJECT_ROOT, spec.data),
    out: dir,
    name,
    hidden: [...spec.hidden],
    epochs: spec.epochs,
    seed: spec.seed,
    testSplit: spec.testSplit,
  });
  return loadModelDir(dir);
}
