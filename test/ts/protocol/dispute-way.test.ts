import { describe, expect, it } from 'vitest';
import { DISPUTE_TX_GAS_CAP, disputeByBisection, estimateReexecutionGas, modelMacs } from '../../../lib/protocol/index.js';
import { randomModel } from '../semantics/fixtures.js';

describe('the way of a dispute', () => {
  it('estimates re-execution gas at or above the measured figures, within 10 %', () => {
    // BENCHMARKS.md: resolveByReexecution of the 2→3→2 model 184,420 gas; of the 64→32→10 digits model 1,595,386 gas
    // (gas benchmark) and 1,641,375 gas (bisection benchmark, another input).
    for (const [dims, measured] of [
      [[2, 3, 2], 184_420n],
      [[64, 32, 10], 1_595_386n],
      [[64, 32, 10], 1_641_375n],
    ] as const) {
      const estimate = estimateReexecutionGas(randomModel(1, [...dims]));
      expect(estimate).toBeGreaterThanOrEqual(measured);
      expect(estimate).toBeLessThanOrEqual((measured * 110n) / 100n);
    }
    expect(modelMacs(randomModel(1, [64, ...Array.from({ length: 15 }, () => 64), 10]))).toBe(62_080n);
  });

  it('bisects only models with a steps commitment, and those only when re-execution is impossible or above the cap', () => {
    const small = 1_000_000n;
    expect(disputeByBisection({ stepsCommitted: false, weightsOnChain: false, reexecutionGas: small })).toBe(false);
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: false, reexecutionGas: small })).toBe(true);
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: true, reexecutionGas: small })).toBe(false);
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: true, reexecutionGas: DISPUTE_TX_GAS_CAP })).toBe(false);
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: true, reexecutionGas: DISPUTE_TX_GAS_CAP + 1n })).toBe(true);
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: true, reexecutionGas: small, txGasCap: small - 1n })).toBe(true);
  });

  it('bisects a graph model only when its steps commitment names a step executor', () => {
    const none = '0x0000000000000000000000000000000000000000' as const;
    const executor = '0x00000000000000000000000000000000000000e5' as const;
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: false, reexecutionGas: 0n, graph: { stepExecutor: executor } })).toBe(true);
    expect(disputeByBisection({ stepsCommitted: true, weightsOnChain: false, reexecutionGas: 0n, graph: { stepExecutor: none } })).toBe(false);
    expect(disputeByBisection({ stepsCommitted: false, weightsOnChain: false, reexecutionGas: 0n, graph: { stepExecutor: executor } })).toBe(false);
  });
});
