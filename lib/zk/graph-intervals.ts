import { CircuitLayoutError } from './errors.js';
import { compiledGraph, type CompiledGraph, type IntGraph, rescale } from '../semantics/index.js';

/**
 * Per-element value intervals of an integer graph, for sizing the circuit's bit decompositions.
 *
 * lib/semantics/graph-bounds.ts computes the same intervals element by element but keeps only each
 * node's extremes; the circuit wants every element's own interval (a padded convolution's border, a
 * channel with small weights, a window of ReLU outputs all need fewer bits than the node's worst
 * element), so this recomputes them with the same interval rules. Honest values always lie inside
 * (the rules are those of the semantics), which is all the circuit's sizing needs.
 */
export type Interval = { lo: bigint[]; hi: bigint[] };

export type GraphIntervals = {
  compiled: CompiledGraph;
  /** Tensor 0 is the input, tensor k + 1 is node k's output. */
  tensors: Interval[];
  /** Linear nodes: the accumulator interval of every output element (null for other ops). */
  acc: (Interval | null)[];
};

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => min(max(v, lo), hi);

/** Interval of `a * b` for `a in [a0, a1]`, `b in [b0, b1]`. */
export function productInterval(a0: bigint, a1: bigint, b0: bigint, b1: bigint): [bigint, bigint] {
  const c = [a0 * b0, a0 * b1, a1 * b0, a1 * b1];
  return [c.reduce(min), c.reduce(max)];
}

/** The piecewise node's two stages over every segment: `r = rescale(C2 * t)` and `z = C0 * 2^S + (C1 + r) * t`. */
export function piecewiseStages(
  node: { segBits: number; c0: readonly number[]; c1: readonly number[]; c2: readonly number[] },
  S: number,
): { p: [bigint, bigint]; z: [bigint, bigint] } {
  const seg = 1n << BigInt(node.segBits);
  let p: [bigint, bigint] | null = null;
  let z: [bigint, bigint] | null = null;
  node.c0.forEach((c0, k) => {
    const c2 = BigInt(node.c2[k]!);
    const [p0, p1] = productInterval(c2, c2, 0n, seg - 1n);
    p = p ? [min(p[0], p0), max(p[1], p1)] : [p0, p1];
    const c1 = BigInt(node.c1[k]!);
    const [m0, m1] = productInterval(c1 + rescale(p0, S), c1 + rescale(p1, S), 0n, seg - 1n);
    const base = BigInt(c0) << BigInt(S);
    z = z ? [min(z[0], base + m0), max(z[1], base + m1)] : [base + m0, base + m1];
  });
  if (!p || !z) throw new Error('piecewise node without segments');
  return { p, z };
}

export function graphIntervals(graph: IntGraph): GraphIntervals {
  const c = compiledGraph(graph);
  const S = graph.scaleBits;
  const one = 1n << BigInt(S);
  const n0 = c.shapes[0]!.reduce((a, d) => a * d, 1);
  const tensors: Interval[] = [{ lo: new Array<bigint>(n0).fill(graph.inputMin), hi: new Array<bigint>(n0).fill(graph.inputMax) }];
  const accs: (Interval | null)[] = [];
  graph.nodes.forEach((node, k) => {
    const x = tensors[node.inputs[0]!]!;
    const lo: bigint[] = [];
    const hi: bigint[] = [];
    let acc: Interval | null = null;
    const plan = c.plans[k];
    if (plan) {
      acc = { lo: [], hi: [] };
      for (let j = 0; j < plan.bias.length; j++) {
        let a = plan.bias[j]!;
        let b = a;
        for (let t = plan.start[j]!; t < plan.start[j + 1]!; t++) {
          const w = BigInt(plan.weight[t]!);
          const i = plan.index[t]!;
          const p = w * x.lo[i]!;
          const q = w * x.hi[i]!;
          a += min(p, q);
          b += max(p, q);
        }
        acc.lo.push(a);
        acc.hi.push(b);
        lo.push(rescale(a, S));
        hi.push(rescale(b, S));
      }
    } else {
      switch (node.op) {
        case 'maxpool':
          for (const win of c.pools[k]!) {
            lo.push(Array.from(win, (i) => x.lo[i]!).reduce(max));
            hi.push(Array.from(win, (i) => x.hi[i]!).reduce(max));
          }
          break;
        case 'relu':
          x.lo.forEach((l, i) => {
            lo.push(max(l, 0n));
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
              const [p, q] = productInterval(a, a, l, min(h, -1n));
              ends.push(rescale(p, S), rescale(q, S));
            }
            lo.push(ends.reduce(min));
            hi.push(ends.reduce(max));
          });
          break;
        }
        case 'clip':
          x.lo.forEach((l, i) => {
            lo.push(clamp(l, node.lo, node.hi));
            hi.push(clamp(x.hi[i]!, node.lo, node.hi));
          });
          break;
        case 'hardsigmoid':
        case 'hardswish': {
          const a = BigInt(node.alpha);
          const b = BigInt(node.beta);
          x.lo.forEach((l, i) => {
            const h = x.hi[i]!;
            const [p, q] = productInterval(a, a, l, h);
            const h0 = clamp(rescale(p + b, S), 0n, one);
            const h1 = clamp(rescale(q + b, S), 0n, one);
            if (node.op === 'hardsigmoid') {
              lo.push(h0);
              hi.push(h1);
            } else {
              const [m0, m1] = productInterval(l, h, h0, h1);
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
            for (let s = Number(k0); s <= Number(k1); s++) {
              const one = { segBits: node.segBits, c0: [node.c0[s]!], c1: [node.c1[s]!], c2: [node.c2[s]!] };
              const { z } = piecewiseStages(one, S);
              const y0 = rescale(z[0], S);
              const y1 = rescale(z[1], S);
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
              const [p, q] = productInterval(l, x.hi[i]!, y.lo[i]!, y.hi[i]!);
              lo.push(rescale(p, S));
              hi.push(rescale(q, S));
            }
          });
          break;
        }
        case 'concat': {
          const g = c.gathers[k]!;
          for (let e = 0; e < g.length; e += 2) {
            const src = tensors[node.inputs[g[e]!]!]!;
            lo.push(src.lo[g[e + 1]!]!);
            hi.push(src.hi[g[e + 1]!]!);
          }
          break;
        }
        case 'reshape':
          lo.push(...x.lo);
          hi.push(...x.hi);
          break;
        case 'transpose':
          for (const i of c.gathers[k]!) {
            lo.push(x.lo[i]!);
            hi.push(x.hi[i]!);
          }
          break;
        default:
          throw new CircuitLayoutError(`Node ${node.name} (${node.op}): the graph circuit compiler does not take this op yet.`);
      }
    }
    tensors.push({ lo, hi });
    accs.push(acc);
  });
  return { compiled: c, tensors, acc: accs };
}
