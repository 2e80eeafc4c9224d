import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraphOnnx } from '../../../lib/model/graph-onnx.js';
import { checkGraphAgreement } from '../../../lib/model/graph-pipeline.js';
import { vectorFileSchema } from '../../../lib/model/vectors.js';
import { encodeOnnx, type OnnxModel } from '../../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { decodeGraph, GRAPH_OP_CODES, TRANSFORMER_OP_CODES, graphHash, runGraph } from '../../../lib/semantics/index.js';
import { getBytes } from 'ethers';

const file = join(PROJECT_ROOT, 'test', 'vectors', 'graphs.json');

describe('test/vectors/graphs.json', () => {
  it('is reproduced by the reference executor and by onnxruntime, and covers every graph op', async () => {
    const { vectors } = vectorFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(vectors.length).toBeGreaterThan(50);
    const byEncoding = new Map<string, typeof vectors>();
    for (const v of vectors) byEncoding.set(v.encoding, [...(byEncoding.get(v.encoding) ?? []), v]);
    const ops = new Set<string>();
    for (const [encoding, group] of byEncoding) {
      const graph = decodeGraph(getBytes(encoding));
      for (const n of graph.nodes) ops.add(n.op);
      const inputs = group.map((v) => v.input.map(BigInt));
      for (const v of group) {
        expect(v.modelHash).toBe(graphHash(graph));
        expect(runGraph(graph, v.input.map(BigInt)).map(String)).toEqual(v.output);
      }
      const onnx: OnnxModel = buildGraphOnnx(graph, 'vectors');
      const outputs = await checkGraphAgreement(graph, encodeOnnx(onnx), inputs);
      expect(outputs.map((o) => o.map(String))).toEqual(group.map((v) => v.output));
    }
    // The transformer ops have their own vector file (test/vectors/transformer.json, test/ts/model/gpt*.test.ts).
    const cnnOps = Object.keys(GRAPH_OP_CODES).filter((op) => !(op in TRANSFORMER_OP_CODES));
    expect([...ops].sort()).toEqual(cnnOps.sort());
  });
});
