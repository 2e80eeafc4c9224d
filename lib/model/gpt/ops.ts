/**
 * Integer parameters of the transformer ops from their real definitions (the importer's side of
 * docs/SEMANTICS.md, "Transformer ops"): the semantics stores these integers and never evaluates
 * exp, erf or a square root in floating point.
 */
import { quantize, type GeluOp, type SoftmaxOp } from '../../semantics/index.js';

const q = (v: number, bits: number): number => Number(quantize(v, bits));

/** I-BERT's i-exp constants (Kim et al. 2021, "I-BERT", section 3.4): `exp(p) ≈ 0.3585 (p + 1.353)^2 + 0.344` on `(-ln 2, 0]`. */
export function softmaxConstants(scaleBits: number, causal: boolean): SoftmaxOp {
  return { op: 'softmax', causal, ln2: q(Math.LN2, scaleBits), a: q(0.3585, scaleBits), b: q(1.353, scaleBits), c: q(0.344, scaleBits) };
}

/** erf by its Maclaurin series: terms alternate and shrink past n ≈ x², so |x| <= 4 stays within 1e-12 in float64. */
export function erf(x: number): number {
  if (x > 5) return 1;
  if (x < -5) return -1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** The float GELU of PyTorch's default (erf) form. */
export const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));

/** PyTorch's `approximate='tanh'` GELU: `x/2 (1 + tanh(√(2/π) (x + 0.044715 x³)))`. */
export const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Which GELU the coefficients follow: the exact erf form or the tanh approximation. */
export type GeluForm = 'erf' | 'tanh';

/** GELU segments: 32 of width 1/8 on `[0, 4)`; beyond 4, `h` is below 1.3·10⁻⁴ (erf form; 7·10⁻⁵ tanh form). */
export const GELU_SEGMENTS = 32;
export const GELU_WIDTH_BITS = 3;

/**
 * The GELU op at scale 2^S: per segment, the quadratic through `h` at the segment's start, middle
 * and end (offsets in real units), coefficients rounded half up at 2^S.
 */
export function geluOp(scaleBits: number, form: GeluForm = 'erf'): GeluOp {
  const f = form === 'erf' ? gelu : geluTanh;
  // h(a) = relu(a) - gelu(a) for a >= 0 (a Φ(-a) for the erf form): what the integer GELU subtracts from ReLU.
  const correction = (a: number): number => a - f(a);
  if (scaleBits < GELU_WIDTH_BITS) throw new RangeError(`the GELU needs scaleBits >= ${GELU_WIDTH_BITS}`);
  const w = 2 ** -GELU_WIDTH_BITS;
  const c0: number[] = [];
  const c1: number[] = [];
  const c2: number[] = [];
  for (let k = 0; k < GELU_SEGMENTS; k++) {
    const x0 = k * w;
    const f0 = correction(x0);
    const fm = correction(x0 + w / 2);
    const f1 = correction(x0 + w);
    const g = (2 * (f0 - 2 * fm + f1)) / (w * w);
    const b = (f1 - f0) / w - g * w;
    c0.push(q(f0, scaleBits));
    c1.push(q(b, scaleBits));
    c2.push(q(g, scaleBits));
  }
  return { op: 'gelu', segBits: scaleBits - GELU_WIDTH_BITS, c0, c1, c2 };
}
