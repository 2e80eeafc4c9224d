import { describe, expect, it } from 'vitest';
import { erf, gelu, geluOp, geluTanh, softmaxConstants } from '../../../lib/model/gpt/ops.js';
import {
  computeGraphBounds,
  decodeGraph,
  encodeGraph,
  floorDiv,
  GraphBoundsError,
  GraphBuilder,
  geluCorrection,
  graphHash,
  integerExp,
  InvalidGraphError,
  isqrt,
  type IntGraph,
  rescale,
  roundDiv,
  runGraph,
  runGraphTrace,
} from '../../../lib/semantics/index.js';

const S = 12;
const ONE = 1 << S;

describe('integer helpers of the transformer ops', () => {
  it('isqrt is the floor of the square root, also around perfect squares and beyond 2^52', () => {
    for (const [n, r] of [
      [0n, 0n],
      [1n, 1n],
      [3n, 1n],
      [4n, 2n],
      [15n, 3n],
      [16n, 4n],
      [(1n << 60n) - 1n, (1n << 30n) - 1n],
      [1n << 60n, 1n << 30n],
      [3037000499n * 3037000499n - 1n, 3037000498n],
    ] as const)
      expect(isqrt(n)).toBe(r);
    expect(() => isqrt(-1n)).toThrow(RangeError);
  });

  it('floorDiv floors and roundDiv rounds half up, for negatives too', () => {
    expect(floorDiv(-7n, 2n)).toBe(-4n);
    expect(floorDiv(7n, 2n)).toBe(3n);
    expect(roundDiv(-3n, 2n)).toBe(-1n); // -1.5 goes up
    expect(roundDiv(3n, 2n)).toBe(2n);
    expect(roundDiv(-5n, 4n)).toBe(-1n); // -1.25
  });
});

describe('integer softmax', () => {
  const node = softmaxConstants(S, false);
  it('i-exp follows exp within 1 % on [-8, 0] and is 0 below the floor', () => {
    for (let d = -8; d <= 0; d += 0.01) {
      const e = Number(integerExp(node, BigInt(Math.round(d * ONE)), S)) / 2 ** (2 * S);
      expect(Math.abs(e - Math.exp(d))).toBeLessThan(0.01 * Math.exp(d) + 2 ** -(2 * S));
    }
    expect(integerExp(node, BigInt(-(2 * S + 1) * node.ln2), S)).toBe(0n);
    expect(integerExp(node, -(1n << 40n), S)).toBe(0n);
  });

  it('rows sum to about 2^S, masked positions are 0, a causal row 0 is one-hot', () => {
    const b = new GraphBuilder([2, 3, 3]);
    b.add({ ...softmaxConstants(S, true), inputs: [0] });
    const graph = b.build({ scaleBits: S, outputKind: 'logits', inputMin: -(8n << 12n), inputMax: 8n << 12n });
    const x = [1, -2, 3, 0.5, 0.5, -7, 2, 1, 0, -1, 1, 1, 4, 4, 4, 0, 0, 0].map((v) => BigInt(Math.round(v * ONE)));
    const y = runGraph(graph, x).map(Number);
    expect(y.slice(0, 3)).toEqual([ONE, 0, 0]);
    expect(y[5]).toBe(0);
    // Row 1: [0.5, 0.5] is a tie: two equal halves.
    expect(y[3]).toBe(y[4]);
    expect(Math.abs(y[3]! - ONE / 2)).toBeLessThanOrEqual(1);
    for (let r = 0; r < 6; r++) expect(Math.abs(y.slice(r * 3, r * 3 + 3).reduce((a, v) => a + v, 0) - ONE)).toBeLessThanOrEqual(2);
    // Row 2 of the first head against the float softmax.
    const f = [2, 1, 0].map(Math.exp);
    const sum = f.reduce((a, v) => a + v, 0);
    f.forEach((v, i) => {
      expect(Math.abs(y[6 + i]! / ONE - v / sum)).toBeLessThan(0.01);
    });
  });
});

describe('integer layer norm', () => {
  const graphOf = (gamma: number[], beta: number[]): IntGraph => {
    const b = new GraphBuilder([2, 4]);
    b.add({ op: 'layernorm', gamma: gamma.map((g) => g * ONE), beta: beta.map((v) => v * ONE * ONE), epsilon: Math.round(1e-5 * ONE * ONE), inputs: [0] });
    return b.build({ scaleBits: S, outputKind: 'logits', inputMin: -(64n << 12n), inputMax: 64n << 12n });
  };
  it('matches the float layer norm within 2^-(S-2) and maps a constant row to beta', () => {
    const graph = graphOf([1, 2, -1, 0.5], [0, 0.25, -0.5, 1]);
    const rows = [
      [1.5, -3.25, 7, 0.125],
      [2, 2, 2, 2],
    ];
    const y = runGraph(
      graph,
      rows.flat().map((v) => BigInt(Math.round(v * ONE))),
    ).map((v) => Number(v) / ONE);
    const r0 = rows[0]!;
    const mean = r0.reduce((a, v) => a + v, 0) / 4;
    const std = Math.sqrt(r0.reduce((a, v) => a + (v - mean) ** 2, 0) / 4 + 1e-5);
    [1, 2, -1, 0.5].forEach((g, i) => {
      expect(Math.abs(y[i]! - (g * (r0[i]! - mean)) / std - [0, 0.25, -0.5, 1][i]!)).toBeLessThan(4 / ONE);
    });
    expect(y.slice(4)).toEqual([0, 0.25, -0.5, 1]);
  });
  it('bounds cover the normalized values', () => {
    const bounds = computeGraphBounds(graphOf([1, 1, 1, 1], [0, 0, 0, 0]));
    expect(bounds[0]!.outMax).toBeGreaterThanOrEqual(BigInt(Math.ceil(Math.sqrt(3) * ONE)));
    expect(bounds[0]!.outMin).toBeLessThanOrEqual(-BigInt(Math.ceil(Math.sqrt(3) * ONE)));
  });
});

describe('integer GELU', () => {
  const node = geluOp(S);
  it('erf and the float GELU are right at known points', () => {
    expect(erf(0)).toBe(0);
    expect(Math.abs(erf(1) - 0.8427007929497149)).toBeLessThan(1e-14);
    expect(Math.abs(gelu(1) - 0.8413447460685429)).toBeLessThan(1e-14);
  });
  it('stays within 2^-(S-1) of the float GELU on [-6, 6], is x far right and 0 far left', () => {
    const b = new GraphBuilder([1]);
    b.add({ ...node, inputs: [0] });
    const graph = b.build({ scaleBits: S, outputKind: 'logits', inputMin: -(1n << 30n), inputMax: 1n << 30n });
    for (let x = -6; x <= 6; x += 1 / 64) {
      const y = Number(runGraph(graph, [BigInt(Math.round(x * ONE))])[0]) / ONE;
      expect(Math.abs(y - gelu(x))).toBeLessThan(2 / ONE);
    }
    // The tanh form's coefficients follow PyTorch's approximate='tanh' as closely.
    const b2 = new GraphBuilder([1]);
    b2.add({ ...geluOp(S, 'tanh'), inputs: [0] });
    const tanhGraph = b2.build({ scaleBits: S, outputKind: 'logits', inputMin: -(1n << 30n), inputMax: 1n << 30n });
    for (let x = -6; x <= 6; x += 1 / 32) {
      const y = Number(runGraph(tanhGraph, [BigInt(Math.round(x * ONE))])[0]) / ONE;
      expect(Math.abs(y - geluTanh(x))).toBeLessThan(2 / ONE);
    }
    expect(runGraph(graph, [1n << 30n])[0]).toBe(1n << 30n);
    expect(runGraph(graph, [-(1n << 30n)])[0]).toBe(0n);
    // Beyond the 32 segments of 1/8 (|x| >= 4) the correction is 0; just inside it is h(4-) > 0.
    expect(geluCorrection(node, 4n << 12n, S)).toBe(0n);
    expect(geluCorrection(node, -(4n << 12n), S)).toBe(0n);
    expect(geluCorrection(node, (4n << 12n) - 1n, S)).toBeGreaterThan(0n);
  });
});

/** A two-head attention block written with every transformer op. */
function tinyAttention(): IntGraph {
  const T = 4;
  const D = 4;
  const V = 5;
  const w = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (((i * 37 + seed * 11) % 17) - 8) * 64);
  const b = new GraphBuilder([T]);
  const e = b.add({ op: 'embedding', vocab: V, table: w(V * D, 1), positions: w(T * D, 2), inputs: [0] });
  const n = b.add({ op: 'layernorm', gamma: new Array(D).fill(ONE), beta: new Array(D).fill(0), epsilon: 168, inputs: [e] });
  const qkv = b.add({ op: 'linear', outDim: 3 * D, weights: w(3 * D * D, 3), bias: w(3 * D, 4).map((v) => v * 8), inputs: [n] });
  const heads = [0, 1, 2].map((i) => {
    const s = b.add({ op: 'slice', axis: 1, start: i * D, end: (i + 1) * D, inputs: [qkv] });
    const r = b.add({ op: 'reshape', shape: [T, 2, 2], inputs: [s] });
    return b.add({ op: 'transpose', perm: i === 1 ? [1, 2, 0] : [1, 0, 2], inputs: [r] });
  });
  const att = b.add({ op: 'matmul', inputs: [heads[0]!, heads[1]!] });
  const soft = b.add({ ...softmaxConstants(S, true), inputs: [att] });
  const y = b.add({ op: 'matmul', inputs: [soft, heads[2]!] });
  const t = b.add({ op: 'transpose', perm: [1, 0, 2], inputs: [y] });
  const f = b.add({ op: 'reshape', shape: [T, D], inputs: [t] });
  const g = b.add({ ...geluOp(S), inputs: [f] });
  const r = b.add({ op: 'add', inputs: [g, e] });
  b.add({ op: 'linear', outDim: V, weights: w(V * D, 5), bias: new Array(V).fill(0), inputs: [r] });
  return b.build({ scaleBits: S, outputKind: 'logits', inputMin: 0n, inputMax: BigInt(V - 1) });
}

describe('transformer graphs', () => {
  it('encode, decode and hash canonically, and run the same after decoding', () => {
    const graph = tinyAttention();
    const bytes = encodeGraph(graph);
    const back = decodeGraph(bytes);
    expect(graphHash(back)).toBe(graphHash(graph));
    const input = [3n, 0n, 4n, 1n];
    expect(runGraph(back, input)).toEqual(runGraph(graph, input));
  });

  it('causal: changing a later token never changes earlier logits', () => {
    const graph = tinyAttention();
    const a = runGraph(graph, [3n, 0n, 4n, 1n]);
    const b = runGraph(graph, [3n, 0n, 2n, 2n]);
    expect(b.slice(0, 10)).toEqual(a.slice(0, 10));
    expect(b.slice(10)).not.toEqual(a.slice(10));
  });

  it('every value stays inside its node bounds', () => {
    const graph = tinyAttention();
    const bounds = computeGraphBounds(graph);
    for (const ids of [
      [0n, 0n, 0n, 0n],
      [4n, 3n, 2n, 1n],
      [1n, 4n, 1n, 4n],
    ]) {
      runGraphTrace(graph, ids).nodes.forEach((n, k) => {
        for (const v of n.y) {
          expect(v >= bounds[k]!.outMin && v <= bounds[k]!.outMax).toBe(true);
        }
      });
    }
  });

  it('refuses token ids beyond the table and malformed transformer nodes', () => {
    const graph = tinyAttention();
    expect(() => computeGraphBounds({ ...graph, inputMax: 5n })).toThrow(GraphBoundsError);
    const b = new GraphBuilder([2, 3]);
    expect(() => b.add({ op: 'matmul', inputs: [0, 0] })).toThrow(InvalidGraphError);
    expect(() => b.add({ op: 'slice', axis: 1, start: 2, end: 4, inputs: [0] })).toThrow(InvalidGraphError);
    expect(() => b.add({ ...softmaxConstants(S, true), inputs: [0] })).toThrow(InvalidGraphError);
  });

  it('rescale stays the one rounding rule of the linear and matmul nodes', () => {
    const b = new GraphBuilder([1, 2]);
    b.add({ op: 'linear', outDim: 1, weights: [3, -5], bias: [-(1 << (S - 1))], inputs: [0] });
    const graph = b.build({ scaleBits: S, outputKind: 'logits', inputMin: -100n, inputMax: 100n });
    expect(runGraph(graph, [7n, 9n])[0]).toBe(rescale(BigInt(3 * 7 - 5 * 9 - (1 << (S - 1))), S));
  });
});
