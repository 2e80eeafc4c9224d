import { describe, expect, it } from 'vitest';
import { DataType, OnnxDecodeError, decodeOnnx, encodeOnnx } from '../../../lib/onnx/index.js';
import { openSession, runFloatBatch } from '../../../lib/model/ort.js';
import { pytorchImageMlp, sklearnDouble, tf2onnxMatMul } from './fixtures.js';

describe('decodeOnnx / encodeOnnx', () => {
  it('round-trips a model with raw_data tensors', () => {
    const m = pytorchImageMlp();
    const back = decodeOnnx(encodeOnnx(m));
    expect(back.graph.nodes.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm']);
    expect(back.graph.inputs[0]!.shape).toEqual(['batch_size', 1, 8, 8]);
    expect(back.opsets).toEqual([{ domain: '', version: 17 }]);
    const w = back.graph.initializers.find((t) => t.name === 'fc1.weight')!;
    expect(w.dims).toEqual([16, 64]);
    // float32 storage: values come back rounded to float32
    expect(Array.from(w.data as Float64Array)).toEqual(Array.from(Float32Array.from(m.graph.initializers[0]!.data as Float64Array)));
  });

  it('reads typed float_data, double_data and int64_data fields', () => {
    for (const m of [tf2onnxMatMul(), sklearnDouble()]) {
      const raw = decodeOnnx(encodeOnnx(m, 'raw'));
      const typed = decodeOnnx(encodeOnnx(m, 'typed'));
      expect(typed.graph.initializers).toEqual(raw.graph.initializers);
    }
    const shape = decodeOnnx(encodeOnnx(tf2onnxMatMul(), 'typed')).graph.initializers.find((t) => t.name === 'new_shape')!;
    expect(shape.dataType).toBe(DataType.INT64);
    expect(Array.from(shape.data as BigInt64Array)).toEqual([-1n, 8n]);
  });

  it('writes files onnxruntime loads (raw and typed layouts)', async () => {
    for (const layout of ['raw', 'typed'] as const) {
      const session = await openSession(encodeOnnx(tf2onnxMatMul(), layout));
      const [out] = await runFloatBatch(session, [new Float64Array(8).fill(1)], [2, 4]);
      expect(out!.length).toBe(3);
      await session.release();
    }
  });

  it('refuses truncated bytes at every cut', () => {
    const bytes = encodeOnnx(pytorchImageMlp());
    for (const cut of [1, 10, 100, Math.floor(bytes.length / 2), bytes.length - 300, bytes.length - 1]) {
      expect(() => decodeOnnx(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(OnnxDecodeError);
    }
  });

  it('refuses bytes that are not ONNX', () => {
    expect(() => decodeOnnx(new TextEncoder().encode('hello, this is not a model'))).toThrow(OnnxDecodeError);
    expect(() => decodeOnnx(new Uint8Array())).toThrow(/no graph/);
  });

  it('refuses a node that reads an undefined value', () => {
    const m = pytorchImageMlp();
    m.graph.nodes[1]!.inputs[1] = 'missing.weight';
    expect(() => decodeOnnx(encodeOnnx(m))).toThrow(/reads "missing.weight", which nothing defines/);
  });

  it('refuses a tensor whose data does not fill its shape', () => {
    const m = pytorchImageMlp();
    m.graph.initializers[1]!.dims = [17];
    expect(() => decodeOnnx(encodeOnnx(m))).toThrow(/fc1.bias.*holds 16 values.*needs 17/);
  });
});
