/**
 * Interval bounds of the transformer ops (docs/SEMANTICS.md, "Transformer ops", bounds): for every
 * element the range of its value, and the largest accumulator, so that the graph compiler can refuse
 * a graph whose int64 arithmetic could overflow.
 */
import { rescale } from './execute.js';
import { avgWeight } from './graph-plan.js';
import { isqrt, meanSums, segmentValue, softmaxFloor } from './graph-transformer-execute.js';
import type { GeluOp, TransformerOp } from './graph-transformer.js';

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const size = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);
/** Below this, sums of products are exact in float64. */
const FLOAT_EXACT = 1n << 53n;

export type Interval = { lo: bigint[]; hi: bigint[] };
/** Records an accumulator range (the caller checks it against 2^62 and keeps the node's extremes). */
export type AccSink = (lo: bigint, hi: bigint) => void;

/** Range of the GELU correction `h` (before its rescale) over every segment, and the accumulators on the way. */
function geluRange(node: GeluOp, S: number, acc: AccSink): [bigint, bigint] {
  const seg = 1n << BigInt(node.segBits);
  let lo: bigint | null = null;
  let hi: bigint | null = null;
  for (let k = 0; k < node.c0.length; k++) {
    const c2 = BigInt(node.c2[k]!);
    acc(min(0n, c2 * (seg - 1n)), max(0n, c2 * (seg - 1n)));
    // The quadratic's extremes on [0, seg) are at the ends or where its derivative is zero; a
    // bound that covers every t: |C0 2^S| + (|C1| + |rescale(C2 t)|) t.
    const c2t = abs(rescale(c2 * (seg - 1n), S)) + 1n;
    const m = (abs(BigInt(node.c1[k]!)) + c2t) * (seg - 1n);
    const c0 = BigInt(node.c0[k]!) << BigInt(S);
    for (const v of [c0 - m, c0 + m, segmentValue(node, k, 0n, S), segmentValue(node, k, seg - 1n, S)]) {
      lo = lo === null ? v : min(lo, v);
      hi = hi === null ? v : max(hi, v);
    }
  }
  // Beyond the segments h is 0.
  acc(min(lo!, 0n), max(hi!, 0n));
  return [min(lo!, 0n), max(hi!, 0n)];
}

/**
 * The value intervals of a transformer node from those of its inputs; `acc` receives every
 * accumulator range, `fail` refuses the node. `exact` says whether float64 sums are exact for it.
 */
export function transformerBounds(
  node: TransformerOp,
  inputs: readonly Interval[],
  shapes: readonly (readonly number[])[],
  S: number,
  acc: AccSink,
  fail: (reason: string) => never,
  producers: readonly (string | null)[] = [],
): Interval & { exact: boolean } {
  const x = inputs[0]!;
  const shape = shapes[0]!;
  const last = shape[shape.length - 1]!;
  const lo: bigint[] = [];
  const hi: bigint[] = [];
  let exact = false;
  switch (node.op) {
    case 'embedding': {
      const D = node.table.length / node.vocab;
      x.lo.forEach((l, e) => {
        const t = e % last;
        const h = x.hi[e]!;
        if (l < 0n || h >= BigInt(node.vocab)) fail(`token ids can reach [${l}, ${h}], outside 0..${node.vocab - 1}`);
        for (let j = 0; j < D; j++) {
          const p = BigInt(node.positions.length ? node.positions[t * D + j]! : 0);
          let a = BigInt(node.table[Number(l) * D + j]!);
          let b = a;
          for (let id = Number(l) + 1; id <= Number(h); id++) {
            const w = BigInt(node.table[id * D + j]!);
            a = min(a, w);
            b = max(b, w);
          }
          lo.push(a + p);
          hi.push(b + p);
        }
      });
      break;
    }
    case 'linear': {
      const rows = x.lo.length / last;
      let largest = 0n;
      for (let r = 0; r < rows; r++)
        for (let n = 0; n < node.outDim; n++) {
          let a = BigInt(node.bias[n]!);
          let b = a;
          let magnitude = abs(a);
          for (let k = 0; k < last; k++) {
            const w = BigInt(node.weights[n * last + k]!);
            const p = w * x.lo[r * last + k]!;
            const q = w * x.hi[r * last + k]!;
            a += min(p, q);
            b += max(p, q);
            magnitude += max(abs(p), abs(q));
          }
          acc(-magnitude, magnitude);
          largest = max(largest, magnitude);
          lo.push(rescale(a, S));
          hi.push(rescale(b, S));
        }
      exact = largest < FLOAT_EXACT;
      break;
    }
    case 'matmul': {
      const y = inputs[1]!;
      const bShape = shapes[1]!;
      const M = shape[shape.length - 2]!;
      const N = bShape[bShape.length - 1]!;
      const batch = size(shape.slice(0, -2));
      let largest = 0n;
      if (producers[0] === 'softmax') {
        // Probabilities times values: every row of the left operand is >= 0 and sums to at most
        // P = 2^S + floor(K / 2) (each of its K roundings adds at most 1/2), so the sum is within
        // P times the extremes of the column, far tighter than K times 2^S.
        const P = (1n << BigInt(S)) + BigInt(Math.floor(last / 2));
        for (let h = 0; h < batch; h++)
          for (let m = 0; m < M; m++)
            for (let n = 0; n < N; n++) {
              let vLo = 0n;
              let vHi = 0n;
              for (let t = 0; t < last; t++) {
                const j = h * last * N + t * N + n;
                vLo = min(vLo, y.lo[j]!);
                vHi = max(vHi, y.hi[j]!);
              }
              const magnitude = P * max(-vLo, vHi);
              acc(-magnitude, magnitude);
              largest = max(largest, magnitude);
              lo.push(rescale(P * vLo, S));
              hi.push(rescale(P * vHi, S));
            }
        exact = largest < FLOAT_EXACT;
        break;
      }
      for (let h = 0; h < batch; h++)
        for (let m = 0; m < M; m++)
          for (let n = 0; n < N; n++) {
            let a = 0n;
            let b = 0n;
            let magnitude = 0n;
            for (let t = 0; t < last; t++) {
              const i = h * M * last + m * last + t;
              const j = h * last * N + t * N + n;
              const c = [x.lo[i]! * y.lo[j]!, x.lo[i]! * y.hi[j]!, x.hi[i]! * y.lo[j]!, x.hi[i]! * y.hi[j]!];
              const p = c.reduce(min);
              const q = c.reduce(max);
              a += p;
              b += q;
              magnitude += max(abs(p), abs(q));
            }
            acc(-magnitude, magnitude);
            largest = max(largest, magnitude);
            lo.push(rescale(a, S));
            hi.push(rescale(b, S));
          }
      exact = largest < FLOAT_EXACT;
      break;
    }
    case 'softmax': {
      // d = x - max stays in [softmaxFloor, 0] after the clamp; before it, |x - max| <= hi - lo.
      const spread = x.hi.reduce(max) - x.lo.reduce(min);
      acc(-spread, spread);
      const q = BigInt(node.b);
      const e = rescale(BigInt(node.a) * q * q + (BigInt(node.c) << BigInt(2 * S)), S);
      acc(0n, BigInt(node.a) * q * q + (BigInt(node.c) << BigInt(2 * S)));
      if (softmaxFloor(node, S) >= 0n) fail('softmax floor is not negative');
      // The numerator of the normalization: e 2^(S+1) + sum of a row's exponentials.
      acc(0n, (e << BigInt(S + 1)) + e * BigInt(last));
      const one = 1n << BigInt(S);
      const square = shape.length >= 2 ? shape[shape.length - 2]! : 1;
      for (let i = 0; i < x.lo.length; i++) {
        const row = Math.floor(i / last);
        const masked = node.causal && i % last > row % square;
        lo.push(0n);
        hi.push(masked ? 0n : one);
      }
      break;
    }
    case 'layernorm': {
      const D = BigInt(last);
      const E = BigInt(node.epsilon);
      for (let base = 0; base < x.lo.length; base += last) {
        let rowLo = x.lo[base]!;
        let rowHi = x.hi[base]!;
        for (let i = 1; i < last; i++) {
          rowLo = min(rowLo, x.lo[base + i]!);
          rowHi = max(rowHi, x.hi[base + i]!);
        }
        // The rounded mean lies in [rowLo, rowHi], so |x - mean| <= rowHi - rowLo.
        const spread = rowHi - rowLo;
        acc(-abs(rowLo) * D, abs(rowHi) * D + abs(rowLo) * D);
        acc(0n, D * spread * spread + E);
        // |x - mean| < sqrt(D) (r + 1) and r >= r0 = isqrt(E): |n| <= sqrt(D) 2^S (r0 + 1) / r0 + 1 (r0 >= 1),
        // and twice sqrt(D) 2^S + 1 when E = 0 (r = 0 gives n = 0).
        const r0 = isqrt(E);
        const root = isqrt(D << BigInt(2 * S)) + 1n;
        const nMax = r0 >= 1n ? (root * (r0 + 1n) + r0 - 1n) / r0 + 1n : 2n * root + 1n;
        acc(-(spread << BigInt(S + 1)) - nMax, (spread << BigInt(S + 1)) + nMax);
        for (let i = 0; i < last; i++) {
          const g = BigInt(node.gamma[i]!);
          const b = BigInt(node.beta[i]!);
          const m = abs(g) * nMax;
          acc(b - m, b + m);
          lo.push(rescale(b - m, S));
          hi.push(rescale(b + m, S));
        }
      }
      break;
    }
    case 'gelu': {
      const [h0, h1] = geluRange(node, S, acc);
      x.lo.forEach((l, i) => {
        lo.push(max(l, 0n) - rescale(h1, S));
        hi.push(max(x.hi[i]!, 0n) - rescale(h0, S));
      });
      break;
    }
    case 'mean': {
      const w = BigInt(avgWeight(S, shape[node.axis]!));
      const sLo = meanSums(node.axis, x.lo, shape);
      const sHi = meanSums(node.axis, x.hi, shape);
      sLo.forEach((a, i) => {
        acc(a * w, sHi[i]! * w);
        lo.push(rescale(a * w, S));
        hi.push(rescale(sHi[i]! * w, S));
      });
      break;
    }
    case 'slice': {
      const outer = size(shape.slice(0, node.axis));
      const inner = size(shape.slice(node.axis + 1));
      const len = shape[node.axis]!;
      for (let o = 0; o < outer; o++)
        for (let i = node.start * inner; i < node.end * inner; i++) {
          lo.push(x.lo[o * len * inner + i]!);
          hi.push(x.hi[o * len * inner + i]!);
        }
      break;
    }
  }
  return { lo, hi, exact };
}
