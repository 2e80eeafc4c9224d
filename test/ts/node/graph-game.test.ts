import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPT_DIR, GPT_FILES } from '../../../lib/model/gpt/files.js';
import { buildTransformerModelDir } from '../../../lib/model/gpt/model-dir.js';
import { DISPUTE_TX_GAS_CAP } from '../../../lib/protocol/index.js';
import {
  encodeGenerationRequest,
  type Generation,
  type GraphStepsCommitment,
  graphStepsCommitment,
  type GraphTraceCommitment,
  graphTraceCommitment,
} from '../../../lib/semantics/index.js';
import type { IntGraph } from '../../../lib/semantics/graph.js';
import { ANVIL_KEYS, startAnvil, type Anvil } from './helpers/anvil.js';
import { tempDir } from './helpers/node.js';
import { playGraphMoves } from './helpers/graph-game.js';
import { deployProtocol } from './helpers/protocol.js';

// The language model's bisection game against the contracts: the moves the node derives from a graph trace
// (`nextBisectionMove` over `graphTraceCommitment`) are the ones the bisection module accepts, and they narrow a wrong
// completion of the committed GPT to its last argmax step. One generated token (968 steps) keeps it short.

const CHEATER = ANVIL_KEYS[6];
const WATCHER = ANVIL_KEYS[7];
const gen: Generation = { promptLength: 48, maxTokens: 1 };

let anvil: Anvil;
let provider: JsonRpcProvider;
let dir: string;
let graph: IntGraph;
let input: bigint[];
let honest: GraphTraceCommitment;
let steps: GraphStepsCommitment;
beforeAll(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
  const built = await buildTransformerModelDir({
    outDir: join(tempDir('vai-graph-game-'), 'gpt-1'),
    name: 'gpt-1',
    floatOnnx: new Uint8Array(await readFile(join(GPT_DIR, GPT_FILES.onnx))),
    generation: gen,
  });
  dir = built.dir;
  graph = built.graph;
  input = encodeGenerationRequest(graph, gen, [12, 40, 7, 33, 5], 1);
  honest = graphTraceCommitment(graph, gen, input);
  steps = graphStepsCommitment(graph, gen);
}, 180_000);
afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
});

describe("the language model's bisection game on chain", () => {
  it('accepts the moves of graph traces and narrows a wrong completion to the last argmax step', async () => {
    const p = await deployProtocol(provider, [{ dir, onChainWeights: false }], [CHEATER, WATCHER]);
    const modelId = p.modelIds[0]!;
    await (await p.registry.setStepsCommitment(modelId, { root: steps.root, count: steps.leaves.length, executor: p.graphStepExecutor })).wait();
    const { game, txs } = await playGraphMoves({ provider, protocol: p, modelId, input, honest, proposerKey: CHEATER, challengerKey: WATCHER });
    const count = steps.leaves.length;
    expect([game.lo, game.hi, game.steps]).toEqual([count - 1, count, count]);
    expect(game.agreed).toBe(honest.hashes[count - 1]);
    // The opening, then one halving per move.
    expect(txs.map((t) => t.tx)).toEqual(['openBisection', 'commitTrace', ...new Array(Math.ceil(Math.log2(count)) - 1).fill('bisect')]);
    for (const t of txs) expect(t.gas).toBeLessThanOrEqual(DISPUTE_TX_GAS_CAP);
  }, 120_000);
});
