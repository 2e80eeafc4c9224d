import { describe, expect, it } from 'vitest';
import { parseAccepts } from '../../../commands/request.js';
import { ORACLE_ABI, acceptedProvenances, accepts, acceptsMask, oracleInterface } from '../../../lib/client/oracle-abi.js';

describe('accepted provenances', () => {
  it('are a bitmask of 1 << Provenance, zero accepting any', () => {
    expect(acceptsMask([])).toBe(0);
    expect(acceptsMask(['Proof'])).toBe(16);
    expect(acceptsMask(['Optimistic', 'Proof'])).toBe(18);
    expect(acceptedProvenances(18)).toEqual(['Optimistic', 'Proof']);
    expect(accepts(0, 'Optimistic')).toBe(true);
    expect(accepts(16, 'Optimistic')).toBe(false);
    expect(accepts(16n, 'Proof')).toBe(true);
  });

  it('parse from vai request --accept, case-insensitively, and refuse unknown names', () => {
    expect(parseAccepts(undefined)).toEqual([]);
    expect(parseAccepts('proof, Reexecution')).toEqual(['Proof', 'Reexecution']);
    expect(() => parseAccepts('proof,none')).toThrow(/\[Param: accept\] "none"/);
    expect(() => parseAccepts('zk')).toThrow(/not a provenance/);
  });
});

describe('the oracle ABI', () => {
  it("has the oracle's functions and the dispute functions its proxy forwards, each shared event and error once", () => {
    const iface = oracleInterface();
    for (const f of [
      'requestInference',
      'propose',
      'finalize',
      'deliverCallback',
      'challenge',
      'resolveWithProof',
      'resolveByReexecution',
      'resolveByArbitration',
      'expireDispute',
      'expire',
      'correctCacheWithProof',
      'correctCacheByReexecution',
      'slashSplit',
    ])
      expect(iface.getFunction(f), f).not.toBeNull();
    for (const e of [
      'InferenceFinalized',
      'ProposalChallenged',
      'DisputeResolved',
      'CallbackPending',
      'CallbackDelivered',
      'CacheUpdated',
      'StakeWithdrawn',
      'ModelSynced',
    ])
      expect(iface.getEvent(e), e).not.toBeNull();
    const names = (ORACLE_ABI as Array<{ format(f: 'json'): string }>).map((f) => f.format('json'));
    expect(new Set(names).size).toBe(names.length);
  });
});
