import { concat, getBytes, keccak256 } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGpt, type LoadedGpt } from '../../../lib/model/gpt/files.js';
import {
  type BisectionGame,
  type BisectionMove,
  decodeGraphStepWitness,
  encodeGraphStepWitness,
  type GraphStepCall,
  graphStepCall,
  traceClaiming,
} from '../../../lib/protocol/index.js';
import { encodeGenerationRequest, type Generation, GENERATION_PAD } from '../../../lib/semantics/generation.js';
import { argmax } from '../../../lib/semantics/execute.js';
import {
  GRAPH_STEP_MAGIC,
  type GraphStepsCommitment,
  type GraphTraceCommitment,
  graphStepsCommitment,
  graphStepWitness,
  graphTraceCommitment,
  type Hex,
  merkleRootFromProof,
  valuesHash,
} from '../../../lib/semantics/index.js';
import { packWords } from '../../../lib/semantics/graph-trace.js';
import { play } from './referee.js';

let gpt: LoadedGpt;
// Two generated tokens keep the trace short (each token is every node of the graph); the layout is the model's.
const gen: Generation = { promptLength: 48, maxTokens: 2 };
let input: bigint[];
let honest: GraphTraceCommitment;
let commitment: GraphStepsCommitment;
beforeAll(async () => {
  gpt = await loadGpt();
  input = encodeGenerationRequest(gpt.graph, gen, [5, 17, 40, 2, 33, 61], 2);
  honest = graphTraceCommitment(gpt.graph, gen, input);
  commitment = graphStepsCommitment(gpt.graph, gen);
}, 120_000);

/**
 * The graph step executor's argmax step, from the call data alone: the logits row hashes to its row of the logits
 * tensor, whose hash is the state's; the answer gains the argmax. Node and window steps are the Solidity executor's
 * (test/sol/graphstep); a game against a wrong completion never ends at one.
 */
function executeArgmax(game: BisectionGame, step: number, call: GraphStepCall): Hex {
  if (valuesHash(call.pre) !== game.agreed) throw new Error('the pre-state is not the agreed one');
  if (merkleRootFromProof(keccak256(call.weights.encoding) as Hex, step, call.weights.proof) !== commitment.root) throw new Error('weights');
  const view = new DataView(getBytes(call.weights.encoding).buffer);
  if (view.getUint32(0) !== GRAPH_STEP_MAGIC || view.getUint8(4) !== 3) throw new Error('not an argmax step');
  const token = view.getUint16(6);
  const w = decodeGraphStepWitness(call.witness);
  const words = call.pre;
  const answerAt = 1 + gen.promptLength;
  const logitsHash = words[words.length - 1]!;
  if (BigInt.asIntN(256, BigInt(keccak256(concat(w.outputRowHashes)))) !== logitsHash) throw new Error('logits row hashes');
  const rowHash = keccak256(packWords(w.logitsRow));
  if (!w.outputRowHashes.includes(rowHash as Hex)) throw new Error('logits row');
  const answer = words.slice(answerAt, answerAt + gen.maxTokens);
  expect(answer[token]).toBe(GENERATION_PAD);
  answer[token] = BigInt(argmax(w.logitsRow));
  expect(token).toBe(gen.maxTokens - 1);
  return valuesHash(answer);
}

describe("the language model's bisection game", () => {
  it('narrows a wrong completion to the last argmax step, which the honest side wins in either role', () => {
    const wrong = honest.output.map((v, i) => (i === 0 ? v + 1n : v));
    const liar = traceClaiming(honest, wrong);
    expect(liar.hashes.slice(0, -1)).toEqual(honest.hashes.slice(0, -1));
    const steps = honest.hashes.length - 1;
    const calls = new Map<number, GraphStepCall>();
    const execute = (game: BisectionGame, m: Extract<BisectionMove, { action: 'executeStep' }>): Hex => {
      expect(m.pre).toBeUndefined();
      if (!calls.has(m.step)) calls.set(m.step, graphStepCall({ graph: gpt.graph, gen, input, step: m.step, commitment }));
      return executeArgmax(game, m.step, calls.get(m.step)!);
    };
    for (const honestRole of ['proposer', 'challenger'] as const) {
      const [p, c] = honestRole === 'proposer' ? [honest, liar] : [liar, honest];
      const { referee, rounds } = play(execute, p, c);
      expect(referee.winner).toBe(honestRole);
      expect([referee.game.lo, referee.game.hi]).toEqual([steps - 1, steps]);
      expect(rounds).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(steps)));
    }
    expect([...calls.keys()]).toEqual([steps - 1]);
  }, 120_000);

  it('encodes a step witness as the executor decodes it', () => {
    // A node step with input rows (the first node after the window, the embedding) and the last argmax step.
    for (const step of [1, honest.hashes.length - 2]) {
      const { witness } = graphStepWitness(gpt.graph, gen, input, step);
      const { pre, ...rest } = witness;
      expect(valuesHash(pre)).toBe(honest.hashes[step]);
      const data = encodeGraphStepWitness(rest);
      expect(decodeGraphStepWitness(data)).toEqual(rest);
      // abi.encode of one dynamic struct: its offset (0x20) first.
      expect(BigInt(data.slice(0, 66))).toBe(32n);
    }
    expect(() => graphStepCall({ graph: gpt.graph, gen: { ...gen, maxTokens: 1 }, input, step: 1, commitment })).toThrow();
  }, 120_000);
});
