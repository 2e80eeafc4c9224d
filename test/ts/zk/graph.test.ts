import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piecewiseTable } from '../../../lib/model/graph-quantize.js';
import { HAND_GRAPHS } from '../../../lib/model/hand-graphs.js';
import { GraphBuilder, type IntGraph, inputCommitment, runGraph, type Window } from '../../../lib/semantics/index.js';
import { type CompileResult, compileCircuit } from '../../../lib/zk/compile.js';
import { generateGraphCircuit } from '../../../lib/zk/graph-circuit.js';
import { graphCircuitLayout } from '../../../lib/zk/graph-layout.js';
import { proveGraphInference, verifyGraphInference } from '../../../lib/zk/graph-prove.js';
import { setupGraph } from '../../../lib/zk/graph-setup.js';
import { closeSharedProver } from '../../../lib/zk/index.js';
import { packValues, unpackValues } from '../../../lib/zk/layout.js';
import { CIRCUIT_BUILD_DIR } from '../../../lib/zk/paths.js';
import { seededRandom } from '../../../lib/zk/sample-models.js';
import { R1cs } from './helpers.js';

const PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const win = (k: number, s: number, p = 0): Window => ({ kernel: [k, k], stride: [s, s], pads: [p, p, p, p] });
const ints = (...v: number[]): bigint[] => v.map(BigInt);

/** Graphs for the fusions and clamps the hand graphs do not reach, at S = 4. */
function fusionGraphs(): { name: string; graph: IntGraph; inputs: bigint[][] }[] {
  const out: { name: string; graph: IntGraph; inputs: bigint[][] }[] = [];
  {
    // conv → ReLU → max pool (deferred: one rescale per window) and conv → max pool with overlapping windows.
    const b = new GraphBuilder([1, 5, 5]);
    const conv = b.add({
      op: 'conv',
      inputs: [0],
      window: win(3, 1, 1),
      groups: 1,
      outChannels: 2,
      weights: [...Array(9).fill(3), ...Array(9).fill(-5)],
      bias: [-8, 100],
    });
    const pooled = b.add({ op: 'maxpool', inputs: [b.add({ op: 'relu', inputs: [conv] })], window: win(2, 2) });
    const conv2 = b.add({ op: 'conv', inputs: [0], window: win(2, 1), groups: 1, outChannels: 1, weights: [16, -16, 8, 0], bias: [7] });
    const pooled2 = b.add({ op: 'maxpool', inputs: [conv2], window: win(3, 1, 1) });
    const f1 = b.add({ op: 'reshape', inputs: [pooled], shape: [8] });
    const f2 = b.add({ op: 'reshape', inputs: [pooled2], shape: [16] });
    b.add({ op: 'concat', inputs: [f1, f2], axis: 0 });
    const plane = (f: (i: number) => number) => ints(...Array.from({ length: 25 }, (_, i) => f(i)));
    out.push({
      name: 'fused-maxpool',
      graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -40n, inputMax: 40n }),
      inputs: [plane(() => 0), plane(() => 7), plane((i) => (i % 2 ? -40 : 40)), plane((i) => i - 12), plane((i) => -((i * 7) % 41))],
    });
  }
  {
    // dense → leaky ReLU, dense → clip (both sides), hard sigmoid after a linear op, piecewise whose input never
    // falls below the table (no lower clamp) and one that never passes its top (no upper clamp).
    const b = new GraphBuilder([4]);
    const d = b.add({ op: 'dense', inputs: [0], outDim: 4, weights: [16, 0, 0, 0, 0, 16, 0, 0, 0, 0, 16, 0, 5, -7, 3, 1], bias: [0, -128, 128, 7] });
    const leaky = b.add({ op: 'leakyrelu', inputs: [d], alpha: 3 });
    const clip = b.add({ op: 'clip', inputs: [d], lo: -20n, hi: 33n });
    const hs = b.add({ op: 'hardsigmoid', inputs: [d], alpha: 3, beta: 128 });
    const relu = b.add({ op: 'relu', inputs: [d] });
    const sig = b.add({ inputs: [relu], ...piecewiseTable('sigmoid', 4) });
    const aff = b.add({ op: 'affine', inputs: [0], scale: [1, 1, 1, 1], bias: [0, 0, 0, 0] });
    const tanh = b.add({ inputs: [aff], ...piecewiseTable('tanh', 4) });
    b.add({ op: 'concat', inputs: [leaky, clip, hs, sig, tanh, relu], axis: 0 });
    out.push({
      name: 'activations-after-linear',
      graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -60n, inputMax: 60n }),
      inputs: [ints(0, 0, 0, 0), ints(-60, -60, -60, -60), ints(60, 60, 60, 60), ints(-21, -20, 33, 34), ints(-1, 1, -8, 8), ints(-43, 43, -32, 31)],
    });
  }
  {
    // Tanh-activated mini LeNet with average pooling and an argmax head.
    const b = new GraphBuilder([1, 6, 6]);
    const next = seededRandom(5);
    const w = (n: number) => Array.from({ length: n }, () => Math.round((next() * 2 - 1) * 12));
    const c = b.add({ op: 'conv', inputs: [0], window: win(3, 1), groups: 1, outChannels: 2, weights: w(18), bias: w(2).map((v) => v * 16) });
    const t = b.add({ inputs: [c], ...piecewiseTable('tanh', 4) });
    const p = b.add({ op: 'avgpool', inputs: [t], window: win(2, 2), countPad: false });
    const f = b.add({ op: 'reshape', inputs: [p], shape: [8] });
    b.add({ op: 'dense', inputs: [f], outDim: 3, weights: w(24), bias: [0, 0, 0] });
    const rand = () => Array.from({ length: 36 }, () => BigInt(Math.floor(next() * 33) - 16));
    out.push({
      name: 'mini-lenet-tanh',
      graph: b.build({ scaleBits: 4, outputKind: 'argmax', inputMin: -16n, inputMax: 16n }),
      inputs: [new Array<bigint>(36).fill(0n), new Array<bigint>(36).fill(16n), new Array<bigint>(36).fill(-16n), ...Array.from({ length: 8 }, rand)],
    });
  }
  {
    // A residual block: conv → ReLU → conv, added to its input, then ReLU (the add and the ReLU fold into the second
    // conv's rescale), and an add whose other input comes later (not folded).
    const b = new GraphBuilder([2, 3, 3]);
    const r1 = b.add({
      op: 'relu',
      inputs: [
        b.add({
          op: 'conv',
          inputs: [0],
          window: win(3, 1, 1),
          groups: 1,
          outChannels: 2,
          weights: Array.from({ length: 36 }, (_, i) => (i % 7) - 3),
          bias: [16, -40],
        }),
      ],
    });
    const r2 = b.add({
      op: 'conv',
      inputs: [r1],
      window: win(3, 1, 1),
      groups: 1,
      outChannels: 2,
      weights: Array.from({ length: 36 }, (_, i) => ((i * 5) % 9) - 4),
      bias: [-100, 30],
    });
    const sum = b.add({ op: 'relu', inputs: [b.add({ op: 'add', inputs: [0, r2] })] });
    const lin = b.add({ op: 'affine', inputs: [sum], scale: [16, -8], bias: [0, 64] });
    const later = b.add({ op: 'relu', inputs: [0] });
    b.add({ op: 'add', inputs: [lin, later] });
    out.push({
      name: 'residual-relu',
      graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -32n, inputMax: 32n }),
      inputs: [
        new Array<bigint>(18).fill(0n),
        new Array<bigint>(18).fill(32n),
        new Array<bigint>(18).fill(-32n),
        ints(...Array.from({ length: 18 }, (_, i) => ((i * 11) % 65) - 32)),
      ],
    });
  }
  {
    // Raw pixels 0..255 at 2^4, as the importer quantizes images: the range's upper bound 4080 = 0b1111_1111_0000.
    const b = new GraphBuilder([1, 3, 3]);
    const c = b.add({ op: 'conv', inputs: [0], window: win(2, 1), groups: 1, outChannels: 1, weights: [1, -1, 2, 0], bias: [3] });
    b.add({ op: 'avgpool', inputs: [b.add({ op: 'relu', inputs: [c] })], window: win(2, 2), countPad: false });
    out.push({
      name: 'pixel-range',
      graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: 0n, inputMax: 4080n }),
      inputs: [new Array<bigint>(9).fill(4080n), new Array<bigint>(9).fill(0n), ints(4080, 4079, 4064, 4063, 15, 16, 0, 1, 2048)],
    });
  }
  return out;
}

async function compileGraph(name: string, graph: IntGraph): Promise<{ c: CompileResult; estimate: number }> {
  const layout = graphCircuitLayout(graph);
  const gc = generateGraphCircuit(graph, layout);
  const dir = join(CIRCUIT_BUILD_DIR, 'test', 'graph', name);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'graph.circom');
  await writeFile(path, gc.source);
  return { c: await compileCircuit(path, { optimize: 'O1' }), estimate: gc.total };
}

async function witnessOf(c: CompileResult, graph: IntGraph, input: readonly bigint[]): Promise<bigint[]> {
  const layout = graphCircuitLayout(graph);
  const mem = { type: 'mem' as const };
  await snarkjs.wtns.calculate({ inPacked: packValues(layout.input, input).map(String), prover: '7' }, c.wasm, mem);
  return (await snarkjs.wtns.exportJson(mem)).map(BigInt);
}

const cases = [...HAND_GRAPHS, ...fusionGraphs()];

describe('graph circuit = reference executor, bit for bit', () => {
  for (const hg of cases) {
    it(`${hg.name}: every input, the R1CS satisfied, the constraint estimate exact`, async () => {
      const { c, estimate } = await compileGraph(hg.name, hg.graph);
      const layout = graphCircuitLayout(hg.graph);
      const r1cs = await R1cs.load(c);
      const info = await snarkjs.r1cs.info(c.r1cs);
      expect(info.nConstraints).toBe(estimate);
      for (const input of hg.inputs) {
        const w = await witnessOf(c, hg.graph, input);
        const out = unpackValues(layout.output, w.slice(1, 1 + layout.output.chunks));
        expect(out, `${hg.name} [${input.join(', ')}]`).toEqual(runGraph(hg.graph, input));
        expect(r1cs.satisfied(w)).toBe(true);
      }
    });
  }

  it('refuses an input above the range: every value just over 4080 fails the upper-bound check', async () => {
    const hg = cases.find((g) => g.name === 'pixel-range')!;
    const { c } = await compileGraph(hg.name, hg.graph);
    const layout = graphCircuitLayout(hg.graph);
    const packed = (values: bigint[]): string => values.reduce((acc, v, i) => acc + (v << BigInt(i * layout.input.width)), 0n).toString();
    for (const bad of [4081n, 4095n, 4096n - 16n + 1n]) {
      for (const at of [0, 8]) {
        const values = new Array<bigint>(9).fill(7n);
        values[at] = bad;
        const mem = { type: 'mem' as const };
        await expect(snarkjs.wtns.calculate({ inPacked: [packed(values)], prover: '7' }, c.wasm, mem), `${bad} at ${at}`).rejects.toThrow();
      }
    }
  });

  it('fuses ReLU and max pooling into the linear ops when that is cheaper', () => {
    const hg = cases.find((g) => g.name === 'fused-maxpool')!;
    const costs = generateGraphCircuit(hg.graph, graphCircuitLayout(hg.graph)).costs;
    // conv → ReLU → 2×2 pool: one rescale per window instead of four. The overlapping 3×3 pool after the second
    // conv compares nine wide accumulators per window: rescaling first is cheaper there, and the compiler keeps it.
    expect(costs.find((c) => c.name === 'conv0')!.note).toMatch(/^max pool maxpool2 and ReLU relu1 fused/);
    expect(costs.find((c) => c.name === 'conv3')!.note).toBe('');
    expect(costs.find((c) => c.name === 'maxpool4')).toBeDefined();
    const residual = cases.find((g) => g.name === 'residual-relu')!;
    const rc = generateGraphCircuit(residual.graph, graphCircuitLayout(residual.graph)).costs;
    expect(rc.find((c) => c.name === 'conv2')!.note).toBe('add add3 and ReLU relu4 folded into the rescale');
    expect(rc.find((c) => c.name === 'affine5')!.note).toBe('');
  });

  it('no bit of a decomposition can be flipped: every hint is pinned', async () => {
    const hg = cases.find((g) => g.name === 'fused-maxpool')!;
    const { c } = await compileGraph(hg.name, hg.graph);
    const r1cs = await R1cs.load(c);
    const w = await witnessOf(c, hg.graph, hg.inputs[3]!);
    const bitWires = [...r1cs.signals.entries()].filter(([name]) => /^main\.[bcsuvw]\d+\w*\[\d+\]$/.test(name)).map(([, wire]) => wire);
    expect(bitWires.length).toBeGreaterThan(100);
    // Every third bit wire (the R1CS evaluator is slow): each flip must break a constraint.
    for (const wire of bitWires.filter((_, i) => i % 3 === 0)) {
      const tampered = [...w];
      tampered[wire] = 1n - tampered[wire]!;
      expect(r1cs.satisfied(tampered), `wire ${wire}`).toBe(false);
    }
  });
});

describe('graph proofs end to end', () => {
  let root: string;
  const hg = HAND_GRAPHS.find((g) => g.name === 'graph-residual-argmax')!;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vai-zk-graph-'));
    await setupGraph(root, hg.graph, { name: 'residual' });
  });
  afterAll(async () => {
    await closeSharedProver();
    await rm(root, { recursive: true, force: true });
  });

  it('proves the reference output, verifies for its prover only, and refuses a wrong output', async () => {
    const input = hg.inputs[1]!;
    const proof = await proveGraphInference(root, hg.graph, input, PROVER);
    expect(proof.output).toEqual(runGraph(hg.graph, input));
    expect((await verifyGraphInference(root, hg.graph, { input, output: proof.output, prover: PROVER, proof: proof.proof })).valid).toBe(true);
    const other = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
    expect((await verifyGraphInference(root, hg.graph, { input, output: proof.output, prover: other, proof: proof.proof })).valid).toBe(false);
    const wrong = [(proof.output[0]! + 1n) % 3n];
    expect((await verifyGraphInference(root, hg.graph, { input, output: wrong, prover: PROVER, proof: proof.proof })).valid).toBe(false);
  });
});

describe('graph proofs with a committed input', () => {
  let root: string;
  const hg = HAND_GRAPHS.find((g) => g.name === 'graph-residual-argmax')!;
  const range = { inputMin: hg.graph.inputMin, inputMax: hg.graph.inputMax };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vai-zk-graph-committed-'));
    await setupGraph(root, hg.graph, { name: 'residual-committed', inputHash: 'poseidon' });
  });
  afterAll(async () => {
    await closeSharedProver();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the input private: the public signals are the output, the Poseidon commitment and the prover', () => {
    const plain = graphCircuitLayout(hg.graph);
    const layout = graphCircuitLayout(hg.graph, 'poseidon');
    expect(layout.nPublic).toBe(plain.output.chunks + 2);
    expect(layout.input).toEqual(plain.input);
    const source = generateGraphCircuit(hg.graph, layout).source;
    expect(source).toContain('component main { public [prover] }');
    expect(source).toContain('include "circomlib/circuits/poseidon.circom";');
    expect(source).toContain('signal output inCommitment;');
  });

  it('proves with the commitment TypeScript and the oracle compute, for its prover only, and for that input only', async () => {
    const [input, otherInput] = [hg.inputs[1]!, hg.inputs[2]!];
    const proof = await proveGraphInference(root, hg.graph, input, PROVER);
    expect(proof.output).toEqual(runGraph(hg.graph, input));
    const layout = graphCircuitLayout(hg.graph, 'poseidon');
    expect(proof.publicSignals).toHaveLength(layout.nPublic);
    expect(BigInt(proof.publicSignals[layout.output.chunks]!)).toBe(BigInt(inputCommitment(input, range)));
    const claim = { input, output: proof.output, prover: PROVER, proof: proof.proof };
    expect((await verifyGraphInference(root, hg.graph, claim)).valid).toBe(true);
    expect((await verifyGraphInference(root, hg.graph, { ...claim, prover: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' })).valid).toBe(false);
    expect((await verifyGraphInference(root, hg.graph, { ...claim, input: otherInput })).valid).toBe(false);
  });
});
