import { describe, expect, it } from 'vitest';
import { DISPUTE_TX_GAS_CAP, disputeByBisection, estimateReexecutionGas, modelMacs } from '../../../lib/protocol/index.js';
import { randomModel } from '../semantics/fixtures.js';

describe('the way of a dispute', () => {
  it('estimates re-execution gas at or above the measured figures of the gas benchmark, within 5 %', () => {
    // BENCHMARKS.md: resolveByReexecution of the 2→3→2 model 184,420 gas, of the 64→32→10 model 1,595,386 gas.
    for (const [dims, measured] of [
      [[2, 3, 2], 184_420n],
      [[64, 32, 10], 1_595_386n],
    ] as const) {
      const estimate = estimateReexecutionGas(randomModel(1, [...dims]));
      expect(estimate).toBeGreaterThanOrEqual(measured);
      expect(estimate).toBeLessThanOrEqual((measured * 105n) / 100n);
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
});
