import { hexlify } from 'ethers';
import {
  type BisectionGame,
  type BisectionMove,
  type BisectionRole,
  disputeByBisection,
  estimateReexecutionGas,
  nextBisectionMove,
  traceClaiming,
  ZERO_ADDRESS,
} from '../../lib/protocol/index.js';
import { type Hex, merkleProof, outputHash, runStep, stepsCommitment, type TraceCommitment, traceCommitment, valuesHash } from '../../lib/semantics/index.js';
import type { Action, Note } from './actions.js';
import type { DecisionInput } from './view.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const sameValues = (a: readonly bigint[], b: readonly bigint[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The shortest wait between two looks at a game (a move's deadline is seconds away at most once per move). */
const MIN_WAIT_MS = 500;

/**
 * Bisection (docs/PROTOCOL.md, "Bisection"): this node's side of a dispute's game, the challenger's or the
 * proposer's, played from its own trace (`traceCommitment`: the model's states on the request's input, checked
 * against the inference engine's output). Each decision reads the game from the chain and derives the next move
 * from it and the trace (`nextBisectionMove`), so a restart or an RPC outage resumes where the chain is: nothing of
 * the game is kept but the job (its output and state). One move per transaction: a confirmed move puts the job back
 * to `inferred` (the transaction monitor), `executeStep` or `timeoutBisection` ends it.
 *
 * - The challenger opens the game when the dispute is one to bisect ({@link disputeByBisection}: the model has a
 *   steps commitment and no weights on chain, or a re-execution above the transaction cap) and no proof settles it
 *   (then the `resolve` job proves or re-executes); within the dispute window.
 * - The proposer waits for the opening, then commits its trace and answers each move.
 * - The last step is executed by the side whose state it produces (the other would only pay to lose); a side that
 *   cannot win waits for the other's execution or its own timeout. Timeouts are claimed as soon as chain time passes
 *   a deadline. Every wait ends before the next deadline, so a move is never missed while the node runs.
 *
 * States: seen -> inferred -> submitted [-> inferred -> submitted ...] -> confirmed, or skipped.
 */
export async function decideBisect({ job, view, config, calldata, inference }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request?.proposal || request.proposal.challenger === ZERO_ADDRESS) return { type: 'fail', reason: 'dispute record missing' };
  const { terms, proposal, input } = request;
  const role: BisectionRole | undefined = same(proposal.challenger, config.address)
    ? 'challenger'
    : same(proposal.proposer, config.address)
      ? 'proposer'
      : undefined;
  if (!role) return { type: 'skip', reason: 'not a party to the dispute' };
  const served = await view.served(request.modelId);
  if (!served) return { type: 'skip', reason: 'model not served' };
  const onChain = await view.onChain();
  if (onChain.state !== 'Disputed') return { type: 'skip', reason: `dispute over: request is ${onChain.state}` };
  const committed = await view.stepsCommitment(request.modelId);
  if (committed.count === 0) return { type: 'skip', reason: 'the model has no steps commitment: no game' };

  if (job.state === 'seen') {
    if (!inference) return { type: 'infer', model: served.model, input };
    if (!inference.ok) return { type: 'retry', error: inference.error };
    return { type: 'record', output: inference.output };
  }
  // Only chain models have traces and a step executor so far; a graph model never gets a steps commitment.
  if (served.model.kind !== 'chain') return { type: 'skip', reason: 'a graph model: its disputes are not bisected' };
  const model = served.model.model;
  const own = traceCommitment(model, input, served.info.inputHashKind);
  const steps = own.states.length - 1;
  if (steps !== committed.count) return { type: 'fail', reason: `the registry commits ${committed.count} steps, the served model has ${steps}` };
  if (!sameValues(own.states[steps]!, job.output!)) return { type: 'fail', reason: 'the trace does not end with the inference engine output' };

  // The trace this node defends: its own, ending with the output it claimed on chain.
  let trace: TraceCommitment = own;
  const requestKey = job.requestId.toString();
  if (role === 'challenger' && proposal.claimHash !== outputHash(job.output!)) {
    return { type: 'fail', reason: 'the challenge claims another output than this node computes' };
  }
  if (role === 'proposer' && proposal.outputHash !== own.hashes[steps]) {
    if (!config.corruptOutput || !request.proposedOutput) {
      return {
        type: 'skip',
        reason: 'our proposal is not our model output: not defended',
        note: { level: 'error', message: 'own proposal disagrees with the model: not defending it in the bisection game', fields: { request: requestKey } },
      };
    }
    // Test mode: the cheating proposer defends its lie, which its last step cannot produce.
    trace = traceClaiming(own, request.proposedOutput);
  }

  const game = await view.bisection();
  const now = view.chainTime() ?? (await view.latestBlockTime());
  if (now === undefined) return { type: 'wait', ms: MIN_WAIT_MS };
  // The end of the current move: the opening's is the dispute window's.
  const opensUntil = Number(onChain.time + terms.disputeWindow);
  if (game.phase === 'None') {
    if (now + 1 > opensUntil) return { type: 'skip', reason: 'dispute window over: no game opened' };
    if (role === 'proposer') return { type: 'wait', ms: clampWait((opensUntil - now + 1) * 1000, config.recheckMs) };
    // A proof settles the dispute for sure and at once: the resolve job's way when this node can make one.
    if (terms.verifierVersion !== 0n && view.canProve(served.model)) return { type: 'skip', reason: 'settled by a proof (the resolve job)' };
    const weightsOnChain = (await view.model(request.modelId)).weights !== ZERO_ADDRESS;
    if (!disputeByBisection({ stepsCommitted: true, weightsOnChain, reexecutionGas: estimateReexecutionGas(model) })) {
      return { type: 'skip', reason: 'settled by re-execution (the resolve job)' };
    }
  }

  const move = nextBisectionMove({ role, trace, game, now: BigInt(now) });
  const fields = { request: requestKey, role, move: move.action, lo: game.lo, hi: game.hi, steps, deadline: Number(game.deadline) };
  const moveNote = (message: string, extra: Record<string, unknown> = {}): Note => ({ level: 'info', message, fields: { ...fields, ...extra } });
  const untilDeadline = (Number(game.deadline) - now + 1) * 1000;
  const send = (data: Hex, message: string, extra: Record<string, unknown> = {}): Action => ({
    type: 'send',
    calldata: data,
    note: moveNote(message, extra),
    move: { role, action: move.action, slackS: (game.phase === 'None' ? opensUntil : Number(game.deadline)) - now },
  });
  switch (move.action) {
    case 'wait':
      if (move.reason === 'lost on time') {
        return { type: 'skip', reason: 'bisection game lost on time', note: { level: 'warn', message: 'bisection game lost on time', fields } };
      }
      return { type: 'wait', ms: clampWait(untilDeadline, config.recheckMs) };
    case 'openBisection':
      return send(calldata.openBisection(job.requestId, terms, proposal, move.claimedOutput, move.trace, move.mid), 'opening the bisection game', {
        root: move.trace.root,
      });
    case 'commitTrace':
      return send(calldata.commitTrace(job.requestId, terms, proposal, move.trace, move.atMid, move.atNext), 'committing our trace and answering', {
        root: move.trace.root,
      });
    case 'bisect':
      return send(calldata.bisect(job.requestId, move.atMid, move.atNext), 'bisecting');
    case 'timeoutBisection':
      return send(calldata.timeoutBisection(job.requestId, terms, proposal, move.output), 'claiming the game on time');
    case 'executeStep':
      return executeStep({
        move,
        trace,
        game,
        model,
        committedRoot: committed.root,
        untilDeadline,
        recheckMs: config.recheckMs,
        send: (data) => send(data, 'executing the last step on chain', { step: move.step }),
        encode: (step, proof, pre) => calldata.executeStep(job.requestId, terms, proposal, { encoding: step, proof }, pre, move.output),
      });
  }
}

/** At most `recheckMs` (the chain clock can jump), at least {@link MIN_WAIT_MS}. */
function clampWait(ms: number, recheckMs: number): number {
  return Math.max(MIN_WAIT_MS, Math.min(recheckMs, ms));
}

/**
 * The game's last step: sent only when its on-chain result is this node's state `hi` (executing it otherwise pays
 * gas to lose); the side it does not favour waits (the other side executes, or the timeout decides).
 */
function executeStep(p: {
  move: Extract<BisectionMove, { action: 'executeStep' }>;
  trace: TraceCommitment;
  game: BisectionGame;
  model: Parameters<typeof stepsCommitment>[0];
  committedRoot: Hex;
  untilDeadline: number;
  recheckMs: number;
  send: (data: Hex) => Action;
  encode: (step: Hex, proof: Hex[], pre: bigint[]) => Hex;
}): Action {
  const pre = p.move.pre;
  if (!pre) return { type: 'fail', reason: 'a chain trace without its states' };
  const post = valuesHash(runStep(p.model, p.move.step, pre));
  if (post !== p.trace.hashes[p.game.hi]) return { type: 'wait', ms: clampWait(p.untilDeadline, p.recheckMs) };
  const commitment = stepsCommitment(p.model);
  if (commitment.root !== p.committedRoot)
    return { type: 'fail', reason: `the registry's steps root ${p.committedRoot} is not the served model's ${commitment.root}` };
  const encoding = hexlify(commitment.steps[p.move.step]!) as Hex;
  return p.send(p.encode(encoding, merkleProof(commitment.leaves, p.move.step), pre));
}
