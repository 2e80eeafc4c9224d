import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_FEATURES,
  CREDIT_INPUT_RANGE,
  creditCsv,
  creditFeatures,
  creditRiskScore,
  defaultLogOdds,
  generateCreditData,
  type CreditApplicant,
} from '../../../lib/apps/credit.js';
import { APP_DATASETS, appDatasetContent, type AppDatasetName } from '../../../lib/apps/datasets.js';
import { FeatureError } from '../../../lib/apps/errors.js';
import { parseCsv } from '../../../lib/data/csv.js';
import { PROJECT_ROOT } from '../../../lib/project.js';

const typical: CreditApplicant = { incomeK: 55, debtToIncomePct: 35, historyYears: 12, latePayments2y: 0, openLines: 6, utilizationPct: 40 };
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('defaultLogOdds (the documented formula)', () => {
  it('is -1 at the reference applicant, and moves by each documented coefficient', () => {
    expect(defaultLogOdds(typical)).toBeCloseTo(-1, 12);
    expect(defaultLogOdds({ ...typical, incomeK: 110 })).toBeCloseTo(-1 - 0.9 * Math.log(2), 12);
    expect(defaultLogOdds({ ...typical, debtToIncomePct: 45 })).toBeCloseTo(-1 + 0.45, 12);
    expect(defaultLogOdds({ ...typical, historyYears: 22 })).toBeCloseTo(-1 - 0.6, 12);
    expect(defaultLogOdds({ ...typical, latePayments2y: 2 })).toBeCloseTo(-1 + 0.7, 12);
    expect(defaultLogOdds({ ...typical, openLines: 10 })).toBeCloseTo(-1 + 0.2, 12);
    expect(defaultLogOdds({ ...typical, utilizationPct: 90 })).toBeCloseTo(-1 + 1.5, 12);
  });
});

describe('generateCreditData', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateCreditData(50, 7)).toEqual(generateCreditData(50, 7));
    expect(generateCreditData(50, 8)).not.toEqual(generateCreditData(50, 7));
  });

  it('keeps every feature in its documented range, counts integral, values at 0.1 steps', () => {
    for (const { applicant } of generateCreditData(3000, 3)) {
      for (const f of CREDIT_FEATURES) {
        const v = applicant[f.key];
        expect(v).toBeGreaterThanOrEqual(f.min);
        expect(v).toBeLessThanOrEqual(f.max);
        expect(Math.abs(v * 10 - Math.round(v * 10))).toBeLessThan(1e-9);
        expect(v).toBeGreaterThanOrEqual(CREDIT_INPUT_RANGE[0]);
        expect(v).toBeLessThanOrEqual(CREDIT_INPUT_RANGE[1]);
      }
      expect(Number.isInteger(applicant.latePayments2y)).toBe(true);
      expect(Number.isInteger(applicant.openLines)).toBe(true);
    }
  });

  it('draws labels from the logistic formula: default rates follow sigmoid(log-odds) per band', () => {
    const rows = generateCreditData(20_000, 11);
    const bands = [
      [-Infinity, -2],
      [-2, -1],
      [-1, 0],
      [0, 1],
      [1, Infinity],
    ] as const;
    for (const [lo, hi] of bands) {
      const inBand = rows.filter((r) => {
        const z = defaultLogOdds(r.applicant);
        return z >= lo && z < hi;
      });
      expect(inBand.length).toBeGreaterThan(300);
      const rate = inBand.reduce((s, r) => s + r.defaulted, 0) / inBand.length;
      // The noise (N(0, 0.5²) on the log-odds) pulls rates slightly toward 1/2; the mean probability
      // over the band is still within a few points of the observed rate.
      const expected = inBand.reduce((s, r) => s + sigmoid(defaultLogOdds(r.applicant)), 0) / inBand.length;
      expect(Math.abs(rate - expected)).toBeLessThan(0.05);
    }
  });
});

describe('creditFeatures', () => {
  it('returns the features in model order', () => {
    expect(creditFeatures({ ...typical, incomeK: 72.5 })).toEqual([72.5, 35, 12, 0, 6, 40]);
  });

  it('refuses values outside their ranges and fractional counts', () => {
    expect(() => creditFeatures({ ...typical, incomeK: 9 })).toThrow(FeatureError);
    expect(() => creditFeatures({ ...typical, utilizationPct: 101 })).toThrow(/utilizationPct/);
    expect(() => creditFeatures({ ...typical, latePayments2y: 1.5 })).toThrow(FeatureError);
    expect(() => creditFeatures({ ...typical, historyYears: Number.NaN })).toThrow(FeatureError);
  });
});

describe('creditCsv and the committed data sets', () => {
  it('writes a CSV the training pipeline reads: 6 named features, label last', () => {
    const ds = parseCsv(creditCsv(generateCreditData(20, 1)));
    expect(ds.featureNames).toEqual(CREDIT_FEATURES.map((f) => f.column));
    expect(ds.rows).toHaveLength(20);
    expect(ds.classes).toEqual(['0', '1']);
  });

  it('the committed files are exactly what the generators produce', async () => {
    for (const name of Object.keys(APP_DATASETS) as AppDatasetName[]) {
      const committed = await readFile(join(PROJECT_ROOT, APP_DATASETS[name].file), 'utf8');
      expect(committed, `${APP_DATASETS[name].file}: run npm run data:generate`).toBe(appDatasetContent(name));
    }
  });
});

describe('creditRiskScore', () => {
  it('is logit[defaulted] - logit[repaid], as the lender computes it', () => {
    expect(creditRiskScore([300n, -400n])).toBe(-700n);
    expect(() => creditRiskScore([1n])).toThrow(FeatureError);
  });
});
