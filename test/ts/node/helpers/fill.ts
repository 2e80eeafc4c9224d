import type { Hex } from '../../../../lib/semantics/index.js';
import { ZERO_ADDRESS, ZERO_HASH } from '../../../../lib/protocol/index.js';
import type { JobKind, JobState } from '../../../../adapter/jobs/machine.js';
import type { NodeStores } from '../../../../adapter/store/types.js';
import { OTHER, requestTerms } from './terms.js';

export const FILL_FEE = 10n ** 16n;
export const FILL_BOND = 10n ** 18n;

/** The request life cycles a filled store cycles through (one per request, by index). */
const PLAN = ['finalized', 'finalized', 'finalized', 'finalized', 'finalized', 'finalized', 'proposed', 'requested', 'won', 'lost'] as const;

const hash = (n: number, salt: number): Hex => `0x${salt.toString(16).padStart(8, '0')}${n.toString(16).padStart(56, '0')}` as Hex;

/**
 * Fills a store as a busy node's would look: `requests` requests over the last `spanMs` (one every `spanMs /
 * requests`), ten life cycles in turn (six finalized proposals of `operator`, one proposed, one still requested, a
 * dispute `operator` won as challenger, one it lost as proposer), with the jobs and transactions it would have.
 * Returns the number of jobs written.
 */
export async function fillStore(store: NodeStores, opts: { requests: number; operator: Hex; now?: number; spanMs?: number }): Promise<number> {
  const now = opts.now ?? Date.now();
  const span = opts.spanMs ?? 3_600_000;
  const step = span / opts.requests;
  const me = opts.operator;
  const pending: Array<{ id: number; state: JobState; n: number; at: number }> = [];
  let jobs = 0;
  const job = async (requestId: bigint, kind: JobKind, path: JobState[], at: number, error?: string) => {
    const { job: j } = await store.jobs.ensureJob({ requestId, kind, modelId: '0x1' }, at);
    jobs++;
    let state: JobState = 'seen';
    for (const next of path) {
      if (next === 'submitted') {
        pending.push({ id: j.id, state, n: jobs, at: at + 150 });
        state = next;
        continue;
      }
      if (state === 'submitted') continue; // moved after the batch of submissions below
      await store.jobs.transition(j.id, state, next, next === 'skipped' || next === 'failed' ? { error: error ?? 'request is Finalized' } : {}, at + 100);
      state = next;
    }
    return { id: j.id, final: path.at(-1) ?? 'seen' };
  };
  const after: Array<{ id: number; to: JobState; at: number }> = [];
  for (let i = 0; i < opts.requests; i++) {
    const requestId = BigInt(hash(i, 0xa11));
    const at = Math.round(now - span + i * step);
    const chainAt = Math.floor(at / 1000);
    const plan = PLAN[i % PLAN.length]!;
    const terms = requestTerms({ fee: FILL_FEE, bond: FILL_BOND, deadline: BigInt(chainAt + 3600) });
    await store.requests.saveRequest(
      {
        requestId,
        modelId: 1n,
        terms,
        input: [1n, 2n, 3n, 4n],
        proposal: null,
        proposedOutput: null,
        proposedAt: null,
        disputedAt: null,
        state: 'Requested',
        requestedBlock: 1000 + i,
      },
      chainAt,
    );
    const proposer = plan === 'won' ? OTHER : me;
    const submitted = async (kind: JobKind, end: JobState, t: number) => {
      const j = await job(requestId, kind, ['submitted', end], t);
      if (end !== 'submitted') after.push({ id: j.id, to: end, at: t + 2000 });
    };
    if (plan === 'requested') {
      await job(requestId, 'propose', [], at);
      continue;
    }
    if (proposer === me) await submitted('propose', plan === 'proposed' ? 'submitted' : 'confirmed', at);
    await store.requests.recordProposal(requestId, { proposer, challenger: ZERO_ADDRESS, outputHash: ZERO_HASH, claimHash: ZERO_HASH }, [1n, 0n], chainAt + 2);
    if (plan === 'proposed') continue;
    if (plan === 'won' || plan === 'lost') {
      const challenger = plan === 'won' ? me : OTHER;
      if (plan === 'won') await submitted('challenge', 'confirmed', at + 3000);
      await store.requests.recordChallenge(requestId, challenger, ZERO_HASH, chainAt + 5);
      await submitted('resolve', plan === 'won' ? 'confirmed' : 'skipped', at + 6000);
      await store.requests.recordResolution(requestId, {
        winner: plan === 'won' ? me : OTHER,
        resolver: plan === 'won' ? me : OTHER,
        provenance: 'Reexecution',
        reward: FILL_BOND / 2n,
        resolverReward: FILL_BOND / 10n,
      });
    } else {
      await submitted('finalize', 'confirmed', at + 62_000);
    }
    await store.requests.recordSettlement(requestId, { state: 'Finalized', at: chainAt + 64, provenance: plan === 'finalized' ? 'Optimistic' : 'Reexecution' });
  }
  // Transactions in small batches (one durable commit each, sent at the batch's last time), then the receipts' outcomes.
  pending.sort((a, b) => a.at - b.at);
  for (let b = 0; b < pending.length; b += 20) {
    const batch = pending.slice(b, b + 20);
    await store.txs.submitMany(
      batch.map((p) => ({
        id: p.id,
        state: p.state,
        sign: () => ({ hash: hash(p.n, 0x7e5), raw: '0x00' as Hex, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }),
      })),
      me,
      batch.at(-1)!.at,
    );
  }
  for (const a of after) await store.jobs.transition(a.id, 'submitted', a.to, a.to === 'skipped' ? { error: 'request is Finalized' } : {}, a.at);
  return jobs;
}
