import type { AvgPoolOp, ConvOp, GraphNode, IntGraph, Window } from './graph.js';

/**
 * A linear op (conv, dense, affine, avgpool) written out as a sparse matrix: output `j` is
 * `bias[j] + sum over t in [start[j], start[j+1]) of weight[t] * x[index[t]]`. The reference
 * executor, the bounds analysis and (later) the circuit read this one form, so the four linear ops
 * share one accumulation and one rescale.
 */
export type LinearPlan = { start: Int32Array; index: Int32Array; weight: Float64Array; bias: bigint[] };

/** Window positions `(y, x)` that fall on the real plane, for every output position, row-major. */
export function windowPositions(window: Window, h: number, w: number): { oh: number; ow: number; cells: number[][] } {
  const [kh, kw] = window.kernel;
  const [sh, sw] = window.stride;
  const [top, left, bottom, right] = window.pads;
  const oh = Math.floor((h + top + bottom - kh) / sh) + 1;
  const ow = Math.floor((w + left + right - kw) / sw) + 1;
  const cells: number[][] = [];
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++) {
      const cell: number[] = [];
      for (let ky = 0; ky < kh; ky++)
        for (let kx = 0; kx < kw; kx++) {
          const y = oy * sh + ky - top;
          const x = ox * sw + kx - left;
          // -1 marks a position in the zero padding.
          cell.push(y >= 0 && y < h && x >= 0 && x < w ? y * w + x : -1);
        }
      cells.push(cell);
    }
  return { oh, ow, cells };
}

/** `round(2^S / n)` with ties up, in integers: `floor((2^(S+1) + n) / (2n))`. */
export function avgWeight(scaleBits: number, n: number): number {
  return Math.floor((2 ** (scaleBits + 1) + n) / (2 * n));
}

class PlanBuilder {
  private readonly start: number[] = [0];
  private readonly index: number[] = [];
  private readonly weight: number[] = [];
  readonly bias: bigint[] = [];
  term(i: number, w: number): void {
    if (w === 0) return;
    this.index.push(i);
    this.weight.push(w);
  }
  close(b: number | bigint): void {
    this.bias.push(BigInt(b));
    this.start.push(this.index.length);
  }
  build(): LinearPlan {
    return { start: Int32Array.from(this.start), index: Int32Array.from(this.index), weight: Float64Array.from(this.weight), bias: this.bias };
  }
}

function convPlan(node: ConvOp, input: readonly number[]): LinearPlan {
  const [c, h, w] = input as [number, number, number];
  const { cells } = windowPositions(node.window, h, w);
  const g = node.groups;
  const inPer = c / g;
  const outPer = node.outChannels / g;
  const k = node.window.kernel[0] * node.window.kernel[1];
  const b = new PlanBuilder();
  for (let o = 0; o < node.outChannels; o++) {
    const group = Math.floor(o / outPer);
    for (const cell of cells) {
      for (let i = 0; i < inPer; i++) {
        const channel = (group * inPer + i) * h * w;
        const wBase = (o * inPer + i) * k;
        cell.forEach((pos, t) => {
          if (pos >= 0) b.term(channel + pos, node.weights[wBase + t]!);
        });
      }
      b.close(node.bias[o]!);
    }
  }
  return b.build();
}

function avgPlan(node: AvgPoolOp, input: readonly number[], scaleBits: number): LinearPlan {
  const [c, h, w] = input as [number, number, number];
  const { cells } = windowPositions(node.window, h, w);
  const b = new PlanBuilder();
  for (let ch = 0; ch < c; ch++)
    for (const cell of cells) {
      const real = cell.filter((p) => p >= 0);
      const weight = avgWeight(scaleBits, node.countPad ? cell.length : real.length);
      for (const p of real) b.term(ch * h * w + p, weight);
      b.close(0);
    }
  return b.build();
}

/** The sparse form of a linear node; `null` for the other ops. */
export function linearPlan(node: GraphNode, input: readonly number[], scaleBits: number): LinearPlan | null {
  switch (node.op) {
    case 'conv':
      return convPlan(node, input);
    case 'avgpool':
      return avgPlan(node, input, scaleBits);
    case 'dense': {
      const n = input[0]!;
      const b = new PlanBuilder();
      for (let j = 0; j < node.outDim; j++) {
        for (let i = 0; i < n; i++) b.term(i, node.weights[j * n + i]!);
        b.close(node.bias[j]!);
      }
      return b.build();
    }
    case 'affine': {
      const per = input.slice(1).reduce((a, d) => a * d, 1);
      const b = new PlanBuilder();
      for (let ch = 0; ch < input[0]!; ch++)
        for (let i = 0; i < per; i++) {
          b.term(ch * per + i, node.scale[ch]!);
          b.close(node.bias[ch]!);
        }
      return b.build();
    }
    default:
      return null;
  }
}

/** For every output element, the input element it copies (transpose) — row-major both sides. */
export function transposeIndex(shape: readonly number[], perm: readonly number[]): Int32Array {
  const out = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1));
  const total = out.reduce((a, d) => a * d, 1);
  const index = new Int32Array(total);
  const coord = new Array<number>(out.length).fill(0);
  for (let e = 0; e < total; e++) {
    let src = 0;
    for (let a = 0; a < out.length; a++) src += coord[a]! * inStrides[perm[a]!]!;
    index[e] = src;
    for (let a = out.length - 1; a >= 0; a--) {
      coord[a]!++;
      if (coord[a]! < out[a]!) break;
      coord[a] = 0;
    }
  }
  return index;
}

/** For every output element of a concat, `[input number, element]` (row-major both sides). */
export function concatIndex(shapes: readonly (readonly number[])[], axis: number): Int32Array {
  const outer = shapes[0]!.slice(0, axis).reduce((a, d) => a * d, 1);
  const pairs: number[] = [];
  for (let o = 0; o < outer; o++)
    shapes.forEach((s, k) => {
      const block = s.slice(axis).reduce((a, d) => a * d, 1);
      for (let i = 0; i < block; i++) pairs.push(k, o * block + i);
    });
  return Int32Array.from(pairs);
}

/** The shapes of every tensor (input first). */
export function tensorShapes(graph: IntGraph): number[][] {
  return [graph.inputShape, ...graph.nodes.map((n) => n.shape)];
}
