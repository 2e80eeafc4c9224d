import { piecewiseTable } from '../model/graph-quantize.js';
import { GraphBuilder, type IntGraph, type Window } from '../semantics/index.js';
import { seededRandom } from './sample-models.js';

/**
 * LeNet-5-shaped integer graphs with random weights, for the graph circuit's benchmark and tests: the shapes of
 * script/fashion/train_cnn.py's networks (input 1×28×28, conv 5×5 padding 2 → 6, pool 2×2, conv 5×5 → 16,
 * pool 2×2, dense 400 → 120 → 84 → 10), weights of a trained network's magnitude. The constraint count depends on
 * the shapes and, through the bit widths, on the static bounds, which random weights of the same magnitude
 * approximate: a trained model's count differs by a few percent, not by the order of magnitude.
 */
export type LenetOptions = {
  seed: number;
  scaleBits: number;
  pool: 'avg' | 'max';
  activation: 'relu' | 'tanh';
  /** Raw pixels 0..255 at 2^S, as the importer quantizes them (`x / 255` folded into conv1), unless given. */
  inputMax?: bigint;
  /** The max-pool network of train_cnn.py also has a residual block (two 3×3 convs and an add) after pool 1. */
  residual?: boolean;
};

const win = (k: number, s: number, p = 0): Window => ({ kernel: [k, k], stride: [s, s], pads: [p, p, p, p] });

export function lenetGraph(o: LenetOptions): IntGraph {
  const S = o.scaleBits;
  const next = seededRandom(o.seed);
  const q = (v: number, bits: number): number => Math.round(v * 2 ** bits);
  // Uniform like PyTorch's default initialisation, twice as wide (trained weights spread out).
  const weights = (n: number, fanIn: number, scale = 1): number[] => Array.from({ length: n }, () => q(((next() * 2 - 1) * 2 * scale) / Math.sqrt(fanIn), S));
  const bias = (n: number): number[] => Array.from({ length: n }, () => q((next() * 2 - 1) * 0.1, 2 * S));
  const b = new GraphBuilder([1, 28, 28]);
  const act = (id: number): number => (o.activation === 'relu' ? b.add({ op: 'relu', inputs: [id] }) : b.add({ inputs: [id], ...piecewiseTable('tanh', S) }));
  const pool = (id: number): number =>
    o.pool === 'avg' ? b.add({ op: 'avgpool', inputs: [id], window: win(2, 2), countPad: false }) : b.add({ op: 'maxpool', inputs: [id], window: win(2, 2) });
  // conv1 reads raw pixels: its weights carry the 1/255 of the input scaling.
  const c1 = b.add({ op: 'conv', inputs: [0], window: win(5, 1, 2), groups: 1, outChannels: 6, weights: weights(150, 25, 1 / 255), bias: bias(6) });
  let x = pool(act(c1));
  if (o.residual) {
    const r1 = act(b.add({ op: 'conv', inputs: [x], window: win(3, 1, 1), groups: 1, outChannels: 6, weights: weights(324, 54), bias: bias(6) }));
    const r2 = b.add({ op: 'conv', inputs: [r1], window: win(3, 1, 1), groups: 1, outChannels: 6, weights: weights(324, 54), bias: bias(6) });
    x = act(b.add({ op: 'add', inputs: [x, r2] }));
  }
  const c2 = b.add({ op: 'conv', inputs: [x], window: win(5, 1), groups: 1, outChannels: 16, weights: weights(2400, 150), bias: bias(16) });
  const flat = b.add({ op: 'reshape', inputs: [pool(act(c2))], shape: [400] });
  const f1 = act(b.add({ op: 'dense', inputs: [flat], outDim: 120, weights: weights(48000, 400), bias: bias(120) }));
  const f2 = act(b.add({ op: 'dense', inputs: [f1], outDim: 84, weights: weights(10080, 120), bias: bias(84) }));
  b.add({ op: 'dense', inputs: [f2], outDim: 10, weights: weights(840, 84), bias: bias(10) });
  return b.build({ scaleBits: S, outputKind: 'argmax', inputMin: 0n, inputMax: o.inputMax ?? 255n << BigInt(S) });
}

/** A reproducible input image in the graph's range (pixels 0..255 at 2^S, mostly dark like Fashion-MNIST). */
export function lenetInput(graph: IntGraph, seed: number): bigint[] {
  const next = seededRandom(seed);
  const step = graph.inputMax / 255n > 0n ? graph.inputMax / 255n : 1n;
  return Array.from({ length: 784 }, () => (next() < 0.5 ? 0n : BigInt(Math.floor(next() * 256)) * step));
}
