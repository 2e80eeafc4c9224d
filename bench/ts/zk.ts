/**
 * ZK benchmark: `npm run bench:zk` writes bench/results/zk.md.
 * Digits-shaped (64→32→10, inputs 0..16 at scale 2^8) and MNIST-shaped (784→56→10, inputs [0, 1] at scale
 * 2^8) MLPs with random weights: constraints, set-up time, proving time, peak memory; verification gas of the
 * committed DigitsVerifier through forge (the digits fixture is the same model).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { ensureExampleModel } from '../../lib/apps/examples.js';
import { quantizeAll, type IntModel } from '../../lib/semantics/index.js';
import { closeSharedProver, proveBatch, proveInference, releaseCurve, setupModel, type SetupResult } from '../../lib/zk/index.js';
import { digitsShapedModel, mnistShapedModel, randomInput, seededRandom, writeModelDir } from '../../lib/zk/sample-models.js';
import { PROJECT_ROOT } from '../../lib/project.js';

type Row = {
  name: string;
  shape: string;
  setup: SetupResult;
  coldMs: number;
  proveMs: number[];
  totalMs: number[];
  cpuMs: number[];
  rssMb: number;
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** Proofs are bound to the submitting address; any fixed one will do for timing (anvil's default account 1). */
const BENCH_PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

async function bench(name: string, shape: string, model: IntModel, runs: number, real?: { dir: string; inputs: bigint[][] }): Promise<Row> {
  const dir = real?.dir ?? join(PROJECT_ROOT, '.vai', 'bench', name);
  if (!real) await writeModelDir(dir, model, name);
  const setup = await setupModel(dir);
  const next = seededRandom(42);
  let k = 0;
  const input = (): bigint[] => (real ? real.inputs[k++ % real.inputs.length]! : randomInput(model, next));
  const cold = await proveInference(dir, input(), BENCH_PROVER);
  const proveMs: number[] = [];
  const totalMs: number[] = [];
  const cpuMs: number[] = [];
  for (let k = 0; k < runs; k++) {
    const cpu0 = process.cpuUsage();
    const p = await proveInference(dir, input(), BENCH_PROVER);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    proveMs.push(p.timings.witnessMs + p.timings.proveMs);
    totalMs.push(p.timings.totalMs);
  }
  await closeSharedProver();
  process.stderr.write(`${name}: ${setup.constraints} constraints, prove median ${median(proveMs).toFixed(0)} ms\n`);
  return { name, shape, setup, coldMs: cold.timings.totalMs, proveMs, totalMs, cpuMs, rssMb: rssMb() };
}

type BatchRow = { k: number; setup: SetupResult; coldMs: number; proveMs: number[] };

/** One proof of K real rows with the trained digits model's batch set-up of K (`vai zk setup --batch K`). */
async function benchBatch(dir: string, inputs: bigint[][], k: number, runs: number): Promise<BatchRow> {
  const setup = await setupModel(dir, { batch: k });
  const rows = (from: number): bigint[][] => Array.from({ length: k }, (_, i) => inputs[(from + i) % inputs.length]!);
  const cold = await proveBatch(dir, rows(0), BENCH_PROVER, { batch: k });
  const proveMs: number[] = [];
  for (let r = 1; r <= runs; r++) {
    const p = await proveBatch(dir, rows(r), BENCH_PROVER, { batch: k });
    proveMs.push(p.timings.witnessMs + p.timings.proveMs);
  }
  await closeSharedProver();
  process.stderr.write(`digits-trained batch ${k}: ${setup.constraints} constraints, prove median ${median(proveMs).toFixed(0)} ms\n`);
  return { k, setup, coldMs: cold.timings.totalMs, proveMs };
}

function forgeGas(): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    // Built in chunks first (script/build-sol.mjs): one forge compilation of the whole project exhausts solcjs.
    const skip = ['bench/sol/**', 'test/sol/gas/**', 'test/sol/examples/**', 'test/sol/governance/**', 'test/sol/invariant/**', 'test/sol/oracle/**']
      .map((g) => `'${g}'`)
      .join(' ');
    const command = `node script/build-sol.mjs >&2 && npx forge test --match-test test_verifyInference_gas -vv --match-path 'test/sol/verifiers/**' --skip ${skip}`;
    const child = spawn('sh', ['-c', command], { cwd: PROJECT_ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => {
      const gas: Record<string, number> = {};
      for (const m of out.matchAll(/(\w+) verifyInference gas (\d+)/g)) gas[m[1]!] = Number(m[2]);
      resolve(gas);
    });
  });
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The public signals of a committed verifier, from its fixture: the gas is measured on that verifier. */
async function fixtureSignals(name: string): Promise<number> {
  const fixture = JSON.parse(await readFile(join(PROJECT_ROOT, 'test', 'sol', 'fixtures', 'zk', `${name}.json`), 'utf8')) as { nPublic: number };
  return fixture.nPublic;
}

const loadBefore = loadavg()[0]!;
const trained = await ensureExampleModel('digits');
const digitsData = await readCsv(join(PROJECT_ROOT, 'data', 'digits.csv.gz'));
const realInputs = digitsData.rows.slice(0, 10).map((r) => quantizeAll([...r], trained.model.scaleBits));
const rows = [
  await bench(
    'digits-trained',
    `64→32→10 trained (\`vai model build digits\`), inputs [0, ${trained.model.inputMax}] (0..16 at 2^${trained.model.scaleBits}), argmax, real rows`,
    trained.model,
    9,
    { dir: trained.dir, inputs: realInputs },
  ),
  await bench('digits', '64→32→10 random weights, inputs [0, 4096] (0..16 at 2^8), argmax', digitsShapedModel(), 9),
  await bench('mnist', '784→56→10, inputs [0, 256] ([0, 1] at 2^8), argmax', mnistShapedModel(), 5),
];
// Batch sizes to measure (VAI_BENCH_BATCHES, default 1,4,16): K = 16 needs powers of tau of power 16, generated
// locally the first time (about an hour of both cores on this machine).
const batchSizes = (process.env.VAI_BENCH_BATCHES ?? '1,4,16').split(',').filter(Boolean).map(Number);
const batches: BatchRow[] = [];
for (const k of batchSizes) batches.push(await benchBatch(trained.dir, realInputs, k, 5));
await releaseCurve();
const gas = await forgeGas();
const signals = { digitsTrained: await fixtureSignals('digits-trained'), digits: await fixtureSignals('digits'), tiny: await fixtureSignals('tiny') };
const mnist = rows.find((r) => r.name === 'mnist')!;

const cpu = cpus();
const lines = [
  '# ZK benchmark (Groth16, circom2 + snarkjs 0.7)',
  '',
  `Date: ${new Date().toISOString()}  `,
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}  `,
  `Load average (1 min) at start / end: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} (the machine is shared; with load above the core count the times are pessimistic)  `,
  'Regenerate: `npm run bench:zk` (random-weight models with the shapes and scales of real ones; local powers of tau).',
  '',
  '| model | shape | constraints (target) | public signals | power | set-up (compile / ptau / zkey) | proof, warm median (target) | CPU time per proof, all threads | proof, cold | end-to-end warm median | peak RSS |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const target = r.name.startsWith('digits') ? ['≤ 4,000', '≤ 1.0 s'] : ['≤ 15,000', '≤ 3 s'];
    const t = r.setup.timings;
    return `| ${r.name} | ${r.shape} | ${r.setup.constraints.toLocaleString('en-US')} (${target[0]}) | ${r.setup.nPublic} | ${r.setup.power} | ${s(t.totalMs)} (${s(t.compileMs)} / ${t.ptauMs ? s(t.ptauMs) : 'cached'} / ${s(t.zkeyMs)}) | ${s(median(r.proveMs))} (${target[1]}) | ${s(median(r.cpuMs))} | ${s(r.coldMs)} | ${s(median(r.totalMs))} | ${r.rssMb} MB |`;
  }),
  '',
  '## Batches: one proof of K inferences (trained digits model, real rows)',
  '',
  `Constraints target: at most K × the single circuit's ${rows[0]!.setup.constraints.toLocaleString('en-US')} plus a fixed overhead (the batch shares the prover's one constraint, so K × ${(rows[0]!.setup.constraints - 1).toLocaleString('en-US')} + 1). Proof target: K = 16 in at most 3 s. Gas per request: bench/results/gas.md ("Batches").`,
  '',
  '| K | constraints (≤ K × single + 1) | public signals | power | set-up (compile / ptau / zkey) | proof, warm median | per inference | proof, cold |',
  '|---:|---|---:|---:|---|---|---:|---:|',
  ...batches.map((b) => {
    const t = b.setup.timings;
    const bound = b.k * (rows[0]!.setup.constraints - 1) + 1;
    const target = b.k === 16 ? ` (≤ 3 s: ${median(b.proveMs) <= 3000 ? 'met' : '**not met**'})` : '';
    return `| ${b.k} | ${b.setup.constraints.toLocaleString('en-US')} (${b.setup.constraints <= bound ? 'met' : '**not met**'}) | ${b.setup.nPublic} | ${b.setup.power} | ${s(t.totalMs)} (${s(t.compileMs)} / ${t.ptauMs ? s(t.ptauMs) : 'cached'} / ${s(t.zkeyMs)}) | ${s(median(b.proveMs))}${target} | ${s(median(b.proveMs) / b.k)} | ${s(b.coldMs)} |`;
  }),
  '',
  `Verification gas (forge, \`verifyInference\` of the committed verifiers with their fixtures, packing and checks included; the whole \`proposeWithProof\` must stay ≤ 350,000): trained digits (${signals.digitsTrained} public signals) **${gas.digitsTrained?.toLocaleString('en-US') ?? 'n/a'}**, random digits (${signals.digits}) **${gas.digits?.toLocaleString('en-US') ?? 'n/a'}**, tiny (${signals.tiny}) ${gas.tiny?.toLocaleString('en-US') ?? 'n/a'}.`,
  '',
  'Notes:',
  '- "CPU time per proof" is the process CPU time (main thread, prover worker and snarkjs\' threads) of one warm proof: on an idle 2-core machine the wall time is roughly half of it.',
  '- "proof" is witness calculation plus Groth16 proving inside the worker thread; "cold" is the first proof of a process (worker start and curve set-up included); "end-to-end" adds loading the artifacts, the reference run and the output check.',
  "- Peak RSS is the whole benchmark process (main thread and prover worker) after the model's runs.",
  '- Set-up "ptau" is 0 when the powers of tau were already cached (`.vai/cache/ptau`); generating them locally took about 4 s (power 8), 18 s (10), 37 s (11), 75 s (12) on this machine, and 996 s for power 14 under a load average of about 6.',
  '- Constraints are the R1CS rows (non-linear and linear: model circuits compile with circom `--O1`, see docs/ZK.md).',
  `- The MNIST verifier (${mnist.setup.nPublic} public signals) was not measured on chain; each public signal adds one ecMul + ecAdd to the pairing check.`,
  '- For scale: a published circom benchmark that feeds the weights in as private signals needs 73,416 constraints and 2.35 s for the MNIST shape.',
  '',
];
await mkdir(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(PROJECT_ROOT, 'bench', 'results', 'zk.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
