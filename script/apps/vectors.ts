// npm run vectors:apps: writes test/vectors/apps.json, the example apps' models as registered on chain
// (canonical encoding and spec) with a few real inputs and their outputs from the reference executor,
// for the forge tests that run each app against its real model (test/sol/examples/AppModels.t.sol).
// The inputs come from the client code of lib/apps/ exactly as an app's user would compute them.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hexlify } from 'ethers';
import { creditModelInput, type CreditApplicant } from '../../lib/apps/credit.js';
import { textFeatures, textModelInput } from '../../lib/apps/text.js';
import { readTextTsv } from '../../lib/apps/text-data.js';
import { readCsv } from '../../lib/data/csv.js';
import { quantizeInput } from '../../lib/protocol/index.js';
import { EXAMPLE_MODELS, ensureExampleModel, type ExampleModelName } from '../../lib/apps/examples.js';
import { checkAgreement, type LoadedModel } from '../../lib/model/pipeline.js';
import { OUTPUT_KIND_CODE, encodeModel, inputLength, outputLength, runReference } from '../../lib/semantics/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';

export const APP_VECTORS_FILE = join(PROJECT_ROOT, 'test', 'vectors', 'apps.json');

type Case = { about: string; input: bigint[] };

const safe: CreditApplicant = { incomeK: 140, debtToIncomePct: 12, historyYears: 25, latePayments2y: 0, openLines: 7, utilizationPct: 10 };
const risky: CreditApplicant = { incomeK: 22, debtToIncomePct: 70, historyYears: 1, latePayments2y: 5, openLines: 2, utilizationPct: 95 };

const digitsData = await readCsv(join(PROJECT_ROOT, EXAMPLE_MODELS.digits.data));
const firstOf = (digit: number): Float64Array => {
  const i = digitsData.labels.indexOf(digit);
  if (i < 0) throw new Error(`no digit ${digit} in the data`);
  return digitsData.rows[i]!;
};

const cases: Partial<Record<ExampleModelName, (m: LoadedModel) => Case[]>> = {
  credit: ({ model }) => [
    { about: `safe applicant ${JSON.stringify(safe)}`, input: creditModelInput(model, safe) },
    { about: `risky applicant ${JSON.stringify(risky)}`, input: creditModelInput(model, risky) },
  ],
  proposals: ({ model }) =>
    [
      'Fund the bug bounty with 20 USDC from the community treasury over one year',
      'Transfer the entire treasury to an anonymous wallet immediately without a vote',
    ].map((text) => ({ about: text, input: textModelInput(model, text) })),
  moderation: ({ model }) =>
    ['Great thread about staking thanks for sharing', 'Send me your seed phrase and I will double your ETH'].map((text) => ({
      about: text,
      input: textModelInput(model, text),
    })),
  digits: ({ model }) => [7, 3].map((d) => ({ about: `first ${d} of data/digits.csv.gz`, input: quantizeInput(model, Array.from(firstOf(d))) })),
};

const out: Record<string, unknown> = {};
for (const [name, make] of Object.entries(cases) as [ExampleModelName, (m: LoadedModel) => Case[]][]) {
  const loaded = await ensureExampleModel(name);
  const { model } = loaded;
  const list = make(loaded);
  await checkAgreement(
    model,
    loaded.intOnnx,
    list.map((c) => c.input),
  );
  out[name] = {
    modelHash: loaded.manifest.modelHash,
    encoding: hexlify(encodeModel(model)),
    inputLength: inputLength(model),
    outputLength: outputLength(model),
    inputMin: Number(model.inputMin),
    inputMax: Number(model.inputMax),
    scaleBits: model.scaleBits,
    outputKind: OUTPUT_KIND_CODE[model.outputKind],
    cases: list.map((c) => ({ about: c.about, input: c.input.map(Number), output: runReference(model, c.input).map(Number) })),
  };
}
// The featurizer on its own (counts, before quantization), for the Solidity port HashedBagOfWords.
const texts = [
  '',
  'a A a, a; a',
  "Hello, WORLD! it's 2024: naïve DAO-vote",
  'Kelvin sign \u212A and \u00C4BC stay separators',
  ...(await readTextTsv(join(PROJECT_ROOT, 'data/proposals.tsv'))).slice(0, 3).map((e) => e.text),
  ...(await readTextTsv(join(PROJECT_ROOT, 'data/moderation.tsv'))).slice(0, 3).map((e) => e.text),
];
out.text = texts.map((text) => ({ text, counts: textFeatures(text) }));

await mkdir(dirname(APP_VECTORS_FILE), { recursive: true });
await writeFile(APP_VECTORS_FILE, `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${APP_VECTORS_FILE}`);
for (const [name, v] of Object.entries(out)) {
  if (name === 'text') continue;
  for (const c of (v as { cases: { about: string; output: number[] }[] }).cases) console.log(`${name}: ${c.about} -> [${c.output.join(', ')}]`);
}
