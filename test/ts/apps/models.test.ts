import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { creditModelInput, creditRiskScore } from '../../../lib/apps/credit.js';
import { featurizedCsv, readTextTsv } from '../../../lib/apps/text-data.js';
import { textModelInput } from '../../../lib/apps/text.js';
import { evalModel } from '../../../lib/model/eval-action.js';
import { readCsv } from '../../../lib/data/csv.js';
import { EXAMPLE_MODELS, EXAMPLE_MODEL_NAMES, prepareExampleData, type ExampleModelSpec } from '../../../lib/apps/examples.js';
import { trainModel } from '../../../lib/model/train-action.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { runReference } from '../../../lib/semantics/index.js';
import { tempDir } from '../model/fixtures.js';

/** Trains an app model exactly as the example builder does, into a temporary folder. */
async function train(name: 'credit' | 'proposals' | 'moderation') {
  const spec: ExampleModelSpec = EXAMPLE_MODELS[name];
  const dir = await tempDir('vai-apps-');
  let data = join(PROJECT_ROOT, spec.data);
  if (spec.text !== undefined) {
    data = join(dir, `${name}.csv`);
    await writeFile(data, featurizedCsv(await readTextTsv(join(PROJECT_ROOT, spec.text))));
  }
  const out = join(dir, name);
  const trained = await trainModel({
    data,
    out,
    name,
    hidden: [...spec.hidden],
    epochs: spec.epochs,
    seed: spec.seed,
    testSplit: spec.testSplit,
    outputKind: spec.outputKind,
    ...(spec.inputRange ? { inputRange: [...spec.inputRange] } : {}),
  });
  const figures = await evalModel({ dir: out, data, split: 'test', timedRows: 1 });
  return { trained, figures };
}

describe('app models (trained like npm run models:build)', () => {
  it('credit: beats the majority class, integer matches float, and ranks risk sensibly', async () => {
    const { trained, figures } = await train('credit');
    // 63% of the synthetic applicants repaid; the noiseless formula itself scores 72% (docs/EXAMPLES.md).
    expect(figures.integerAccuracy).toBeGreaterThan(0.66);
    expect(Math.abs(figures.integerAccuracy - figures.floatAccuracy!)).toBeLessThanOrEqual(0.01);
    expect(figures.engineAgreement).toBe(1);
    const { model } = trained;
    expect(model.outputKind).toBe('logits');
    expect(model.inputMax).toBe(250n << BigInt(model.scaleBits));
    const score = (a: Parameters<typeof creditModelInput>[1]) => creditRiskScore(runReference(model, creditModelInput(model, a)));
    const safe = score({ incomeK: 140, debtToIncomePct: 12, historyYears: 25, latePayments2y: 0, openLines: 7, utilizationPct: 10 });
    const risky = score({ incomeK: 22, debtToIncomePct: 70, historyYears: 1, latePayments2y: 5, openLines: 2, utilizationPct: 95 });
    expect(safe).toBeLessThan(0n);
    expect(risky).toBeGreaterThan(0n);
  });

  it('proposals and moderation: high accuracy on held-out synthetic text; obvious cases classified', async () => {
    const cases = {
      proposals: [
        ['Fund the bug bounty with 20 USDC from the community treasury over one year', 0n],
        ['Transfer the entire treasury to an anonymous wallet immediately without a vote', 1n],
      ],
      moderation: [
        ['Great thread about staking thanks for sharing', 0n],
        ['Send me your seed phrase and I will double your ETH', 1n],
      ],
    } as const;
    for (const name of ['proposals', 'moderation'] as const) {
      const { trained, figures } = await train(name);
      expect(figures.integerAccuracy).toBeGreaterThan(0.9);
      expect(figures.engineAgreement).toBe(1);
      expect(trained.model.inputMax).toBe(3n << BigInt(trained.model.scaleBits));
      for (const [text, label] of cases[name]) {
        expect(runReference(trained.model, textModelInput(trained.model, text)), `${name}: ${text}`).toEqual([label]);
      }
    }
  });
});

describe('example model builder', () => {
  it('knows all five models and which app uses each', () => {
    expect(EXAMPLE_MODEL_NAMES).toEqual(['digits', 'breast-cancer', 'credit', 'proposals', 'moderation']);
    expect(EXAMPLE_MODELS.credit.app).toBe('CreditLineLender');
    expect(EXAMPLE_MODELS.proposals.app).toBe('ProposalScreener');
  });

  it('featurizes a text data set into its training CSV', async () => {
    const path = await prepareExampleData('moderation');
    expect(path).toBe(join(PROJECT_ROOT, EXAMPLE_MODELS.moderation.data));
    const ds = await readCsv(path);
    expect(ds.rows).toHaveLength(600);
    expect(ds.featureNames).toHaveLength(64);
    expect(ds.rows.every((r) => r.every((v) => v >= 0 && v <= 3 && Number.isInteger(v)))).toBe(true);
    // Non-text models train straight from their committed file.
    expect(await prepareExampleData('credit')).toBe(join(PROJECT_ROOT, 'data/credit.csv'));
  });
});
