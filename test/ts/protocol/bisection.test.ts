import { ZeroHash } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BisectionTraceError, type BisectionGame, type BisectionMove, type BisectionRole, nextBisectionMove } from '../../../lib/protocol/index.js';
import {
  type Hex,
  type IntModel,
  merkleRoot,
  merkleRootFromProof,
  runStep,
  type TraceCommitment,
  traceCommitment,
  valuesHash,
} from '../../../lib/semantics/index.js';
import { randomInt, randomModel, rng } from '../semantics/fixtures.js';

const WINDOW = 3600n;

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

/** The contract's rules for the moves, checked the way the bisection module checks them. */
class Referee {
  game: BisectionGame;
  proposerRoot: Hex = ZeroHash as Hex;
  challengerRoot: Hex = ZeroHash as Hex;
  now = 0n;
  winner: BisectionRole | 'none' | undefined;

  constructor(
    readonly model: IntModel,
    readonly steps: number,
    readonly inputHash: Hex,
    readonly outputHash: Hex,
    readonly claimHash: Hex,
  ) {
    this.game = {
      phase: 'None',
      lo: 0,
      hi: steps,
      steps,
      deadline: 0n,
      proposerRoot: ZeroHash as Hex,
      agreed: inputHash,
      pending: ZeroHash as Hex,
      proposerHi: outputHash,
      challengerHi: claimHash,
    };
  }

  private check(root: Hex, index: number, leaf: { stateHash: Hex; proof: Hex[] }): void {
    if (merkleRootFromProof(leaf.stateHash, index, leaf.proof) !== root) throw new Error(`invalid leaf ${index}`);
  }

  private next(phase: BisectionGame['phase']): void {
    this.game.phase = phase;
    this.game.deadline = this.now + WINDOW;
  }

  private move(proposerMoves: boolean, atMid: { stateHash: Hex; proof: Hex[] }, atNext: { stateHash: Hex; proof: Hex[] }): void {
    const root = proposerMoves ? this.proposerRoot : this.challengerRoot;
    const g = this.game;
    const mid = Math.floor((g.lo + g.hi) / 2);
    this.check(root, mid, atMid);
    if (atMid.stateHash === g.pending) {
      g.lo = mid;
      g.agreed = g.pending;
    } else {
      g.hi = mid;
      [g.proposerHi, g.challengerHi] = proposerMoves ? [atMid.stateHash, g.pending] : [g.pending, atMid.stateHash];
    }
    if (g.hi - g.lo > 1) {
      this.check(root, Math.floor((g.lo + g.hi) / 2), atNext);
      g.pending = atNext.stateHash;
      this.next(proposerMoves ? 'ChallengerToMove' : 'ProposerToMove');
    } else {
      g.pending = ZeroHash as Hex;
      this.next('OneStep');
    }
  }

  apply(role: BisectionRole, m: BisectionMove): void {
    const g = this.game;
    switch (m.action) {
      case 'openBisection':
        if (role !== 'challenger' || g.phase !== 'None') throw new Error('open');
        this.check(m.trace.root, 0, { stateHash: this.inputHash, proof: m.trace.inputProof });
        this.check(m.trace.root, this.steps, { stateHash: this.claimHash, proof: m.trace.outputProof });
        this.challengerRoot = m.trace.root;
        if (this.steps > 1) {
          this.check(m.trace.root, Math.floor(this.steps / 2), m.mid);
          g.pending = m.mid.stateHash;
        }
        this.next('ProposerToMove');
        return;
      case 'commitTrace':
        if (role !== 'proposer' || g.phase !== 'ProposerToMove' || BigInt(g.proposerRoot) !== 0n) throw new Error('commit');
        this.check(m.trace.root, 0, { stateHash: this.inputHash, proof: m.trace.inputProof });
        this.check(m.trace.root, this.steps, { stateHash: this.outputHash, proof: m.trace.outputProof });
        this.proposerRoot = g.proposerRoot = m.trace.root;
        if (g.hi - g.lo > 1) this.move(true, m.atMid, m.atNext);
        else this.next('OneStep');
        return;
      case 'bisect':
        if (g.phase !== (role === 'proposer' ? 'ProposerToMove' : 'ChallengerToMove')) throw new Error('turn');
        this.move(role === 'proposer', m.atMid, m.atNext);
        return;
      case 'executeStep': {
        if (g.phase !== 'OneStep' || m.step !== g.lo || valuesHash(m.pre) !== g.agreed) throw new Error('step');
        const post = valuesHash(runStep(this.model, g.lo, m.pre));
        this.winner = post === g.proposerHi ? 'proposer' : post === g.challengerHi ? 'challenger' : 'none';
        return;
      }
      case 'timeoutBisection':
        if (this.now <= g.deadline) throw new Error('early');
        this.winner = g.phase === 'ProposerToMove' ? 'challenger' : 'proposer';
        return;
      case 'wait':
        return;
    }
  }
}

/** Plays a whole game between two traces, each side moving by `nextBisectionMove` as soon as it may. */
function play(model: IntModel, proposer: TraceCommitment, challenger: TraceCommitment): { referee: Referee; rounds: number } {
  const steps = proposer.hashes.length - 1;
  const referee = new Referee(model, steps, proposer.hashes[0]!, proposer.hashes[steps]!, challenger.hashes[steps]!);
  let rounds = 0;
  while (referee.winner === undefined && rounds < 100) {
    for (const [role, trace] of [
      ['challenger', challenger],
      ['proposer', proposer],
    ] as const) {
      if (referee.winner !== undefined) break;
      const move = nextBisectionMove({ role, trace, game: referee.game, now: referee.now });
      if (move.action !== 'wait' && move.action !== 'executeStep') rounds++;
      referee.apply(role, move);
    }
  }
  return { referee, rounds };
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
          const { referee, rounds } = play(model, p, c);
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
    const { referee } = play(model, lie(model, honest, 2, 1n), lie(model, honest, 2, 2n));
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
