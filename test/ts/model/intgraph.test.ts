import { describe, expect, it } from 'vitest';
import { DataType, decodeOnnx, encodeOnnx } from '../../../lib/onnx/index.js';
import { CalibrationError } from '../../../lib/model/errors.js';
import { HAND_MODELS } from '../../../lib/model/hand-models.js';
import { importOnnx } from '../../../lib/model/import.js';
import { buildIntegerOnnx } from '../../../lib/model/intgraph.js';
import { openSession, runIntBatch } from '../../../lib/model/ort.js';
import { calibrate, calibrationRange } from '../../../lib/model/quantize.js';
import { edgeInputs } from '../../../lib/model/vectors.js';
import { ModelBoundsError, computeBounds, runReference, runReferenceTrace, type IntModel } from '../../../lib/semantics/index.js';
import { randomModel } from '../semantics/fixtures.js';
import { pytorchImageMlp, randomRows } from './fixtures.js';

async function expectAgreement(model: IntModel, inputs: bigint[][]): Promise<void> {
  const session = await openSession(encodeOnnx(buildIntegerOnnx(model, 'test')));
  const { outputs, logits } = await runIntBatch(session, inputs, model.layers[0]!.inDim, { withLogits: true });
  await session.release();
  inputs.forEach((input, r) => {
    const trace = runReferenceTrace(model, input);
    expect(outputs[r], `row ${r}`).toEqual(trace.output);
    expect(logits![r], `row ${r}`).toEqual(trace.layers.at(-1)!.y);
  });
}

describe('buildIntegerOnnx', () => {
  it('uses integer tensors and integer ops only', () => {
    const g = buildIntegerOnnx(HAND_MODELS[1]!.model, 'test').graph;
    expect(new Set(g.nodes.map((n) => n.opType))).toEqual(new Set(['MatMul', 'Add', 'Mod', 'Sub', 'Div', 'Less', 'Where', 'Identity', 'ArgMax']));
    expect(g.initializers.every((t) => t.dataType === DataType.INT64)).toBe(true);
    expect([...g.inputs, ...g.outputs].every((v) => v.elemType === DataType.INT64)).toBe(true);
    expect(g.inputs[0]!.shape).toEqual(['batch', 2]);
    const argmaxNode = g.nodes.find((n) => n.opType === 'ArgMax')!;
    expect(argmaxNode.attributes).toContainEqual({ name: 'select_last_index', kind: 'int', value: 0n });
    expect(g.nodes.find((n) => n.opType === 'Mod')!.attributes).toContainEqual({ name: 'fmod', kind: 'int', value: 0n });
  });

  it('floors negative values where integer Div alone would truncate', async () => {
    const { model } = HAND_MODELS[0]!;
    await expectAgreement(model, [[-587n], [-640n], [-641n], [-128n], [-129n], [128n]]);
    expect(runReference(model, [-587n])[0]).toBe(-2n);
    expect(runReference(model, [-641n])[0]).toBe(-3n);
  });

  it('applies ReLU exactly to values beyond 2^31 (where int64 Max in onnxruntime is wrong)', async () => {
    const model: IntModel = {
      scaleBits: 1,
      outputKind: 'logits',
      inputMin: -(1n << 40n),
      inputMax: 1n << 40n,
      layers: [
        { inDim: 1, outDim: 1, relu: true, weights: [[2]], bias: [0] },
        { inDim: 1, outDim: 1, relu: false, weights: [[2]], bias: [0] },
      ],
    };
    const xs = [3389447714n, 2147483648n, 4294967295n, 7171327842n, -3958692397n, -2147483649n, 1n << 40n, -(1n << 40n)];
    await expectAgreement(
      model,
      xs.map((x) => [x]),
    );
    expect(runReference(model, [3389447714n])).toEqual([3389447714n]);
  });

  it('agrees with the reference on the hand models, argmax ties included', async () => {
    for (const { model, inputs } of HAND_MODELS) await expectAgreement(model, [...inputs, ...edgeInputs(model, 20, 1)]);
    expect(runReference(HAND_MODELS[1]!.model, [4n, 4n])).toEqual([0n]); // logits 0 and 1 tie
  });

  it('agrees with the reference on random models with values of every width', async () => {
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const model = randomModel(seed, seed % 2 ? [6, 5, 4] : [3, 7, 2, 5]);
      try {
        computeBounds(model);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelBoundsError);
        expect(() => buildIntegerOnnx(model, 'test')).toThrow(ModelBoundsError);
        continue;
      }
      await expectAgreement(model, edgeInputs(model, 30, seed));
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('calibrate', () => {
  const mlp = importOnnx(decodeOnnx(encodeOnnx(pytorchImageMlp())));
  const rows = randomRows(200, 64, 0, 16, 5);

  it('takes the smallest bounded scale within the tolerance', async () => {
    const c = await calibrate(mlp, rows, { outputKind: 'argmax', producerVersion: 'test', tolerance: 0.01 });
    expect(c.figures.maxLogitError).toBeLessThanOrEqual(0.01);
    for (const t of c.tried.slice(0, -1)) {
      if ('maxLogitError' in t) expect(t.maxLogitError).toBeGreaterThan(0.01);
    }
    expect(c.tried.at(-1)).toEqual(c.figures);
    expect(c.model.inputMin).toBe(0n);
    expect(c.model.inputMax).toBe(16n << BigInt(c.model.scaleBits));
    const looser = await calibrate(mlp, rows, { outputKind: 'argmax', producerVersion: 'test', tolerance: 0.5 });
    expect(looser.model.scaleBits).toBeLessThan(c.model.scaleBits);
  });

  it('honours a fixed scale and an explicit input range', async () => {
    const c = await calibrate(mlp, rows, { outputKind: 'logits', producerVersion: 'test', scaleBits: 9, inputRange: [-1, 20] });
    expect(c.model.scaleBits).toBe(9);
    expect([c.model.inputMin, c.model.inputMax]).toEqual([-512n, 20n * 512n]);
  });

  it('refuses when no scale passes the bounds rule', async () => {
    await expect(calibrate(mlp, rows, { outputKind: 'argmax', producerVersion: 'test', inputRange: [0, 1e15] })).rejects.toThrow(CalibrationError);
    await expect(calibrate(mlp, [], { outputKind: 'argmax', producerVersion: 'test' })).rejects.toThrow(/empty/);
    await expect(calibrate(mlp, [new Float64Array(3)], { outputKind: 'argmax', producerVersion: 'test' })).rejects.toThrow(
      /row 1 has 3 values, the model takes 64/,
    );
  });

  it('rounds the calibration range outward', () => {
    expect(calibrationRange([Float64Array.from([-0.5, 2.2]), Float64Array.from([1, 3.01])])).toEqual([-1, 4]);
  });
});
