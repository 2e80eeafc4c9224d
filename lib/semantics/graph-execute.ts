import { InputLengthError, InputRangeError } from './errors.js';
import { argmax, rescale } from './execute.js';
import { type CompiledGraph, compileGraph } from './graph-bounds.js';
import type { LinearPlan } from './graph-plan.js';
import { runTransformerNode } from './graph-transformer-execute.js';
import { isTransformerOp, type TransformerOp } from './graph-transformer.js';
import { type GraphNode, graphInputLength, type IntGraph } from './graph.js';

/** Every tensor a node computes: its accumulator (linear ops, products) and its value. */
export type NodeTrace = { acc: bigint[] | null; y: bigint[] };
export type GraphTrace = { nodes: NodeTrace[]; output: bigint[] };

const cache = new WeakMap<IntGraph, CompiledGraph>();

/** {@link compileGraph}, memoized per graph object (graphs are treated as immutable once built). */
export function compiled(graph: IntGraph): CompiledGraph {
  let c = cache.get(graph);
  if (!c) {
    c = compileGraph(graph);
    cache.set(graph, c);
  }
  return c;
}

export function validateGraphInput(graph: IntGraph, input: readonly bigint[]): void {
  const expected = graphInputLength(graph);
  if (input.length !== expected) throw new InputLengthError(expected, input.length);
  input.forEach((v, i) => {
    if (v < graph.inputMin || v > graph.inputMax) throw new InputRangeError(i, v, graph.inputMin, graph.inputMax);
  });
}

function accumulate(plan: LinearPlan, x: readonly bigint[], exact: boolean): bigint[] {
  const n = plan.bias.length;
  const out = new Array<bigint>(n);
  if (exact) {
    // The bounds prove every partial sum stays below 2^53 in magnitude: float64 sums are exact
    // integers here, and much faster than bigint.
    const xf = Float64Array.from(x, Number);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = plan.start[j]!; t < plan.start[j + 1]!; t++) s += plan.weight[t]! * xf[plan.index[t]!]!;
      out[j] = plan.bias[j]! + BigInt(s);
    }
    return out;
  }
  for (let j = 0; j < n; j++) {
    let s = plan.bias[j]!;
    for (let t = plan.start[j]!; t < plan.start[j + 1]!; t++) s += BigInt(plan.weight[t]!) * x[plan.index[t]!]!;
    out[j] = s;
  }
  return out;
}

const clampB = (v: bigint, lo: bigint, hi: bigint): bigint => (v < lo ? lo : v > hi ? hi : v);

/**
 * The reference executor of integer graphs with every intermediate tensor: the spec of
 * docs/SEMANTICS.md ("Integer graphs") in code. All arithmetic is exact integer arithmetic; the
 * only floor is {@link rescale}.
 */
export function runGraphTrace(graph: IntGraph, input: readonly bigint[]): GraphTrace {
  validateGraphInput(graph, input);
  const c = compiled(graph);
  const S = graph.scaleBits;
  const one = 1n << BigInt(S);
  const tensors: (readonly bigint[])[] = [input];
  const nodes: NodeTrace[] = [];
  graph.nodes.forEach((node, k) => {
    const x = tensors[node.inputs[0]!]!;
    let acc: bigint[] | null = null;
    let y: bigint[];
    const plan = c.plans[k];
    if (plan) {
      acc = accumulate(plan, x, c.exact[k]!);
      y = acc.map((a) => rescale(a, S));
    } else {
      switch (node.op) {
        case 'maxpool':
          y = c.pools[k]!.map((win) => {
            let m = x[win[0]!]!;
            for (let t = 1; t < win.length; t++) if (x[win[t]!]! > m) m = x[win[t]!]!;
            return m;
          });
          break;
        case 'relu':
          y = x.map((v) => (v < 0n ? 0n : v));
          break;
        case 'leakyrelu': {
          const a = BigInt(node.alpha);
          acc = x.map((v) => (v < 0n ? a * v : v));
          y = acc.map((v, i) => (x[i]! < 0n ? rescale(v, S) : v));
          break;
        }
        case 'clip':
          y = x.map((v) => clampB(v, node.lo, node.hi));
          break;
        case 'hardsigmoid':
        case 'hardswish': {
          const a = BigInt(node.alpha);
          const b = BigInt(node.beta);
          acc = x.map((v) => a * v + b);
          const h = acc.map((z) => clampB(rescale(z, S), 0n, one));
          y = node.op === 'hardsigmoid' ? h : h.map((hv, i) => rescale(x[i]! * hv, S));
          break;
        }
        case 'piecewise': {
          const seg = BigInt(node.segBits);
          const top = node.lo + (BigInt(node.c0.length) << seg) - 1n;
          acc = [];
          y = [];
          for (const v of x) {
            const u = clampB(v, node.lo, top) - node.lo;
            const s = Number(u >> seg);
            const t = u - (BigInt(s) << seg);
            const z = (BigInt(node.c0[s]!) << BigInt(S)) + (BigInt(node.c1[s]!) + rescale(BigInt(node.c2[s]!) * t, S)) * t;
            acc.push(z);
            y.push(rescale(z, S));
          }
          break;
        }
        case 'add': {
          const b = tensors[node.inputs[1]!]!;
          y = x.map((v, i) => v + b[i]!);
          break;
        }
        case 'mul': {
          const b = tensors[node.inputs[1]!]!;
          acc = x.map((v, i) => v * b[i]!);
          y = acc.map((v) => rescale(v, S));
          break;
        }
        case 'concat': {
          const g = c.gathers[k]!;
          y = new Array<bigint>(g.length / 2);
          for (let e = 0; e < g.length; e += 2) y[e / 2] = tensors[node.inputs[g[e]!]!]![g[e + 1]!]!;
          break;
        }
        case 'reshape':
          y = [...x];
          break;
        case 'transpose':
          y = Array.from(c.gathers[k]!, (i) => x[i]!);
          break;
        default: {
          // Transformer ops: graph-transformer-execute.ts.
          if (!isTransformerOp(node)) throw new Error(`unreachable: op ${node.op}`);
          const r = runTransformerNode(
            node as GraphNode & TransformerOp,
            node.inputs.map((id) => tensors[id]!),
            node.inputs.map((id) => c.shapes[id]!),
            S,
            c.exact[k]!,
          );
          acc = r.acc;
          y = r.y;
        }
      }
    }
    nodes.push({ acc, y });
    tensors.push(y);
  });
  const last = tensors.at(-1)!;
  return { nodes, output: graph.outputKind === 'argmax' ? [BigInt(argmax(last))] : [...last] };
}

/** The canonical integer output of `graph` for `input`. */
export function runGraph(graph: IntGraph, input: readonly bigint[]): bigint[] {
  return runGraphTrace(graph, input).output;
}

/** The values of the graph's last tensor (the logits), for accuracy and agreement checks. */
export function graphLogits(trace: GraphTrace): bigint[] {
  return trace.nodes.at(-1)!.y;
}
