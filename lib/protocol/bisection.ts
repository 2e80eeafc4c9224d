import { ZeroHash } from 'ethers';
import { VaiError } from '../errors.js';
import { valuesHash } from '../semantics/hashing.js';
import { merkleProof, merkleRoot } from '../semantics/merkle.js';
import type { GraphTraceCommitment } from '../semantics/graph-trace.js';
import type { TraceCommitment } from '../semantics/trace.js';
import type { Hex } from '../semantics/types.js';

// The bisection game of a dispute (docs/PROTOCOL.md, "Bisection") as a party sees it: given the game read from the
// chain (`bisectionOf`) and the party's own trace, the next transaction to send. Pure: the node plays the moves.

/** `IBisection.BisectionPhase`, in the order of the Solidity enum. */
export const BISECTION_PHASES = ['None', 'ProposerToMove', 'ChallengerToMove', 'OneStep'] as const;
export type BisectionPhase = (typeof BISECTION_PHASES)[number];

/** The phase named by an enum value read from the chain (`None` for an unknown one). */
export const toBisectionPhase = (v: bigint | number): BisectionPhase => BISECTION_PHASES[Number(v)] ?? 'None';

/** `IBisection.BisectionGame`, as read from `bisectionOf(requestId)` (the fields the moves need). */
export type BisectionGame = {
  phase: BisectionPhase;
  lo: number;
  hi: number;
  steps: number;
  /** End of the current move, seconds (inclusive). */
  deadline: bigint;
  proposerRoot: Hex;
  agreed: Hex;
  pending: Hex;
  proposerHi: Hex;
  challengerHi: Hex;
};

export type BisectionRole = 'proposer' | 'challenger';

/** `IBisection.TraceLeaf`: a state hash of the sender's trace with its proof (the index is implied by the game). */
export type TraceLeaf = { stateHash: Hex; proof: Hex[] };
/** `IBisection.TraceRoot`: a trace root with the proofs of its first (input) and last (output) states. */
export type TraceRoot = { root: Hex; inputProof: Hex[]; outputProof: Hex[] };

/**
 * A trace a party plays from: a chain model's (`traceCommitment`: every state, hashed) or a generation model's
 * (`graphTraceCommitment`: only the state hashes and the answer are kept, a step's pre-state comes with its witness,
 * `graphStepCall`).
 */
export type GameTrace = TraceCommitment | GraphTraceCommitment;

/** Whether `trace` keeps its states (a chain model's trace). */
export const hasStates = (trace: GameTrace): trace is TraceCommitment => 'states' in trace;

/** The output a trace ends with: its last state. */
export const traceOutput = (trace: GameTrace): bigint[] => (hasStates(trace) ? trace.states[trace.states.length - 1]! : trace.output);

/** The next transaction of a party, or `wait` when nothing is due from it. */
export type BisectionMove =
  | { action: 'openBisection'; claimedOutput: bigint[]; trace: TraceRoot; mid: TraceLeaf }
  | { action: 'commitTrace'; trace: TraceRoot; atMid: TraceLeaf; atNext: TraceLeaf }
  | { action: 'bisect'; atMid: TraceLeaf; atNext: TraceLeaf }
  /**
   * `weights` of `step` come from the model's steps commitment (`stepsCommitment`); `pre` is the agreed state of a
   * chain trace (a graph trace keeps none: its pre-state and witness come from `graphStepCall`).
   */
  | { action: 'executeStep'; step: number; pre?: bigint[]; output: bigint[] }
  | { action: 'timeoutBisection'; output: bigint[] }
  | { action: 'wait'; reason: 'not our turn' | 'the challenger opens' | 'lost on time' };

export class BisectionTraceError extends VaiError {
  override name = 'BisectionTraceError';
}

/** The empty leaf sent where a move needs none (one step left). */
export const NO_LEAF: TraceLeaf = { stateHash: ZeroHash as Hex, proof: [] };

function leaf(trace: GameTrace, index: number): TraceLeaf {
  return { stateHash: trace.hashes[index]!, proof: merkleProof(trace.hashes, index) };
}

function traceRoot(trace: GameTrace): TraceRoot {
  const last = trace.hashes.length - 1;
  return { root: trace.root, inputProof: merkleProof(trace.hashes, 0), outputProof: merkleProof(trace.hashes, last) };
}

/**
 * The answer to the pending state hash at the middle of `[lo, hi]` from one's own trace, and one's own state at the
 * middle of the range that answer leaves (none when one step is left): what `commitTrace` and `bisect` send.
 */
export function answerPending(trace: GameTrace, game: Pick<BisectionGame, 'lo' | 'hi' | 'pending'>): { atMid: TraceLeaf; atNext: TraceLeaf } {
  let { lo, hi } = game;
  if (hi - lo <= 1) return { atMid: NO_LEAF, atNext: NO_LEAF };
  const mid = Math.floor((lo + hi) / 2);
  if (trace.hashes[mid] === game.pending) lo = mid;
  else hi = mid;
  return { atMid: leaf(trace, mid), atNext: hi - lo > 1 ? leaf(trace, Math.floor((lo + hi) / 2)) : NO_LEAF };
}

/**
 * The next move of `role` in `game` at time `now` (seconds), played from its own `trace` (`traceCommitment` of the
 * model on the request's input, or `graphTraceCommitment` of a generation model). `game` is `undefined`-free: a request without a game reads as phase `None`.
 *
 * @example
 * const move = nextBisectionMove({ role: 'challenger', trace: traceCommitment(model, input), game, now });
 * if (move.action === 'bisect') await oracle.bisect(requestId, move.atMid, move.atNext);
 */
export function nextBisectionMove(params: { role: BisectionRole; trace: GameTrace; game: BisectionGame; now: bigint }): BisectionMove {
  const { role, trace, game, now } = params;
  const steps = trace.hashes.length - 1;
  if (game.phase !== 'None' && game.steps !== steps)
    throw new BisectionTraceError(`The game has ${game.steps} steps, the trace ${steps}.`, {
      metaMessages: ['Compute the trace with the model the request names.'],
    });
  const output = traceOutput(trace);
  if (game.phase === 'None') {
    if (role === 'proposer') return { action: 'wait', reason: 'the challenger opens' };
    return { action: 'openBisection', claimedOutput: output, trace: traceRoot(trace), mid: steps > 1 ? leaf(trace, Math.floor(steps / 2)) : NO_LEAF };
  }
  if (now > game.deadline) {
    // Whoever had to act lost; in the final step the burden was the challenger's.
    const winner: BisectionRole = game.phase === 'ProposerToMove' ? 'challenger' : 'proposer';
    return winner === role ? { action: 'timeoutBisection', output } : { action: 'wait', reason: 'lost on time' };
  }
  if (game.phase === 'OneStep') {
    if (trace.hashes[game.lo] !== game.agreed) throw new BisectionTraceError(`Our state ${game.lo} is not the agreed one: the trace is not the one committed.`);
    return hasStates(trace) ? { action: 'executeStep', step: game.lo, pre: trace.states[game.lo]!, output } : { action: 'executeStep', step: game.lo, output };
  }
  const ourTurn = game.phase === (role === 'proposer' ? 'ProposerToMove' : 'ChallengerToMove');
  if (!ourTurn) return { action: 'wait', reason: 'not our turn' };
  const { atMid, atNext } = answerPending(trace, game);
  if (role === 'proposer' && BigInt(game.proposerRoot) === 0n) return { action: 'commitTrace', trace: traceRoot(trace), atMid, atNext };
  return { action: 'bisect', atMid, atNext };
}

/**
 * `trace` with its last state replaced by `output`: the trace a party committed to a wrong output can defend (a
 * proposer whose proposal is not its own model's output). Its last step is the wrong one, so the game ends there
 * and that party loses; the node only plays it in tests of a cheating proposer.
 */
export function traceClaiming(trace: TraceCommitment, output: readonly bigint[]): TraceCommitment;
export function traceClaiming(trace: GraphTraceCommitment, output: readonly bigint[]): GraphTraceCommitment;
export function traceClaiming(trace: GameTrace, output: readonly bigint[]): GameTrace;
export function traceClaiming(trace: GameTrace, output: readonly bigint[]): GameTrace {
  const hashes = [...trace.hashes.slice(0, -1), valuesHash(output)];
  const root = merkleRoot(hashes);
  if (hasStates(trace)) return { states: [...trace.states.slice(0, -1), [...output]], hashes, root };
  return { hashes, root, output: [...output] };
}
