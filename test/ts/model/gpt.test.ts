import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../../lib/model/errors.js';
import { loadGpt, type LoadedGpt, readHeldout } from '../../../lib/model/gpt/files.js';
import { decodeIds, encodeText, GenerationError, generate, UnknownCharacterError, windowLogits } from '../../../lib/model/gpt/generate.js';
import { importTransformer } from '../../../lib/model/gpt/import.js';
import { buildTransformerOnnx } from '../../../lib/model/gpt/intgraph.js';
import { openSession, ort } from '../../../lib/model/ort.js';
import { attrInt, DataType, decodeOnnx, encodeOnnx, floatTensor, int64Tensor, node, type OnnxModel, vaiModel, valueInfo } from '../../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { argmax, compiledGraph, decodeGraph, encodeGraph, graphHash, runGraph } from '../../../lib/semantics/index.js';

let gpt: LoadedGpt;
let heldout: string;
beforeAll(async () => {
  gpt = await loadGpt();
  heldout = await readHeldout();
}, 60_000);

const opsOf = (m: OnnxModel): string[] => m.graph.nodes.map((n) => n.opType);

describe('the committed GPT (data/gpt)', () => {
  it('is imported from what torch.onnx.export wrote, with every transformer op', () => {
    const ops = new Set(gpt.graph.nodes.map((n) => n.op));
    for (const op of ['embedding', 'layernorm', 'linear', 'slice', 'reshape', 'transpose', 'matmul', 'affine', 'softmax', 'gelu', 'add'])
      expect(ops.has(op as never)).toBe(true);
    expect(gpt.graph.inputShape).toEqual([1, gpt.tokenizer.context]);
    expect(gpt.graph.nodes.at(-1)!.shape).toEqual([1, gpt.tokenizer.context, gpt.tokenizer.vocab.length]);
    expect(opsOf(decodeOnnx(gpt.onnx))).toContain('LayerNormalization');
    // The bounds accept it (int64 cannot overflow) and its encoding round-trips.
    compiledGraph(gpt.graph);
    expect(graphHash(decodeGraph(encodeGraph(gpt.graph)))).toBe(graphHash(gpt.graph));
  }, 60_000);

  it('agrees with the float model (onnxruntime) on the next token of a held-out window', async () => {
    const T = gpt.tokenizer.context;
    const ids = encodeText(gpt.tokenizer, heldout.slice(0, T));
    const session = await openSession(gpt.onnx);
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]) });
    const f = out[session.outputNames[0]!]!.data as Float32Array;
    const logits = windowLogits(gpt.graph, ids);
    const V = gpt.tokenizer.vocab.length;
    let agree = 0;
    let worst = 0;
    logits.forEach((row, p) => {
      const fl = Array.from(f.subarray(p * V, (p + 1) * V));
      if (fl.indexOf(Math.max(...fl)) === argmax(row)) agree++;
      row.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(Number(v) / 2 ** gpt.graph.scaleBits - fl[k]!));
      });
    });
    expect(agree).toBeGreaterThanOrEqual(T - 2);
    expect(worst).toBeLessThan(0.1);
  }, 60_000);

  it('generates greedily and deterministically, one window step at a time', () => {
    const prompt = encodeText(gpt.tokenizer, 'The ');
    const a = generate(gpt.graph, prompt, 4);
    expect(generate(gpt.graph, prompt, 4)).toEqual(a);
    // Step by step: each token is the argmax of the last real position of the window.
    const seq = [...prompt];
    for (let n = 0; n < 4; n++) seq.push(argmax(windowLogits(gpt.graph, seq).at(seq.length - 1)!));
    expect(seq.slice(prompt.length)).toEqual(a);
    expect(decodeIds(gpt.tokenizer, a)).toHaveLength(4);
  }, 60_000);

  it('the integer graph in onnxruntime (int64 ops) gives the reference logits bit for bit', async () => {
    const T = gpt.tokenizer.context;
    const session = await openSession(encodeOnnx(buildTransformerOnnx(gpt.graph, 'test')));
    // A full held-out window, a short prompt padded with id 0, and extreme ids (0 and the last).
    const windows = [
      encodeText(gpt.tokenizer, heldout.slice(640, 640 + T)),
      [...encodeText(gpt.tokenizer, 'Q: '), ...new Array<number>(T - 3).fill(0)],
      Array.from({ length: T }, (_, i) => (i % 2 ? gpt.tokenizer.vocab.length - 1 : 0)),
    ];
    for (const ids of windows) {
      const out = await session.run({ input: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), gpt.graph.inputShape) });
      expect(Array.from(out.output!.data as BigInt64Array)).toEqual(windowLogits(gpt.graph, ids).flat());
    }
  }, 60_000);

  it('tokenizes and refuses what it cannot serve', () => {
    const text = 'Hello, world!\n';
    expect(decodeIds(gpt.tokenizer, encodeText(gpt.tokenizer, text))).toBe(text);
    expect(() => encodeText(gpt.tokenizer, 'naïve')).toThrow(UnknownCharacterError);
    expect(() => decodeIds(gpt.tokenizer, [10_000])).toThrow(GenerationError);
    expect(() => generate(gpt.graph, [], 1)).toThrow(GenerationError);
  });
});

describe('transformer import of other exports', () => {
  it.each([
    ['gpt_tiny_opset14', 'the decomposed layer norm of opset 14', 'ReduceMean'],
    ['gpt_tiny_unfolded_opset17', 'an export without constant folding (shape arithmetic folded here)', 'Unsqueeze'],
    ['gpt_tiny_tanh_gelu_opset17', "GELU's tanh form (approximate='tanh')", 'Tanh'],
  ])('takes %s: %s (untrained tiny GPTs, script/gpt/fixtures.py)', async (file, _what, op) => {
    const bytes = new Uint8Array(await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', `${file}.onnx`)));
    const model = decodeOnnx(bytes);
    expect(opsOf(model)).toContain(op);
    const { graph, vocab, context } = importTransformer(model, 12);
    expect(graph.nodes.filter((n) => n.op === 'layernorm')).toHaveLength(3);
    const ids = Array.from({ length: context }, (_, i) => (i * 7) % vocab);
    const y = runGraph(
      graph,
      ids.map((v) => BigInt(v)),
    );
    const session = await openSession(bytes);
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, context]) });
    const f = out[session.outputNames[0]!]!.data as Float32Array;
    y.forEach((v, i) => {
      expect(Math.abs(Number(v) / 4096 - f[i]!)).toBeLessThan(0.01);
    });
  });
});

describe('an unseen kind of transformer', () => {
  it('imports an nn.TransformerEncoderLayer classifier (batch axis moved, heads folded with it, mean over tokens)', async () => {
    const bytes = new Uint8Array(await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', 'encoder_classifier_opset17.onnx')));
    const { graph, vocab, context } = importTransformer(decodeOnnx(bytes), 12);
    const ops = graph.nodes.map((n) => n.op);
    expect(ops).toContain('mean');
    expect(ops.filter((o) => o === 'softmax')).toHaveLength(1);
    expect(graph.nodes.at(-1)!.shape).toEqual([1, 3]);
    const session = await openSession(bytes);
    const intSession = await openSession(encodeOnnx(buildTransformerOnnx(graph, 'test')));
    for (const ids of [Array.from({ length: context }, (_, i) => (i * 7) % vocab), Array.from({ length: context }, (_, i) => vocab - 1 - (i % 3))]) {
      const y = runGraph(
        graph,
        ids.map((v) => BigInt(v)),
      );
      const f = (await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, context]) })).logits!.data as Float32Array;
      y.forEach((v, i) => {
        expect(Math.abs(Number(v) / 4096 - f[i]!)).toBeLessThan(0.01);
      });
      const o = await intSession.run({ input: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), graph.inputShape) });
      expect(Array.from(o.output!.data as BigInt64Array)).toEqual(y);
    }
  });
});

describe('transformer import of hand-written graphs', () => {
  it('takes Slice of data and Gemm (transB) as slice and linear nodes', async () => {
    const T = 4;
    const table = Array.from({ length: 5 * 6 }, (_, i) => ((i * 13) % 11) / 8 - 0.6);
    const w = Array.from({ length: 3 * T * 4 }, (_, i) => ((i * 7) % 9) / 16 - 0.25);
    const model = vaiModel(
      {
        name: 'slice_gemm',
        nodes: [
          node('Gather', ['table', 'tokens'], ['e'], [attrInt('axis', 0)]),
          node('Slice', ['e', 'starts', 'ends', 'axes'], ['s']),
          node('Reshape', ['s', 'flat'], ['f']),
          node('Gemm', ['f', 'w', 'b'], ['logits'], [attrInt('transB', 1)]),
        ],
        initializers: [
          floatTensor('table', [5, 6], table),
          int64Tensor('starts', [1], [1n]),
          int64Tensor('ends', [1], [-1n]),
          int64Tensor('axes', [1], [2n]),
          int64Tensor('flat', [2], [1n, BigInt(T * 4)]),
          floatTensor('w', [3, T * 4], w),
          floatTensor('b', [3], [0.5, -0.25, 0.125]),
        ],
        inputs: [valueInfo('tokens', DataType.INT64, [1, T])],
        outputs: [valueInfo('logits', DataType.FLOAT, [1, 3])],
      },
      17,
      'test',
    );
    const { graph } = importTransformer(model, 12);
    expect(graph.nodes.map((n) => n.op)).toEqual(['embedding', 'slice', 'reshape', 'linear']);
    // The same graph with the ONNX Gelu op (opset 20) before the reshape.
    const withGelu = { ...model, opsets: [{ domain: '', version: 20 }], graph: { ...model.graph, nodes: [...model.graph.nodes] } };
    withGelu.graph.nodes.splice(
      2,
      1,
      node('Gelu', ['s'], ['g'], [{ name: 'approximate', kind: 'string', value: 'tanh' }]),
      node('Reshape', ['g', 'flat'], ['f']),
    );
    expect(importTransformer(withGelu, 12).graph.nodes.map((n) => n.op)).toEqual(['embedding', 'slice', 'gelu', 'reshape', 'linear']);
    const ids = [4, 0, 2, 3];
    const y = runGraph(
      graph,
      ids.map((v) => BigInt(v)),
    );
    const session = await openSession(encodeOnnx(model));
    const f = (await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]) })).logits!.data as Float32Array;
    y.forEach((v, i) => {
      expect(Math.abs(Number(v) / 4096 - f[i]!)).toBeLessThan(0.005);
    });
  });
});

describe('an additive causal mask', () => {
  it('Add(scores, mask from Trilu and Where) before Softmax becomes a causal softmax', async () => {
    const T = 4;
    const table = Array.from({ length: 3 * T }, (_, i) => ((i * 5) % 7) / 4 - 0.5);
    const model = vaiModel(
      {
        name: 'additive_mask',
        nodes: [
          node('Gather', ['table', 'tokens'], ['scores'], [attrInt('axis', 0)]),
          node('Trilu', ['ones'], ['lower'], [attrInt('upper', 0)]),
          node('Equal', ['lower', 'zero'], ['above']),
          node('Where', ['above', 'ninf', 'fzero'], ['mask']),
          node('Add', ['scores', 'mask'], ['masked']),
          node('Softmax', ['masked'], ['logits'], [attrInt('axis', -1)]),
        ],
        initializers: [
          floatTensor('table', [3, T], table),
          floatTensor('ones', [T, T], new Array<number>(T * T).fill(1)),
          floatTensor('zero', [], [0]),
          floatTensor('ninf', [], [Number.NEGATIVE_INFINITY]),
          floatTensor('fzero', [], [0]),
        ],
        inputs: [valueInfo('tokens', DataType.INT64, [1, T])],
        outputs: [valueInfo('logits', DataType.FLOAT, [1, T, T])],
      },
      17,
      'test',
    );
    const { graph } = importTransformer(model, 12);
    expect(graph.nodes.map((n) => n.op)).toEqual(['embedding', 'softmax']);
    const ids = [2, 0, 1, 2];
    const y = runGraph(
      graph,
      ids.map((v) => BigInt(v)),
    );
    const session = await openSession(encodeOnnx(model));
    const f = (await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]) })).logits!.data as Float32Array;
    y.forEach((v, i) => {
      expect(Math.abs(Number(v) / 4096 - f[i]!)).toBeLessThan(0.005);
    });
  });
});

describe('transformer import refusals', () => {
  it('names the node of an op it does not translate, and refuses a mask that is not causal', () => {
    const model = decodeOnnx(gpt.onnx);
    const erf = model.graph.nodes.findIndex((n) => n.opType === 'Erf');
    const broken: OnnxModel = {
      ...model,
      graph: { ...model.graph, nodes: model.graph.nodes.map((n, i) => (i === erf ? { ...n, opType: 'Tanh' } : n)) },
    };
    expect(() => importTransformer(broken, 12)).toThrow(UnsupportedOpError);
    const where = model.graph.nodes.find((n) => n.opType === 'Where')!;
    const mask = where.inputs[0]!;
    const flipped: OnnxModel = {
      ...model,
      graph: {
        ...model.graph,
        initializers: model.graph.initializers.map((t) => (t.name === mask ? { ...t, data: (t.data as BigInt64Array).map((v) => 1n - v) } : t)),
      },
    };
    expect(() => importTransformer(flipped, 12)).toThrow(/not causal/);
  });
});
