import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getBytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { buildTransformerOnnx } from '../../../lib/model/gpt/intgraph.js';
import { buildTransformerVectors, type GraphVector } from '../../../lib/model/gpt/vectors.js';
import { openSession, ort } from '../../../lib/model/ort.js';
import { encodeOnnx } from '../../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { decodeGraph, graphHash, runGraph } from '../../../lib/semantics/index.js';

const file = async (): Promise<GraphVector[]> =>
  (JSON.parse(await readFile(join(PROJECT_ROOT, 'test', 'vectors', 'transformer.json'), 'utf8')) as { vectors: GraphVector[] }).vectors;

describe('shared vectors of the transformer ops (test/vectors/transformer.json)', () => {
  it('are current (npm run vectors:transformer rewrites them)', async () => {
    expect(await file()).toEqual(buildTransformerVectors());
  });

  it('the reference and the integer onnxruntime graph give every output from the encoding alone', async () => {
    for (const v of await file()) {
      const graph = decodeGraph(getBytes(v.encoding));
      expect(graphHash(graph)).toBe(v.modelHash);
      const input = v.input.map(BigInt);
      expect(runGraph(graph, input).map(String)).toEqual(v.output);
      const session = await openSession(encodeOnnx(buildTransformerOnnx(graph, 'test')));
      const out = await session.run({ input: new ort.Tensor('int64', BigInt64Array.from(input), graph.inputShape) });
      expect(Array.from(out.output!.data as BigInt64Array, String)).toEqual(v.output);
    }
  }, 60_000);
});
