import { ZeroHash } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BisectionTraceError, type BisectionGame, nextBisectionMove } from '../../../lib/protocol/index.js';
import { type Hex, type IntModel, merkleRoot, type TraceCommitment, traceCommitment, valuesHash } from '../../../lib/semantics/index.js';
import { randomInt, randomModel, rng } from '../semantics/fixtures.js';
import { chainStep, play } from './referee.js';

/** A liar's trace: the true one with every state from `from` on changed (the argmax moved to another class). */
function lie(model: IntModel, honest: TraceCommitment, from: number, by: bigint): TraceCommitment {
  const classes = BigInt(model.layers[model.layers.length - 1]!.outDim);
  const last = honest.states.length - 1;
  const states = honest.states.map((s, l) => {
    const t = [...s];
    if (l >= from) t[0] = l === last && model.outputKind === 'argmax' ? (t[0]! + by) % classes : t[0]! + by;
    return t;
  });
  const hashes = states.map((s) => valuesHash(s));
  return { states, hashes, root: merkleRoot(hashes) };
}

describe('nextBisectionMove', () => {
  it('lets the honest side win against a lie from any state, in at most ceil(log2(steps)) + 1 moves', () => {
    const next = rng(3);
    for (let seed = 1; seed <= 25; seed++) {
      const dims = [3, 4, 4, 3, 4, 3, 2].slice(0, 2 + (seed % 6));
      const model = randomModel(seed, dims);
      const input = Array.from({ length: 3 }, () => BigInt(randomInt(next, Number(model.inputMin), Number(model.inputMax))));
      const honest = traceCommitment(model, input);
      const steps = model.layers.length;
      for (let from = 1; from <= steps; from++) {
        const liar = lie(model, honest, from, 1n);
        for (const honestRole of ['proposer', 'challenger'] as const) {
          const [p, c] = honestRole === 'proposer' ? [honest, liar] : [liar, honest];
          const { referee, rounds } = play(chainStep(model), p, c);
          expect(referee.winner).toBe(honestRole);
          expect([referee.game.lo, referee.game.hi]).toEqual([from - 1, from]);
          // opening, then one halving per move
          expect(rounds).toBeLessThanOrEqual(1 + Math.max(1, Math.ceil(Math.log2(steps))));
        }
      }
    }
  });

  it('slashes nobody unjustly when both lie: the step rejects both', () => {
    const model = randomModel(9, [3, 4, 4, 2]);
    const honest = traceCommitment(model, [0n, 0n, 0n]);
    const { referee } = play(chainStep(model), lie(model, honest, 2, 1n), lie(model, honest, 2, 2n));
    expect(referee.winner).toBe('none');
  });

  it('claims a timeout only for the side that wins it', () => {
    const model = randomModel(4, [3, 4, 2]);
    const trace = traceCommitment(model, [1n, 2n, 3n]);
    const game: BisectionGame = {
      phase: 'ProposerToMove',
      lo: 0,
      hi: 2,
      steps: 2,
      deadline: 100n,
      proposerRoot: ZeroHash as Hex,
      agreed: trace.hashes[0]!,
      pending: trace.hashes[1]!,
      proposerHi: trace.hashes[2]!,
      challengerHi: trace.hashes[2]!,
    };
    expect(nextBisectionMove({ role: 'challenger', trace, game, now: 101n }).action).toBe('timeoutBisection');
    expect(nextBisectionMove({ role: 'proposer', trace, game, now: 101n })).toEqual({ action: 'wait', reason: 'lost on time' });
    expect(nextBisectionMove({ role: 'challenger', trace, game, now: 100n })).toEqual({ action: 'wait', reason: 'not our turn' });
    expect(nextBisectionMove({ role: 'proposer', trace, game, now: 100n }).action).toBe('commitTrace');
    expect(nextBisectionMove({ role: 'proposer', trace, game: { ...game, phase: 'None' }, now: 0n }).action).toBe('wait');
    expect(() => nextBisectionMove({ role: 'proposer', trace, game: { ...game, steps: 3 }, now: 0n })).toThrow(BisectionTraceError);
  });
});
