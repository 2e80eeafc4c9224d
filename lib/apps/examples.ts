import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { featurizedCsv, readTextTsv } from './text-data.js';
import type { OutputKind } from '../semantics/index.js';
import { loadModelDir, type LoadedModel } from '../model/pipeline.js';
import { trainModel } from '../model/train-action.js';
import { PROJECT_ROOT } from '../project.js';

/** Where generated example models live: a cache outside git, rebuilt by `npm run models:build`. */
export const EXAMPLE_MODELS_DIR = join(PROJECT_ROOT, '.vai', 'models');

export type ExampleModelSpec = {
  /** The training CSV, relative to the project root. */
  readonly data: string;
  /** For text models: the committed `label<TAB>text` file `data` is featurized from (lib/apps/text.ts). */
  readonly text?: string;
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly seed: number;
  readonly testSplit: number;
  readonly outputKind: OutputKind;
  /** Declared input range in real units; default: the data's smallest and largest value. */
  readonly inputRange?: readonly [number, number];
  /** The example contract that uses the model (docs/EXAMPLES.md). */
  readonly app: string;
};

/** The example models and the exact training run that produces each (deterministic for its seed). */
export const EXAMPLE_MODELS = {
  digits: {
    data: 'data/digits.csv.gz',
    hidden: [32],
    epochs: 40,
    seed: 1,
    testSplit: 0.2,
    outputKind: 'argmax',
    app: 'QualityInspector',
  },
  'breast-cancer': {
    data: 'data/breast_cancer.csv',
    hidden: [32],
    epochs: 40,
    seed: 1,
    testSplit: 0.2,
    outputKind: 'argmax',
    app: '(none: a tabular example for the CLI)',
  },
  credit: {
    // Logits, so the lender can read a risk score (log-odds of default); every feature fits [0, 250].
    data: 'data/credit.csv',
    hidden: [16],
    epochs: 40,
    seed: 1,
    testSplit: 0.2,
    outputKind: 'logits',
    inputRange: [0, 250],
    app: 'CreditLineLender',
  },
  proposals: {
    // Clipped bucket counts lie in [0, 3] whatever the text.
    data: '.vai/data/proposals.csv',
    text: 'data/proposals.tsv',
    hidden: [16],
    epochs: 40,
    seed: 1,
    testSplit: 0.2,
    outputKind: 'argmax',
    inputRange: [0, 3],
    app: 'ProposalScreener',
  },
  moderation: {
    data: '.vai/data/moderation.csv',
    text: 'data/moderation.tsv',
    hidden: [16],
    epochs: 40,
    seed: 1,
    testSplit: 0.2,
    outputKind: 'argmax',
    inputRange: [0, 3],
    app: 'ContentModerator',
  },
} as const satisfies Record<string, ExampleModelSpec>;

export type ExampleModelName = keyof typeof EXAMPLE_MODELS;
export const EXAMPLE_MODEL_NAMES = Object.keys(EXAMPLE_MODELS) as ExampleModelName[];

/** Writes a text model's training CSV (its featurized text file); a no-op for other models. */
export async function prepareExampleData(name: ExampleModelName): Promise<string> {
  const spec: ExampleModelSpec = EXAMPLE_MODELS[name];
  const csvPath = join(PROJECT_ROOT, spec.data);
  if (spec.text !== undefined) {
    const examples = await readTextTsv(join(PROJECT_ROOT, spec.text));
    await mkdir(dirname(csvPath), { recursive: true });
    await writeFile(csvPath, featurizedCsv(examples));
  }
  return csvPath;
}

/**
 * Returns the example model's folder, training it first when it is missing, unreadable or was
 * trained with other settings than {@link EXAMPLE_MODELS} records. (A changed data file is not
 * detected: pass `force`, or `npm run models:build -- --force`.)
 */
export async function ensureExampleModel(name: ExampleModelName, force = false): Promise<LoadedModel> {
  const spec: ExampleModelSpec = EXAMPLE_MODELS[name];
  const dir = join(EXAMPLE_MODELS_DIR, name);
  const data = await prepareExampleData(name);
  if (!force) {
    const cached = await loadModelDir(dir).catch(() => null);
    const t = cached?.manifest.training as { seed?: number; epochs?: number; hidden?: number[]; testSplit?: number } | undefined;
    if (
      cached &&
      t &&
      cached.manifest.outputKind === spec.outputKind &&
      t.seed === spec.seed &&
      t.epochs === spec.epochs &&
      t.testSplit === spec.testSplit &&
      JSON.stringify(t.hidden) === JSON.stringify(spec.hidden)
    ) {
      return cached;
    }
  }
  await trainModel({
    data,
    out: dir,
    name,
    hidden: [...spec.hidden],
    epochs: spec.epochs,
    seed: spec.seed,
    testSplit: spec.testSplit,
    outputKind: spec.outputKind,
    ...(spec.inputRange === undefined ? {} : { inputRange: [...spec.inputRange] }),
  });
  return loadModelDir(dir);
}

/**
 * Builds every example model (digits, breast-cancer, credit, proposals, moderation) into
 * {@link EXAMPLE_MODELS_DIR}, one after the other, reusing cached ones.
 *
 * @example
 * const models = await ensureExampleModels();
 * models.credit.manifest.modelHash;
 */
export async function ensureExampleModels(force = false): Promise<Record<ExampleModelName, LoadedModel>> {
  const out: Partial<Record<ExampleModelName, LoadedModel>> = {};
  for (const name of EXAMPLE_MODEL_NAMES) out[name] = await ensureExampleModel(name, force);
  return out as Record<ExampleModelName, LoadedModel>;
}
