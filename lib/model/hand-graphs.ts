import { GraphBuilder, type IntGraph, type Window } from '../semantics/index.js';
import { piecewiseTable } from './graph-quantize.js';

/**
 * Small integer graphs, at S = 4 (one unit = 16) unless said, that exercise every graph op and its
 * edges: zero padding, strides, depthwise groups, ties in max pooling, average pooling with and
 * without the padding counted, negative rounding, the clamp boundaries of ReLU6, the hard sigmoid
 * and each piecewise table, residual adds, products, concat, transpose and an argmax tie. They
 * seed `test/vectors/graphs.json`.
 */
export type HandGraph = { name: string; graph: IntGraph; inputs: bigint[][] };

const win = (k: number, s: number, p: [number, number, number, number] = [0, 0, 0, 0]): Window => ({ kernel: [k, k], stride: [s, s], pads: p });
const ints = (...v: number[]): bigint[] => v.map(BigInt);

function convGraph(): HandGraph {
  const b = new GraphBuilder([1, 4, 4]);
  // Two 3×3 filters, stride 2, padding 1 on every side: output [2, 2, 2]; bias -128 = -0.5 at 2^(2S).
  const c1 = b.add({
    op: 'conv',
    inputs: [0],
    window: win(3, 2, [1, 1, 1, 1]),
    groups: 1,
    outChannels: 2,
    weights: [1, 2, 1, 0, -4, 0, -1, -2, -1, 16, 0, 0, 0, 16, 0, 0, 0, -16],
    bias: [-128, 8],
  });
  // Depthwise 2×2 (groups = channels = 2), one output per channel: [2, 1, 1].
  b.add({ op: 'conv', inputs: [c1], window: win(2, 1), groups: 2, outChannels: 2, weights: [3, -5, 7, 1, -16, 8, 4, 2], bias: [0, -8] });
  return {
    name: 'graph-conv',
    graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -64n, inputMax: 64n }),
    inputs: [
      ints(...Array.from({ length: 16 }, (_, i) => i * 7 - 56)),
      ints(...Array.from({ length: 16 }, (_, i) => (i % 3) - 1)),
      ints(...new Array(16).fill(-1)),
    ],
  };
}

function poolGraph(): HandGraph {
  const b = new GraphBuilder([2, 4, 4]);
  const max = b.add({ op: 'maxpool', inputs: [0], window: win(2, 2) });
  const avgReal = b.add({ op: 'avgpool', inputs: [0], window: win(3, 2, [1, 1, 1, 1]), countPad: false });
  const avgPad = b.add({ op: 'avgpool', inputs: [0], window: win(3, 2, [1, 1, 1, 1]), countPad: true });
  const maxPadded = b.add({ op: 'maxpool', inputs: [0], window: win(3, 2, [1, 1, 1, 1]) });
  const four = b.add({ op: 'concat', inputs: [max, avgReal, avgPad, maxPadded], axis: 0 });
  const flat = b.add({ op: 'reshape', inputs: [four], shape: [32] });
  const gap = b.add({ op: 'avgpool', inputs: [0], window: win(4, 4), countPad: true });
  const gapFlat = b.add({ op: 'reshape', inputs: [gap], shape: [2] });
  b.add({ op: 'concat', inputs: [flat, gapFlat], axis: 0 });
  const plane = (f: (i: number) => number) => ints(...Array.from({ length: 32 }, (_, i) => f(i)));
  return {
    name: 'graph-pool',
    graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -32n, inputMax: 32n }),
    inputs: [
      plane(() => 5), // every window a tie
      plane((i) => (i % 2 === 0 ? -1 : -2)), // negative averages that round toward +inf on ties
      plane((i) => -(i % 5)),
      plane((i) => (i * 13) % 65).map((v) => v - 32n),
    ],
  };
}

function activationGraph(): HandGraph {
  const b = new GraphBuilder([8]);
  const relu = b.add({ op: 'relu', inputs: [0] });
  const leaky = b.add({ op: 'leakyrelu', inputs: [0], alpha: 2 }); // 0.125
  const relu6 = b.add({ op: 'clip', inputs: [0], lo: 0n, hi: 96n });
  // alpha = round(16 / 6) = 3, beta = 0.5 · 2^(2S) = 128.
  const hs = b.add({ op: 'hardsigmoid', inputs: [0], alpha: 3, beta: 128 });
  const hw = b.add({ op: 'hardswish', inputs: [0], alpha: 3, beta: 128 });
  const gate = b.add({ op: 'mul', inputs: [0, hs] });
  b.add({ op: 'concat', inputs: [relu, leaky, relu6, hs, hw, gate], axis: 0 });
  return {
    name: 'graph-activations',
    graph: b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -128n, inputMax: 128n }),
    inputs: [
      ints(-1, 0, 1, 95, 96, 97, -9, -8), // clip boundaries; leaky rescale(-18) = -1, rescale(-16) = -1
      ints(-43, -42, 42, 43, -128, 128, -7, 7), // hard sigmoid: 3·(-43) + 128 = -1 → 0; 3·43 + 128 = 257 → 16 (clamped)
      ints(-3, -4, -5, -24, -25, 24, 25, 2),
    ],
  };
}

function piecewiseGraph(scaleBits: number): HandGraph {
  const b = new GraphBuilder([12]);
  const sig = b.add({ inputs: [0], ...piecewiseTable('sigmoid', scaleBits) });
  const tanh = b.add({ inputs: [0], ...piecewiseTable('tanh', scaleBits) });
  b.add({ op: 'concat', inputs: [sig, tanh], axis: 0 });
  const one = 1 << scaleBits;
  // Clamp boundaries of both tables (sigmoid [-8, 8), tanh [-4, 4)) and segment edges.
  const edges = [-8 * one - 1, -8 * one, 8 * one - 1, 8 * one, -4 * one - 1, -4 * one, 4 * one - 1, 4 * one, 0, -1, one / 2, -one / 2 - 1];
  return {
    name: `graph-piecewise-s${scaleBits}`,
    graph: b.build({ scaleBits, outputKind: 'logits', inputMin: BigInt(-12 * one), inputMax: BigInt(12 * one) }),
    inputs: [ints(...edges), ints(...edges.map((e) => e + 1)), ints(...Array.from({ length: 12 }, (_, i) => (i - 6) * one + i))],
  };
}

function residualGraph(): HandGraph {
  const b = new GraphBuilder([2, 3, 3]);
  const mix = b.add({ op: 'conv', inputs: [0], window: win(1, 1), groups: 1, outChannels: 2, weights: [8, -8, 4, 12], bias: [0, -200] });
  const sum = b.add({ op: 'add', inputs: [0, mix] });
  const bn = b.add({ op: 'affine', inputs: [sum], scale: [-16, 3], bias: [-8, 100] });
  const prod = b.add({ op: 'mul', inputs: [bn, 0] });
  const t = b.add({ op: 'transpose', inputs: [prod], perm: [1, 2, 0] });
  const flat = b.add({ op: 'reshape', inputs: [t], shape: [18] });
  const w = Array.from({ length: 54 }, (_, i) => ((i * 5) % 7) - 3);
  // Classes 0 and 1 share weights and bias, so they always tie and class 0 wins unless class 2 is larger.
  for (let i = 0; i < 18; i++) w[18 + i] = w[i]!;
  b.add({ op: 'dense', inputs: [flat], outDim: 3, weights: w, bias: [64, 64, 0] });
  return {
    name: 'graph-residual-argmax',
    graph: b.build({ scaleBits: 4, outputKind: 'argmax', inputMin: -48n, inputMax: 48n }),
    inputs: [
      ints(...new Array(18).fill(0)),
      ints(...Array.from({ length: 18 }, (_, i) => i * 5 - 45)),
      ints(...Array.from({ length: 18 }, (_, i) => 40 - i * 4)),
    ],
  };
}

export const HAND_GRAPHS: HandGraph[] = [convGraph(), poolGraph(), activationGraph(), piecewiseGraph(4), piecewiseGraph(8), residualGraph()];
