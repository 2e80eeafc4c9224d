import { accepts } from '../../lib/client/oracle-abi.js';
import type { MaturedProposal } from '../../lib/protocol/index.js';
import type { Action } from './actions.js';
import type { RoleConfig } from './context.js';
import type { DecisionInput, JobView } from './view.js';

/**
 * Proposer: runs the model on the request's input and proposes the output with a bond, or with a ZK
 * proof (finalized at once) when `--prove` is on, the request's terms name a verifier and the model has a circuit
 * here. A request whose `accepts` excludes optimistic results is only answered with a proof (`skipped` when this
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
  if (request.state !== 'Requested') return { type: 'skip', reason: `request is ${request.state}` };

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
  if (job.state === 'proof_pending' || (job.state === 'inferred' && canProve && job.error === null)) {
    return {
      type: 'prove',
      model: served.model,
      input: request.input,
      output,
      calldata: (proof) => calldata.proposeWithProof(job.requestId, request.terms, request.input, output, proof),
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
