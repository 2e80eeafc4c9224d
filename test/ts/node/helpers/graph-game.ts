import { type JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import {
  type BisectionGame,
  type BisectionRole,
  nextBisectionMove,
  toBisectionPhase,
  traceClaiming,
  ZERO_ADDRESS,
  ZERO_HASH,
} from '../../../../lib/protocol/index.js';
import { toTerms } from '../../../../adapter/chain/ethers-oracle.js';
import { type GraphTraceCommitment, type Hex, outputHash } from '../../../../lib/semantics/index.js';
import { IBisection__factory, IDisputes__factory, InferenceOracle__factory } from '../../../../typechain/index.js';
import { FEE, type Protocol } from './protocol.js';

/** One transaction of a game: who sent which call, and its gas. */
export type GameTx = { tx: string; from: BisectionRole; gas: bigint };

/**
 * A wrong completion of a generation model (its first id plus one), proposed by `proposerKey` and challenged by
 * `challengerKey`, whose game is then played by direct calls with the moves the node derives from the two traces
 * (`nextBisectionMove`; the proposer defends `traceClaiming(honest, wrong)`), up to the one step left. Returns the
 * request, its terms and proposal (for the step), the game and every transaction from the opening on.
 */
export async function playGraphMoves(p: {
  provider: JsonRpcProvider;
  protocol: Protocol;
  modelId: bigint;
  input: readonly bigint[];
  honest: GraphTraceCommitment;
  proposerKey: string;
  challengerKey: string;
}) {
  const { provider, protocol, modelId, honest } = p;
  const input = [...p.input];
  const id = await protocol.consumer.request.staticCall(modelId, input, 200_000, FEE);
  await (await protocol.consumer.request(modelId, input, 200_000, FEE)).wait();
  const [requested] = await protocol.oracle.queryFilter(protocol.oracle.filters.InferenceRequested(id));
  const terms = toTerms(requested!.args.terms);
  const wrong = honest.output.map((v, i) => (i === 0 ? v + 1n : v));
  const signers = { proposer: new NonceManager(new Wallet(p.proposerKey, provider)), challenger: new NonceManager(new Wallet(p.challengerKey, provider)) };
  await (await InferenceOracle__factory.connect(protocol.oracleAddress, signers.proposer).propose(id, terms, wrong)).wait();
  const unchallenged = { proposer: new Wallet(p.proposerKey).address as Hex, challenger: ZERO_ADDRESS, outputHash: outputHash(wrong), claimHash: ZERO_HASH };
  await (await IDisputes__factory.connect(protocol.oracleAddress, signers.challenger).challenge(id, terms, unchallenged, outputHash(honest.output))).wait();
  const proposal = { ...unchallenged, challenger: new Wallet(p.challengerKey).address as Hex, claimHash: outputHash(honest.output) };

  const traces: Record<BisectionRole, GraphTraceCommitment> = { proposer: traceClaiming(honest, wrong), challenger: honest };
  const bisection = {
    proposer: IBisection__factory.connect(protocol.oracleAddress, signers.proposer),
    challenger: IBisection__factory.connect(protocol.oracleAddress, signers.challenger),
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
  const txs: GameTx[] = [];
  let game = await read();
  while (game.phase !== 'OneStep' && txs.length < 64) {
    const now = BigInt((await provider.getBlock('latest'))!.timestamp);
    const role: BisectionRole = game.phase === 'None' || game.phase === 'ChallengerToMove' ? 'challenger' : 'proposer';
    const m = nextBisectionMove({ role, trace: traces[role], game, now });
    const c = bisection[role];
    // A generous limit rather than an estimate: the gas used is what the move costs either way.
    const limit = { gasLimit: 5_000_000n };
    const tx =
      m.action === 'openBisection'
        ? await c.openBisection(id, terms, proposal, m.claimedOutput, m.trace, m.mid, limit)
        : m.action === 'commitTrace'
          ? await c.commitTrace(id, terms, proposal, m.trace, m.atMid, m.atNext, limit)
          : m.action === 'bisect'
            ? await c.bisect(id, m.atMid, m.atNext, limit)
            : undefined;
    if (!tx) throw new Error(`unexpected move ${m.action} for the ${role}`);
    txs.push({ tx: m.action, from: role, gas: (await tx.wait())!.gasUsed });
    game = await read();
  }
  return { requestId: id, terms, proposal, wrong, game, txs, signers };
}
