import { ZeroHash } from 'ethers';
import type { BisectionGame, BisectionMove, BisectionRole, GameTrace } from '../../../lib/protocol/index.js';
import { nextBisectionMove } from '../../../lib/protocol/index.js';
import { type Hex, type IntModel, merkleRootFromProof, runStep, valuesHash } from '../../../lib/semantics/index.js';

export const WINDOW = 3600n;

/** The contract's rules for the moves, checked the way the bisection module checks them (the step by `execute`). */
export class Referee {
  game: BisectionGame;
  proposerRoot: Hex = ZeroHash as Hex;
  challengerRoot: Hex = ZeroHash as Hex;
  now = 0n;
  winner: BisectionRole | 'none' | undefined;

  constructor(
    /** The post-state hash of the game's step as the executor computes it (throws on a step it refuses). */
    readonly execute: (game: BisectionGame, move: Extract<BisectionMove, { action: 'executeStep' }>) => Hex,
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
        if (g.phase !== 'OneStep' || m.step !== g.lo) throw new Error('step');
        const post = this.execute(g, m);
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

/** The chain model's step executor (`TraceStep`): the pre-state must be the agreed one. */
export const chainStep =
  (model: IntModel) =>
  (game: BisectionGame, m: Extract<BisectionMove, { action: 'executeStep' }>): Hex => {
    if (!m.pre || valuesHash(m.pre) !== game.agreed) throw new Error('pre-state');
    return valuesHash(runStep(model, m.step, m.pre));
  };

/** Plays a whole game between two traces, each side moving by `nextBisectionMove` as soon as it may. */
export function play(execute: Referee['execute'], proposer: GameTrace, challenger: GameTrace): { referee: Referee; rounds: number } {
  const steps = proposer.hashes.length - 1;
  const referee = new Referee(execute, steps, proposer.hashes[0]!, proposer.hashes[steps]!, challenger.hashes[steps]!);
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
