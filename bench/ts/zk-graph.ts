/**
 * Graph circuit benchmark: `npm run bench:zk-graph` writes bench/results/zk-graph.md.
 *
 * LeNet-5-shaped integer graphs (lib/zk/sample-graphs.ts: the shapes of script/fashion/train_cnn.py before the
 * pool-before-ReLU retraining, random weights of a trained network's magnitude) with average pooling, max pooling, max
 * pooling with the residual block, and tanh: the constraints per op (the compiler's estimate, which the tests check
 * equals the R1CS exactly) over several scales and input ranges, and their breakdown at `--scale S` (default 8).
 *
 * Then the trained models of data/fashion as `vai model import … --input-scale-bits 0 --scale-bits S` makes them
 * (calibrated on the committed 1,000-image subset, argmax output): accuracy on that subset, constraints, and for
 * S = `--trained-scale` (default 8) circom compile, Groth16 set-up and proofs when the powers of tau are cached
 * (`--ptau-gen` generates the missing ones: power 16 took 41 minutes here).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { readCsv } from '../../lib/data/csv.js';
import { argmax } from '../../lib/model/float.js';
import { forwardFloatGraph } from '../../lib/model/float-graph.js';
import { importOnnxGraph } from '../../lib/model/graph-import.js';
import { buildGraphOnnx } from '../../lib/model/graph-onnx.js';
import { calibrateGraph } from '../../lib/model/graph-pipeline.js';
import { openSession, runIntBatch } from '../../lib/model/ort.js';
import { VAI_VERSION } from '../../lib/model/version.js';
import { decodeOnnx, encodeOnnx } from '../../lib/onnx/index.js';
import { graphInputLength, type IntGraph, quantize } from '../../lib/semantics/index.js';
import {
  cachedPtauPath,
  closeSharedProver,
  generateGraphCircuit,
  graphCircuitLayout,
  type NodeCost,
  proveGraphInference,
  releaseCurve,
  requiredPower,
  setupGraph,
} from '../../lib/zk/index.js';
import { lenetGraph, type LenetOptions } from '../../lib/zk/sample-graphs.js';
import { PROJECT_ROOT } from '../../lib/project.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SCALE = Number(option('--scale', '8'));
const TRAINED_SCALE = Number(option('--trained-scale', '8'));
const RUNS = Number(option('--runs', '3'));
const BENCH_PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

type Variant = { name: string; opts: Omit<LenetOptions, 'scaleBits' | 'seed'> };
const VARIANTS: Variant[] = [
  { name: 'LeNet-5, average pooling, ReLU', opts: { pool: 'avg', activation: 'relu' } },
  { name: 'LeNet-5, max pooling, ReLU', opts: { pool: 'max', activation: 'relu' } },
  { name: 'LeNet-5, max pooling, ReLU, residual block', opts: { pool: 'max', activation: 'relu', residual: true } },
  { name: 'LeNet-5, average pooling, tanh', opts: { pool: 'avg', activation: 'tanh' } },
];

const fmt = (n: number): string => n.toLocaleString('en-US');
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = (c: NodeCost): number => c.bits + c.equations + c.products + c.linear;

function estimate(graph: IntGraph): { total: number; costs: NodeCost[]; power: number; nPublic: number } {
  const layout = graphCircuitLayout(graph);
  const { total, costs } = generateGraphCircuit(graph, layout);
  const power = requiredPower({ nConstraints: total, nPubInputs: layout.input.chunks + 1, nOutputs: layout.output.chunks });
  return { total, costs, power, nPublic: layout.nPublic };
}

/** Constraints grouped by op kind (a fused node counts under the linear op that absorbed it). */
function byOp(costs: readonly NodeCost[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of costs) m.set(c.op, (m.get(c.op) ?? 0) + rows(c));
  return m;
}

const loadBefore = loadavg()[0]!;
const out: string[] = [
  '# ZK benchmark: graph circuits (LeNet-5 shapes)',
  '',
  `Date: ${new Date().toISOString()}  `,
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}  `,
  `Load average (1 min) at start: ${loadBefore.toFixed(1)}  `,
  `Regenerate: \`npm run bench:zk-graph -- [--scale ${SCALE}] [--ptau-gen]\``,
  '',
  '## Constraints by scale and input range',
  '',
  "Input 1×28×28, conv 5×5 pad 2 → 6, pool 2×2, conv 5×5 → 16, pool 2×2, dense 400 → 120 → 84 → 10, argmax; the ReLU before each pool (the example's order before its retraining: nothing folds), random weights of a trained network's magnitude (seed 1). Raw pixels 0..255 quantized at 2^S (range [0, 255·2^S]); the second figure is for an input range of [0, 255] (pixels at scale 1, `--input-scale-bits 0`).",
  '',
  '| network | S | constraints, input [0, 255·2^S] | power | constraints, input [0, 255] | power |',
  '|---|---:|---:|---:|---:|---:|',
];
for (const v of VARIANTS)
  for (const S of [6, 8, 10]) {
    const wide = estimate(lenetGraph({ seed: 1, scaleBits: S, ...v.opts }));
    const narrow = estimate(lenetGraph({ seed: 1, scaleBits: S, ...v.opts, inputMax: 255n }));
    out.push(`| ${v.name} | ${S} | ${fmt(wide.total)} | ${wide.power} | ${fmt(narrow.total)} | ${narrow.power} |`);
  }

out.push('', `## Where the constraints go (S = ${SCALE}, input [0, 255·2^${SCALE}])`, '');
for (const v of VARIANTS) {
  const e = estimate(lenetGraph({ seed: 1, scaleBits: SCALE, ...v.opts }));
  out.push(
    `### ${v.name}: ${fmt(e.total)} constraints, power ${e.power}`,
    '',
    '| node | op | rows | bits | equations | products | linear | note |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  );
  for (const c of e.costs)
    out.push(`| ${c.name} | ${c.op} | ${fmt(rows(c))} | ${fmt(c.bits)} | ${fmt(c.equations)} | ${fmt(c.products)} | ${fmt(c.linear)} | ${c.note} |`);
  out.push('', `By op: ${[...byOp(e.costs)].map(([op, n]) => `${op} ${fmt(n)}`).join(', ')}`, '');
}

type Proved = {
  constraints: number;
  nPublic: number;
  power: number;
  compile: string;
  ptau: string;
  zkey: string;
  cold: string;
  warm: string;
  load: string;
};

/** Set-up and proofs of `graph` (inputs: the first images), or null when its powers of tau are not cached. */
async function setupAndProve(name: string, graph: IntGraph, images: readonly bigint[][]): Promise<Proved | null> {
  const e = estimate(graph);
  const cached = existsSync(cachedPtauPath(e.power));
  if (!cached && !flag('--ptau-gen')) return null;
  const dir = join(tmpdir(), `vai-bench-zk-graph-${name}-${graph.scaleBits}`);
  process.stderr.write(`${name}: set-up (power ${e.power})\n`);
  const setup = await setupGraph(dir, graph, { name });
  const loadAtProofs = loadavg()[0]!;
  const cold = await proveGraphInference(dir, graph, images[0]!, BENCH_PROVER);
  const warm: number[] = [];
  const witness: number[] = [];
  for (const input of images.slice(1, RUNS + 1)) {
    const p = await proveGraphInference(dir, graph, input, BENCH_PROVER);
    warm.push(p.timings.witnessMs + p.timings.proveMs);
    witness.push(p.timings.witnessMs);
  }
  await closeSharedProver();
  await releaseCurve();
  const t = setup.timings;
  return {
    constraints: setup.constraints,
    nPublic: setup.nPublic,
    power: setup.power,
    compile: s(t.compileMs),
    ptau: cached ? 'cached' : `generated, ${s(t.ptauMs)}`,
    zkey: s(t.zkeyMs),
    cold: s(cold.timings.totalMs),
    warm: `${s(median(warm))} (${s(median(witness))} + ${s(median(warm) - median(witness))})`,
    load: `${loadAtProofs.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
  };
}

const subset = await readCsv(join(PROJECT_ROOT, 'data', 'fashion', 'fashion-mnist-test-1000.csv.gz'));
const pixels = subset.rows.map((r) => Array.from(r, (v) => quantize(v, 0)));

/** The 10k Fashion-MNIST test images and labels from Debian's dataset-fashion-mnist, or null without it. */
async function fullTestSet(): Promise<{ rows: Float64Array[]; labels: number[] } | null> {
  const dir = '/usr/share/datasets/fashion-mnist';
  if (!existsSync(join(dir, 't10k-images-idx3-ubyte.gz'))) return null;
  const img = gunzipSync(await readFile(join(dir, 't10k-images-idx3-ubyte.gz')));
  const lab = gunzipSync(await readFile(join(dir, 't10k-labels-idx1-ubyte.gz')));
  const count = img.readUInt32BE(4);
  const size = img.readUInt32BE(8) * img.readUInt32BE(12);
  const rows = Array.from({ length: count }, (_, i) => Float64Array.from(img.subarray(16 + i * size, 16 + (i + 1) * size)));
  return { rows, labels: Array.from(lab.subarray(8, 8 + count)) };
}
const full = await fullTestSet();
const fullRows: string[] = [];
out.push(
  '',
  `## The trained LeNet-5 models (data/fashion), pixels at scale 1`,
  '',
  `\`vai model import data/fashion/<model>.onnx --calibrate data/fashion/fashion-mnist-test-1000.csv.gz --input-scale-bits 0 --scale-bits S\` with an argmax output: accuracy on the committed 1,000-image subset (integer graph in onnxruntime; float graph in float64), constraints (the compiler's estimate; the R1CS where set up). The set-up and proofs are for S = ${TRAINED_SCALE}, when the powers of tau are cached (.vai/cache/ptau holds powers up to 16, which took 2,449 s to generate on this machine, docs/ZK.md; a power-17 or larger circuit is reported unset).`,
  '',
  '| model | S | float accuracy | integer accuracy | constraints | power | by op |',
  '|---|---:|---:|---:|---:|---:|---|',
);
const proofRows: string[] = [];
for (const name of ['lenet5_avg', 'lenet5_max_res']) {
  const fg = importOnnxGraph(decodeOnnx(new Uint8Array(await readFile(join(PROJECT_ROOT, 'data', 'fashion', `${name}.onnx`)))));
  const floatRight = subset.rows.filter((r, i) => argmax(forwardFloatGraph(fg, r)) === subset.labels[i]).length;
  for (const S of [6, 7, 8]) {
    const { graph } = await calibrateGraph(fg, subset.rows, { outputKind: 'argmax', scaleBits: S, inputScaleBits: 0 });
    const session = await openSession(encodeOnnx(buildGraphOnnx(graph, VAI_VERSION)));
    const { outputs } = await runIntBatch(session, pixels, graphInputLength(graph));
    await session.release();
    const intRight = outputs.filter((o, i) => Number(o[0]) === subset.labels[i]).length;
    const e = estimate(graph);
    out.push(
      `| ${name} | ${S} | ${(floatRight / 10).toFixed(1)} % | ${(intRight / 10).toFixed(1)} % | ${fmt(e.total)} | ${e.power} | ${[...byOp(e.costs)].map(([op, n]) => `${op} ${fmt(n)}`).join(', ')} |`,
    );
    if (S !== TRAINED_SCALE) continue;
    if (full) {
      const fullFloat = full.rows.filter((r, i) => argmax(forwardFloatGraph(fg, r)) === full.labels[i]).length;
      const fullSession = await openSession(encodeOnnx(buildGraphOnnx(graph, VAI_VERSION)));
      let fullInt = 0;
      for (let i = 0; i < full.rows.length; i += 500) {
        const batch = full.rows.slice(i, i + 500).map((r) => Array.from(r, (v) => quantize(v, 0)));
        const { outputs: out500 } = await runIntBatch(fullSession, batch, graphInputLength(graph));
        out500.forEach((o, j) => {
          if (Number(o[0]) === full.labels[i + j]) fullInt++;
        });
      }
      await fullSession.release();
      const pct = (n: number) => `${((100 * n) / full.rows.length).toFixed(2)} %`;
      fullRows.push(`| ${name} | ${S} | ${pct(fullFloat)} | ${pct(fullInt)} | ${((100 * (fullInt - fullFloat)) / full.rows.length).toFixed(2)} |`);
    }
    const proved = await setupAndProve(name, graph, pixels);
    proofRows.push(
      proved
        ? `| ${name} | ${S} | ${fmt(proved.constraints)} | ${proved.nPublic} | ${proved.power} | ${proved.compile} | ${proved.ptau} | ${proved.zkey} | ${proved.cold} | ${proved.warm} | ${proved.load} |`
        : `| ${name} | ${S} | ${fmt(e.total)} (estimate) | ${e.nPublic} | ${e.power} | not run | powers of tau ${e.power} not cached (--ptau-gen) | – | – | – | – |`,
    );
  }
}
if (fullRows.length > 0)
  out.push(
    '',
    `On the full Fashion-MNIST test set (${full!.rows.length.toLocaleString('en-US')} images, /usr/share/datasets/fashion-mnist), S = ${TRAINED_SCALE}:`,
    '',
    '| model | S | float accuracy | integer accuracy | difference (points; target within 0.5) |',
    '|---|---:|---:|---:|---:|',
    ...fullRows,
  );
out.push(
  '',
  `### Set-up and proofs of the trained models (S = ${TRAINED_SCALE}; proofs of the first ${RUNS + 1} test images, the first one cold)`,
  '',
  '| model | S | constraints (R1CS) | public signals | power | compile | ptau | zkey | proof, cold | proof, warm median (witness + prove) | load average (1 min) during the proofs |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...proofRows,
);

out.push('', `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)}.`, '');
await mkdir(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(PROJECT_ROOT, 'bench', 'results', 'zk-graph.md'), out.join('\n'));
process.stdout.write(out.join('\n'));
process.exit(0);
