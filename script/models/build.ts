// npm run models:build [-- --force]: trains the example models (and the deep digits MLP of the bisection game)
// into .vai/models/<name>/ (cached; --force retrains) and prints their test-split figures.
import { join } from 'node:path';
import { evalModel } from '../../lib/model/eval-action.js';
import { DEEP_DIGITS, ensureDeepDigitsModel } from '../../lib/apps/deep.js';
import { EXAMPLE_MODELS, ensureExampleModel, type ExampleModelName } from '../../lib/apps/examples.js';
import { PROJECT_ROOT } from '../../lib/project.js';

const force = process.argv.includes('--force');
for (const name of Object.keys(EXAMPLE_MODELS) as ExampleModelName[]) {
  const model = await ensureExampleModel(name, force);
  const r = await evalModel({ dir: model.dir, data: join(PROJECT_ROOT, EXAMPLE_MODELS[name].data), split: 'test', timedRows: 50 });
  console.log(
    `${name}: ${model.dir} scaleBits ${model.model.scaleBits} test rows ${r.rows}: float ${(r.floatAccuracy! * 100).toFixed(2)}%` +
      ` integer ${(r.integerAccuracy * 100).toFixed(2)}% engine agreement ${(r.engineAgreement * 100).toFixed(2)}%`,
  );
}

const deep = await ensureDeepDigitsModel(force);
const r = await evalModel({ dir: deep.dir, data: join(PROJECT_ROOT, DEEP_DIGITS.data), split: 'test', timedRows: 50 });
console.log(
  `${DEEP_DIGITS.name}: ${deep.dir} ${deep.model.layers.length} layers scaleBits ${deep.model.scaleBits} test rows ${r.rows}:` +
    ` float ${(r.floatAccuracy! * 100).toFixed(2)}% integer ${(r.integerAccuracy * 100).toFixed(2)}%`,
);
