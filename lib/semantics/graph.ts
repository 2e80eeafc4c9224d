/**
 * Types of the integer graph (docs/SEMANTICS.md, "Integer graphs"): a DAG of integer ops over
 * tensors with real shapes (the batch dimension excluded). Tensor 0 is the input; node `k` writes
 * tensor `k + 1` and reads only tensors written before it, so the node list is a topological order.
 * Every tensor holds integers at scale 2^S, stored flat in row-major order.
 */
import { TRANSFORMER_OP_CODES, type TransformerOp } from './graph-transformer.js';
import type { OutputKind } from './types.js';

/** A 2-D window: kernel, stride and zero padding `[top, left, bottom, right]`; dilation is always 1. */
export type Window = {
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
};

/**
 * `y = rescale(B[o] + sum W[o][i][ky][kx] * x[g*inPerGroup + i][oy*sy + ky - top][ox*sx + kx - left])`
 * over the window (positions in the padding read 0). Weights `[outC][inC / groups][kh][kw]` at 2^S,
 * bias per output channel at 2^(2S). Input and output are `[C, H, W]`.
 */
export type ConvOp = { op: 'conv'; window: Window; groups: number; outChannels: number; weights: number[]; bias: number[] };
/** `y[j] = rescale(B[j] + sum_i W[j][i] x[i])` on a flat `[inDim]` input; weights row-major `[outDim][inDim]`. */
export type DenseOp = { op: 'dense'; outDim: number; weights: number[]; bias: number[] };
/** Per-channel `y = rescale(A[c] * x + B[c])`, channel = axis 0 of the shape (an element for a flat tensor). */
export type AffineOp = { op: 'affine'; scale: number[]; bias: number[] };
/** `y = max over the window` (positions in the padding are skipped; a window always holds one real position). */
export type MaxPoolOp = { op: 'maxpool'; window: Window };
/**
 * `y = rescale(round(2^S / n) * sum over the window)`, `n` the window's size (`countPad`) or its real
 * positions only; `round(2^S / n) = floor((2^(S+1) + n) / (2n))`. A global average pool is the window of the whole plane.
 */
export type AvgPoolOp = { op: 'avgpool'; window: Window; countPad: boolean };
export type ReluOp = { op: 'relu' };
/** `y = x` if `x >= 0`, else `rescale(alpha * x)` with `alpha` at 2^S. */
export type LeakyReluOp = { op: 'leakyrelu'; alpha: number };
/** `y = min(max(x, lo), hi)` with bounds at 2^S (ReLU6: `lo = 0`, `hi = 6 * 2^S`). */
export type ClipOp = { op: 'clip'; lo: bigint; hi: bigint };
/** `h = min(max(rescale(alpha * x + beta), 0), 2^S)`, alpha at 2^S, beta at 2^(2S). */
export type HardSigmoidOp = { op: 'hardsigmoid'; alpha: number; beta: number };
/** `y = rescale(x * h)` with `h` the hard sigmoid of `x` (HardSwish: alpha = 1/6, beta = 1/2). */
export type HardSwishOp = { op: 'hardswish'; alpha: number; beta: number };
/**
 * A piecewise quadratic over a clamped range (sigmoid, tanh): `x' = min(max(x, lo), lo + n * 2^segBits - 1)`,
 * `u = x' - lo`, `k = u >> segBits`, `t = u - (k << segBits)`,
 * `y = rescale(C0[k] * 2^S + (C1[k] + rescale(C2[k] * t)) * t)`; coefficients at 2^S.
 */
export type PiecewiseOp = { op: 'piecewise'; fn: 'sigmoid' | 'tanh'; lo: bigint; segBits: number; c0: number[]; c1: number[]; c2: number[] };
/** Element-wise sum of two tensors of one shape (same scale: exact, no rescale). */
export type AddOp = { op: 'add' };
/** Element-wise `rescale(a * b)` of two tensors of one shape. */
export type MulOp = { op: 'mul' };
/** Concatenation of tensors along `axis` (of the unbatched shape). */
export type ConcatOp = { op: 'concat'; axis: number };
/** Same values, new shape (Reshape, Flatten, view). */
export type ReshapeOp = { op: 'reshape' };
/** Axis permutation: output axis `i` is input axis `perm[i]`. */
export type TransposeOp = { op: 'transpose'; perm: number[] };

export type GraphOp =
  | ConvOp
  | DenseOp
  | AffineOp
  | MaxPoolOp
  | AvgPoolOp
  | ReluOp
  | LeakyReluOp
  | ClipOp
  | HardSigmoidOp
  | HardSwishOp
  | PiecewiseOp
  | AddOp
  | MulOp
  | ConcatOp
  | ReshapeOp
  | TransposeOp
  // Transformer ops: graph-transformer.ts.
  | TransformerOp;

export type OpName = GraphOp['op'];

/** A node: an op, the tensors it reads (ids), the shape it writes, and the source node's name. */
export type GraphNode = GraphOp & { inputs: number[]; shape: number[]; name: string };

export type IntGraph = {
  scaleBits: number;
  /**
   * How a client quantizes a real input: round_half_up(v * 2^inputScaleBits) (absent: scaleBits). 0 takes integer
   * inputs such as raw pixels 0..255 as they are; the linear ops that read the input then carry the missing
   * 2^(S - inputScaleBits) in their weights (docs/SEMANTICS.md, "Input scale"). Not part of the integer function,
   * so not in its encoding or hash: only the importer and the clients that quantize real values read it.
   */
  inputScaleBits?: number;
  outputKind: OutputKind;
  inputShape: number[];
  inputMin: bigint;
  inputMax: bigint;
  nodes: GraphNode[];
};

/** Interval of the values a node can produce (`acc*`: its accumulator, when it has one). */
export type NodeBounds = { accMin: bigint | null; accMax: bigint | null; outMin: bigint; outMax: bigint };

/** Op codes of the canonical graph encoding (the order is part of the format). */
export const GRAPH_OP_CODES: Record<OpName, number> = {
  conv: 1,
  dense: 2,
  affine: 3,
  maxpool: 4,
  avgpool: 5,
  relu: 6,
  leakyrelu: 7,
  clip: 8,
  hardsigmoid: 9,
  hardswish: 10,
  piecewise: 11,
  add: 12,
  mul: 13,
  concat: 14,
  reshape: 15,
  transpose: 16,
  // Transformer ops: graph-transformer.ts.
  ...TRANSFORMER_OP_CODES,
};

/** Limits of the graph semantics. */
export const MAX_GRAPH_NODES = 256;
export const MAX_TENSOR_SIZE = 1 << 20;
export const MAX_RANK = 4;

export const size = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

export function graphInputLength(graph: IntGraph): number {
  return size(graph.inputShape);
}

export function graphOutputShape(graph: IntGraph): number[] {
  return graph.nodes.at(-1)?.shape ?? graph.inputShape;
}

export function graphOutputLength(graph: IntGraph): number {
  return graph.outputKind === 'argmax' ? 1 : size(graphOutputShape(graph));
}

/** Ops that accumulate products with constant weights at 2^(2S) and rescale once. */
export const LINEAR_OPS: ReadonlySet<OpName> = new Set(['conv', 'dense', 'affine', 'avgpool']);

/** The scale at which a client quantizes a real input of `graph` (see {@link IntGraph.inputScaleBits}). */
export const graphInputScaleBits = (graph: Pick<IntGraph, 'scaleBits' | 'inputScaleBits'>): number => graph.inputScaleBits ?? graph.scaleBits;
