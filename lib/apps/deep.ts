import { join } from 'node:path';
import { loadModelDir, type LoadedModel } from '../model/pipeline.js';
import { trainModel } from '../model/train-action.js';
import { PROJECT_ROOT } from '../project.js';
import { EXAMPLE_MODELS_DIR } from './examples.js';

/**
 * The deep digits MLP: the digits data through 15 hidden ReLU layers of 64, then 10 classes (16 dense steps,
 * 62,080 multiply-accumulates). Its on-chain re-execution would take about 40 M gas (`estimateReexecutionGas`),
 * more than a block, while each of its layers fits a transaction: the model whose disputes only the bisection game
 * settles (docs/PROTOCOL.md, "Bisection"). Trained by a fixed, seeded run like the other example models, and cached
 * in `.vai/models/digits-deep` (never committed).
 */
export const DEEP_DIGITS = {
  name: 'digits-deep',
  data: 'data/digits.csv.gz',
  hidden: Array.from({ length: 15 }, () => 64),
  epochs: 12,
  seed: 1,
  testSplit: 0.2,
  outputKind: 'argmax',
} as const;

/** The deep digits model's folder, trained first when missing or trained with other settings (`force`: always). */
export async function ensureDeepDigitsModel(force = false): Promise<LoadedModel> {
  const spec = DEEP_DIGITS;
  const dir = join(EXAMPLE_MODELS_DIR, spec.name);
  if (!force) {
    const cached = await loadModelDir(dir).catch(() => null);
    const t = cached?.manifest.training as { seed?: number; epochs?: number; hidden?: number[] } | undefined;
    if (cached && t && t.seed === spec.seed && t.epochs === spec.epochs && JSON.stringify(t.hidden) === JSON.stringify(spec.hidden)) return cached;
  }
  await trainModel({
    data: join(PROJECT_ROOT, spec.data),
    out: dir,
    name: spec.name,
    hidden: [...spec.hidden],
    epochs: spec.epochs,
    seed: spec.seed,
    testSplit: spec.testSplit,
    outputKind: spec.outputKind,
  });
  return loadModelDir(dir);
}
