import { z } from 'zod';
import { quantizeInput } from '../protocol/index.js';
import { createRandom, normal } from '../model/random.js';
import type { IntModel } from '../semantics/index.js';
import { FeatureError } from './errors.js';

/**
 * Synthetic credit data for the CreditLineLender example. No real credit data can be had offline,
 * so applicants are drawn from a documented generator and their default label from a documented
 * logistic formula plus seeded noise. It is a stand-in to exercise the pipeline, not a credit model.
 *
 * Features, in model (and CSV column) order, each with its allowed range:
 *
 * | column | meaning | range |
 * |---|---|---|
 * | `income_k` | yearly income, thousands of dollars | 10–250 |
 * | `debt_to_income_pct` | monthly debt payments / monthly income, percent | 0–100 |
 * | `history_years` | years since the first credit account | 0–40 |
 * | `late_payments_2y` | payments 30+ days late in the last two years | 0–12 |
 * | `open_lines` | open credit accounts | 0–20 |
 * | `utilization_pct` | revolving balance / revolving limit, percent | 0–100 |
 *
 * All ranges lie inside `[0, 250]`, the one input range the model declares ({@link CREDIT_INPUT_RANGE}).
 */
export const CREDIT_FEATURES = [
  { column: 'income_k', key: 'incomeK', min: 10, max: 250 },
  { column: 'debt_to_income_pct', key: 'debtToIncomePct', min: 0, max: 100 },
  { column: 'history_years', key: 'historyYears', min: 0, max: 40 },
  { column: 'late_payments_2y', key: 'latePayments2y', min: 0, max: 12 },
  { column: 'open_lines', key: 'openLines', min: 0, max: 20 },
  { column: 'utilization_pct', key: 'utilizationPct', min: 0, max: 100 },
] as const;

/** The model's declared input range, in real units (every feature fits). */
export const CREDIT_INPUT_RANGE: [number, number] = [0, 250];
/** The label column: 1 when the applicant defaulted. */
export const CREDIT_LABEL = 'defaulted';

const range = (min: number, max: number) => z.number().finite().min(min).max(max);
const count = (max: number) => z.number().int().min(0).max(max);

/** A credit applicant as the client library takes it (validated by {@link creditFeatures}). */
export const creditApplicantSchema = z.object({
  incomeK: range(10, 250),
  debtToIncomePct: range(0, 100),
  historyYears: range(0, 40),
  latePayments2y: count(12),
  openLines: count(20),
  utilizationPct: range(0, 100),
});
export type CreditApplicant = z.infer<typeof creditApplicantSchema>;

/**
 * The documented default formula (log-odds, before noise):
 *
 * ```
 * z = -1.0
 *     - 0.9   · ln(income_k / 55)
 *     + 0.045 · (debt_to_income_pct - 35)
 *     - 0.06  · (history_years - 12)
 *     + 0.35  · late_payments_2y
 *     + 0.05  · (open_lines - 6)
 *     + 0.03  · (utilization_pct - 40)
 * ```
 */
export function defaultLogOdds(a: CreditApplicant): number {
  return (
    -1.0 -
    0.9 * Math.log(a.incomeK / 55) +
    0.045 * (a.debtToIncomePct - 35) -
    0.06 * (a.historyYears - 12) +
    0.35 * a.latePayments2y +
    0.05 * (a.openLines - 6) +
    0.03 * (a.utilizationPct - 40)
  );
}

/** Standard deviation of the Gaussian noise added to the log-odds before the label is drawn. */
export const CREDIT_LOG_ODDS_NOISE = 0.5;

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const clip = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Poisson sample (Knuth's product of uniforms); fine for the small rates used here. */
function poisson(random: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

export type CreditRow = { applicant: CreditApplicant; defaulted: 0 | 1 };

/**
 * Draws `rows` applicants with the seeded generator ({@link createRandom}, mulberry32). Per applicant,
 * in this order (N = a standard normal draw, U = a uniform draw in [0, 1)):
 *
 * ```
 * income_k           = clip(55 · exp(0.5 · N), 10, 250)                   rounded to 0.1
 * history_years      = clip(12 + 7 · N, 0, 40)                            rounded to 0.1
 * debt_to_income_pct = clip(35 + 12 · N - 0.05 · (income_k - 55), 0, 100) rounded to 0.1
 * utilization_pct    = clip(40 + 25 · N, 0, 100)                          rounded to 0.1
 * late_payments_2y   = min(12, Poisson(0.2 + 0.015 · utilization_pct))
 * open_lines         = clip(round(3 + history_years / 4 + 2 · N), 0, 20)
 * defaulted          = U < sigmoid(defaultLogOdds + 0.5 · N) ? 1 : 0
 * ```
 */
export function generateCreditData(rows: number, seed: number): CreditRow[] {
  const random = createRandom(seed);
  const out: CreditRow[] = [];
  for (let r = 0; r < rows; r++) {
    const incomeK = round1(clip(55 * Math.exp(0.5 * normal(random)), 10, 250));
    const historyYears = round1(clip(12 + 7 * normal(random), 0, 40));
    const debtToIncomePct = round1(clip(35 + 12 * normal(random) - 0.05 * (incomeK - 55), 0, 100));
    const utilizationPct = round1(clip(40 + 25 * normal(random), 0, 100));
    const latePayments2y = Math.min(12, poisson(random, 0.2 + 0.015 * utilizationPct));
    const openLines = clip(Math.round(3 + historyYears / 4 + 2 * normal(random)), 0, 20);
    const applicant: CreditApplicant = { incomeK, debtToIncomePct, historyYears, latePayments2y, openLines, utilizationPct };
    const z = defaultLogOdds(applicant) + CREDIT_LOG_ODDS_NOISE * normal(random);
    out.push({ applicant, defaulted: random() < sigmoid(z) ? 1 : 0 });
  }
  return out;
}

/** The CSV the model is trained on: a header of column names, then one applicant per line. */
export function creditCsv(rows: readonly CreditRow[]): string {
  const header = [...CREDIT_FEATURES.map((f) => f.column), CREDIT_LABEL].join(',');
  const lines = rows.map((r) => [...creditFeatures(r.applicant), r.defaulted].join(','));
  return `${header}\n${lines.join('\n')}\n`;
}

/**
 * The feature row of an applicant, in model order, after checking every field against its range.
 *
 * @example
 * creditFeatures({ incomeK: 72, debtToIncomePct: 28, historyYears: 9, latePayments2y: 0, openLines: 4, utilizationPct: 31 });
 */
export function creditFeatures(applicant: CreditApplicant): number[] {
  const parsed = creditApplicantSchema.safeParse(applicant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FeatureError(`invalid credit applicant: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown field'}`, {
      metaMessages: CREDIT_FEATURES.map((f) => `${f.key}: ${f.min}..${f.max}`),
    });
  }
  return CREDIT_FEATURES.map((f) => parsed.data[f.key]);
}

/** The request input for the credit model: the applicant's features quantized at the model's scale. */
export function creditModelInput(model: IntModel, applicant: CreditApplicant): bigint[] {
  return quantizeInput(model, creditFeatures(applicant));
}

/**
 * The lender's risk score from the model's two logits (repaid, defaulted): `logit[1] - logit[0]`,
 * the log-odds of default at the model's scale, as CreditLineLender computes it on chain.
 */
export function creditRiskScore(output: readonly bigint[]): bigint {
  const [repaid, defaulted] = output;
  if (repaid === undefined || defaulted === undefined || output.length !== 2) {
    throw new FeatureError(`the credit model returns 2 logits, got ${output.length}`);
  }
  return defaulted - repaid;
}
