import { describe, expect, it } from 'vitest';
import { type FloatGraph, type FloatNode, type FloatOp, floatShape, forwardFloatGraph } from '../../../lib/model/float-graph.js';
import { simplifyFloatGraph } from '../../../lib/model/graph-fold.js';
import { createRandom, normal } from '../../../lib/model/random.js';
import type { Window } from '../../../lib/semantics/index.js';

/** A float graph from ops and their inputs, shapes inferred; the last node is the output. */
function graph(inputShape: number[], ops: [FloatOp, number[]][]): FloatGraph {
  const shapes: number[][] = [inputShape];
  const nodes: FloatNode[] = [];
  ops.forEach(([op, inputs], k) => {
    const draft = { ...op, inputs, shape: [], name: `n${k}` } as FloatNode;
    const shape = floatShape(
      draft,
      inputs.map((i) => shapes[i]!),
    );
    nodes.push({ ...draft, shape });
    shapes.push(shape);
  });
  return { sourceInputShape: ['batch_size', ...inputShape], inputShape, nodes, head: 'logits' };
}

const win = (kernel: [number, number], stride: [number, number], pads: [number, number, number, number] = [0, 0, 0, 0]): Window => ({ kernel, stride, pads });

function conv(random: () => number, inC: number, outChannels: number, groups: number, window: Window): FloatOp {
  const n = outChannels * (inC / groups) * window.kernel[0] * window.kernel[1];
  return {
    op: 'conv',
    window,
    groups,
    outChannels,
    weights: Array.from({ length: n }, () => normal(random)),
    bias: Array.from({ length: outChannels }, () => normal(random)),
  };
}

const avg = (window: Window): FloatOp => ({ op: 'avgpool', window, countPad: false });

/** Largest difference between the graph and its simplified form on a few random inputs. */
function foldError(g: FloatGraph, random: () => number): { simplified: FloatGraph; error: number } {
  const simplified = simplifyFloatGraph(g, g.nodes.length);
  const size = g.inputShape.reduce((a, d) => a * d, 1);
  let error = 0;
  for (let r = 0; r < 3; r++) {
    const x = Array.from({ length: size }, () => normal(random));
    const want = forwardFloatGraph(g, x);
    const got = forwardFloatGraph(simplified, x);
    expect(got.length).toBe(want.length);
    want.forEach((v, i) => {
      error = Math.max(error, Math.abs(v - got[i]!));
    });
  }
  return { simplified, error };
}

describe('folding an average pool into the convolution it pools', () => {
  // [in channels, out channels, groups, conv window, pool window, height, width]
  const CASES: [number, number, number, Window, Window, number, number][] = [
    [1, 6, 1, win([5, 5], [1, 1], [2, 2, 2, 2]), win([2, 2], [2, 2]), 28, 28], // LeNet's first block
    [6, 16, 1, win([5, 5], [1, 1]), win([2, 2], [2, 2]), 14, 14], // LeNet's second block
    [3, 4, 1, win([3, 3], [2, 2], [1, 1, 1, 1]), win([2, 2], [2, 2]), 11, 11], // strided conv, odd plane
    [2, 5, 1, win([3, 2], [1, 2], [0, 1, 1, 0]), win([3, 2], [2, 1]), 13, 10], // overlapping pool, uneven everything
    [4, 8, 2, win([3, 3], [1, 1], [1, 1, 1, 1]), win([2, 2], [2, 2]), 9, 9], // groups, odd plane (last row dropped)
    [4, 4, 4, win([3, 3], [1, 1], [1, 1, 1, 1]), win([3, 3], [3, 3]), 12, 12], // depthwise
    [2, 3, 1, win([1, 1], [3, 3]), win([2, 2], [1, 1]), 10, 10], // stride above the kernel: holes in the folded kernel
  ];

  it('gives the same outputs in float as conv then pool, with one node fewer and no pool left', () => {
    const random = createRandom(12);
    for (const [inC, outC, groups, cw, pw, h, w] of CASES) {
      const g = graph(
        [inC, h, w],
        [
          [conv(random, inC, outC, groups, cw), [0]],
          [avg(pw), [1]],
          [{ op: 'relu' }, [2]],
        ],
      );
      const { simplified, error } = foldError(g, random);
      expect(simplified.nodes.map((n) => n.op)).toEqual(['conv', 'relu']);
      const folded = simplified.nodes[0] as FloatNode & { op: 'conv' };
      expect(folded.window.kernel).toEqual([cw.kernel[0] + cw.stride[0] * (pw.kernel[0] - 1), cw.kernel[1] + cw.stride[1] * (pw.kernel[1] - 1)]);
      expect(folded.window.stride).toEqual([cw.stride[0] * pw.stride[0], cw.stride[1] * pw.stride[1]]);
      expect(folded.shape).toEqual(g.nodes[1]!.shape);
      expect(error).toBeLessThan(1e-9);
    }
  });

  it('folds a BatchNorm between the convolution and the pool first, then the pool', () => {
    const random = createRandom(13);
    const g = graph(
      [2, 8, 8],
      [
        [conv(random, 2, 3, 1, win([3, 3], [1, 1], [1, 1, 1, 1])), [0]],
        [{ op: 'affine', scale: [0.5, -2, 1.5], bias: [0.1, 0.2, -0.3] }, [1]],
        [avg(win([2, 2], [2, 2])), [2]],
      ],
    );
    const { simplified, error } = foldError(g, random);
    expect(simplified.nodes.map((n) => n.op)).toEqual(['conv']);
    expect(error).toBeLessThan(1e-9);
  });

  it('leaves a padded pool alone: its border windows average fewer positions than a convolution reads', () => {
    const random = createRandom(14);
    for (const countPad of [false, true]) {
      const g = graph(
        [2, 8, 8],
        [
          [conv(random, 2, 3, 1, win([3, 3], [1, 1])), [0]],
          [{ op: 'avgpool', window: win([3, 3], [2, 2], [1, 1, 1, 1]), countPad }, [1]],
        ],
      );
      const { simplified, error } = foldError(g, random);
      expect(simplified.nodes.map((n) => n.op)).toEqual(['conv', 'avgpool']);
      expect(error).toBe(0);
    }
  });

  it('leaves the convolution alone when another node also reads it', () => {
    const random = createRandom(15);
    const g = graph(
      [2, 8, 8],
      [
        [conv(random, 2, 3, 1, win([3, 3], [1, 1], [1, 1, 1, 1])), [0]],
        [avg(win([2, 2], [2, 2])), [1]],
        [{ op: 'maxpool', window: win([2, 2], [2, 2]) }, [1]],
        [{ op: 'add' }, [2, 3]],
      ],
    );
    const { simplified, error } = foldError(g, random);
    expect(simplified.nodes.map((n) => n.op)).toEqual(['conv', 'avgpool', 'maxpool', 'add']);
    expect(error).toBe(0);
  });

  it('does not fold across an activation (conv → ReLU → pool is not linear)', () => {
    const random = createRandom(16);
    const g = graph(
      [1, 8, 8],
      [
        [conv(random, 1, 2, 1, win([3, 3], [1, 1])), [0]],
        [{ op: 'relu' }, [1]],
        [avg(win([2, 2], [2, 2])), [2]],
      ],
    );
    expect(simplifyFloatGraph(g, 3).nodes.map((n) => n.op)).toEqual(['conv', 'relu', 'avgpool']);
  });
});
