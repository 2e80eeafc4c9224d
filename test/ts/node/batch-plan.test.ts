import { describe, expect, it } from 'vitest';
import { groupKey, planBatches, type BatchCandidate, type BatchPolicy } from '../../../adapter/roles/batch-plan.js';

const policy: BatchPolicy = { sizes: new Map([[groupKey(1n, 1n), [1, 4, 16]]]), maxWaitBlocks: 3, landingS: (k) => 2 + k / 4, blockS: 1 };
const req = (id: number, seenAtBlock: number, deadline = 10_000n, modelId = 1n): BatchCandidate => ({
  requestId: BigInt(id),
  modelId,
  verifierVersion: 1n,
  deadline,
  seenAtBlock,
});
const now = { block: 10, time: 1_000n };

describe('batch plan', () => {
  it('waits for a batch to fill until the oldest request has waited maxWaitBlocks', () => {
    expect(planBatches([req(1, 9), req(2, 10)], policy, now)).toEqual([
      { type: 'wait', modelId: 1n, verifierVersion: 1n, untilBlock: 12, requests: [req(1, 9), req(2, 10)] },
    ]);
  });

  it('proves what waited long enough in the smallest batch that holds it (padded)', () => {
    const plans = planBatches([req(1, 7), req(2, 8), req(3, 9), req(4, 10), req(5, 10)], policy, now);
    expect(plans).toEqual([{ type: 'prove', modelId: 1n, verifierVersion: 1n, batchSize: 16, requests: expect.any(Array) }]);
    const single = planBatches([req(1, 7)], policy, now);
    expect(single[0]).toMatchObject({ type: 'prove', batchSize: 1 });
  });

  it('proves full batches of the largest size at once, oldest first, and waits with the rest', () => {
    const many = Array.from({ length: 18 }, (_, i) => req(i, 10 - (i % 2)));
    const plans = planBatches(many, policy, now);
    expect(plans[0]).toMatchObject({ type: 'prove', batchSize: 16 });
    expect(plans[0]!.requests.slice(0, 9).every((r) => r.seenAtBlock === 9)).toBe(true);
    expect(plans[1]).toMatchObject({ type: 'wait', untilBlock: 13 });
    expect(plans[1]!.requests).toHaveLength(2);
  });

  it('sends a request whose deadline a batch would miss the single way', () => {
    const plans = planBatches([req(1, 10, 1_008n), req(2, 10)], policy, now);
    expect(plans[0]).toEqual({ type: 'single', reason: 'deadline', requests: [req(1, 10, 1_008n)] });
    expect(plans[1]).toMatchObject({ type: 'wait', requests: [req(2, 10)] });
  });

  it('never batches a model without a batch verifier, and keeps models apart', () => {
    const plans = planBatches([req(1, 1, 10_000n, 2n), req(2, 1)], policy, now);
    expect(plans).toContainEqual({ type: 'single', reason: 'no batch verifier', requests: [req(1, 1, 10_000n, 2n)] });
    expect(plans).toContainEqual(expect.objectContaining({ type: 'prove', modelId: 1n, batchSize: 1 }));
  });
});
