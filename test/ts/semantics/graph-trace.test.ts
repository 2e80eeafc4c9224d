import { keccak256 } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGpt, type LoadedGpt } from '../../../lib/model/gpt/files.js';
import { TraceCommitmentError } from '../../../lib/semantics/errors.js';
import { encodeGenerationRequest, type Generation, runGeneration } from '../../../lib/semantics/generation.js';
import { runGraph } from '../../../lib/semantics/graph-execute.js';
import { encodeGraphStep, GRAPH_STEP_MAGIC, graphStepPlan, graphStepsCommitment, readRows, tensorShapes } from '../../../lib/semantics/graph-steps.js';
import { graphStepWitness, graphTraceCommitment, packWords } from '../../../lib/semantics/graph-trace.js';
import type { IntGraph } from '../../../lib/semantics/graph.js';
import { valuesHash } from '../../../lib/semantics/hashing.js';

let gpt: LoadedGpt;
// Two generated tokens keep the trace short (each token is every node of the graph); the layout is the model's.
const gen: Generation = { promptLength: 48, maxTokens: 2 };
beforeAll(async () => {
  gpt = await loadGpt();
}, 60_000);

describe('graph traces of the committed GPT', () => {
  it('start at the request input and end at the generation answer, computed with the reference engine', async () => {
    const input = encodeGenerationRequest(gpt.graph, gen, [5, 17, 40, 2, 33, 61], 2);
    const trace = graphTraceCommitment(gpt.graph, gen, input);
    const answer = await runGeneration(gpt.graph, gen, input, (w) => runGraph(gpt.graph, w));
    expect(trace.output).toEqual(answer);
    const plan = graphStepPlan(gpt.graph, gen);
    expect(trace.hashes).toHaveLength(plan.steps.length + 1);
    expect(trace.hashes[0]).toBe(valuesHash(input));
    expect(trace.hashes.at(-1)).toBe(valuesHash(answer));
  }, 120_000);

  it('cut every node into row chunks, one token after the other, the argmax last', () => {
    const plan = graphStepPlan(gpt.graph, gen);
    expect(plan.steps[0]).toEqual({ kind: 'window', token: 0 });
    expect(plan.steps[plan.stepsPerToken - 1]).toEqual({ kind: 'argmax', token: 0 });
    expect(plan.steps[plan.stepsPerToken]).toEqual({ kind: 'window', token: 1 });
    // The wide linear layers (K x N = 16,384 products a row) take one row a step.
    const fc = gpt.graph.nodes.findIndex((n) => n.op === 'linear' && n.outDim === 256);
    expect(plan.chunks[fc]).toBe(1);
    const enc = encodeGraphStep(gpt.graph, gen, plan.steps[1]!);
    expect(new DataView(enc.buffer).getUint32(0)).toBe(GRAPH_STEP_MAGIC);
    expect(graphStepsCommitment(gpt.graph, gen).leaves[1]).toBe(keccak256(enc));
  }, 120_000);

  it('give a step the rows it reads, each hashing to its row hash', () => {
    const input = encodeGenerationRequest(gpt.graph, gen, [7, 7, 9], 1);
    const plan = graphStepPlan(gpt.graph, gen);
    // The transpose that puts the keys' dimensions first reads rows across the whole head.
    const k = gpt.graph.nodes.findIndex((n) => n.op === 'transpose' && n.perm.join() === '0,2,3,1');
    const index = plan.steps.findIndex((s) => s.kind === 'node' && s.node === k && s.token === 1);
    const { witness } = graphStepWitness(gpt.graph, gen, input, index);
    const node = gpt.graph.nodes[k]!;
    const step = plan.steps[index]!;
    if (step.kind !== 'node') throw new Error('not a node step');
    const [lo, hi] = readRows(node, 0, tensorShapes(gpt.graph), step.rowStart, step.rowEnd);
    const only = witness.inputs[0]!;
    expect([only.lo, only.hi]).toEqual([lo, hi]);
    const len = only.values.length / (hi - lo);
    for (let r = lo; r < hi; r++) expect(keccak256(packWords(only.values.slice((r - lo) * len, (r - lo + 1) * len)))).toBe(only.rowHashes[r]);
    expect(witness.pre).toHaveLength(1 + gen.promptLength + gen.maxTokens + gpt.graph.nodes.length + 1);
  }, 120_000);

  it('refuse a graph with an op no on-chain step executes', () => {
    const graph: IntGraph = {
      ...gpt.graph,
      nodes: [...gpt.graph.nodes.slice(0, -1), { ...gpt.graph.nodes.at(-1)!, op: 'mean', axis: 0, keepDims: true } as never],
    };
    expect(() => graphStepPlan(graph, gen)).toThrow(TraceCommitmentError);
  });
});
