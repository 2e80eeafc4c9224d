import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOnnx, encodeOnnx, floatTensor, node, type OnnxModel } from '../../../lib/onnx/index.js';
import { OnnxImportError, UnsupportedOpError } from '../../../lib/model/errors.js';
import { argmax, forwardFloat, type FloatMlp } from '../../../lib/model/float.js';
import { importOnnx } from '../../../lib/model/import.js';
import { evalModel } from '../../../lib/model/eval-action.js';
import { importModel } from '../../../lib/model/import-action.js';
import { openSession, runFloatBatch, runIntBatch } from '../../../lib/model/ort.js';
import { checkAgreement, loadModelDir } from '../../../lib/model/pipeline.js';
import { computeBounds, quantize, runReference } from '../../../lib/semantics/index.js';
import { pytorchImageMlp, randomRows, sklearnDouble, standardizedGemm, tempDir, tf2onnxMatMul, toCsv } from './fixtures.js';
import { PROJECT_ROOT } from '../../../lib/project.js';

const cases: { name: string; build: () => OnnxModel; featureShape: number[]; lo: number; hi: number; layers: number; head: string }[] = [
  { name: 'PyTorch Flatten + Gemm(transB=1)', build: pytorchImageMlp, featureShape: [1, 8, 8], lo: 0, hi: 16, layers: 2, head: 'logits' },
  { name: 'Sub/Div standardization + Gemm + Softmax', build: standardizedGemm, featureShape: [4], lo: 4, hi: 8, layers: 2, head: 'softmax' },
  { name: 'tf2onnx Reshape + MatMul/Add, opset 11', build: tf2onnxMatMul, featureShape: [2, 4], lo: -3, hi: 3, layers: 2, head: 'logits' },
  {
    name: 'skl2onnx Mul/Add + Gemm(alpha, beta, transB=0), float64, ArgMax',
    build: sklearnDouble,
    featureShape: [3],
    lo: -2,
    hi: 2,
    layers: 1,
    head: 'argmax',
  },
];

/** The folded float layers compute what onnxruntime computes on the source graph. */
async function expectMatchesOnnxruntime(bytes: Uint8Array, mlp: FloatMlp, rows: Float64Array[], featureShape: number[]): Promise<void> {
  const session = await openSession(bytes);
  const ort = await runFloatBatch(session, rows, featureShape);
  await session.release();
  rows.forEach((row, r) => {
    const mine = forwardFloat(mlp, row);
    if (mlp.head === 'argmax') expect(argmax(mine)).toBe(ort[r]![0]);
    else if (mlp.head === 'softmax') expect(argmax(mine)).toBe(argmax(ort[r]!));
    else for (const [j, v] of mine.entries()) expect(v).toBeCloseTo(ort[r]![j]!, 4);
  });
}

describe('importOnnx', () => {
  for (const c of cases) {
    it(`${c.name}: folds to dense layers that compute what onnxruntime computes`, async () => {
      const bytes = encodeOnnx(c.build());
      const mlp = importOnnx(decodeOnnx(bytes));
      expect(mlp.layers.length).toBe(c.layers);
      expect(mlp.head).toBe(c.head);
      const length = c.featureShape.reduce((a, d) => a * d, 1);
      expect(mlp.inputLength).toBe(length);
      await expectMatchesOnnxruntime(bytes, mlp, randomRows(50, length, c.lo, c.hi, 1), c.featureShape);
    });

    it(`${c.name}: quantizes with valid bounds and onnxruntime agrees with the reference`, async () => {
      const dir = await tempDir();
      const onnxPath = join(dir, 'source.onnx');
      const csvPath = join(dir, 'calibration.csv');
      const length = c.featureShape.reduce((a, d) => a * d, 1);
      await writeFile(onnxPath, encodeOnnx(c.build()));
      await writeFile(csvPath, toCsv(randomRows(200, length, c.lo, c.hi, 2)));
      const out = join(dir, 'model');
      const result = await importModel({ onnx: onnxPath, calibrate: csvPath, out });
      expect(result.manifest.outputKind).toBe(c.head === 'logits' ? 'logits' : 'argmax');
      expect(result.manifest.inputShape).toEqual([1, ...c.featureShape]);
      expect(result.manifest.inputRange).toEqual([
        String(quantize(Math.floor(c.lo), result.model.scaleBits)),
        String(quantize(Math.ceil(c.hi), result.model.scaleBits)),
      ]);
      const bounds = computeBounds(result.model);
      expect(result.manifest.layers.map((l) => l.bounds)).toEqual(
        bounds.map((b) => ({
          accMin: String(b.accMin),
          accMax: String(b.accMax),
          outMin: String(b.outMin),
          outMax: String(b.outMax),
        })),
      );
      expect(result.calibration.figures.maxLogitError).toBeLessThanOrEqual(result.calibration.tolerance);
      expect((await readdir(out)).sort()).toEqual(['model.int.onnx', 'model.json', 'model.onnx']);

      const loaded = await loadModelDir(out);
      const inputs = randomRows(300, length, c.lo, c.hi, 3).map((r) => Array.from(r, (v) => quantize(v, loaded.model.scaleBits)));
      inputs.push(new Array<bigint>(length).fill(loaded.model.inputMin), new Array<bigint>(length).fill(loaded.model.inputMax));
      const session = await openSession(loaded.intOnnx);
      const { outputs } = await runIntBatch(session, inputs, length);
      await session.release();
      for (const [r, input] of inputs.entries()) expect(outputs[r]).toEqual(runReference(loaded.model, input));

      // eval reads the float graph whatever its head (logits, probabilities or a class index).
      const mlp = importOnnx(decodeOnnx(encodeOnnx(c.build())));
      const evalRows = randomRows(100, length, c.lo, c.hi, 6);
      const labelled = join(dir, 'labelled.csv');
      await writeFile(
        labelled,
        toCsv(
          evalRows,
          evalRows.map((r) => argmax(forwardFloat(mlp, r))),
        ),
      );
      const e = await evalModel({ dir: out, data: labelled, timedRows: 2 });
      expect(e.floatAccuracy).toBe(1);
      expect(e.engineAgreement).toBe(1);
      expect(e.floatIntegerAgreement!).toBeGreaterThanOrEqual(0.97);
      expect(e.maxLogitError!).toBeLessThanOrEqual(0.05);
    });
  }

  describe('files written by torch.onnx.export (PyTorch 1.13, test/fixtures/onnx)', () => {
    const real = [
      { file: 'torch_flatten_gemm_opset17.onnx', featureShape: [1, 8, 8], lo: 0, hi: 16, layers: 2, head: 'logits' },
      { file: 'torch_standardized_opset13.onnx', featureShape: [4], lo: 4, hi: 8, layers: 2, head: 'softmax' },
      { file: 'torch_linear_dropout_opset11.onnx', featureShape: [8], lo: 0, hi: 1, layers: 2, head: 'logits' },
    ];
    for (const c of real) {
      it(`${c.file}: imports, matches onnxruntime, quantizes with engine agreement`, async () => {
        const path = join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', c.file);
        const bytes = new Uint8Array(await readFile(path));
        const mlp = importOnnx(decodeOnnx(bytes));
        expect(mlp.layers.length).toBe(c.layers);
        expect(mlp.head).toBe(c.head);
        expect(mlp.inputShape).toEqual(['batch_size', ...c.featureShape]);
        const length = c.featureShape.reduce((a, d) => a * d, 1);
        const rows = randomRows(100, length, c.lo, c.hi, 4);
        await expectMatchesOnnxruntime(bytes, mlp, rows, c.featureShape);
        const dir = await tempDir();
        const csv = join(dir, 'calibration.csv');
        await writeFile(csv, toCsv(rows));
        const result = await importModel({ onnx: path, calibrate: csv, out: join(dir, 'model') });
        const loaded = await loadModelDir(result.dir);
        const inputs = randomRows(200, length, c.lo, c.hi, 5).map((r) => Array.from(r, (v) => quantize(v, loaded.model.scaleBits)));
        await checkAgreement(loaded.model, loaded.intOnnx, inputs);
      });
    }
  });

  it('folds the standardization into layer 0 (no separate scaling layer)', () => {
    const mlp = importOnnx(standardizedGemm());
    const x = [5, 3, 4, 1];
    const z = x.map((v, i) => (v - [5.8, 3.0, 3.7, 1.2][i]!) / [0.8, 0.4, 1.7, 0.75][i]!);
    const w1 = standardizedGemm().graph.initializers.find((t) => t.name === 'w1')!.data as Float64Array;
    const b1 = standardizedGemm().graph.initializers.find((t) => t.name === 'b1')!.data as Float64Array;
    const layer0 = mlp.layers[0]!;
    expect(layer0.inDim).toBe(4);
    for (let j = 0; j < 6; j++) {
      const want = Math.max(0, b1[j]! + z.reduce((s, v, i) => s + v * w1[j * 4 + i]!, 0));
      const got = Math.max(0, layer0.bias[j]! + x.reduce((s, v, i) => s + v * layer0.weights[j * 4 + i]!, 0));
      expect(got).toBeCloseTo(want, 9);
    }
  });

  it('names the op and the node of an unsupported operator', () => {
    const m = pytorchImageMlp();
    m.graph.nodes[2] = node('Sigmoid', ['/fc1/Gemm_output_0'], ['/relu/Relu_output_0'], [], '/act/Sigmoid');
    expect(() => importOnnx(m)).toThrow(UnsupportedOpError);
    expect(() => importOnnx(m)).toThrow('Unsupported ONNX op Sigmoid in node "/act/Sigmoid"');
  });

  it('refuses a Div of a constant by the data, and branching graphs', () => {
    const m = standardizedGemm();
    m.graph.nodes[1] = node('Div', ['std', 'centered'], ['scaled'], [], '/Div');
    expect(() => importOnnx(m)).toThrow(/Div.*not linear/);
    const b = tf2onnxMatMul();
    b.graph.nodes[4] = node('MatMul', ['a0', 'W1'], ['mm1'], [], 'skip');
    expect(() => importOnnx(b)).toThrow(OnnxImportError);
  });

  it('refuses partial broadcasts and matrix products on unflattened rows', () => {
    const m = tf2onnxMatMul(); // input rows of shape [2, 4]
    m.graph.initializers.push(floatTensor('four', [4], [1, 2, 3, 4]));
    m.graph.nodes.unshift(node('Mul', ['dense_input', 'four'], ['scaled_input'], [], 'partial'));
    m.graph.nodes[1]!.inputs[0] = 'scaled_input';
    expect(() => importOnnx(m)).toThrow(/combines a row of shape \[2, 4\] with a constant of shape \[4\]/);
    const u = tf2onnxMatMul();
    u.graph.nodes.shift();
    u.graph.nodes[0]!.inputs[0] = 'dense_input';
    expect(() => importOnnx(u)).toThrow(/needs a flat \[batch, n\] input, not rows of shape \[2, 4\]/);
  });

  it('refuses a graph whose input has unknown feature dimensions', () => {
    const m = tf2onnxMatMul();
    m.graph.inputs[0]!.shape = ['unk__6', 'unk__7'];
    expect(() => importOnnx(m)).toThrow(/must be fixed except the batch dimension/);
  });
});
