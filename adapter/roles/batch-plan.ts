/**
 * When to prove requests together: the node's batching policy, as a pure decision over the open requests it could
 * prove (docs/PROTOCOL.md, "Batches"). Requests are grouped by model and verifier version (one batch verifier per
 * version and size); a group is proven as soon as it fills the largest batch, or once its oldest request has waited
 * `maxWaitBlocks`, in the smallest batch size that holds it (padded); a request whose deadline would pass before a
 * batch proof lands leaves the batch for the single way (one proof, or an optimistic proposal).
 *
 * The proposer asks it for each request it could prove (`roles/propose.ts`); the job whose decision finds its group
 * ready leads the batch: it proves it and sends the one transaction, the others ride along (`roles/executor.ts`).
 */

/** An open request this node can prove, as the batcher sees it. */
export type BatchCandidate = {
  requestId: bigint;
  modelId: bigint;
  verifierVersion: bigint;
  /** The request's deadline (chain time, seconds): a proof must land by then. */
  deadline: bigint;
  /** The block in which the node saw the request. */
  seenAtBlock: number;
};

export type BatchPolicy = {
  /** Batch sizes with a batch verifier, per `${modelId}:${verifierVersion}` (ascending); none: never batched. */
  sizes: ReadonlyMap<string, readonly number[]>;
  /** How many blocks the oldest request of a group may wait for the batch to fill. */
  maxWaitBlocks: number;
  /** Seconds from deciding to a mined batch of K (proving, sending, inclusion), with margin. */
  landingS: (batchSize: number) => number;
  /** Seconds per block (to turn the wait into time). */
  blockS: number;
};

export type BatchPlan<C extends BatchCandidate = BatchCandidate> =
  | { type: 'prove'; modelId: bigint; verifierVersion: bigint; batchSize: number; requests: C[] }
  | { type: 'single'; requests: C[]; reason: 'no batch verifier' | 'deadline' }
  | { type: 'wait'; modelId: bigint; verifierVersion: bigint; untilBlock: number; requests: C[] };

export const groupKey = (modelId: bigint, verifierVersion: bigint): string => `${modelId}:${verifierVersion}`;

/** The plans for every group of `candidates` at block `block` and chain time `time`. */
export function planBatches<C extends BatchCandidate>(candidates: readonly C[], policy: BatchPolicy, now: { block: number; time: bigint }): BatchPlan<C>[] {
  const groups = new Map<string, C[]>();
  for (const c of candidates) {
    const key = groupKey(c.modelId, c.verifierVersion);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const plans: BatchPlan<C>[] = [];
  for (const [key, group] of groups) {
    const sizes = policy.sizes.get(key) ?? [];
    if (sizes.length === 0) {
      plans.push({ type: 'single', requests: group, reason: 'no batch verifier' });
      continue;
    }
    const { modelId, verifierVersion } = group[0]!;
    const largest = sizes[sizes.length - 1]!;
    const fits = (k: number): number => sizes.find((size) => size >= k) ?? largest;
    // Oldest first, then the earliest deadline: the requests that have waited longest go in the first batch.
    let open = [...group].sort((a, b) => a.seenAtBlock - b.seenAtBlock || Number(a.deadline - b.deadline));
    // A request that a batch could not land in time for, were it to wait the whole wait and then take the largest
    // size, leaves for the single way (decided now, not when it is too late for that way too).
    const worstS = BigInt(Math.ceil(policy.maxWaitBlocks * policy.blockS + policy.landingS(largest)));
    const late = open.filter((c) => now.time + worstS > c.deadline);
    if (late.length > 0) {
      plans.push({ type: 'single', requests: late, reason: 'deadline' });
      open = open.filter((c) => !late.includes(c));
    }
    while (open.length >= largest) {
      plans.push({ type: 'prove', modelId, verifierVersion, batchSize: largest, requests: open.slice(0, largest) });
      open = open.slice(largest);
    }
    if (open.length === 0) continue;
    const untilBlock = open[0]!.seenAtBlock + policy.maxWaitBlocks;
    plans.push(
      now.block >= untilBlock
        ? { type: 'prove', modelId, verifierVersion, batchSize: fits(open.length), requests: open }
        : { type: 'wait', modelId, verifierVersion, untilBlock, requests: open },
    );
  }
  return plans;
}
