import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../adapter/node.js';
import { GPT_DIR, GPT_FILES, readTokenizer } from '../../../lib/model/gpt/files.js';
import { buildTransformerModelDir } from '../../../lib/model/gpt/model-dir.js';
import { DISPUTE_TX_GAS_CAP } from '../../../lib/protocol/index.js';
import { encodeGenerationRequest, type Generation, graphStepPlan, runGeneration, runGraph } from '../../../lib/semantics/index.js';
import type { IntGraph } from '../../../lib/semantics/graph.js';
import { IBisection__factory } from '../../../typechain/index.js';
import { ANVIL_KEYS, startAnvil, waitFor, type Anvil } from './helpers/anvil.js';
import { startTestNode, tempDir } from './helpers/node.js';
import { FEE, deployProtocol } from './helpers/protocol.js';

// Two nodes play a language model's bisection game on anvil: a cheating proposer (`unsafeCorruptOutputForTests`)
// proposes a wrong completion of the committed GPT and an honest watcher bisects it down to the last argmax step,
// which the graph step executor runs on chain. The model is asked for one token (968 graph steps), which keeps the
// traces a few seconds each; the ProposalTagger's eight tokens (7,744 steps) are played by `npm run bench:bisection`.

const STATE = { Finalized: 4n };
const CHEATER = ANVIL_KEYS[6];
const WATCHER = ANVIL_KEYS[7];
const gen: Generation = { promptLength: 48, maxTokens: 1 };

let anvil: Anvil;
let provider: JsonRpcProvider;
let dir: string;
let graph: IntGraph;
const nodes: RunningNode[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
  const built = await buildTransformerModelDir({
    outDir: join(tempDir('vai-lm-bisect-'), 'gpt-1'),
    name: 'gpt-1',
    floatOnnx: new Uint8Array(await readFile(join(GPT_DIR, GPT_FILES.onnx))),
    generation: gen,
    tokenizer: await readTokenizer(),
  });
  dir = built.dir;
  graph = built.graph;
}, 180_000);
afterAll(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  provider?.destroy();
  await anvil?.stop();
});

describe("the language model's bisection game between two nodes", () => {
  it('narrows a wrong completion to its last argmax step, executes it with its witness and slashes the liar', async () => {
    const p = await deployProtocol(provider, [{ dir, onChainWeights: false, steps: true }], [CHEATER, WATCHER]);
    const common = { rpc: anvil.url, oracle: p.oracleAddress, models: dir, confirmations: 0 };
    const cheater = await startTestNode({ ...common, key: CHEATER, roles: 'proposer', unsafeCorruptOutputForTests: true });
    const watcher = await startTestNode({ ...common, key: WATCHER, roles: 'watcher' });
    nodes.push(cheater, watcher);
    const stakeBefore = (await p.oracle.stakeOf(cheater.address)).free;
    const input = encodeGenerationRequest(graph, gen, [12, 40, 7, 33, 5], 1);
    const id = await p.consumer.request.staticCall(p.modelIds[0]!, input, 200_000, FEE);
    await (await p.consumer.request(p.modelIds[0]!, input, 200_000, FEE)).wait();
    await waitFor(async () => (await p.oracle.requestState(id)) === STATE.Finalized, 240_000, 'the game to be decided', 200);

    const bisection = IBisection__factory.connect(p.oracleAddress, provider);
    const moves = await bisection.queryFilter(bisection.filters.BisectionMoved(id));
    const [decided] = await bisection.queryFilter(bisection.filters.BisectionDecided(id));
    const steps = graphStepPlan(graph, gen).steps.length;
    expect(decided?.args.winner).toBe(watcher.address);
    expect(decided?.args.timedOut).toBe(false);
    expect(Number(decided?.args.step)).toBe(steps - 1);
    expect(moves).toHaveLength(1 + Math.ceil(Math.log2(steps)));
    for (const hash of new Set([...moves, decided!].map((e) => e.transactionHash))) {
      expect((await provider.getTransactionReceipt(hash))!.gasUsed).toBeLessThanOrEqual(DISPUTE_TX_GAS_CAP);
    }
    const [finalized] = await p.oracle.queryFilter(p.oracle.filters.InferenceFinalized(id));
    expect(finalized?.args.output).toEqual(await runGeneration(graph, gen, input, (w) => runGraph(graph, w)));
    expect((await p.oracle.stakeOf(cheater.address)).free).toBeLessThan(stakeBefore);
  }, 300_000);
});
