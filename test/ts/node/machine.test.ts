import { describe, expect, it } from 'vitest';
import { InvalidJobTransitionError } from '../../../adapter/errors.js';
import { JOB_STATES, assertTransition, canTransition, isTerminal } from '../../../adapter/jobs/machine.js';
import { minedRevertVerdict } from '../../../adapter/roles/runner.js';

describe('job state machine', () => {
  it('walks the optimistic and the proof paths', () => {
    for (const path of [
      ['seen', 'inferred', 'submitted', 'confirmed'],
      ['seen', 'inferred', 'proof_pending', 'submitted', 'confirmed'],
      ['seen', 'inferred', 'proof_pending', 'inferred', 'submitted', 'failed'],
      ['seen', 'submitted', 'confirmed'],
    ] as const) {
      for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    }
  });

  it('never leaves a terminal state and never un-submits but for the next move of a game', () => {
    for (const t of ['confirmed', 'failed', 'skipped'] as const) {
      expect(isTerminal(t)).toBe(true);
      for (const s of JOB_STATES) expect(canTransition(t, s)).toBe(false);
    }
    for (const s of ['seen', 'proof_pending', 'submitted'] as const) expect(canTransition('submitted', s)).toBe(false);
    // A confirmed move of a bisection game that does not end it: the bisect job decides its next move.
    expect(canTransition('submitted', 'inferred')).toBe(true);
    // A mined transaction that lost a race (someone else acted first) ends its job skipped, not failed.
    expect(canTransition('submitted', 'skipped')).toBe(true);
    expect(isTerminal('submitted')).toBe(false);
  });

  it('throws a typed error naming the job and both states', () => {
    expect(() => assertTransition(7, 'confirmed', 'seen')).toThrow(InvalidJobTransitionError);
    expect(() => assertTransition(7, 'confirmed', 'seen')).toThrow('Job 7 cannot go from confirmed to seen.');
  });
});

describe('mined reverts', () => {
  it('are lost races (skipped) when the request moved on or nothing was left to do, else failures', () => {
    const revert = (name: string) => ({ name, args: [] });
    expect(minedRevertVerdict('finalize', revert('InferenceOracleUnexpectedRequestState'))).toBe('skipped');
    expect(minedRevertVerdict('propose', revert('InferenceOracleUnexpectedRequestState'))).toBe('skipped');
    expect(minedRevertVerdict('deliver', revert('InferenceOracleNoPendingCallback'))).toBe('skipped');
    expect(minedRevertVerdict('propose', revert('InferenceOracleInsufficientStake'))).toBe('failed');
    expect(minedRevertVerdict('finalize', undefined)).toBe('failed');
  });
});
