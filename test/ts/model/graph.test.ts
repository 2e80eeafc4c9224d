import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../../lib/data/csv.js';
import { evalModel } from '../../../lib/model/eval-action.js';
import { type FloatGraph, forwardFloatGraph } from '../../../lib/model/float-graph.js';
import { quantizeGraph } from '../../../lib/model/graph-quantize.js';
import { importOnnxGraph } from '../../../lib/model/graph-import.js';
import { buildGraphOnnx, float64Exact } from '../../../lib/model/graph-onnx.js';
import { checkGraphAgreement, loadGraphDir } from '../../../lib/model/graph-pipeline.js';
import { HAND_GRAPHS } from '../../../lib/model/hand-graphs.js';
import { importAnyModel, importModel } from '../../../lib/model/import-action.js';
import { openSession, runFloatBatch } from '../../../lib/model/ort.js';
import { createRandom } from '../../../lib/model/random.js';
import { attrFloat, attrInt, attrInts, DataType, decodeOnnx, encodeOnnx, floatTensor, node, type OnnxModel, valueInfo } from '../../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { compileGraph, GraphBoundsError, GraphBuilder, type IntGraph } from '../../../lib/semantics/index.js';
import { toCsv } from './fixtures.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const fixture = (name: string) => join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', name);
const CNN_FIXTURES = [
  'cnn_bn_nobias_flatten_opset13.onnx',
  'cnn_view_residual_tanh_opset11.onnx',
  'cnn_mixed_ops_opset17.onnx',
  'cnn_gap_stride_softmax_opset12.onnx',
];

/** The same graph over a much wider input range, so that the writer must use int64 kernels. */
function wideRange(graph: IntGraph): IntGraph | null {
  for (let bits = 50n; bits >= 20n; bits -= 2n) {
    const wide = { ...graph, inputMin: -(1n << bits), inputMax: 1n << bits };
    try {
      if (!float64Exact(compileGraph(wide))) return wide;
    } catch (e) {
      if (!(e instanceof GraphBoundsError)) throw e;
    }
  }
  return null;
}

function randomInputs(graph: IntGraph, rows: number, seed: number): bigint[][] {
  const next = createRandom(seed);
  const n = graph.inputShape.reduce((a, d) => a * d, 1);
  const span = Number(graph.inputMax - graph.inputMin);
  return Array.from({ length: rows }, () => Array.from({ length: n }, () => graph.inputMin + BigInt(Math.floor(next() * span))));
}

describe('integer graph in onnxruntime', () => {
  it('agrees with the reference on every hand graph, with float64 kernels and with int64 kernels', async () => {
    let int64Graphs = 0;
    for (const { name, graph, inputs } of HAND_GRAPHS) {
      expect(float64Exact(compileGraph(graph)), name).toBe(true);
      await checkGraphAgreement(graph, encodeOnnx(buildGraphOnnx(graph, 'test')), [...inputs, ...randomInputs(graph, 4, 3)]);
      const wide = wideRange(graph);
      if (!wide) continue;
      int64Graphs++;
      const big = randomInputs(wide, 6, 9);
      // Values around 2^31 and 2^32, where onnxruntime's int64 Max/Min go wrong.
      const near = (v: bigint) => (v > wide.inputMax ? wide.inputMax : v < wide.inputMin ? wide.inputMin : v);
      big.push(big[0]!.map((_, i) => near(i % 2 === 0 ? 3389447714n : -2147483648n)));
      await checkGraphAgreement(wide, encodeOnnx(buildGraphOnnx(wide, 'test')), big);
    }
    expect(int64Graphs).toBeGreaterThanOrEqual(3);
  });
});

describe('integer graph in onnxruntime: random convolutions and pools', () => {
  it('agrees with the reference on random conv → maxpool/avgpool graphs (padding, strides, groups)', async () => {
    const next = createRandom(11);
    const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
    for (let trial = 0; trial < 12; trial++) {
      const groups = [1, 2, 4][trial % 3]!;
      const c = groups === 4 ? 4 : groups * int(1, 2);
      const b = new GraphBuilder([c, int(5, 9), int(5, 9)]);
      const k = int(1, 3);
      const pads: [number, number, number, number] = [int(0, 2), int(0, 2), int(0, 2), int(0, 2)];
      const out = groups * int(1, 2);
      const conv = b.add({
        op: 'conv',
        inputs: [0],
        window: { kernel: [k, k], stride: [int(1, 2), int(1, 2)], pads },
        groups,
        outChannels: out,
        weights: Array.from({ length: out * (c / groups) * k * k }, () => int(-60, 60)),
        bias: Array.from({ length: out }, () => int(-5000, 5000)),
      });
      const pk = int(2, 3);
      const win = {
        kernel: [pk, pk] as [number, number],
        stride: [int(1, 2), int(1, 2)] as [number, number],
        pads: [int(0, 1), int(0, 1), int(0, 1), int(0, 1)] as [number, number, number, number],
      };
      const pool = b.add(
        trial % 2 === 0 ? { op: 'maxpool', inputs: [conv], window: win } : { op: 'avgpool', inputs: [conv], window: win, countPad: trial % 4 === 1 },
      );
      b.add({ op: 'reshape', inputs: [pool], shape: [b.shapeOf(pool).reduce((a, d) => a * d, 1)] });
      const graph = b.build({ scaleBits: int(3, 8), outputKind: 'logits', inputMin: -500n, inputMax: 500n });
      await checkGraphAgreement(graph, encodeOnnx(buildGraphOnnx(graph, 'test')), randomInputs(graph, 5, trial));
      const wide = wideRange(graph);
      if (wide) await checkGraphAgreement(wide, encodeOnnx(buildGraphOnnx(wide, 'test')), randomInputs(wide, 3, trial));
    }
  });
});

describe('graph import (torch.onnx.export files)', () => {
  it('reads each CNN fixture into a float graph that matches onnxruntime on the float model', async () => {
    const digits = await readCsv(join(PROJECT_ROOT, 'data', 'digits.csv.gz'));
    const rows = digits.rows.slice(0, 20);
    for (const name of CNN_FIXTURES) {
      const bytes = new Uint8Array(await readFile(fixture(name)));
      const g = importOnnxGraph(decodeOnnx(bytes));
      expect(g.inputShape).toEqual([1, 8, 8]);
      // Batch normalization right after a convolution is folded; the one after a ReLU stays an affine node.
      expect(g.nodes.filter((n) => n.op === 'affine').length, name).toBe(name.includes('mixed') ? 1 : 0);
      const session = await openSession(bytes);
      const ort = await runFloatBatch(session, rows, g.inputShape);
      await session.release();
      rows.forEach((r, i) => {
        let y = forwardFloatGraph(g, r);
        if (g.head === 'softmax') {
          const m = Math.max(...y);
          const e = y.map((v) => Math.exp(v - m));
          const z = e.reduce((a, b) => a + b, 0);
          y = e.map((v) => v / z);
        }
        y.forEach((v, j) => {
          expect(Math.abs(v - ort[i]![j]!), name).toBeLessThan(1e-4);
        });
      });
    }
  });

  it('folds the shape sub-graph of x.view(x.size(0), -1) and keeps the residual Add', async () => {
    const g = importOnnxGraph(decodeOnnx(new Uint8Array(await readFile(fixture('cnn_view_residual_tanh_opset11.onnx')))));
    expect(g.nodes.map((n) => n.op)).toEqual(['conv', 'relu', 'conv', 'relu', 'add', 'avgpool', 'reshape', 'dense', 'tanh', 'dense']);
    expect(g.nodes[4]!.inputs).toEqual([2, 4]);
  });

  it('reads a tf2onnx-style NHWC graph (Transpose at the input) with a BatchNorm after a dense layer', async () => {
    const next = createRandom(4);
    const vals = (n: number) => Array.from({ length: n }, () => next() - 0.5);
    const F = DataType.FLOAT;
    const m: OnnxModel = {
      irVersion: 8,
      producerName: 'tf2onnx',
      producerVersion: '1.16',
      opsets: [{ domain: '', version: 13 }],
      graph: {
        name: 'nhwc',
        nodes: [
          node('Transpose', ['input'], ['nchw'], [attrInts('perm', [0, 3, 1, 2])], 'model/transpose'),
          node(
            'Conv',
            ['nchw', 'k', 'kb'],
            ['c'],
            [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1]), attrInts('strides', [2, 2])],
            'model/conv',
          ),
          node('Relu', ['c'], ['r'], [], 'model/relu'),
          node('GlobalAveragePool', ['r'], ['g'], [], 'model/gap'),
          node('Flatten', ['g'], ['f'], [], 'model/flatten'),
          node('Gemm', ['f', 'w', 'b'], ['d'], [attrInt('transB', 1)], 'model/dense'),
          node('BatchNormalization', ['d', 'gamma', 'beta', 'mean', 'var'], ['bn'], [attrFloat('epsilon', 0.001)], 'model/bn'),
          node('Softmax', ['bn'], ['probs'], [attrInt('axis', 1)], 'model/softmax'),
        ],
        initializers: [
          floatTensor('k', [4, 1, 3, 3], vals(36)),
          floatTensor('kb', [4], vals(4)),
          floatTensor('w', [3, 4], vals(12)),
          floatTensor('b', [3], vals(3)),
          floatTensor('gamma', [3], [1.5, 0.5, 2]),
          floatTensor('beta', [3], [0.1, -0.2, 0.3]),
          floatTensor('mean', [3], [0.05, 0.1, -0.1]),
          floatTensor('var', [3], [0.5, 2, 1]),
        ],
        inputs: [valueInfo('input', F, ['unk__0', 8, 8, 1])],
        outputs: [valueInfo('probs', F, ['unk__0', 3])],
      },
    };
    const g = importOnnxGraph(m);
    expect(g.head).toBe('softmax');
    expect(g.nodes.map((n) => n.op)).toEqual(['transpose', 'conv', 'relu', 'avgpool', 'reshape', 'dense']); // BatchNorm folded into the dense layer
    const rows = Array.from({ length: 5 }, () => Float64Array.from(vals(64).map((v) => v * 32)));
    const session = await openSession(encodeOnnx(m));
    const ort = await runFloatBatch(session, rows, [8, 8, 1]);
    await session.release();
    rows.forEach((r, i) => {
      const y = forwardFloatGraph(g, r);
      const e = y.map((v) => Math.exp(v - Math.max(...y)));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => {
        expect(Math.abs(v / z - ort[i]![j]!)).toBeLessThan(1e-5);
      });
    });
  });

  it('refuses an unsupported op naming it and its node', async () => {
    const m = decodeOnnx(new Uint8Array(await readFile(fixture('cnn_bn_nobias_flatten_opset13.onnx'))));
    const relu = m.graph.nodes.findIndex((n) => n.opType === 'Relu');
    const r = m.graph.nodes[relu]!;
    m.graph.nodes[relu] = node('Softplus', r.inputs, r.outputs, [], '/act/Softplus');
    expect(() => importOnnxGraph(m)).toThrow('Unsupported ONNX op Softplus in node "/act/Softplus"');
    const pool = m.graph.nodes.find((n) => n.opType === 'MaxPool')!;
    pool.attributes = [...pool.attributes.filter((a) => a.name !== 'dilations'), { name: 'dilations', kind: 'ints', value: [2n, 2n] }];
    m.graph.nodes[relu] = r;
    expect(() => importOnnxGraph(m)).toThrow(/MaxPool in node ".*": dilations \[2, 2\]/);
  });
});

describe('graph model folders', () => {
  let dir: string;
  let csv: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vai-graph-'));
    const digits = await readCsv(join(PROJECT_ROOT, 'data', 'digits.csv.gz'));
    csv = join(dir, 'digits-300.csv');
    await writeFile(csv, toCsv(digits.rows.slice(0, 300), digits.labels.slice(0, 300)));
  });

  it('imports, calibrates and evaluates every CNN fixture; engines agree; integer accuracy is close to float', async () => {
    for (const name of CNN_FIXTURES) {
      const out = join(dir, name.replace('.onnx', ''));
      const r = await importAnyModel({ onnx: fixture(name), calibrate: csv, out });
      if (r.kind !== 'graph') throw new Error(`${name} imported as a ${r.kind} model, not a graph`);
      expect(r.manifest.format).toBe('vai-int-graph/1');
      expect(r.calibration.figures.maxLogitError).toBeLessThanOrEqual(0.02);
      const e = await evalModel({ dir: out, data: csv, timedRows: 2 });
      expect(e.engineAgreement).toBe(1);
      expect(e.floatAccuracy).not.toBeNull();
      expect(Math.abs(e.integerAccuracy - e.floatAccuracy!), name).toBeLessThanOrEqual(0.005);
      const loaded = await loadGraphDir(out);
      expect(loaded.manifest.modelHash).toBe(r.manifest.modelHash);
    }
  });

  it('takes integer inputs at scale 1 (--input-scale-bits 0): the first linear op carries 2^(2S), clients quantize at 2^0', async () => {
    const onnx = fixture(CNN_FIXTURES[0]!);
    const out = join(dir, 'input-scale-0');
    const r = await importAnyModel({ onnx, calibrate: csv, out, scaleBits: 8, inputScaleBits: 0 });
    if (r.kind !== 'graph') throw new Error('expected a graph');
    expect(r.manifest.inputScaleBits).toBe(0);
    expect(r.manifest.inputRange).toEqual(['0', '16']);
    const loaded = await loadGraphDir(out);
    expect(loaded.graph.inputScaleBits).toBe(0);
    expect(loaded.manifest.modelHash).toBe(r.manifest.modelHash);
    // The same network at the usual input scale: the first op's weights are 2^8 times finer at input scale 0.
    const usual = await importAnyModel({ onnx, calibrate: csv, out: join(dir, 'input-scale-8'), scaleBits: 8 });
    if (usual.kind !== 'graph') throw new Error('expected a graph');
    expect(usual.manifest.inputScaleBits).toBeUndefined();
    expect(usual.manifest.inputRange).toEqual(['0', String(16 * 256)]);
    const first = (g: IntGraph): number[] => {
      const n = g.nodes.find((x) => x.inputs.includes(0))!;
      return n.op === 'conv' || n.op === 'dense' ? n.weights : n.op === 'affine' ? n.scale : [];
    };
    const w0 = first(loaded.graph);
    const w8 = first(usual.graph);
    expect(w0.length).toBeGreaterThan(0);
    for (const [i, w] of w0.entries()) expect(Math.abs(w - w8[i]! * 256)).toBeLessThanOrEqual(128);
    const e = await evalModel({ dir: out, data: csv, timedRows: 2 });
    expect(e.engineAgreement).toBe(1);
    expect(Math.abs(e.integerAccuracy - e.floatAccuracy!)).toBeLessThanOrEqual(0.01);
    // A non-linear op on the input cannot take it at another scale.
    const reluFirst: FloatGraph = {
      sourceInputShape: ['batch', 4],
      inputShape: [4],
      head: 'logits',
      nodes: [
        { op: 'relu', inputs: [0], shape: [4], name: 'r' },
        { op: 'dense', inputs: [1], shape: [2], name: 'd', outDim: 2, weights: [1, 0, 0, 1, 0, 1, 1, 0], bias: [0, 0] },
      ],
    };
    expect(() => quantizeGraph(reluFirst, 8, 'logits', 0n, 16n, 0)).toThrow(/needs every op that reads the input to be linear.*r is relu/);
    expect(quantizeGraph(reluFirst, 8, 'logits', 0n, 16n * 256n).inputScaleBits).toBeUndefined();
    await expect(importAnyModel({ onnx, calibrate: csv, out: join(dir, 'bad-s'), scaleBits: 8, inputScaleBits: 9 })).rejects.toThrow(
      /inputScaleBits 8 is outside|no scale passes/,
    );
  });

  it('keeps dense-only networks on the chain path with the same hash', async () => {
    const onnx = fixture('torch_flatten_gemm_opset17.onnx');
    const chain = await importModel({ onnx, calibrate: csv, out: join(dir, 'mlp-a') });
    const any = await importAnyModel({ onnx, calibrate: csv, out: join(dir, 'mlp-b') });
    expect(any.kind).toBe('chain');
    expect(any.manifest.modelHash).toBe(chain.manifest.modelHash);
  });

  it('refuses a folder whose integer graph or manifest was edited', async () => {
    const out = join(dir, 'edited');
    await importAnyModel({ onnx: fixture('cnn_bn_nobias_flatten_opset13.onnx'), calibrate: csv, out, scaleBits: 8 });
    const manifestPath = join(out, 'model.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.graph.nodes[0].bias[0] += 1;
    await writeFile(manifestPath, JSON.stringify(manifest));
    await expect(loadGraphDir(out)).rejects.toThrow(/modelHash/);
  });

  it('vai model import and eval --json work on a CNN the project has never seen', async () => {
    const vai = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'vai.js'), ...args], { cwd: PROJECT_ROOT }, (err, stdout, stderr) => {
          resolve({ code: err ? 1 : 0, stdout, stderr });
        });
      });
    const out = join(dir, 'cli');
    const imported = await vai('model', 'import', fixture('cnn_view_residual_tanh_opset11.onnx'), '--calibrate', csv, '--out', out, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    const m = JSON.parse(imported.stdout);
    expect(m.kind).toBe('graph');
    expect(m.format).toBe('vai-int-graph/1');
    expect(m.inputShape).toEqual([1, 1, 8, 8]);
    const evaluated = await vai('model', 'eval', out, '--data', csv, '--json', '--timed-rows', '5');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    expect(e.engineAgreement).toBe(1);
    expect(e.floatAccuracy).toBeGreaterThan(0.9);
    expect(Math.abs(e.integerAccuracy - e.floatAccuracy)).toBeLessThanOrEqual(0.005);
    // The first digits row (a 0), as raw pixel values.
    const zero =
      '[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]';
    const ran = await vai('model', 'run', out, '--input', zero, '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const r = JSON.parse(ran.stdout) as { output: string[]; engines: string[] };
    expect(r.engines).toEqual(['onnxruntime', 'reference']);
    expect(r.output).toHaveLength(10); // a logits head: the class is the largest
    expect(r.output.map(Number).indexOf(Math.max(...r.output.map(Number)))).toBe(0);
  });
});
