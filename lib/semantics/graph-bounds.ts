import { GraphBoundsError } from './errors.js';
import { rescale } from './execute.js';
import { concatIndex, type LinearPlan, linearPlan, transposeIndex, windowPositions } from './graph-plan.js';
import { transformerBounds } from './graph-transformer-bounds.js';
import { isTransformerOp, type TransformerOp } from './graph-transformer.js';
import { validateGraph } from './graph-validate.js';
import type { GraphNode, IntGraph, NodeBounds } from './graph.js';
import { VALUE_LIMIT } from './types.js';

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => min(max(v, lo), hi);
/** Below this, sums of products are exact in float64: the executor's fast path for linear ops. */
const FLOAT_EXACT = 1n << 53n;

/** Per-element intervals of one tensor. */
type Interval = { lo: bigint[]; hi: bigint[] };

/** What the executor and the bounds share: the sparse linear plans and the index maps, per node. */
export type CompiledGraph = {
  graph: IntGraph;
  shapes: number[][];
  plans: (LinearPlan | null)[];
  /** Maxpool windows: per output element, the input elements of its window (padding left out). */
  pools: (Int32Array[] | null)[];
  /** Transpose: input element per output element; concat: `[input, element]` pairs. */
  gathers: (Int32Array | null)[];
  /** Whether a linear node's accumulator provably stays below 2^53 (then float64 sums are exact). */
  exact: boolean[];
  bounds: NodeBounds[];
};

function maxpoolWindows(node: GraphNode & { op: 'maxpool' }, input: readonly number[]): Int32Array[] {
  const [c, h, w] = input as [number, number, number];
  const { cells } = windowPositions(node.window, h, w);
  const out: Int32Array[] = [];
  for (let ch = 0; ch < c; ch++) for (const cell of cells) out.push(Int32Array.from(cell.filter((p) => p >= 0).map((p) => ch * h * w + p)));
  return out;
}

/** Interval of `a * b` for `a in [a0, a1]`, `b in [b0, b1]`. */
function product(a0: bigint, a1: bigint, b0: bigint, b1: bigint): [bigint, bigint] {
  const c = [a0 * b0, a0 * b1, a1 * b0, a1 * b1];
  return [c.reduce(min), c.reduce(max)];
}

/**
 * Validates the graph, builds its plans, and computes by interval arithmetic the range of every
 * accumulator and value for inputs in the declared range. Throws {@link GraphBoundsError} (naming
 * the node) when any accumulator, accumulator plus 2^(S-1), or value could reach 2^62 in absolute
 * value in any order of summation, so int64 kernels cannot overflow.
 */
export function compileGraph(graph: IntGraph): CompiledGraph {
  validateGraph(graph);
  const S = graph.scaleBits;
  const half = 1n << BigInt(S - 1);
  const one = 1n << BigInt(S);
  const n0 = graph.inputShape.reduce((a, d) => a * d, 1);
  const tensors: Interval[] = [{ lo: new Array<bigint>(n0).fill(graph.inputMin), hi: new Array<bigint>(n0).fill(graph.inputMax) }];
  const shapes: number[][] = [graph.inputShape];
  const compiled: CompiledGraph = { graph, shapes, plans: [], pools: [], gathers: [], exact: [], bounds: [] };
  graph.nodes.forEach((node, k) => {
    const fail = (reason: string): never => {
      throw new GraphBoundsError(k, node.name, reason);
    };
    const check = (v: bigint, what: string) => {
      if (abs(v) >= VALUE_LIMIT) fail(`${what} can reach ${v}, |value| >= 2^62 for inputs in range`);
    };
    const x = tensors[node.inputs[0]!]!;
    const inShape = shapes[node.inputs[0]!]!;
    const plan = linearPlan(node, inShape, S);
    let pool: Int32Array[] | null = null;
    let gather: Int32Array | null = null;
    let exact = false;
    let accMin: bigint | null = null;
    let accMax: bigint | null = null;
    const lo: bigint[] = [];
    const hi: bigint[] = [];
    const acc = (a: bigint, b: bigint) => {
      check(a - half, 'an accumulator');
      check(b + half, 'an accumulator');
      accMin = accMin === null ? a : min(accMin, a);
      accMax = accMax === null ? b : max(accMax, b);
    };
    if (plan) {
      let largest = 0n;
      for (let j = 0; j < plan.bias.length; j++) {
        let a = plan.bias[j]!;
        let b = a;
        let magnitude = abs(a) + half;
        for (let t = plan.start[j]!; t < plan.start[j + 1]!; t++) {
          const w = BigInt(plan.weight[t]!);
          const i = plan.index[t]!;
          const p = w * x.lo[i]!;
          const q = w * x.hi[i]!;
          a += min(p, q);
          b += max(p, q);
          magnitude += max(abs(p), abs(q));
        }
        if (magnitude >= VALUE_LIMIT) fail(`output ${j} can reach |acc| = ${magnitude} >= 2^62 for inputs in range`);
        largest = max(largest, magnitude);
        acc(a, b);
        lo.push(rescale(a, S));
        hi.push(rescale(b, S));
      }
      const inputLargest = [...x.lo, ...x.hi].reduce((m, v) => max(m, abs(v)), 0n);
      exact = largest < FLOAT_EXACT && inputLargest < FLOAT_EXACT;
    } else {
      switch (node.op) {
        case 'maxpool':
          pool = maxpoolWindows(node, inShape);
          for (const win of pool) {
            lo.push(Array.from(win, (i) => x.lo[i]!).reduce(max));
            hi.push(Array.from(win, (i) => x.hi[i]!).reduce(max));
          }
          break;
        case 'relu':
          x.lo.forEach((v, i) => {
            lo.push(max(v, 0n));
            hi.push(max(x.hi[i]!, 0n));
          });
          break;
        case 'leakyrelu': {
          const a = BigInt(node.alpha);
          x.lo.forEach((l, i) => {
            const h = x.hi[i]!;
            const ends: bigint[] = [];
            if (h >= 0n) ends.push(max(l, 0n), h);
            if (l < 0n) {
              const [p, q] = product(a, a, l, min(h, -1n));
              acc(p, q);
              ends.push(rescale(p, S), rescale(q, S));
            }
            lo.push(ends.reduce(min));
            hi.push(ends.reduce(max));
          });
          break;
        }
        case 'clip':
          x.lo.forEach((v, i) => {
            lo.push(clamp(v, node.lo, node.hi));
            hi.push(clamp(x.hi[i]!, node.lo, node.hi));
          });
          break;
        case 'hardsigmoid':
        case 'hardswish': {
          const a = BigInt(node.alpha);
          const b = BigInt(node.beta);
          x.lo.forEach((l, i) => {
            const h = x.hi[i]!;
            const [p, q] = product(a, a, l, h);
            acc(p + b, q + b);
            const h0 = clamp(rescale(p + b, S), 0n, one);
            const h1 = clamp(rescale(q + b, S), 0n, one);
            if (node.op === 'hardsigmoid') {
              lo.push(h0);
              hi.push(h1);
            } else {
              const [m0, m1] = product(l, h, h0, h1);
              acc(m0, m1);
              lo.push(rescale(m0, S));
              hi.push(rescale(m1, S));
            }
          });
          break;
        }
        case 'piecewise': {
          const n = BigInt(node.c0.length);
          const seg = 1n << BigInt(node.segBits);
          const top = node.lo + n * seg - 1n;
          x.lo.forEach((l, i) => {
            const k0 = (clamp(l, node.lo, top) - node.lo) >> BigInt(node.segBits);
            const k1 = (clamp(x.hi[i]!, node.lo, top) - node.lo) >> BigInt(node.segBits);
            let yl: bigint | null = null;
            let yh: bigint | null = null;
            for (let k = Number(k0); k <= Number(k1); k++) {
              const [r0, r1] = product(BigInt(node.c2[k]!), BigInt(node.c2[k]!), 0n, seg - 1n);
              acc(r0, r1);
              const c1 = BigInt(node.c1[k]!);
              const [m0, m1] = product(c1 + rescale(r0, S), c1 + rescale(r1, S), 0n, seg - 1n);
              const c0 = BigInt(node.c0[k]!) << BigInt(S);
              acc(c0 + m0, c0 + m1);
              const y0 = rescale(c0 + m0, S);
              const y1 = rescale(c0 + m1, S);
              yl = yl === null ? y0 : min(yl, y0);
              yh = yh === null ? y1 : max(yh, y1);
            }
            lo.push(yl!);
            hi.push(yh!);
          });
          break;
        }
        case 'add':
        case 'mul': {
          const y = tensors[node.inputs[1]!]!;
          x.lo.forEach((l, i) => {
            if (node.op === 'add') {
              lo.push(l + y.lo[i]!);
              hi.push(x.hi[i]! + y.hi[i]!);
            } else {
              const [p, q] = product(l, x.hi[i]!, y.lo[i]!, y.hi[i]!);
              acc(p, q);
              lo.push(rescale(p, S));
              hi.push(rescale(q, S));
            }
          });
          break;
        }
        case 'concat': {
          gather = concatIndex(
            node.inputs.map((id) => shapes[id]!),
            node.axis,
          );
          for (let e = 0; e < gather.length; e += 2) {
            const src = tensors[node.inputs[gather[e]!]!]!;
            lo.push(src.lo[gather[e + 1]!]!);
            hi.push(src.hi[gather[e + 1]!]!);
          }
          break;
        }
        case 'reshape':
          lo.push(...x.lo);
          hi.push(...x.hi);
          break;
        case 'transpose':
          gather = transposeIndex(inShape, node.perm);
          for (const i of gather) {
            lo.push(x.lo[i]!);
            hi.push(x.hi[i]!);
          }
          break;
        default: {
          // Transformer ops: graph-transformer-bounds.ts.
          if (!isTransformerOp(node)) fail(`op ${node.op} has no bounds rule`);
          const r = transformerBounds(
            node as GraphNode & TransformerOp,
            node.inputs.map((id) => tensors[id]!),
            node.inputs.map((id) => shapes[id]!),
            S,
            acc,
            fail,
            node.inputs.map((id) => (id === 0 ? null : graph.nodes[id - 1]!.op)),
          );
          for (let i = 0; i < r.lo.length; i++) {
            lo.push(r.lo[i]!);
            hi.push(r.hi[i]!);
          }
          exact = r.exact;
        }
      }
    }
    lo.forEach((v, i) => {
      check(v, 'a value');
      check(hi[i]!, 'a value');
    });
    tensors.push({ lo, hi });
    shapes.push(node.shape);
    compiled.plans.push(plan);
    compiled.pools.push(pool);
    compiled.gathers.push(gather);
    compiled.exact.push(exact);
    compiled.bounds.push({ accMin, accMax, outMin: lo.reduce(min), outMax: hi.reduce(max) });
  });
  return compiled;
}

/** The bounds of every node (see {@link compileGraph}). */
export function computeGraphBounds(graph: IntGraph): NodeBounds[] {
  return compileGraph(graph).bounds;
}
