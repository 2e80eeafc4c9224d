// npm run vectors:graph-steps: writes test/vectors/graph-steps.json, steps of the committed GPT's real trace (the
// ProposalTagger's P = 48, N = 8) with the calldata of their on-chain execution (GraphStepRunner.execute) and the
// state hash after them, for test/sol/graphstep/. Each vector names its op family; the steps are chosen to cover
// every op's first and last rows, the first rows of the nodes of other shapes (the causal mask's one-element and full rows), the
// windows and argmaxes of the first, a middle and the last token, and the heaviest step.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Interface } from 'ethers';
import { TAGGER_GENERATION } from '../../lib/apps/language-model.js';
import { loadGpt, readHeldout } from '../../lib/model/gpt/files.js';
import { encodeText } from '../../lib/model/gpt/generate.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { encodeGenerationRequest } from '../../lib/semantics/generation.js';
import { graphStepPlan } from '../../lib/semantics/graph-steps.js';
import { graphStepWitnesses, graphTraceCommitment } from '../../lib/semantics/graph-trace.js';

const FAMILIES: Record<string, string> = {
  linear: 'products',
  matmul: 'products',
  softmax: 'softmax',
  layernorm: 'norm',
  gelu: 'norm',
  embedding: 'data',
  slice: 'data',
  reshape: 'data',
  transpose: 'data',
  add: 'data',
  affine: 'data',
};

const runner = new Interface([
  'function execute(bytes step, int256[] pre, (tuple(bytes32[] rowHashes, uint256 lo, uint256 hi, int256[] values)[] inputs, bytes32[] outputRowHashes, int256[] logitsRow) witness) view returns (bytes32)',
]);

const gpt = await loadGpt();
const gen = TAGGER_GENERATION;
const heldout = await readHeldout();
const prompt = encodeText(gpt.tokenizer, heldout.slice(0, 20));
const input = encodeGenerationRequest(gpt.graph, gen, prompt, gen.maxTokens);
const plan = graphStepPlan(gpt.graph, gen);
const per = plan.stepsPerToken;
const token = 1;
const picks = new Map<number, string>();
picks.set(0, 'window of token 0 (from the request input)');
picks.set(per - 1, 'argmax of token 0');
picks.set(per, 'window of token 1');
picks.set(4 * per - 1, 'argmax of token 3');
picks.set(plan.steps.length - 1, 'argmax of the last token (the answer)');
const seenOps = new Map<string, number>();
plan.steps.forEach((s, i) => {
  if (s.kind !== 'node' || s.token !== token) return;
  const node = gpt.graph.nodes[s.node]!;
  const rows = node.shape.slice(0, -1).reduce((a, d) => a * d, 1);
  const first = seenOps.get(node.op) ?? s.node;
  seenOps.set(node.op, first);
  // Besides the first node of each op, the nodes whose shapes differ from it: the keys' transpose (rows across the
  // whole head), the attention-weighted values, the output projection and the logits.
  const other = /Transpose_2|MatMul_1|c_proj|lm_head/.test(node.name) && !node.name.startsWith('/blocks.1');
  if (s.rowStart === 0 && other) picks.set(i, `${node.op} ${node.name}, first rows`);
  if (s.node !== first) return;
  if (s.rowStart === 0) picks.set(i, `${node.op} ${node.name}, first rows`);
  if (s.rowEnd === rows) picks.set(i, `${node.op} ${node.name}, last rows`);
});
// The heaviest step: a row of the MLP's first linear layer (64 x 256 weights).
const fc = gpt.graph.nodes.findIndex((n) => n.op === 'linear' && n.outDim === 256);
const heaviest = plan.steps.findIndex((s) => s.kind === 'node' && s.token === token && s.node === fc && s.rowStart === 5);
picks.set(heaviest, `linear ${gpt.graph.nodes[fc]!.name}, row 5 (the heaviest step)`);

const trace = graphTraceCommitment(gpt.graph, gen, input);
const indices = [...picks.keys()].sort((a, b) => a - b);
const vectors = graphStepWitnesses(gpt.graph, gen, input, indices).map(({ index, encoding, witness }) => {
  const step = plan.steps[index]!;
  const family = step.kind === 'node' ? FAMILIES[gpt.graph.nodes[step.node]!.op]! : 'token';
  return {
    family,
    op: step.kind === 'node' ? gpt.graph.nodes[step.node]!.op : step.kind,
    name: picks.get(index)!,
    index,
    calldata: runner.encodeFunctionData('execute', [encoding, witness.pre, [witness.inputs, witness.outputRowHashes, witness.logitsRow]]),
    post: trace.hashes[index + 1]!,
  };
});
await writeFile(join(PROJECT_ROOT, 'test', 'vectors', 'graph-steps.json'), `${JSON.stringify({ steps: plan.steps.length, vectors }, null, 1)}\n`);
console.log(`${vectors.length} graph step vectors written to test/vectors/graph-steps.json (${plan.steps.length} steps a request)`);
