// npm run bench:cnn: the Fashion-MNIST CNN examples as integer graphs. Imports data/fashion/lenet5_avg.onnx
// and lenet5_max_res.onnx (calibrated on the committed 1000-image subset), then reports float versus
// integer accuracy on the full 10k test set when Debian's dataset-fashion-mnist is installed (else on the
// subset), engine agreement, and onnxruntime speed of the integer graph. Writes bench/results/cnn.md.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCsv } from '../../lib/data/csv.js';
import { argmax } from '../../lib/model/float.js';
import { importAnyModel } from '../../lib/model/import-action.js';
import { openSession, ort, runFloatBatch, runIntBatch, type Session } from '../../lib/model/ort.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { argmax as argmaxInt, graphInputLength, type IntGraph, quantize, runGraphTrace } from '../../lib/semantics/index.js';

const TARGET_P50_MICROS = 1000;
const TARGET_IMAGES_PER_SECOND = 5000;
const FASHION = '/usr/share/datasets/fashion-mnist';
const SUBSET = join(PROJECT_ROOT, 'data', 'fashion', 'fashion-mnist-test-1000.csv.gz');
/** Rows the bigint reference executor checks against onnxruntime (it takes milliseconds a row). */
const REFERENCE_ROWS = Number(process.env.VAI_BENCH_REFERENCE_ROWS ?? 2000);
/** Images per onnxruntime call, for accuracy runs and throughput (im2col buffers grow with it; 256 keeps them in a few MB per slice). */
const BATCH = 256;

/** The 10k test images and labels from the idx files, or null without the Debian package. */
async function fullTestSet(): Promise<{ rows: Float64Array[]; labels: number[] } | null> {
  const images = join(FASHION, 't10k-images-idx3-ubyte.gz');
  const labels = join(FASHION, 't10k-labels-idx1-ubyte.gz');
  if (!existsSync(images) || !existsSync(labels)) return null;
  const img = gunzipSync(await readFile(images));
  const lab = gunzipSync(await readFile(labels));
  const count = img.readUInt32BE(4);
  const size = img.readUInt32BE(8) * img.readUInt32BE(12);
  const rows = Array.from({ length: count }, (_, i) => Float64Array.from(img.subarray(16 + i * size, 16 + (i + 1) * size)));
  return { rows, labels: Array.from(lab.subarray(8, 8 + count)) };
}

function percentile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function throughput(session: Session, tensor: ort.Tensor, minMillis: number): Promise<number> {
  await session.run({ input: tensor });
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMillis) {
    await session.run({ input: tensor });
    calls++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (calls * tensor.dims[0]!) / (elapsed / 1000);
}

type Figures = {
  name: string;
  hash: string;
  scaleBits: number;
  nodes: string;
  importSeconds: number;
  floatAccuracy: number;
  integerAccuracy: number;
  agreement: number;
  referenceRows: number;
  p50: number;
  p90: number;
  perSecond1: number;
  perSecond2: number;
  floatPerSecond: number;
};

const full = await fullTestSet();
const subset = await readCsv(SUBSET);
const data = full ?? { rows: subset.rows, labels: subset.labels };
const source = full ? `the full Fashion-MNIST test set (${data.rows.length} images, ${FASHION})` : `the committed subset (${data.rows.length} images)`;

const results: Figures[] = [];
for (const name of ['lenet5_avg', 'lenet5_max_res']) {
  const t0 = Date.now();
  const imported = await importAnyModel({
    onnx: join(PROJECT_ROOT, 'data', 'fashion', `${name}.onnx`),
    calibrate: SUBSET,
    out: join(PROJECT_ROOT, '.vai', 'models', name.replaceAll('_', '-')),
  });
  if (imported.kind !== 'graph') throw new Error(`${name} did not import as a graph`);
  const importSeconds = (Date.now() - t0) / 1000;
  const graph: IntGraph = imported.graph;
  const n = graphInputLength(graph);
  const S = graph.scaleBits;
  const inputs = data.rows.map((r) => Array.from(r, (v) => quantize(v, S)));
  const intBytes = await readFile(join(imported.dir, 'model.int.onnx'));
  const floatBytes = await readFile(join(imported.dir, 'model.onnx'));
  const intSession = await openSession(intBytes);
  const floatSession = await openSession(floatBytes);
  let intCorrect = 0;
  let floatCorrect = 0;
  let agree = 0;
  let floatSeconds = 0;
  for (let i = 0; i < inputs.length; i += BATCH) {
    const { outputs, logits } = await runIntBatch(intSession, inputs.slice(i, i + BATCH), n, { withLogits: true });
    const tf = process.hrtime.bigint();
    const floats = await runFloatBatch(floatSession, data.rows.slice(i, i + BATCH), graph.inputShape);
    floatSeconds += Number(process.hrtime.bigint() - tf) / 1e9;
    logits!.forEach((l, r) => {
      const label = data.labels[i + r]!;
      if (argmaxInt(l) === label) intCorrect++;
      if (argmax(floats[r]!) === label) floatCorrect++;
      if (i + r < REFERENCE_ROWS) {
        const t = runGraphTrace(graph, inputs[i + r]!);
        if (t.output.join(',') === outputs[r]!.join(',') && t.nodes.at(-1)!.y.join(',') === l.join(',')) agree++;
      }
    });
  }
  const referenceRows = Math.min(REFERENCE_ROWS, inputs.length);
  const singles = inputs.slice(0, 1000).map((q) => new ort.Tensor('int64', BigInt64Array.from(q), [1, n]));
  for (let i = 0; i < 100; i++) await intSession.run({ input: singles[i % singles.length]! });
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = process.hrtime.bigint();
    await intSession.run({ input: singles[i % singles.length]! });
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  const flat = new BigInt64Array(BATCH * n);
  for (let i = 0; i < BATCH; i++) flat.set(BigInt64Array.from(inputs[i % inputs.length]!), i * n);
  const batch = new ort.Tensor('int64', flat, [BATCH, n]);
  const perSecond1 = await throughput(intSession, batch, 3000);
  const twoThreads = await ort.InferenceSession.create(intBytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const perSecond2 = await throughput(twoThreads, batch, 3000);
  await Promise.all([intSession.release(), floatSession.release(), twoThreads.release()]);
  const ops = new Map<string, number>();
  for (const node of graph.nodes) ops.set(node.op, (ops.get(node.op) ?? 0) + 1);
  results.push({
    name,
    hash: imported.manifest.modelHash,
    scaleBits: S,
    nodes: [...ops].map(([op, k]) => (k > 1 ? `${op} ×${k}` : op)).join(', '),
    importSeconds,
    floatAccuracy: floatCorrect / inputs.length,
    integerAccuracy: intCorrect / inputs.length,
    agreement: agree / referenceRows,
    referenceRows,
    p50: percentile(samples, 0.5),
    p90: percentile(samples, 0.9),
    perSecond1,
    perSecond2,
    floatPerSecond: inputs.length / floatSeconds,
  });
  console.error(`${name}: done`);
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const ok = (pass: boolean) => (pass ? 'meets' : 'MISSES');
const cpu = cpus();
const md = `# CNN benchmark (integer graphs)

Generated by \`npm run bench:cnn\` (bench/ts/cnn.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared with other jobs), ${Math.round(totalmem() / 2 ** 30)} GiB,
Node ${process.version}, onnxruntime-node ${ort.env.versions.common} (CPU provider, graph optimization \`all\`).

Models: \`data/fashion/*.onnx\` (trained by script/fashion/train_cnn.py, exported by \`torch.onnx.export\`), imported with
\`vai model import … --calibrate data/fashion/fashion-mnist-test-1000.csv.gz\` (default tolerance 0.02). Accuracy on ${source}.
Engine agreement: onnxruntime's integer graph against the TypeScript reference executor, output and logits, on the first
${results[0]?.referenceRows ?? 0} images.

| model | scaleBits | float accuracy | integer accuracy | difference (target ≤ 0.5 points) | engine agreement | import + calibration |
|---|---|---|---|---|---|---|
${results
  .map(
    (r) =>
      `| ${r.name} (${r.hash.slice(0, 10)}…) | ${r.scaleBits} | ${pct(r.floatAccuracy)} | ${pct(r.integerAccuracy)} | ${((r.integerAccuracy - r.floatAccuracy) * 100).toFixed(2)}: ${ok(Math.abs(r.integerAccuracy - r.floatAccuracy) <= 0.005)} | ${pct(r.agreement)} | ${r.importSeconds.toFixed(1)} s |`,
  )
  .join('\n')}

Graphs: ${results.map((r) => `${r.name}: ${r.nodes}`).join('; ')}.

## onnxruntime, integer graph

| model | single image p50 (target ≤ ${TARGET_P50_MICROS} µs) | p90 | ${BATCH}-image batches, 1 thread (target ≥ ${TARGET_IMAGES_PER_SECOND.toLocaleString('en-US')}/s) | 2 threads | float graph, batched, 1 thread (comparison) |
|---|---|---|---|---|---|
${results
  .map(
    (r) =>
      `| ${r.name} | ${r.p50.toFixed(0)} µs: ${ok(r.p50 <= TARGET_P50_MICROS)} | ${r.p90.toFixed(0)} µs | ${Math.round(r.perSecond1).toLocaleString('en-US')}/s: ${ok(r.perSecond1 >= TARGET_IMAGES_PER_SECOND)} | ${Math.round(r.perSecond2).toLocaleString('en-US')}/s: ${ok(r.perSecond2 >= TARGET_IMAGES_PER_SECOND)} | ${Math.round(r.floatPerSecond).toLocaleString('en-US')}/s |`,
  )
  .join('\n')}

Single image: \`session.run\` on a prepared \`[1, 784]\` int64 tensor, 1 intra-op thread. The integer graph uses float64
kernels when the bounds prove every value and accumulator below 2^52 (exact; both models here), int64 kernels otherwise
(docs/MODELS.md). The circuit (constraints, set-up, proof time) of the same models as imported for the apps (pixels at
scale 1, S = 8) is in bench/results/zk-graph.md, their re-execution gas in Solidity in bench/results/gas.md.
`;
await mkdir(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(PROJECT_ROOT, 'bench', 'results', 'cnn.md'), md);
process.stdout.write(md);
