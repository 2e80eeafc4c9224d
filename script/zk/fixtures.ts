/**
 * Regenerates the committed ZK fixtures (never edit them by hand):
 *   src-sol/verifiers/<Name>Verifier.sol   generated IInferenceVerifier contracts
 *   test/sol/fixtures/zk/<name>.json        real proofs: input, output, prover, proof bytes, modelHash
 * Run: npm run zk:fixtures   (model directories and keys go to .vai/fixtures/, outside git)
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { ensureExampleModel } from '../../lib/apps/examples.js';
import { quantizeAll, runReference, type IntModel } from '../../lib/semantics/index.js';
import { closeSharedProver, proveInference, releaseCurve, setupModel, verifierNames } from '../../lib/zk/index.js';
import { digitsShapedModel, randomInput, seededRandom, tinyLogitsModel, tinyLogitsTwinModel, writeModelDir } from '../../lib/zk/sample-models.js';
import { PROJECT_ROOT } from '../../lib/project.js';

/**
 * The address every fixture proof is made for (anvil's default account 1, so a proof can also be sent on a
 * local chain): the forge tests submit from it, and from any other address the proofs must fail.
 */
const FIXTURE_PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

type Fixture = { name: string; model: IntModel; inputs: bigint[][]; modelDir?: string };

// The trained example model (`vai model build digits`, deterministic for its seed) on two real rows.
const trained = await ensureExampleModel('digits');
const digitsData = await readCsv(join(PROJECT_ROOT, 'data', 'digits.csv.gz'));
const realRows = [0, 1].map((k) => quantizeAll([...digitsData.rows[k]!], trained.model.scaleBits));

const fixtures: Fixture[] = [
  {
    name: 'tiny',
    model: tinyLogitsModel,
    inputs: [
      [3n, -8n, 8n],
      [-2n, 5n, 0n],
    ],
  },
  // Same layout as tiny, other weights: its verifier differs from tiny's only in the verifying key and MODEL_HASH.
  {
    name: 'tiny-other',
    model: tinyLogitsTwinModel,
    inputs: [
      [3n, -8n, 8n],
      [-2n, 5n, 0n],
    ],
  },
  { name: 'digits', model: digitsShapedModel(), inputs: [0, 1].map((k) => randomInput(digitsShapedModel(), seededRandom(100 + k))) },
  { name: 'digits-trained', model: trained.model, inputs: realRows, modelDir: trained.dir },
];

const fixtureDir = join(PROJECT_ROOT, 'test', 'sol', 'fixtures', 'zk');
const verifierDir = join(PROJECT_ROOT, 'src-sol', 'verifiers');
await mkdir(fixtureDir, { recursive: true });
await mkdir(verifierDir, { recursive: true });

try {
  for (const f of fixtures) {
    const modelDir = f.modelDir ?? join(PROJECT_ROOT, '.vai', 'fixtures', f.name);
    const manifest = f.modelDir ? trained.manifest : await writeModelDir(modelDir, f.model, f.name);
    const names = verifierNames(f.name);
    const setup = await setupModel(modelDir, { names, regenerate: 'npm run zk:fixtures' });
    await copyFile(setup.files.verifier, join(verifierDir, `${names.contract}.sol`));
    const cases = [];
    for (const input of f.inputs) {
      const p = await proveInference(modelDir, input, FIXTURE_PROVER);
      if (p.output.join() !== runReference(f.model, input).join()) throw new Error('unreachable: proveInference checks the output');
      cases.push({ input: p.input.map(String), output: p.output.map(String), prover: p.prover, proof: p.calldata, publicSignals: p.publicSignals });
    }
    const [main, other] = cases;
    const json = {
      generatedBy: 'npm run zk:fixtures (script/zk/fixtures.ts): do not edit',
      name: f.name,
      modelHash: manifest.modelHash,
      verifier: names.contract,
      constraints: setup.constraints,
      nPublic: setup.nPublic,
      ...main,
      other,
    };
    await writeFile(join(fixtureDir, `${f.name}.json`), `${JSON.stringify(json, null, 1)}\n`);
    process.stderr.write(`${f.name}: ${setup.constraints} constraints, ${names.contract}, ${cases.length} proofs\n`);
  }
} finally {
  await closeSharedProver();
  await releaseCurve();
}
