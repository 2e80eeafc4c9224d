import type { JsonRpcProvider } from 'ethers';
import type { OracleEvent } from '../chain/types.js';
import { ZERO_ADDRESS, ZERO_HASH } from '../../lib/protocol/index.js';
import type { JobKind } from '../jobs/machine.js';
import type { RoleContext } from './context.js';

/** Block timestamps, fetched once per block. */
class BlockTimes {
  readonly #cache = new Map<number, number>();
  constructor(readonly provider: JsonRpcProvider) {}
  async of(blockNumber: number): Promise<number> {
    const known = this.#cache.get(blockNumber);
    if (known !== undefined) return known;
    const block = await this.provider.getBlock(blockNumber);
    if (!block) throw new Error(`block ${blockNumber} is not available`);
    if (this.#cache.size > 1024) this.#cache.clear();
    this.#cache.set(blockNumber, block.timestamp);
    return block.timestamp;
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Jobs whose transaction settles a request: a callback owed after one of ours is ours to deliver. */
const SETTLING: readonly JobKind[] = ['finalize', 'resolve', 'expire', 'expireDispute'];

/**
 * Turns confirmed oracle events into request records and jobs, for the enabled roles. Idempotent: the
 * store keeps one record per request and one job per (request, kind), so events read twice change nothing.
 */
export function createEventHandler(ctx: RoleContext): (events: OracleEvent[]) => Promise<number> {
  const { config, services, state } = ctx;
  const { store, logger, models } = services;
  const requests = store.requests;
  const jobs = store.jobs;
  const times = new BlockTimes(services.provider);
  const has = (role: (typeof config.roles)[number]) => config.roles.includes(role);
  return async (events) => {
    let created = 0;
    for (const e of events) {
      switch (e.type) {
        case 'requested': {
          const record = await requests.saveRequest(
            {
              requestId: e.requestId,
              modelId: e.modelId,
              terms: e.terms,
              input: e.input,
              proposal: null,
              proposedOutput: null,
              proposedAt: null,
              disputedAt: null,
              state: 'Requested',
              requestedBlock: e.blockNumber,
            },
            await times.of(e.blockNumber),
          );
          if (has('proposer') && (await models.served(e.modelId))) {
            const { created: c } = await jobs.ensureJob({
              requestId: e.requestId,
              kind: 'propose',
              modelId: `0x${e.modelId.toString(16)}`,
              input: record.input,
            });
            if (c) created++;
          }
          break;
        }
        case 'proposed': {
          const request = await requests.getRequest(e.requestId);
          if (!request) break; // requested before the node's start block
          const proposedAt = await times.of(e.blockNumber);
          await requests.recordProposal(
            e.requestId,
            { proposer: e.proposer, challenger: ZERO_ADDRESS, outputHash: e.outputHash, claimHash: ZERO_HASH },
            e.output,
            proposedAt,
          );
          const served = await models.served(request.modelId);
          const modelId = `0x${request.modelId.toString(16)}` as const;
          if (has('watcher') && served && !same(e.proposer, config.address)) {
            if ((await jobs.ensureJob({ requestId: e.requestId, kind: 'challenge', modelId, input: request.input, claimed: e.output })).created) created++;
          }
          if (has('finalizer')) {
            // Scheduled on chain time by the job itself (the chain clock may differ from this one).
            if ((await jobs.ensureJob({ requestId: e.requestId, kind: 'finalize', modelId })).created) created++;
          }
          break;
        }
        case 'challenged': {
          const request = await requests.getRequest(e.requestId);
          if (!request) break;
          await requests.recordChallenge(e.requestId, e.challenger, e.claimHash, await times.of(e.blockNumber));
          const modelId = `0x${request.modelId.toString(16)}` as const;
          // Any dispute a watcher can decide is worth settling (the resolver reward); the parties settle their own.
          const involved = same(e.challenger, config.address) || (request.proposal !== null && same(request.proposal.proposer, config.address));
          if ((has('watcher') || involved) && (await models.served(request.modelId))) {
            if ((await jobs.ensureJob({ requestId: e.requestId, kind: 'resolve', modelId, input: request.input, claimed: request.proposedOutput })).created)
              created++;
          }
          if (involved && (await models.served(request.modelId))) {
            // This node's side of the bisection game, if the dispute is one to bisect (the job decides).
            if ((await jobs.ensureJob({ requestId: e.requestId, kind: 'bisect', modelId, input: request.input })).created) created++;
          }
          if (has('finalizer')) {
            // Waits on chain time for the dispute window to close; skipped if the dispute is settled in time.
            if ((await jobs.ensureJob({ requestId: e.requestId, kind: 'expireDispute', modelId })).created) created++;
          }
          break;
        }
        case 'bisectionMoved': {
          // The other side moved (or the game opened): this node's answer is due now, not at its next look.
          const job = await jobs.findJob(e.requestId, 'bisect');
          if (job && (job.state === 'seen' || job.state === 'inferred') && job.notBefore > Date.now()) {
            await jobs.update(job.id, job.state, { notBefore: 0 });
            created++;
          }
          break;
        }
        case 'finalized':
          await requests.recordSettlement(e.requestId, { state: 'Finalized', at: await times.of(e.blockNumber), provenance: e.provenance });
          state.arbitrationRequests.delete(e.requestId.toString());
          break;
        case 'failed':
          if (e.state === 'Finalized' || e.state === 'Failed' || e.state === 'Expired')
            await requests.recordSettlement(e.requestId, { state: e.state, at: await times.of(e.blockNumber) });
          else await requests.setRequestState(e.requestId, e.state);
          state.arbitrationRequests.delete(e.requestId.toString());
          break;
        case 'resolved':
          // Kept for the dashboard: who won, who settled, and the shares (earnings and slashes come from these).
          await requests.recordResolution(e.requestId, {
            winner: e.winner,
            resolver: e.resolver,
            provenance: e.provenance,
            reward: e.reward,
            resolverReward: e.resolverReward,
          });
          // The InferenceFinalized (or InferenceFailed) event of the same transaction moves the state.
          if (same(e.resolver, config.address)) {
            logger.info(
              { request: e.requestId.toString(), provenance: e.provenance, winner: e.winner, resolverReward: e.resolverReward.toString() },
              'dispute settled by this node',
            );
          }
          break;
        case 'callbackPending': {
          await requests.saveCallback({ requestId: e.requestId, requester: e.requester, gasLimit: e.gasLimit, data: e.data, block: e.blockNumber });
          if (!has('finalizer')) break;
          const ours = await Promise.all(SETTLING.map((kind) => jobs.findJob(e.requestId, kind)));
          const settledHere = ours.some((j) => j && (j.state === 'submitted' || j.state === 'confirmed'));
          if (settledHere || e.gasLimit <= BigInt(config.maxCallbackGas)) {
            const request = await requests.getRequest(e.requestId);
            const modelId = request ? (`0x${request.modelId.toString(16)}` as const) : '0x0';
            if ((await jobs.ensureJob({ requestId: e.requestId, kind: 'deliver', modelId })).created) created++;
          }
          break;
        }
        case 'callbackDelivered':
          await requests.markCallbackDelivered(e.requestId);
          break;
      }
    }
    return created;
  };
}
