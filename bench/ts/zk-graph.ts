/**
 * Graph circuit benchmark: `npm run bench:zk-graph` writes bench/results/zk-graph.md.
 *
 * LeNet-5-shaped integer graphs (lib/zk/sample-graphs.ts: the shapes of script/fashion/train_cnn.py, random weights
 * of a trained network's magnitude) with average pooling, max pooling, max pooling with the residual block, and
 * tanh: the constraints per op (the compiler's estimate, which the tests check equals the R1CS exactly) over several
 * scales and input ranges; then, for the chosen scale (`--scale S`, default 8), circom compile, Groth16 set-up and
 * proofs of the variants whose powers of tau are cached (`--ptau-gen` generates the missing ones: power 16 took
 * most of an hour here).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { IntGraph } from '../../lib/semantics/index.js';
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
import { lenetGraph, lenetInput, type LenetOptions } from '../../lib/zk/sample-graphs.js';
import { PROJECT_ROOT } from '../../lib/project.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SCALE = Number(option('--scale', '8'));
const RUNS = Number(option('--runs', '3'));
const BENCH_PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

type Variant = { name: string; opts: Omit<LenetOptions, 'scaleBits' | 'seed'>; prove: boolean };
const VARIANTS: Variant[] = [
  { name: 'LeNet-5, average pooling, ReLU', opts: { pool: 'avg', activation: 'relu' }, prove: true },
  { name: 'LeNet-5, max pooling, ReLU', opts: { pool: 'max', activation: 'relu' }, prove: true },
  { name: 'LeNet-5, max pooling, ReLU, residual block', opts: { pool: 'max', activation: 'relu', residual: true }, prove: false },
  { name: 'LeNet-5, average pooling, tanh', opts: { pool: 'avg', activation: 'tanh' }, prove: false },
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
  "Input 1×28×28, conv 5×5 pad 2 → 6, pool 2×2, conv 5×5 → 16, pool 2×2, dense 400 → 120 → 84 → 10, argmax; random weights of a trained network's magnitude (seed 1). The importer quantizes raw pixels 0..255 at 2^S (range [0, 255·2^S]); the second figure is for an input range of [0, 255] (pixels at scale 1, which the semantics does not offer today).",
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

out.push(
  `## Set-up and proofs (S = ${SCALE})`,
  '',
  '| network | constraints (R1CS) | public signals | power | compile | ptau | zkey | proof, cold | proof, warm median (witness + prove) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
);
for (const v of VARIANTS.filter((x) => x.prove)) {
  const graph = lenetGraph({ seed: 1, scaleBits: SCALE, ...v.opts });
  const e = estimate(graph);
  const cached = existsSync(cachedPtauPath(e.power));
  if (!cached && !flag('--ptau-gen')) {
    out.push(`| ${v.name} | ${fmt(e.total)} (estimate) | ${e.nPublic} | ${e.power} | not run | powers of tau ${e.power} not cached (--ptau-gen) | – | – | – |`);
    continue;
  }
  const dir = join(tmpdir(), `vai-bench-zk-graph-${v.opts.pool}-${SCALE}`);
  process.stderr.write(`${v.name}: set-up (power ${e.power})\n`);
  const setup = await setupGraph(dir, graph, { name: `lenet-${v.opts.pool}` });
  const inputs = Array.from({ length: RUNS + 1 }, (_, i) => lenetInput(graph, i + 1));
  const cold = await proveGraphInference(dir, graph, inputs[0]!, BENCH_PROVER);
  const warm: number[] = [];
  const witness: number[] = [];
  for (const input of inputs.slice(1)) {
    const p = await proveGraphInference(dir, graph, input, BENCH_PROVER);
    warm.push(p.timings.witnessMs + p.timings.proveMs);
    witness.push(p.timings.witnessMs);
  }
  await closeSharedProver();
  await releaseCurve();
  const t = setup.timings;
  out.push(
    `| ${v.name} | ${fmt(setup.constraints)} | ${setup.nPublic} | ${setup.power} | ${s(t.compileMs)} | ${t.ptauMs ? s(t.ptauMs) : 'cached'} | ${s(t.zkeyMs)} | ${s(cold.timings.totalMs)} | ${s(median(warm))} (${s(median(witness))} + ${s(median(warm) - median(witness))}) |`,
  );
  process.stderr.write(`${v.name}: ${setup.constraints} constraints, proof ${s(median(warm))}\n`);
}
out.push('', `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)}.`, '');
await mkdir(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(PROJECT_ROOT, 'bench', 'results', 'zk-graph.md'), out.join('\n'));
process.stdout.write(out.join('\n'));
process.exit(0);
