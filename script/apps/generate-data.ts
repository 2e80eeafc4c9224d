// npm run data:generate: writes the synthetic data sets of the example apps (data/credit.csv,
// data/proposals.tsv, data/moderation.tsv) from the seeded generators in lib/apps/. Deterministic:
// running it again rewrites the same bytes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_DATASETS, appDatasetContent, type AppDatasetName } from '../../lib/apps/datasets.js';
import { PROJECT_ROOT } from '../../lib/project.js';

for (const name of Object.keys(APP_DATASETS) as AppDatasetName[]) {
  const { file, rows, seed } = APP_DATASETS[name];
  await writeFile(join(PROJECT_ROOT, file), appDatasetContent(name));
  console.log(`${file}: ${rows} rows, seed ${seed}`);
}
