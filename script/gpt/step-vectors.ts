// npm run vectors:graph-steps: writes test/vectors/graph-steps.json, steps of the committed GPT's real trace (the
// ProposalTagger's P = 48, N = 8) with the calldata of their on-chain execution (GraphStepRunner.execute) and the
// state hash after them, for test/sol/graphstep/. Each vector names its op family; the steps are chosen to cover
// every op's first and last rows, the first rows of the nodes of other shapes (the causal mask's one-element and full rows), the
// windows and argmaxes of the first, a middle and the last token, and the heaviest step. For the bisection game's
// tests (test/sol/bisection/Graph*.t.sol) it also writes the model's registry terms, the request input and its answer,
// every state hash of the trace, the steps root, and for a few steps their encoding, pre-state, witness
// (`abi.encode(GraphStep.Witness)`, what `executeStepWithWitness` takes) and Merkle proof against the steps root, to
// test/vectors/graph-game.json (a file of its own: a forge test holds a file in memory, whose gas grows with its square).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AbiCoder, concat, Interface, keccak256 } from 'ethers';
import { ensureLanguageModel } from '../../lib/apps/language-model.js';
import { TAGGER_GENERATION } from '../../lib/apps/language-model.js';
import { loadGpt, readHeldout } from '../../lib/model/gpt/files.js';
import { encodeText } from '../../lib/model/gpt/generate.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { encodeGenerationRequest } from '../../lib/semantics/generation.js';
import { graphStepPlan, graphStepsCommitment, rowLength, tensorShapes } from '../../lib/semantics/graph-steps.js';
import { graphStepWitnesses, graphTraceCommitment, packWords } from '../../lib/semantics/graph-trace.js';
import { runTransformerNode } from '../../lib/semantics/graph-transformer-execute.js';
import { size } from '../../lib/semantics/graph.js';
import { merkleProof } from '../../lib/semantics/merkle.js';
import type { Hex } from '../../lib/semantics/types.js';

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

const WITNESS = '(tuple(bytes32[] rowHashes, uint256 lo, uint256 hi, int256[] values)[] inputs, bytes32[] outputRowHashes, int256[] logitsRow)';
const runner = new Interface([`function execute(bytes step, int256[] pre, ${WITNESS} witness) view returns (bytes32)`]);
const abi = AbiCoder.defaultAbiCoder();

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
const witnesses = graphStepWitnesses(gpt.graph, gen, input, indices);
type Vector = { family: string; op: string; name: string; index: number; calldata: string; post: string };
/** The game's view of a step: its encoding, `abi.encode(int256[] pre)`, the witness and its proof. */
type GameStep = { name: string; index: number; encoding: string; pre: string; witness: string; stepProof: string[] };
const GAME_STEPS = ['window of token 0', 'gelu /blocks.0/gelu/Div, first rows', 'linear /blocks.0/fc/MatMul, row 5'];
const gameSteps: GameStep[] = [];
const steps = graphStepsCommitment(gpt.graph, gen);
const bytesHex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
const vectors: Vector[] = witnesses.map(({ index, encoding, witness }) => {
  const step = plan.steps[index]!;
  const name = picks.get(index)!;
  if (GAME_STEPS.some((g) => name.startsWith(g))) {
    gameSteps.push({
      name,
      index,
      encoding: bytesHex(encoding),
      pre: abi.encode(['int256[]'], [witness.pre]),
      witness: abi.encode([WITNESS], [[witness.inputs, witness.outputRowHashes, witness.logitsRow]]),
      stepProof: merkleProof(steps.leaves, index),
    });
  }
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
// Edge cases: the same steps with their input rows replaced by chosen values (the state re-hashed to match them), the
// expected rows from the reference ops. GELU at every segment edge, past the table and negative; softmax at the
// floor of its exponent, on ties and at multiples of ln 2; layer norm on ties of its rounded mean and zero variance.
const S = gpt.graph.scaleBits;
const shapes = tensorShapes(gpt.graph);
const base = 1 + gen.promptLength + gen.maxTokens;
function edgeVector(family: string, op: string, name: string, at: number, fill: (r: number, i: number, len: number) => bigint): Vector {
  const { index, encoding, witness } = witnesses.find((w) => w.index === at)!;
  const step = plan.steps[index]!;
  if (step.kind !== 'node') throw new Error('an edge case is a node step');
  const node = gpt.graph.nodes[step.node]!;
  const id = node.inputs[0]!;
  const { lo, hi, rowHashes: before } = witness.inputs[0]!;
  const len = rowLength(shapes[id]!);
  const full = new Array<bigint>(size(shapes[id]!)).fill(0n);
  const rowHashes = [...before];
  for (let r = lo; r < hi; r++) {
    const row = Array.from({ length: len }, (_, i) => fill(r, i, len));
    full.splice(r * len, len, ...row);
    rowHashes[r] = keccak256(packWords(row)) as Hex;
  }
  const pre = [...witness.pre];
  pre[base + id] = BigInt.asIntN(256, BigInt(keccak256(concat(rowHashes))));
  const { y } = runTransformerNode(node as never, [full], [shapes[id]!], S, false);
  const lout = rowLength(node.shape);
  const out = [...witness.outputRowHashes];
  for (let r = step.rowStart; r < step.rowEnd; r++) out[r] = keccak256(packWords(y.slice(r * lout, (r + 1) * lout))) as Hex;
  const post = [...pre];
  post[base + step.node + 1] = BigInt.asIntN(256, BigInt(keccak256(concat(out))));
  const inputs = [{ rowHashes, lo, hi, values: full.slice(lo * len, hi * len) }];
  return {
    family,
    op,
    name,
    index,
    calldata: runner.encodeFunctionData('execute', [encoding, pre, [inputs, witness.outputRowHashes, []]]),
    post: keccak256(packWords(post)),
  };
}
const at = (op: string, last: boolean): number =>
  [...picks.entries()].find(([, n]) => n.startsWith(`${op} `) && n.endsWith(last ? 'last rows' : 'first rows'))![0];
const gelu = gpt.graph.nodes.find((n) => n.op === 'gelu')!;
const seg = gelu.op === 'gelu' ? 1 << gelu.segBits : 1;
const segments = gelu.op === 'gelu' ? gelu.c0.length : 1;
vectors.push(
  edgeVector('norm', 'gelu', 'gelu at every segment edge (k 2^b - 1, k 2^b, k 2^b + 1), past the table, negatives', at('gelu', false), (r, i) => {
    const k = BigInt(Math.floor(i / 6) % (segments + 2));
    const edge = k * BigInt(seg) + BigInt((i % 3) - 1);
    const v = i % 6 < 3 ? edge : -edge;
    return r % 2 === 0 ? v : BigInt(r * 1000 - i * 37);
  }),
);
const ln2 = (() => {
  const n = gpt.graph.nodes.find((x) => x.op === 'softmax')!;
  return n.op === 'softmax' ? BigInt(n.ln2) : 1n;
})();
const floor = -BigInt(2 * S + 1) * ln2;
vectors.push(
  edgeVector('softmax', 'softmax', 'softmax at the exponent floor, multiples of ln 2, ties at the maximum', at('softmax', true), (r, i) => {
    const top = 5000n;
    const offsets = [0n, 0n, floor, floor - 1n, floor + 1n, -ln2, -ln2 - 1n, -2n * ln2, 10n * floor, -1n];
    return top + offsets[(i + r) % offsets.length]!;
  }),
  edgeVector('norm', 'layernorm', 'layer norm: a mean tied at -1/2, zero variance, large negatives', at('layernorm', false), (r, i) => {
    if (r % 3 === 0) return i % 2 === 0 ? -1n : 0n;
    if (r % 3 === 1) return -7n;
    return BigInt(-(1 << 20) + i * 4099 - r);
  }),
);
// The registry terms of the model folder the node serves (.vai/models/gpt), which must be this graph.
const served = await ensureLanguageModel();
if (served.manifest.scaleBits !== S) throw new Error(`.vai/models/gpt is at scale ${served.manifest.scaleBits}, the vectors at ${S}`);
if (steps.leaves.length !== plan.steps.length || trace.hashes.length !== plan.steps.length + 1) throw new Error('unreachable: one leaf a step');
const game = {
  modelHash: served.manifest.modelHash,
  inputLength: served.manifest.inputLength,
  outputLength: served.manifest.outputLength,
  inputMin: Number(served.manifest.inputRange[0]),
  inputMax: Number(served.manifest.inputRange[1]),
  scaleBits: S,
  stepsRoot: steps.root,
  input: abi.encode(['int256[]'], [input]),
  output: abi.encode(['int256[]'], [trace.output]),
  hashes: trace.hashes,
  gameSteps,
};
await writeFile(join(PROJECT_ROOT, 'test', 'vectors', 'graph-steps.json'), `${JSON.stringify({ steps: plan.steps.length, vectors }, null, 1)}\n`);
await writeFile(join(PROJECT_ROOT, 'test', 'vectors', 'graph-game.json'), `${JSON.stringify({ steps: plan.steps.length, ...game }, null, 1)}\n`);
console.log(`${vectors.length} graph step vectors written to test/vectors/graph-steps.json (${plan.steps.length} steps a request)`);
