import { describe, expect, it } from 'vitest';
import { FeatureError } from '../../../lib/apps/errors.js';
import { TEXT_BUCKETS, TEXT_MAX_COUNT, fnv1a32, textFeatures, textModelInput, tokenize } from '../../../lib/apps/text.js';
import { InputRangeError, type IntModel } from '../../../lib/semantics/index.js';

describe('tokenize', () => {
  it('lowercases and keeps runs of ASCII letters only', () => {
    expect(tokenize("Hello, WORLD! it's 2024: naïve DAO-vote")).toEqual(['hello', 'world', 'it', 's', 'na', 've', 'dao', 'vote']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('123 !!! ---')).toEqual([]);
    // Only ASCII letters count: the Kelvin sign lowercases to "k" in Unicode, but here it separates.
    expect(tokenize('\u212Aelvin ÄBC')).toEqual(['elvin', 'bc']);
  });
});

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('is unsigned 32-bit', () => {
    for (const t of ['treasury', 'admin', 'timelock', 'zzzzzzzzzzzzzzzzzzzz']) {
      const h = fnv1a32(t);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});

describe('textFeatures', () => {
  it('counts tokens per bucket (hash mod 64) and clips the counts at 3', () => {
    // fnv1a32('a') = 0xe40c292c, and 0x2c = 44.
    const f = textFeatures('a A a, a; a');
    expect(f).toHaveLength(TEXT_BUCKETS);
    expect(f[44]).toBe(TEXT_MAX_COUNT);
    expect(f.reduce((s, v) => s + v, 0)).toBe(3);
    const g = textFeatures('a a');
    expect(g[44]).toBe(2);
  });

  it('puts each token in the bucket of its hash', () => {
    const text = 'Grant the proposer permanent admin rights';
    const f = textFeatures(text);
    const expected = new Array<number>(64).fill(0);
    for (const t of tokenize(text)) expected[fnv1a32(t) % 64]! += 1;
    expect(f).toEqual(expected.map((c) => Math.min(3, c)));
    expect(textFeatures(text.toUpperCase())).toEqual(f);
  });

  it('takes other bucket counts and clip limits, and refuses bad ones', () => {
    expect(textFeatures('b b b b', { buckets: 8, maxCount: 10 })[fnv1a32('b') % 8]).toBe(4);
    expect(textFeatures('x', { buckets: 8 })).toHaveLength(8);
    expect(() => textFeatures('x', { buckets: 0 })).toThrow(FeatureError);
    expect(() => textFeatures('x', { maxCount: 0 })).toThrow(FeatureError);
  });
});

describe('textModelInput', () => {
  const model: IntModel = {
    scaleBits: 4,
    outputKind: 'argmax',
    inputMin: 0n,
    inputMax: 48n, // 3 at scale 2^4
    layers: [{ inDim: 64, outDim: 2, relu: false, weights: [new Array<number>(64).fill(1), new Array<number>(64).fill(-1)], bias: [0, 0] }],
  };

  it('quantizes the features at the model scale', () => {
    const q = textModelInput(model, 'a a');
    expect(q).toHaveLength(64);
    expect(q[44]).toBe(32n);
    expect(q.filter((v) => v !== 0n)).toHaveLength(1);
  });

  it('refuses counts above the model range', () => {
    expect(() => textModelInput(model, 'a a a a', { maxCount: 4 })).toThrow(InputRangeError);
  });
});
