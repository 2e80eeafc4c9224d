import { accepts } from '../../lib/client/oracle-abi.js';
import { type MaturedProposal, proofInput } from '../../lib/protocol/index.js';
import type { Job, RequestRecord } from '../store/types.js';
import type { Action } from './actions.js';
import { groupKey, planBatches } from './batch-plan.js';
import type { RoleConfig } from './context.js';
import type { ServedModel } from './model-resolver.js';
import type { BatchEntry } from './state.js';
import type { DecisionInput, JobView } from './view.js';

/** How often a request waiting for its batch looks again (the batch may have filled, or taken it along). */
export const BATCH_POLL_MS = 500;

/**
 * Proposer: runs the model on the request's input and proposes the output with a bond, or with a ZK
 * proof (finalized at once) when `--prove` is on, the request's terms name a verifier and the model has a circuit
 * here. Where the model also has batch set-ups here and batch verifiers on chain, requests are proven together
 * (`roles/batch-plan.ts`): a request waits up to `batchWaitBlocks` for its batch to fill, one job leads the batch and
 * the others ride along. A request whose `accepts` excludes optimistic results is only answered with a proof (`skipped` when this
 * node cannot prove). An optimistic proposal also finalizes up to `finalizeBatch` of this node's own matured
 * proposals in the same transaction (`proposeAndFinalize`: no transaction of their own; the oracle skips any that
 * moved on). An optimistic proposal waits while the free stake (less the bonds of own proposals in flight) cannot
 * bond it. States: seen -> inferred [-> proof_pending] -> submitted.
 */
export async function decidePropose({ job, view, config, calldata, inference }: DecisionInput): Promise<Action> {
  const request = await view.request();
  if (!request) return { type: 'fail', reason: 'request record missing' };
  const served = await view.served(request.modelId);
  if (!served) return { type: 'skip', reason: 'model not served' };
  // What the events said; the on-chain truth is checked by the simulation before sending (a request that
  // moved on makes it revert with UnexpectedRequestState, and the job is skipped).
  if (request.state !== 'Requested')
    return { type: 'skip', reason: view.inBatch() ? `request is ${request.state} (proven in a batch)` : `request is ${request.state}` };

  if (job.state === 'seen') {
    if (!inference) return { type: 'infer', model: served.model, input: request.input };
    if (!inference.ok) {
      // The oracle fails a request with an invalid input itself, in the request's transaction; otherwise
      // this is a problem of the model build.
      const onChain = await view.onChain();
      return onChain.state !== 'Requested' ? { type: 'skip', reason: `request is ${onChain.state}` } : { type: 'fail', reason: inference.error.message };
    }
    return { type: 'record', output: config.corruptOutput ? inference.output.map((v, i) => (i === 0 ? v + 1n : v)) : inference.output };
  }
  const output = job.output!;
  const optimistic = accepts(request.terms.accepts, 'Optimistic');
  const canProve = config.prove && !config.corruptOutput && request.terms.verifierVersion !== 0n && view.canProve(served.model);
  if (job.state === 'inferred' && canProve && job.error === null) {
    const batched = await decideBatch(job, request, served, output, view, config);
    if (batched) return batched;
  }
  if (job.state === 'proof_pending' || (job.state === 'inferred' && canProve && job.error === null)) {
    return {
      type: 'prove',
      model: served.model,
      input: request.input,
      output,
      calldata: (proof) => calldata.proposeWithProof(job.requestId, request.terms, proofInput(served.info.inputHashKind, request.input), output, proof),
      // A proof the oracle refuses is no worse than none: the optimistic way, when the request takes it.
      fallback: optimistic ? 'proofRefused' : 'never',
      fallbackNotes: { noProof: 'no proof: proposing optimistically', refused: 'the oracle refuses the proof: proposing optimistically' },
    };
  }
  if (!optimistic) {
    return {
      type: 'skip',
      reason: 'request accepts only results this node cannot give',
      note: {
        level: 'warn',
        message: 'the request accepts no optimistic result and this node cannot prove it',
        fields: { request: job.requestId.toString(), accepts: request.terms.accepts.toString() },
      },
    };
  }
  // The bond comes out of the free stake (before any carried finalization releases one): a proposal the stake cannot
  // bond would revert, so it waits for stake to come free (settled proposals, a deposit) while the request is open.
  const now = view.chainTime();
  if (now !== undefined && BigInt(now) > request.terms.deadline) return { type: 'skip', reason: 'request deadline passed' };
  const bond = request.terms.bond;
  const free = await view.freeStake();
  if (free < bond) return { type: 'wait', ms: config.recheckMs, stake: { bond, free } };
  const carries = await maturedOwnProposals(view, config, job.requestId);
  if (carries.length === 0) return { type: 'send', calldata: calldata.propose(job.requestId, request.terms, output), bond };
  return {
    type: 'send',
    calldata: calldata.proposeAndFinalize(job.requestId, request.terms, output, carries),
    variableCost: true,
    carries,
    bond,
    note: {
      level: 'debug',
      message: 'proposal carries finalizations',
      fields: { request: job.requestId.toString(), finalizing: carries.map((m) => m.requestId.toString()) },
    },
  };
}

/**
 * This node's unchallenged proposals whose window has passed by the next block (chain time), per the events,
 * that no other proposal in flight carries yet (the executor marks them carried by this one when it sends).
 */
async function maturedOwnProposals(view: JobView, config: RoleConfig, proposing: bigint): Promise<MaturedProposal[]> {
  const now = view.chainTime();
  if (config.finalizeBatch === 0 || now === undefined) return [];
  const records = await view.maturedOwnProposals(now + 1, config.finalizeBatch + view.carried().size);
  const carried = view.carried();
  const matured: MaturedProposal[] = [];
  for (const r of records) {
    if (matured.length === config.finalizeBatch) break;
    if (r.requestId === proposing || carried.has(r.requestId.toString()) || !r.proposal || !r.proposedOutput) continue;
    matured.push({ requestId: r.requestId, terms: r.terms, proposal: r.proposal, output: r.proposedOutput });
  }
  return matured;
}

/**
 * The batch way of a request this node can prove: ride along with a batch in flight (wait), wait for the group to
 * fill (wait, offered to the pool), or lead the batch the plan says is ready (prove it). Undefined: the single way
 * (no batch verifier for the group, prove workers make the proofs, or the request's deadline is too close to wait).
 */
async function decideBatch(
  job: Job,
  request: RequestRecord,
  served: ServedModel,
  output: bigint[],
  view: JobView,
  config: RoleConfig,
): Promise<Action | undefined> {
  if (config.proveWorkers) return undefined;
  const { modelId, terms } = request;
  const sizes = await view.batchSizes(served.model, modelId, terms.verifierVersion);
  if (sizes.length === 0) return undefined;
  if (view.inBatch()) return { type: 'wait', ms: BATCH_POLL_MS };
  const head = view.chainHead();
  const now = view.chainTime();
  if (head === undefined || now === undefined) return undefined;
  const self: BatchEntry = {
    requestId: job.requestId,
    modelId,
    verifierVersion: terms.verifierVersion,
    deadline: terms.deadline,
    seenAtBlock: request.requestedBlock,
    terms,
    input: request.input,
    output,
  };
  const policy = {
    sizes: new Map([[groupKey(modelId, terms.verifierVersion), sizes]]),
    maxWaitBlocks: config.batchWaitBlocks,
    landingS: (k: number) => view.batchLandingS(k),
    blockS: config.blockTimeS,
  };
  const candidates = [self, ...view.batchWaiting(modelId, terms.verifierVersion)];
  const plan = planBatches(candidates, policy, { block: head, time: BigInt(now) }).find((p) => p.requests.some((r) => r.requestId === job.requestId));
  switch (plan?.type) {
    case 'prove':
      return {
        type: 'proveBatch',
        model: served.model,
        modelId,
        verifierVersion: terms.verifierVersion,
        batchSize: plan.batchSize,
        entries: plan.requests,
        waitedBlocks: Math.max(0, head - Math.min(...plan.requests.map((r) => r.seenAtBlock))),
      };
    case 'wait':
      return { type: 'wait', ms: BATCH_POLL_MS, batch: self };
    default:
      return undefined;
  }
}
