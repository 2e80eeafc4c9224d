/**
 * Regenerates the committed batch ZK fixtures of the trained digits model (never edit them by hand):
 *   src-sol/verifiers/DigitsTrainedBatch<K>Verifier.sol   generated IBatchInferenceVerifier contracts
 *   test/sol/fixtures/zk/digits-trained-batch<K>.json      one real batch proof each: K real rows of data/digits.csv.gz
 * Run: npm run zk:batch-fixtures [-- 1 4 16]   (keys go to <model dir>/zk/batch-<K>/, outside git)
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { ensureExampleModel } from '../../lib/apps/examples.js';
import { quantizeAll } from '../../lib/semantics/index.js';
import { batchVerifierNames, closeSharedProver, proveBatch, releaseCurve, setupModel } from '../../lib/zk/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';

/** The address every fixture proof is made for (anvil's account 1), as script/zk/fixtures.ts. */
const FIXTURE_PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const sizes = process.argv.slice(2).map(Number);
const batches = sizes.length > 0 ? sizes : [1, 4, 16];
const trained = await ensureExampleModel('digits');
const digitsData = await readCsv(join(PROJECT_ROOT, 'data', 'digits.csv.gz'));
const fixtureDir = join(PROJECT_ROOT, 'test', 'sol', 'fixtures', 'zk');
const verifierDir = join(PROJECT_ROOT, 'src-sol', 'verifiers');
await mkdir(fixtureDir, { recursive: true });

try {
  for (const k of batches) {
    const names = batchVerifierNames('digits-trained', k);
    const setup = await setupModel(trained.dir, { batch: k, names, regenerate: 'npm run zk:batch-fixtures' });
    await copyFile(setup.files.verifier, join(verifierDir, `${names.contract}.sol`));
    const inputs = Array.from({ length: k }, (_, r) => quantizeAll([...digitsData.rows[r]!], trained.model.scaleBits));
    // Twice: the first proof of a process pays for the worker and the curve.
    await proveBatch(trained.dir, inputs, FIXTURE_PROVER, { batch: k });
    const p = await proveBatch(trained.dir, inputs, FIXTURE_PROVER, { batch: k });
    const json = {
      generatedBy: 'npm run zk:batch-fixtures (script/zk/batch-fixtures.ts): do not edit',
      name: `digits-trained-batch${k}`,
      modelHash: trained.manifest.modelHash,
      verifier: names.contract,
      batch: k,
      constraints: setup.constraints,
      nPublic: setup.nPublic,
      setupMs: setup.timings,
      proveMs: { witness: Math.round(p.timings.witnessMs), prove: Math.round(p.timings.proveMs), total: Math.round(p.timings.totalMs) },
      inputs: p.inputs.map((x) => x.map(String)),
      outputs: p.outputs.map((y) => y.map(String)),
      prover: p.prover,
      signals: p.signals.map(String),
      proof: p.calldata,
    };
    await writeFile(join(fixtureDir, `digits-trained-batch${k}.json`), `${JSON.stringify(json, null, 1)}\n`);
    process.stderr.write(
      `batch ${k}: ${setup.constraints} constraints, ${setup.nPublic} public signals, proof ${Math.round(p.timings.proveMs + p.timings.witnessMs)} ms\n`,
    );
  }
} finally {
  await closeSharedProver();
  await releaseCurve();
}
