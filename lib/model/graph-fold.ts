import type { FloatGraph, FloatNode } from './float-graph.js';

type Affine = FloatNode & { op: 'affine' };
type Linear = FloatNode & { op: 'conv' | 'dense' };

/** `affine ∘ linear`: per output channel, scale the weights and bias and add the shift (exact). */
function foldAfter(lin: Linear, a: Affine): Linear {
  const channels = lin.op === 'conv' ? lin.outChannels : lin.outDim;
  const per = lin.weights.length / channels;
  return {
    ...lin,
    weights: lin.weights.map((w, i) => w * a.scale[Math.floor(i / per)]!),
    bias: lin.bias.map((b, o) => b * a.scale[o]! + a.bias[o]!),
  };
}

/**
 * `linear ∘ affine`: scale the weights by the input channel's factor and move the shifts into the
 * bias. Exact only if no window reads the zero padding, or every shift is 0 (padding stays 0).
 */
function foldBefore(lin: Linear, a: Affine, inputShape: readonly number[]): Linear | null {
  const shifted = a.bias.some((b) => b !== 0);
  if (lin.op === 'conv') {
    if (shifted && lin.window.pads.some((p) => p > 0)) return null;
    const cg = inputShape[0]! / lin.groups;
    const og = lin.outChannels / lin.groups;
    const k = lin.window.kernel[0] * lin.window.kernel[1];
    const weights = [...lin.weights];
    const bias = [...lin.bias];
    // Without padding every window covers k positions of each input channel it reads.
    for (let o = 0; o < lin.outChannels; o++) {
      const g = Math.floor(o / og);
      for (let i = 0; i < cg; i++) {
        const ch = g * cg + i;
        for (let t = 0; t < k; t++) {
          const at = (o * cg + i) * k + t;
          bias[o]! += weights[at]! * a.bias[ch]!;
          weights[at] = weights[at]! * a.scale[ch]!;
        }
      }
    }
    return { ...lin, weights, bias };
  }
  const n = inputShape[0]!;
  if (inputShape.length !== 1) return null;
  const weights = [...lin.weights];
  const bias = [...lin.bias];
  for (let j = 0; j < lin.outDim; j++)
    for (let i = 0; i < n; i++) {
      bias[j]! += weights[j * n + i]! * a.bias[i]!;
      weights[j * n + i] = weights[j * n + i]! * a.scale[i]!;
    }
  return { ...lin, weights, bias };
}

type Conv = FloatNode & { op: 'conv' };
type AvgPool = FloatNode & { op: 'avgpool' };

/**
 * `avgpool ∘ conv` as one convolution. A pooled output averages the conv outputs of a k×k block;
 * each reads a K×K window of the input that moves by the conv stride c, so together they read one
 * window of K + c·(k − 1) that moves by c·s, with weights
 * `W'[y][x] = (1/k²) Σ_{a,b} W[y − c·a][x − c·b]` and the same bias and padding (the average of a
 * constant is itself). Exact in real arithmetic, and the output size is the same:
 * `⌊(⌊D/c⌋ − (k−1))/s⌋ = ⌊(D − c(k−1))/(c·s)⌋` for `D = H + pads − K`. Null if the pool pads: a
 * padded window averages fewer (or padding) positions, which no single convolution reproduces.
 */
export function foldConvPool(conv: Conv, pool: AvgPool): Conv | null {
  if (pool.window.pads.some((p) => p > 0)) return null;
  const [kh, kw] = conv.window.kernel;
  const [ch, cw] = conv.window.stride;
  const [ph, pw] = pool.window.kernel;
  const [sh, sw] = pool.window.stride;
  const nh = kh + ch * (ph - 1);
  const nw = kw + cw * (pw - 1);
  const pairs = conv.weights.length / (kh * kw);
  const weights = new Array<number>(pairs * nh * nw).fill(0);
  const share = 1 / (ph * pw);
  for (let p = 0; p < pairs; p++)
    for (let a = 0; a < ph; a++)
      for (let b = 0; b < pw; b++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            const to = (p * nh + y + ch * a) * nw + x + cw * b;
            weights[to]! += share * conv.weights[(p * kh + y) * kw + x]!;
          }
  return {
    ...conv,
    window: { kernel: [nh, nw], stride: [ch * sh, cw * sw], pads: conv.window.pads },
    weights,
  };
}

const isAffine = (n: FloatNode | undefined): n is Affine => n?.op === 'affine';
const isLinear = (n: FloatNode | undefined): n is Linear => n?.op === 'conv' || n?.op === 'dense';

/**
 * Keeps only the nodes the output depends on, folds per-channel affine steps (batch normalization,
 * constant scaling and shifting) into the neighbouring convolution or dense layer where that is
 * exact, folds an average pool into the convolution it pools (`foldConvPool`), merges consecutive
 * affine steps, and renumbers. Each fold removes one rescale from the integer graph, so folded
 * graphs are both cheaper and more accurate.
 */
export function simplifyFloatGraph(graph: FloatGraph, outputId: number): FloatGraph {
  // Slots by tensor id (slot 0 is the input); null once removed.
  const slots: (FloatNode | null)[] = [null, ...graph.nodes];
  const alias = new Map<number, number>();
  const resolve = (id: number): number => {
    let r = id;
    while (alias.has(r)) r = alias.get(r)!;
    return r;
  };
  const shapeOf = (id: number): number[] => (id === 0 ? graph.inputShape : slots[id]!.shape);
  let output = outputId;
  for (let changed = true; changed; ) {
    changed = false;
    const consumers = new Map<number, number>();
    const live = new Set<number>();
    const mark = (id: number) => {
      if (id === 0 || live.has(id)) return;
      live.add(id);
      for (const i of slots[id]!.inputs) mark(i);
    };
    mark(output);
    for (const id of live) for (const i of slots[id]!.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
    const single = (id: number) => id !== 0 && id !== output && consumers.get(id) === 1;
    for (const id of [...live].sort((p, q) => p - q)) {
      const n = slots[id]!;
      const src = n.inputs[0]!;
      const prev = slots[src] ?? undefined;
      let merged: FloatNode | null = null;
      if (n.op === 'avgpool' && prev?.op === 'conv' && single(src)) {
        const folded = foldConvPool(prev, n);
        if (folded) merged = { ...folded, name: n.name, shape: n.shape };
      } else if (isAffine(n) && isLinear(prev) && single(src)) merged = { ...foldAfter(prev, n), name: n.name, shape: n.shape };
      else if (isAffine(n) && isAffine(prev) && single(src)) {
        merged = { ...n, inputs: prev.inputs, scale: n.scale.map((s, c) => s * prev.scale[c]!), bias: n.bias.map((b, c) => n.scale[c]! * prev.bias[c]! + b) };
      } else if (isLinear(n) && isAffine(prev) && single(src)) {
        const folded = foldBefore(n, prev, shapeOf(prev.inputs[0]!));
        if (folded) merged = { ...folded, inputs: prev.inputs };
      } else if (isAffine(n) && n.scale.every((s) => s === 1) && n.bias.every((b) => b === 0) && id !== output) {
        alias.set(id, src);
        for (const s of slots) if (s) s.inputs = s.inputs.map(resolve);
        changed = true;
        break;
      }
      if (merged) {
        slots[id] = merged;
        changed = true;
        break;
      }
    }
    if (!changed) {
      // Renumber the live nodes in their (topological) order.
      const order = [...live].sort((p, q) => p - q);
      const newId = new Map<number, number>([[0, 0]]);
      order.forEach((id, k) => {
        newId.set(id, k + 1);
      });
      const nodes = order.map((id) => {
        const n = slots[id]!;
        return { ...n, inputs: n.inputs.map((i) => newId.get(resolve(i))!) } as FloatNode;
      });
      output = newId.get(output)!;
      return { ...graph, nodes };
    }
  }
  return graph;
}
