import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { poseidon4 } from 'poseidon-lite/poseidon4';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/project.js';
import {
  commitWords,
  InputRangeError,
  inputCommitment,
  inputHashKindOf,
  inputHashKindValue,
  inputHashOf,
  packCommitmentWords,
  valuesHash,
} from '../../../lib/semantics/index.js';
import { packedLayout, packValues } from '../../../lib/zk/layout.js';

const pixels = { inputMin: 0n, inputMax: 255n };

describe('input hashes', () => {
  it('keccak is keccak256(abi.encodePacked(int256[] input)), as before', () => {
    const input = [1n, -2n, 3n];
    expect(inputHashOf('keccak', input, { inputMin: -5n, inputMax: 5n })).toBe(valuesHash(input));
  });

  it('packs the commitment words exactly as the circuits pack their input signals', () => {
    for (const [range, n] of [
      [pixels, 784],
      [{ inputMin: -7n, inputMax: 130000n }, 64],
      [{ inputMin: 0n, inputMax: 1n }, 300],
    ] as const) {
      const input = Array.from({ length: n }, (_, k) => range.inputMin + (BigInt(k * 7919) % (range.inputMax - range.inputMin + 1n)));
      const layout = packedLayout(n, range.inputMin, range.inputMax, 'input');
      expect(packCommitmentWords(input, range)).toEqual(packValues(layout, input));
    }
  });

  it('absorbs the length, then three words per Poseidon(4) permutation', () => {
    const words = [5n, 6n, 7n, 8n];
    const first = poseidon4([4n, 5n, 6n, 7n]);
    expect(commitWords(words, 4)).toBe(poseidon4([first, 8n, 0n, 0n]));
    expect(commitWords([], 0)).toBe(0n);
  });

  it('separates inputs that pack to the same words by their length', () => {
    expect(inputCommitment([0n], pixels)).not.toBe(inputCommitment([0n, 0n], pixels));
    expect(inputCommitment([1n, 2n], pixels)).not.toBe(inputCommitment([2n, 1n], pixels));
  });

  it('is a field element written as bytes32', () => {
    const c = inputCommitment(
      Array.from({ length: 784 }, (_, k) => BigInt(k % 256)),
      pixels,
    );
    expect(c).toMatch(/^0x[0-9a-f]{64}$/);
    expect(BigInt(c)).toBeLessThan(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
  });

  it('refuses a value outside the range by name', () => {
    expect(() => inputCommitment([0n, 256n], pixels)).toThrow(InputRangeError);
  });

  it('maps kinds to the Solidity enum and back, and refuses an unknown one', () => {
    expect(inputHashKindValue('keccak')).toBe(0);
    expect(inputHashKindValue('poseidon')).toBe(1);
    expect(inputHashKindOf(1)).toBe('poseidon');
    expect(() => inputHashKindOf(2)).toThrow(/Unknown InputHashKind 2/);
  });

  it('reproduces every vector the forge tests check against InputHash.sol', async () => {
    const raw = JSON.parse(await readFile(join(PROJECT_ROOT, 'test', 'vectors', 'input-commitments.json'), 'utf8')) as {
      vectors: { inputMin: string; inputMax: string; input: string[]; commitment: string }[];
    };
    expect(raw.vectors.length).toBeGreaterThan(40);
    for (const v of raw.vectors)
      expect(inputCommitment(v.input.map(BigInt), { inputMin: BigInt(v.inputMin), inputMax: BigInt(v.inputMax) })).toBe(v.commitment);
  });
});
