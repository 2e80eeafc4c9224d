import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPT_DIR, GPT_FILES } from '../../../lib/model/gpt/files.js';
import { buildTransformerModelDir } from '../../../lib/model/gpt/model-dir.js';
import {
  type BisectionGame,
  type BisectionRole,
  DISPUTE_TX_GAS_CAP,
  nextBisectionMove,
  toBisectionPhase,
  traceClaiming,
  ZERO_ADDRESS,
  ZERO_HASH,
} from '../../../lib/protocol/index.js';
import {
  encodeGenerationRequest,
  type Generation,
  type GraphStepsCommitment,
  graphStepsCommitment,
  type GraphTraceCommitment,
  graphTraceCommitment,
  type Hex,
  outputHash,
} from '../../../lib/semantics/index.js';
import type { IntGraph } from '../../../lib/semantics/graph.js';
import { IBisection__factory, IDisputes__factory, InferenceOracle__factory } from '../../../typechain/index.js';
import { ANVIL_KEYS, startAnvil, type Anvil } from './helpers/anvil.js';
import { tempDir } from './helpers/node.js';
import { FEE, deployProtocol } from './helpers/protocol.js';

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
    await (await p.registry.setStepsCommitment(modelId, { root: steps.root, count: steps.leaves.length })).wait();
    const id = await p.consumer.request.staticCall(modelId, input, 200_000, FEE);
    await (await p.consumer.request(modelId, input, 200_000, FEE)).wait();
    const [requested] = await p.oracle.queryFilter(p.oracle.filters.InferenceRequested(id));
    const t = requested!.args.terms;
    const terms = {
      requester: t.requester,
      modelId: t.modelId,
      callbackGasLimit: t.callbackGasLimit,
      fee: t.fee,
      bond: t.bond,
      challengeWindow: t.challengeWindow,
      outputLength: t.outputLength,
      deadline: t.deadline,
      inputHash: t.inputHash,
      disputeWindow: t.disputeWindow,
      verifierVersion: t.verifierVersion,
      accepts: t.accepts,
    };
    const wrong = honest.output.map((v) => v + 1n);
    const signers = { proposer: new NonceManager(new Wallet(CHEATER, provider)), challenger: new NonceManager(new Wallet(WATCHER, provider)) };
    await (await InferenceOracle__factory.connect(p.oracleAddress, signers.proposer).propose(id, terms, wrong)).wait();
    const unchallenged = { proposer: new Wallet(CHEATER).address, challenger: ZERO_ADDRESS, outputHash: outputHash(wrong), claimHash: ZERO_HASH };
    await (await IDisputes__factory.connect(p.oracleAddress, signers.challenger).challenge(id, terms, unchallenged, outputHash(honest.output))).wait();
    const proposal = { ...unchallenged, challenger: new Wallet(WATCHER).address, claimHash: outputHash(honest.output) };

    const traces: Record<BisectionRole, GraphTraceCommitment> = { proposer: traceClaiming(honest, wrong), challenger: honest };
    const bisection = {
      proposer: IBisection__factory.connect(p.oracleAddress, signers.proposer),
      challenger: IBisection__factory.connect(p.oracleAddress, signers.challenger),
    };
    const read = async (): Promise<BisectionGame> => {
      const g = await bisection.challenger.bisectionOf(id);
      return {
        phase: toBisectionPhase(g.phase),
        lo: Number(g.lo),
        hi: Number(g.hi),
        steps: Number(g.steps),
        deadline: g.deadline,
        proposerRoot: g.proposerRoot as Hex,
        agreed: g.agreed as Hex,
        pending: g.pending as Hex,
        proposerHi: g.proposerHi as Hex,
        challengerHi: g.challengerHi as Hex,
      };
    };
    const gas: bigint[] = [];
    let game = await read();
    while (game.phase !== 'OneStep' && gas.length < 30) {
      const now = BigInt((await provider.getBlock('latest'))!.timestamp);
      const role: BisectionRole = game.phase === 'None' || game.phase === 'ChallengerToMove' ? 'challenger' : 'proposer';
      const m = nextBisectionMove({ role, trace: traces[role], game, now });
      const c = bisection[role];
      const tx =
        m.action === 'openBisection'
          ? await c.openBisection(id, terms, proposal, m.claimedOutput, m.trace, m.mid)
          : m.action === 'commitTrace'
            ? await c.commitTrace(id, terms, proposal, m.trace, m.atMid, m.atNext)
            : m.action === 'bisect'
              ? await c.bisect(id, m.atMid, m.atNext)
              : undefined;
      if (!tx) throw new Error(`unexpected move ${m.action} for the ${role}`);
      gas.push((await tx.wait())!.gasUsed);
      game = await read();
    }
    const count = steps.leaves.length;
    expect([game.lo, game.hi, game.steps]).toEqual([count - 1, count, count]);
    expect(game.agreed).toBe(honest.hashes[count - 1]);
    // The opening, then one halving per move.
    expect(gas).toHaveLength(1 + Math.ceil(Math.log2(count)));
    for (const g of gas) expect(g).toBeLessThanOrEqual(DISPUTE_TX_GAS_CAP);
  }, 120_000);
});
