/**
 * Regenerates the committed graph-circuit ZK fixtures (never edit them by hand):
 *   src-sol/verifiers/FashionLayoutVerifier.sol      the generated IInferenceVerifier
 *   test/sol/fixtures/zk/fashion-layout.json          two real proofs on Fashion-MNIST test images
 *   src-sol/verifiers/FashionCommittedVerifier.sol   the same graph with a committed input (ICommittedInferenceVerifier)
 *   test/sol/fixtures/zk/fashion-committed.json       two real proofs of it, with the inputs' Poseidon commitments
 * Run: npm run zk:graph-fixtures [-- --only fashion-committed]   (model folders and keys go to .vai/fixtures/, outside git)
 *
 * The graph has the public layout of the LeNet-5 example imported with `--input-scale-bits 0 --output argmax`:
 * 784 pixels in [0, 255] (26 packed signals), an argmax (1 signal) and the prover: 28 public signals. A Groth16
 * verifier's gas depends only on its public signals and calldata, not on the circuit behind them, so this small
 * graph (input → dense 784 → 10 → argmax, about 7,000 constraints, powers of tau 2^13) measures the CNN's
 * proposeWithProof on chain without the LeNet-5 circuit's set-up (docs/ZK.md, "Graph circuits on chain").
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { GraphBuilder, graphHash, type InputHashKind, inputHashOf, runGraph } from '../../lib/semantics/index.js';
import { closeSharedProver, proveGraphInference, releaseCurve, setupGraph, verifierNames } from '../../lib/zk/index.js';
import { seededRandom } from '../../lib/zk/sample-models.js';

const FIXTURE_PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const NAME = 'fashion-layout';
/** The same graph with its input committed (docs/ZK.md, "Committed input"): output, commitment, prover (3 signals). */
const COMMITTED_NAME = 'fashion-committed';
const S = 6;

const next = seededRandom(12);
const b = new GraphBuilder([1, 28, 28]);
const flat = b.add({ op: 'reshape', inputs: [0], shape: [784] });
// Weights at 2^(2S) for 8-bit pixels at scale 1, as the importer writes the first linear op (docs/MODELS.md).
const weights = Array.from({ length: 7840 }, () => Math.round((next() * 2 - 1) * 2 ** (2 * S) * 0.01));
const bias = Array.from({ length: 10 }, () => Math.round((next() * 2 - 1) * 2 ** (2 * S)));
b.add({ op: 'dense', inputs: [flat], outDim: 10, weights, bias });
const graph = { ...b.build({ scaleBits: S, outputKind: 'argmax', inputMin: 0n, inputMax: 255n }), inputScaleBits: 0 };

const data = await readCsv(join(PROJECT_ROOT, 'data', 'fashion', 'fashion-mnist-test-1000.csv.gz'));
const inputs = [0, 1].map((k) => Array.from(data.rows[k]!, (v) => BigInt(v)));

const fixtureDir = join(PROJECT_ROOT, 'test', 'sol', 'fixtures', 'zk');
const verifierDir = join(PROJECT_ROOT, 'src-sol', 'verifiers');
await mkdir(fixtureDir, { recursive: true });

/** Sets up `name` with the input public (keccak) or committed (poseidon), proves the two images and writes the fixture. */
async function fixture(name: string, inputHash: InputHashKind): Promise<void> {
  const modelDir = join(PROJECT_ROOT, '.vai', 'fixtures', name);
  await mkdir(modelDir, { recursive: true });
  const names = verifierNames(name);
  const setup = await setupGraph(modelDir, graph, { name, names, regenerate: 'npm run zk:graph-fixtures', inputHash });
  await copyFile(setup.files.verifier, join(verifierDir, `${names.contract}.sol`));
  const cases = [];
  for (const input of inputs) {
    const p = await proveGraphInference(modelDir, graph, input, FIXTURE_PROVER);
    if (p.output.join() !== runGraph(graph, input).join()) throw new Error('unreachable: the prover checks the output');
    const range = { inputMin: graph.inputMin, inputMax: graph.inputMax };
    cases.push({
      input: p.input.map(String),
      output: p.output.map(String),
      prover: p.prover,
      proof: p.calldata,
      publicSignals: p.publicSignals,
      inputHash: inputHashOf(inputHash, input, range),
    });
  }
  const [main, other] = cases;
  const json = {
    generatedBy: 'npm run zk:graph-fixtures (script/zk/graph-fixtures.ts): do not edit',
    name,
    modelHash: graphHash(graph),
    verifier: names.contract,
    scaleBits: S,
    inputHashKind: inputHash,
    constraints: setup.constraints,
    nPublic: setup.nPublic,
    ...main,
    other,
  };
  await writeFile(join(fixtureDir, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
  process.stderr.write(`${name}: ${setup.constraints} constraints, ${setup.nPublic} public signals, ${names.contract}\n`);
}

// `--only <name>` regenerates one fixture (each set-up draws a new phase-2 contribution, so the other's files would change).
const at = process.argv.indexOf('--only');
const only = at > 0 ? process.argv[at + 1] : undefined;
try {
  if (only === undefined || only === NAME) await fixture(NAME, 'keccak');
  if (only === undefined || only === COMMITTED_NAME) await fixture(COMMITTED_NAME, 'poseidon');
} finally {
  await closeSharedProver();
  await releaseCurve();
}
