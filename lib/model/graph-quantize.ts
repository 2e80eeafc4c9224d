import { type GraphNode, type IntGraph, type OutputKind, type PiecewiseOp, quantize } from '../semantics/index.js';
import type { FloatGraph, FloatNode } from './float-graph.js';
import { CalibrationError } from './errors.js';

/** Segments of the sigmoid and tanh tables, and the real range each covers (docs/SEMANTICS.md). */
export const PIECEWISE_SEGMENTS = 16;
const PIECEWISE_RANGE = { sigmoid: { lo: -8, width: 1 }, tanh: { lo: -4, width: 0.5 } } as const;
const FUNCTIONS = { sigmoid: (x: number) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh } as const;

/**
 * The integer table of sigmoid or tanh at scale 2^S: per segment, the quadratic through the function
 * at the segment's start, middle and end (`p(t) = c0 + c1 t + c2 t^2`, `t` the offset in the segment),
 * coefficients rounded half up at 2^S. The segment width is a power of two in integers (2^S for
 * sigmoid, 2^(S-1) for tanh), so the segment index is a shift.
 */
export function piecewiseTable(fn: 'sigmoid' | 'tanh', scaleBits: number): Omit<PiecewiseOp, 'op'> & { op: 'piecewise' } {
  const { lo, width: h } = PIECEWISE_RANGE[fn];
  const f = FUNCTIONS[fn];
  const c0: number[] = [];
  const c1: number[] = [];
  const c2: number[] = [];
  for (let k = 0; k < PIECEWISE_SEGMENTS; k++) {
    const a = lo + k * h;
    const f0 = f(a);
    const fm = f(a + h / 2);
    const f1 = f(a + h);
    const q2 = (2 * (f1 - 2 * fm + f0)) / (h * h);
    const q1 = (f1 - f0) / h - q2 * h;
    c0.push(Number(quantize(f0, scaleBits)));
    c1.push(Number(quantize(q1, scaleBits)));
    c2.push(Number(quantize(q2, scaleBits)));
  }
  return { op: 'piecewise', fn, lo: quantize(lo, scaleBits), segBits: scaleBits + Math.log2(h), c0, c1, c2 };
}

const q = (v: number, bits: number): number => Number(quantize(v, bits));
/** A clip bound at 2^S; an infinite one becomes ±2^62 (never reached by a bounded graph). */
const clipBound = (v: number, S: number): bigint => (v === Infinity ? 1n << 62n : v === -Infinity ? -(1n << 62n) : quantize(v, S));

/** `wS`: the scale of the weights, S, or 2S - inputScaleBits for a linear op that reads the graph's input. */
function quantizeNode(node: FloatNode, S: number, wS: number): GraphNode {
  const base = { inputs: node.inputs, shape: node.shape, name: node.name };
  switch (node.op) {
    case 'conv':
      return { ...base, ...node, weights: node.weights.map((w) => q(w, wS)), bias: node.bias.map((b) => q(b, 2 * S)) };
    case 'dense':
      return { ...base, ...node, weights: node.weights.map((w) => q(w, wS)), bias: node.bias.map((b) => q(b, 2 * S)) };
    case 'affine':
      return { ...base, op: 'affine', scale: node.scale.map((a) => q(a, wS)), bias: node.bias.map((b) => q(b, 2 * S)) };
    case 'leakyrelu':
      return { ...base, op: 'leakyrelu', alpha: q(node.alpha, S) };
    case 'clip':
      return { ...base, op: 'clip', lo: clipBound(node.lo, S), hi: clipBound(node.hi, S) };
    case 'hardsigmoid':
    case 'hardswish':
      return { ...base, op: node.op, alpha: q(node.alpha, S), beta: q(node.beta, 2 * S) };
    case 'sigmoid':
    case 'tanh':
      return { ...base, ...piecewiseTable(node.op, S) };
    default:
      return { ...base, ...node } as GraphNode;
  }
}

const LINEAR_OPS = new Set<string>(['conv', 'dense', 'affine']);

/**
 * The integer graph of a float graph at scale 2^S for a declared integer input range (already at the input's scale).
 * With `inputScaleBits` below S (raw pixels 0..255 at scale 1: `inputScaleBits` 0), the input is taken at
 * 2^inputScaleBits and every op that reads it must be linear: its weights are quantized at 2^(2S - inputScaleBits),
 * so its accumulator has the usual scale 2^(2S) and the usual rescale by S. That keeps the weights' precision where
 * `x / 255` folded into them would leave a handful of levels at 2^S, and lets the circuit range-check 8-bit pixels.
 */
export function quantizeGraph(
  graph: FloatGraph,
  scaleBits: number,
  outputKind: OutputKind,
  inputMin: bigint,
  inputMax: bigint,
  inputScaleBits: number = scaleBits,
): IntGraph {
  if (!Number.isInteger(inputScaleBits) || inputScaleBits < 0 || inputScaleBits > scaleBits)
    throw new CalibrationError(`inputScaleBits ${inputScaleBits} is outside 0..${scaleBits} (the scale)`);
  // Tensors that still hold the input at its own scale: the input and reshapes/transposes of it (node k writes k + 1).
  const raw = new Set<number>([0]);
  const firstLinear = new Set<number>();
  graph.nodes.forEach((n, k) => {
    if (!n.inputs.some((id) => raw.has(id))) return;
    if (n.op === 'reshape' || n.op === 'transpose') raw.add(k + 1);
    else if (LINEAR_OPS.has(n.op) && n.inputs.length === 1) firstLinear.add(k);
    else if (inputScaleBits !== scaleBits)
      throw new CalibrationError(
        `inputScaleBits ${inputScaleBits} needs every op that reads the input to be linear (conv, dense, affine, after reshapes); ${n.name} is ${n.op}`,
      );
  });
  const wS = 2 * scaleBits - inputScaleBits;
  const nodes = graph.nodes.map((n, k) => quantizeNode(n, scaleBits, firstLinear.has(k) ? wS : scaleBits));
  return {
    scaleBits,
    ...(inputScaleBits === scaleBits ? {} : { inputScaleBits }),
    outputKind,
    inputShape: graph.inputShape,
    inputMin,
    inputMax,
    nodes,
  };
}
