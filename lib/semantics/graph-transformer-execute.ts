/**
 * Reference execution of the transformer ops (docs/SEMANTICS.md, "Transformer ops"): exact integer
 * arithmetic; the roundings are the ones the section defines (rescale, the round-half-up divisions
 * of the softmax and layer norm, the floor of the integer square root).
 */
import { rescale } from './execute.js';
import { avgWeight } from './graph-plan.js';
import type { GeluOp, LayerNormOp, SoftmaxOp, TransformerOp } from './graph-transformer.js';

const size = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** `floor(a / b)` for `b > 0` (bigint `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** `round(a / b)`, ties up, for `b > 0`: `floor((2a + b) / (2b))`. */
export function roundDiv(a: bigint, b: bigint): bigint {
  return floorDiv(2n * a + b, 2n * b);
}

/** The integer square root: the largest `r` with `r^2 <= n` (`n >= 0`). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError(`isqrt of a negative number ${n}`);
  if (n < 1n << 52n) {
    // Exact for these sizes after the correction steps: the float root is within 1 of the answer.
    let r = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (r * r > n) r -= 1n;
    while ((r + 1n) * (r + 1n) <= n) r += 1n;
    return r;
  }
  // Newton's iteration from above converges to floor(sqrt(n)) monotonically.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** The quadratic of segment `k` at offset `t`, as in the piecewise rule: `C0 2^S + (C1 + rescale(C2 t)) t` (before the last rescale). */
export function segmentValue(node: { c0: number[]; c1: number[]; c2: number[] }, k: number, t: bigint, S: number): bigint {
  return (BigInt(node.c0[k]!) << BigInt(S)) + (BigInt(node.c1[k]!) + rescale(BigInt(node.c2[k]!) * t, S)) * t;
}

/**
 * `h(|x|)` of the GELU, before its last rescale: the piecewise quadratic on `[0, n 2^b)`, and 0
 * beyond it (there GELU is `x` or 0 to within h's value at the edge, 1.3·10⁻⁴ for the importer's 4).
 */
export function geluCorrection(node: GeluOp, x: bigint, S: number): bigint {
  const seg = BigInt(node.segBits);
  const a = x < 0n ? -x : x;
  if (a >= BigInt(node.c0.length) << seg) return 0n;
  const k = a >> seg;
  return segmentValue(node, Number(k), a - (k << seg), S);
}

/** The lower clamp of `x - max` in the softmax: `-(2S + 1) ln2`, where `exp` is below 2^-(2S+1). */
export function softmaxFloor(node: SoftmaxOp, S: number): bigint {
  return -BigInt(2 * S + 1) * BigInt(node.ln2);
}

/** i-exp of `d <= 0` (at 2^S), at 2^(2S): `rescale(a q^2 + c 2^(2S)) >> z`. */
export function integerExp(node: SoftmaxOp, d: bigint, S: number): bigint {
  const L = BigInt(node.ln2);
  const dd = d < softmaxFloor(node, S) ? softmaxFloor(node, S) : d;
  const z = -dd / L; // -dd >= 0: truncation is the floor
  const q = dd + z * L + BigInt(node.b);
  const e = rescale(BigInt(node.a) * q * q + (BigInt(node.c) << BigInt(2 * S)), S);
  return e >> z;
}

function softmax(node: SoftmaxOp, x: readonly bigint[], shape: readonly number[], S: number): { acc: bigint[]; y: bigint[] } {
  const cols = shape[shape.length - 1]!;
  const rows = x.length / cols;
  const square = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const acc = new Array<bigint>(x.length).fill(0n);
  const y = new Array<bigint>(x.length).fill(0n);
  const two = BigInt(S + 1);
  for (let row = 0; row < rows; row++) {
    const base = row * cols;
    const allowed = node.causal ? (row % square) + 1 : cols;
    let m = x[base]!;
    for (let i = 1; i < allowed; i++) if (x[base + i]! > m) m = x[base + i]!;
    let s = 0n;
    for (let i = 0; i < allowed; i++) {
      const e = integerExp(node, x[base + i]! - m, S);
      acc[base + i] = e;
      s += e;
    }
    // s >= the exponential of the maximum (d = 0), which is positive for valid constants.
    for (let i = 0; i < allowed; i++) y[base + i] = ((acc[base + i]! << two) + s) / (2n * s);
  }
  return { acc, y };
}

function layerNorm(node: LayerNormOp, x: readonly bigint[], S: number): { acc: bigint[]; y: bigint[] } {
  const D = node.gamma.length;
  const Db = BigInt(D);
  const E = BigInt(node.epsilon);
  const acc = new Array<bigint>(x.length);
  const y = new Array<bigint>(x.length);
  for (let base = 0; base < x.length; base += D) {
    let s = 0n;
    for (let i = 0; i < D; i++) s += x[base + i]!;
    const mean = roundDiv(s, Db);
    let v = 0n;
    for (let i = 0; i < D; i++) {
      const d = x[base + i]! - mean;
      v += d * d;
    }
    const r = isqrt(v / Db + E);
    for (let i = 0; i < D; i++) {
      const n = r === 0n ? 0n : roundDiv((x[base + i]! - mean) << BigInt(S), r);
      const a = BigInt(node.gamma[i]!) * n + BigInt(node.beta[i]!);
      acc[base + i] = a;
      y[base + i] = rescale(a, S);
    }
  }
  return { acc, y };
}

/** Sum of products in float64 when the bounds prove every partial sum exact, else in bigint. */
function dot(a: ArrayLike<number>, ai: number, as: number, b: ArrayLike<number>, bi: number, bs: number, k: number): number {
  let s = 0;
  for (let t = 0; t < k; t++) s += a[ai + t * as]! * b[bi + t * bs]!;
  return s;
}

function linear(node: TransformerOp & { op: 'linear' }, x: readonly bigint[], K: number, S: number, exact: boolean): { acc: bigint[]; y: bigint[] } {
  const N = node.outDim;
  const rows = x.length / K;
  const acc = new Array<bigint>(rows * N);
  if (exact) {
    const xf = Float64Array.from(x, Number);
    const w = Float64Array.from(node.weights);
    for (let r = 0; r < rows; r++) for (let n = 0; n < N; n++) acc[r * N + n] = BigInt(node.bias[n]!) + BigInt(dot(xf, r * K, 1, w, n * K, 1, K));
  } else {
    for (let r = 0; r < rows; r++)
      for (let n = 0; n < N; n++) {
        let s = BigInt(node.bias[n]!);
        for (let k = 0; k < K; k++) s += BigInt(node.weights[n * K + k]!) * x[r * K + k]!;
        acc[r * N + n] = s;
      }
  }
  return { acc, y: acc.map((a) => rescale(a, S)) };
}

function matmul(
  a: readonly bigint[],
  b: readonly bigint[],
  aShape: readonly number[],
  bShape: readonly number[],
  S: number,
  exact: boolean,
): { acc: bigint[]; y: bigint[] } {
  const M = aShape[aShape.length - 2]!;
  const K = aShape[aShape.length - 1]!;
  const N = bShape[bShape.length - 1]!;
  const batch = size(aShape.slice(0, -2));
  const acc = new Array<bigint>(batch * M * N);
  const af = exact ? Float64Array.from(a, Number) : null;
  const bf = exact ? Float64Array.from(b, Number) : null;
  for (let h = 0; h < batch; h++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        const ai = h * M * K + m * K;
        const bi = h * K * N + n;
        if (af && bf) acc[(h * M + m) * N + n] = BigInt(dot(af, ai, 1, bf, bi, N, K));
        else {
          let s = 0n;
          for (let t = 0; t < K; t++) s += a[ai + t]! * b[bi + t * N]!;
          acc[(h * M + m) * N + n] = s;
        }
      }
  return { acc, y: acc.map((v) => rescale(v, S)) };
}

/** Sums over `axis`, in the order of the output (the axis removed). */
export function meanSums(axis: number, x: readonly bigint[], shape: readonly number[]): bigint[] {
  const outer = size(shape.slice(0, axis));
  const inner = size(shape.slice(axis + 1));
  const n = shape[axis]!;
  const out = new Array<bigint>(outer * inner).fill(0n);
  for (let o = 0; o < outer; o++) for (let i = 0; i < n; i++) for (let t = 0; t < inner; t++) out[o * inner + t]! += x[(o * n + i) * inner + t]!;
  return out;
}

function slice(node: TransformerOp & { op: 'slice' }, x: readonly bigint[], shape: readonly number[]): bigint[] {
  const outer = size(shape.slice(0, node.axis));
  const inner = size(shape.slice(node.axis + 1));
  const len = shape[node.axis]!;
  const y: bigint[] = [];
  for (let o = 0; o < outer; o++) for (let i = node.start * inner; i < node.end * inner; i++) y.push(x[o * len * inner + i]!);
  return y;
}

/**
 * One transformer node: its accumulator (when it has one) and its value. `exact` is the bounds'
 * proof that the node's sums of products stay below 2^53 (then float64 sums are exact).
 */
export function runTransformerNode(
  node: TransformerOp,
  inputs: readonly (readonly bigint[])[],
  shapes: readonly (readonly number[])[],
  S: number,
  exact: boolean,
): { acc: bigint[] | null; y: bigint[] } {
  const x = inputs[0]!;
  const shape = shapes[0]!;
  switch (node.op) {
    case 'embedding': {
      const D = node.table.length / node.vocab;
      const T = shape[shape.length - 1]!;
      const y = new Array<bigint>(x.length * D);
      x.forEach((id, t) => {
        const row = Number(id) * D;
        const pos = (t % T) * D;
        for (let j = 0; j < D; j++) y[t * D + j] = BigInt(node.table[row + j]!) + BigInt(node.positions.length ? node.positions[pos + j]! : 0);
      });
      return { acc: null, y };
    }
    case 'linear':
      return linear(node, x, shape[shape.length - 1]!, S, exact);
    case 'matmul':
      return matmul(x, inputs[1]!, shape, shapes[1]!, S, exact);
    case 'softmax':
      return softmax(node, x, shape, S);
    case 'layernorm':
      return layerNorm(node, x, S);
    case 'gelu': {
      const acc = x.map((v) => geluCorrection(node, v, S));
      return { acc, y: x.map((v, i) => (v > 0n ? v : 0n) - rescale(acc[i]!, S)) };
    }
    case 'slice':
      return { acc: null, y: slice(node, x, shape) };
    case 'mean': {
      const acc = meanSums(node.axis, x, shape).map((v) => v * BigInt(avgWeight(S, shape[node.axis]!)));
      return { acc, y: acc.map((a) => rescale(a, S)) };
    }
  }
}
