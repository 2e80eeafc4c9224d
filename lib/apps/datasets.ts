import { creditCsv, generateCreditData } from './credit.js';
import { MODERATION_CORPUS, PROPOSAL_CORPUS, generateTextData, textTsv } from './text-data.js';

/**
 * The committed synthetic data sets of the example apps: file (relative to the project root), size
 * and seed. `npm run data:generate` rewrites them from these settings; a test checks that the
 * committed files are exactly what the generators produce.
 */
export const APP_DATASETS = {
  credit: { file: 'data/credit.csv', rows: 2000, seed: 7 },
  proposals: { file: 'data/proposals.tsv', rows: 600, seed: 11 },
  moderation: { file: 'data/moderation.tsv', rows: 600, seed: 13 },
} as const;

export type AppDatasetName = keyof typeof APP_DATASETS;

/** The exact content of a data set file. */
export function appDatasetContent(name: AppDatasetName): string {
  const { rows, seed } = APP_DATASETS[name];
  switch (name) {
    case 'credit':
      return creditCsv(generateCreditData(rows, seed));
    case 'proposals':
      return textTsv(generateTextData(PROPOSAL_CORPUS, rows, seed));
    case 'moderation':
      return textTsv(generateTextData(MODERATION_CORPUS, rows, seed));
  }
}
