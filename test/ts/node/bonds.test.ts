import { describe, expect, it } from 'vitest';
import { BondLedger } from '../../../adapter/roles/state.js';

describe('the bond ledger (own proposals the free stake may not show yet)', () => {
  it('counts every bond when the free stake was read without a block', () => {
    const ledger = new BondLedger(() => 10);
    ledger.add('1', 5n);
    ledger.add('2', 7n);
    expect(ledger.inFlight()).toBe(12n);
    expect(ledger.inFlight('1')).toBe(7n);
  });

  it('leaves out bonds sent early enough to be in the block the free stake was read at (one block of margin)', () => {
    let head = 10;
    const ledger = new BondLedger(() => head);
    ledger.add('sent-at-10', 5n);
    head = 11;
    ledger.add('sent-at-11', 7n);
    expect(ledger.inFlight(undefined, 11)).toBe(12n); // block 11 may not hold either yet
    expect(ledger.inFlight(undefined, 12)).toBe(7n); // the one sent when block 10 was newest is mined by block 12
    expect(ledger.inFlight(undefined, 13)).toBe(0n);
  });

  it('counts a bond of an earlier run (no known block) until it settles', () => {
    const ledger = new BondLedger(() => 10);
    ledger.add('resumed', 5n, { head: undefined });
    expect(ledger.inFlight(undefined, 100)).toBe(5n);
    ledger.retain(new Set(), Date.now() + 60_000);
    expect(ledger.inFlight()).toBe(0n);
  });

  it('keeps the block of the first send when a proposal is counted again', () => {
    let head = 10;
    const ledger = new BondLedger(() => head);
    ledger.add('1', 5n);
    head = 20;
    ledger.add('1', 5n);
    expect(ledger.inFlight(undefined, 20)).toBe(0n);
  });

  it('reads the free stake once per block, again at the next block, and again after a failed read', async () => {
    const ledger = new BondLedger();
    const reads: Array<number | undefined> = [];
    let fail = false;
    const read = async (head: number | undefined): Promise<bigint> => {
      reads.push(head);
      if (fail) throw new Error('rpc down');
      return 100n + BigInt(head ?? 0);
    };
    expect(await Promise.all([ledger.freeAt(5, read), ledger.freeAt(5, read)])).toEqual([105n, 105n]);
    expect(await ledger.freeAt(6, read)).toBe(106n);
    fail = true;
    await expect(ledger.freeAt(7, read)).rejects.toThrow('rpc down');
    fail = false;
    expect(await ledger.freeAt(7, read)).toBe(107n);
    expect(await ledger.freeAt(undefined, read)).toBe(100n);
    expect(await ledger.freeAt(undefined, read)).toBe(100n);
    expect(reads).toEqual([5, 6, 7, 7, undefined, undefined]);
  });
});
