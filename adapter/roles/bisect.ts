import { hexlify } from 'ethers';
import { type BisectionRole, type GameTrace, nextBisectionMove, traceClaiming, traceOutput, ZERO_ADDRESS } from '../../lib/protocol/index.js';
import {
  type Hex,
  type InputHashKind,
  type IntModel,
  merkleProof,
  outputHash,
  runStep,
  stepsCommitment,
  traceCommitment,
  valuesHash,
} from '../../lib/semantics/index.js';
import { GraphTraceError } from '../errors.js';
import type { LoadedModel } from '../inference/catalog.js';
import { bisectsDispute } from './dispute-way.js';
import type { GraphTraces, Pending } from './graph-traces.js';
import type { Action, Note } from './actions.js';
import type { DecisionInput } from './view.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const sameValues = (a: readonly bigint[], b: readonly bigint[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The shortest wait between two looks at a game (a move's deadline is seconds away at most once per move). */
const MIN_WAIT_MS = 500;

/**
 * Bisection (docs/PROTOCOL.md, "Bisection"): this node's side of a dispute's game, the challenger's or the
 * proposer's, played from its own trace, checked against the inference engine's output: a chain model's
 * (`traceCommitment`, recomputed at each decision: milliseconds), or a generation model's (`graphTraceCommitment`,
 * about 48 s for the committed GPT: computed once off the event loop and kept in memory, `GraphTraces`; after a
 * restart the first decision computes it again and waits). Each decision reads the game from the chain and derives
 * the next move from it and the trace (`nextBisectionMove`), so a restart or an RPC outage resumes where the chain
 * is: nothing of the game is kept but the job (its output and state). One move per transaction: a confirmed move
 * puts the job back to `inferred` (the transaction monitor), `executeStep`, `executeStepWithWitness` (a graph
 * model's step, with the rows it reads) or `timeoutBisection` ends it.
 *
 * - The challenger opens the game when the dispute is one to bisect ({@link bisectsDispute}: the model has a steps
 *   commitment, a graph model's naming its step executor, and no weights on chain, or a re-execution above the
 *   transaction cap) and no proof settles it
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
  const played = served.model.kind === 'chain' ? chainGame(served.model.model, input, served.info.inputHashKind) : graphGame(served.model, input, view);
  if ('type' in played) return played;
  const { own } = played;
  const steps = own.hashes.length - 1;
  if (steps !== committed.count) return { type: 'fail', reason: `the registry commits ${committed.count} steps, the served model has ${steps}` };
  if (!sameValues(traceOutput(own), job.output!)) return { type: 'fail', reason: 'the trace does not end with the inference engine output' };

  // The trace this node defends: its own, ending with the output it claimed on chain.
  let trace: GameTrace = own;
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
    if (!bisectsDispute(served.model, weightsOnChain, committed)) {
      return {
        type: 'skip',
        reason: weightsOnChain ? 'settled by re-execution (the resolve job)' : 'no step executor for this model: settled by the resolve job',
      };
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
    case 'executeStep': {
      // Sent only when its on-chain result is this node's state `hi` (executing it otherwise pays gas to lose); the
      // side it does not favour waits (the other side executes, or the timeout decides).
      const waitForOther: Action = { type: 'wait', ms: clampWait(untilDeadline, config.recheckMs) };
      const sendStep = (data: Hex) => send(data, 'executing the last step on chain', { step: move.step });
      if (served.model.kind === 'chain') {
        const model = served.model.model;
        if (!move.pre) return { type: 'fail', reason: 'a chain trace without its states' };
        if (valuesHash(runStep(model, move.step, move.pre)) !== trace.hashes[game.hi]) return waitForOther;
        const commitment = stepsCommitment(model);
        if (commitment.root !== committed.root)
          return { type: 'fail', reason: `the registry's steps root ${committed.root} is not the served model's ${commitment.root}` };
        const encoding = hexlify(commitment.steps[move.step]!) as Hex;
        const weights = { encoding, proof: merkleProof(commitment.leaves, move.step) };
        return sendStep(calldata.executeStep(job.requestId, terms, proposal, weights, move.pre, move.output));
      }
      // Our own trace is the reference's: the step's result is our state `hi` unless we defend a lie there.
      if (own.hashes[game.hi] !== trace.hashes[game.hi]) return waitForOther;
      const traces = view.graphTraces();
      const root = traces.stepsRoot(served.model.dir);
      if (root.state !== 'ready') return pendingAction(traces, root, 'the steps commitment', config.recheckMs);
      if (root.value.root !== committed.root)
        return { type: 'fail', reason: `the registry's steps root ${committed.root} is not the served model's ${root.value.root}` };
      const call = traces.stepCall(served.model.dir, input, move.step);
      if (call.state !== 'ready') return pendingAction(traces, call, `step ${move.step}'s witness`, config.recheckMs);
      const { weights, pre, witness } = call.value;
      return sendStep(calldata.executeStepWithWitness(job.requestId, terms, proposal, weights, pre, witness, move.output));
    }
  }
}

/** At most `recheckMs` (the chain clock can jump), at least {@link MIN_WAIT_MS}. */
function clampWait(ms: number, recheckMs: number): number {
  return Math.max(MIN_WAIT_MS, Math.min(recheckMs, ms));
}

/** What a chain model's game is played from: its trace, recomputed at every decision (a few milliseconds). */
function chainGame(model: IntModel, input: readonly bigint[], inputHashKind: InputHashKind): Played {
  return { own: traceCommitment(model, input, inputHashKind) };
}

/**
 * What a generation model's game is played from: its graph trace, computed once in the background and kept for the
 * game (`view.graphTraces()`, about 48 s for the committed GPT); the decision waits until it is ready.
 */
function graphGame(model: LoadedModel & { kind: 'graph' }, input: readonly bigint[], view: DecisionInput['view']): Played | Action {
  if (!model.generation) return { type: 'skip', reason: 'a graph model without generation: its disputes are not bisected' };
  const traces = view.graphTraces();
  const own = traces.trace(model.dir, input);
  if (own.state !== 'ready') return pendingAction(traces, own, 'the trace', MIN_WAIT_MS * 4);
  return { own: own.value };
}

type Played = { own: GameTrace };

/** A background computation not ready yet: look again soon; a failed one is retried (and forgotten, to recompute). */
function pendingAction(traces: GraphTraces, pending: Pending<unknown>, what: string, recheckMs: number): Action {
  if (pending.state === 'failed') {
    traces.forget(pending);
    return { type: 'retry', error: new GraphTraceError(`Computing ${what} failed: ${pending.error}`) };
  }
  return { type: 'wait', ms: clampWait(recheckMs, recheckMs) };
}
