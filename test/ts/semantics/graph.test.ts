import { describe, expect, it } from 'vitest';
import { piecewiseTable } from '../../../lib/model/graph-quantize.js';
import { HAND_GRAPHS } from '../../../lib/model/hand-graphs.js';
import { createRandom } from '../../../lib/model/random.js';
import {
  avgWeight,
  computeGraphBounds,
  decodeGraph,
  encodeGraph,
  GraphBoundsError,
  GraphBuilder,
  graphHash,
  InputRangeError,
  InvalidGraphError,
  ModelEncodingError,
  rescale,
  runGraph,
  runGraphTrace,
  type IntGraph,
} from '../../../lib/semantics/index.js';

/** A convolution written straight from the formula of docs/SEMANTICS.md, independent of the plans. */
function naiveConv(
  x: bigint[],
  [c, h, w]: number[],
  p: { k: number; s: number; pads: number[]; groups: number; out: number; weights: number[]; bias: number[] },
  S: number,
): bigint[] {
  const [top, left, bottom, right] = p.pads as [number, number, number, number];
  const oh = Math.floor((h! + top + bottom - p.k) / p.s) + 1;
  const ow = Math.floor((w! + left + right - p.k) / p.s) + 1;
  const cg = c! / p.groups;
  const og = p.out / p.groups;
  const y: bigint[] = [];
  for (let o = 0; o < p.out; o++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let acc = BigInt(p.bias[o]!);
        const g = Math.floor(o / og);
        for (let i = 0; i < cg; i++)
          for (let ky = 0; ky < p.k; ky++)
            for (let kx = 0; kx < p.k; kx++) {
              const yy = oy * p.s + ky - top;
              const xx = ox * p.s + kx - left;
              if (yy < 0 || yy >= h! || xx < 0 || xx >= w!) continue;
              acc += BigInt(p.weights[((o * cg + i) * p.k + ky) * p.k + kx]!) * x[((g * cg + i) * h! + yy) * w! + xx]!;
            }
        y.push(rescale(acc, S));
      }
  return y;
}

describe('integer graphs: reference executor', () => {
  it('computes convolutions as the formula says (padding, stride, groups, random weights)', () => {
    const next = createRandom(5);
    const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
    for (let trial = 0; trial < 30; trial++) {
      const groups = trial % 3 === 0 ? 1 : trial % 3 === 1 ? 2 : 4;
      const c = groups === 4 ? 4 : groups * int(1, 2);
      const shape = [c, int(3, 7), int(3, 7)];
      const k = int(1, Math.min(3, shape[1]!, shape[2]!));
      const s = int(1, 2);
      const pads = [int(0, 2), int(0, 2), int(0, 2), int(0, 2)];
      const out = groups * int(1, 2);
      const weights = Array.from({ length: out * (c / groups) * k * k }, () => int(-40, 40));
      const bias = Array.from({ length: out }, () => int(-2000, 2000));
      const S = int(2, 6);
      const b = new GraphBuilder(shape);
      b.add({
        op: 'conv',
        inputs: [0],
        window: { kernel: [k, k], stride: [s, s], pads: pads as [number, number, number, number] },
        groups,
        outChannels: out,
        weights,
        bias,
      });
      const graph = b.build({ scaleBits: S, outputKind: 'logits', inputMin: -300n, inputMax: 300n });
      const x = Array.from({ length: c * shape[1]! * shape[2]! }, () => BigInt(int(-300, 300)));
      expect(runGraph(graph, x)).toEqual(naiveConv(x, shape, { k, s, pads, groups, out, weights, bias }, S));
    }
  });

  it('pools: max over real positions only, averages with round(2^S / n) and the rescale rule', () => {
    const b = new GraphBuilder([1, 2, 3]);
    const m = b.add({ op: 'maxpool', inputs: [0], window: { kernel: [2, 2], stride: [1, 2], pads: [0, 1, 0, 1] } });
    const a = b.add({ op: 'avgpool', inputs: [0], window: { kernel: [2, 2], stride: [1, 2], pads: [0, 1, 0, 1] }, countPad: false });
    const a2 = b.add({ op: 'avgpool', inputs: [0], window: { kernel: [2, 2], stride: [1, 2], pads: [0, 1, 0, 1] }, countPad: true });
    b.add({ op: 'concat', inputs: [m, a, a2], axis: 0 });
    const graph = b.build({ scaleBits: 4, outputKind: 'logits', inputMin: -100n, inputMax: 100n });
    // Windows: columns {pad, 0}, {1, 2}; rows 0..1. Input rows [-5, -7, -9], [-6, -8, -2].
    const y = runGraph(graph, [-5n, -7n, -9n, -6n, -8n, -2n]);
    expect(y.slice(0, 2)).toEqual([-5n, -2n]); // the padding is not a 0
    expect(avgWeight(4, 2)).toBe(8);
    expect(avgWeight(4, 4)).toBe(4);
    expect(avgWeight(4, 3)).toBe(5); // 16/3 = 5.33
    expect(avgWeight(4, 6)).toBe(3); // 2.67 → 3 (ties up: floor((32 + 6) / 12) = 3)
    // countPad = 0: (-5 - 6) · 8 = -88 → floor((-88 + 8) / 16) = -5; (-7 - 9 - 8 - 2) · 4 = -104 → floor(-96 / 16) = -6.
    expect(y.slice(2, 4)).toEqual([-5n, -6n]);
    // countPad = 1: n = 4 everywhere: -11 · 4 = -44 → floor(-36 / 16) = -3.
    expect(y.slice(4, 6)).toEqual([-3n, -6n]);
  });

  it('traces accumulators and values, and refuses inputs outside the range', () => {
    const { graph, inputs } = HAND_GRAPHS.find((h) => h.name === 'graph-residual-argmax')!;
    const trace = runGraphTrace(graph, inputs[0]!);
    expect(trace.nodes).toHaveLength(graph.nodes.length);
    expect(trace.nodes[0]!.acc).not.toBeNull();
    expect(trace.output).toEqual([0n]); // classes 0 and 1 tie: the lowest index wins
    expect(() => runGraph(graph, new Array(18).fill(49n))).toThrow(InputRangeError);
  });

  it('evaluates the activation edges by hand', () => {
    const { graph } = HAND_GRAPHS.find((h) => h.name === 'graph-activations')!;
    const y = runGraph(graph, [-1n, 0n, 1n, 95n, 96n, 97n, -9n, -8n]);
    expect(y.slice(0, 8)).toEqual([0n, 0n, 1n, 95n, 96n, 97n, 0n, 0n]); // relu
    expect(y.slice(8, 16)).toEqual([0n, 0n, 1n, 95n, 96n, 97n, -1n, -1n]); // leaky 2/16: rescale(-18) = -1, rescale(-16) = -1
    expect(y.slice(16, 24)).toEqual([0n, 0n, 1n, 95n, 96n, 96n, 0n, 0n]); // relu6 = clip [0, 96]
    const h = runGraph(graph, [-43n, -42n, 42n, 43n, -128n, 128n, -7n, 7n]).slice(24, 32);
    expect(h).toEqual([0n, 0n, 16n, 16n, 0n, 16n, 7n, 9n]); // 3x + 128: -1 → 0, 2 → 0, 254 → 16, 257 → 16; -21+128=107 → 7; 149 → 9
  });

  it('keeps sigmoid and tanh tables within 2^-S of the functions plus the table error', () => {
    for (const S of [6, 8, 10, 12]) {
      const b = new GraphBuilder([1]);
      const s = b.add({ inputs: [0], ...piecewiseTable('sigmoid', S) });
      const t = b.add({ inputs: [0], ...piecewiseTable('tanh', S) });
      b.add({ op: 'concat', inputs: [s, t], axis: 0 });
      const one = 2 ** S;
      const graph = b.build({ scaleBits: S, outputKind: 'logits', inputMin: BigInt(-10 * one), inputMax: BigInt(10 * one) });
      let worstS = 0;
      let worstT = 0;
      for (let x = -10 * one; x <= 10 * one; x += Math.max(1, one >> 5)) {
        const [ys, yt] = runGraph(graph, [BigInt(x)]);
        worstS = Math.max(worstS, Math.abs(Number(ys) / one - 1 / (1 + Math.exp(-x / one))));
        worstT = Math.max(worstT, Math.abs(Number(yt) / one - Math.tanh(x / one)));
      }
      expect(worstS).toBeLessThan(1.5 * 2 ** -S + 1.2e-3);
      expect(worstT).toBeLessThan(2 * 2 ** -S + 2.2e-3);
    }
  });
});

describe('integer graphs: encoding, validation, bounds', () => {
  it('round-trips every hand graph through the canonical encoding', () => {
    for (const { graph, inputs } of HAND_GRAPHS) {
      const bytes = encodeGraph(graph);
      const back = decodeGraph(bytes);
      expect(encodeGraph(back)).toEqual(bytes);
      expect(graphHash(back)).toBe(graphHash(graph));
      for (const x of inputs) expect(runGraph(back, x)).toEqual(runGraph(graph, x));
    }
  });

  it('refuses trailing bytes, a wrong magic and non-minimal widths', () => {
    const bytes = encodeGraph(HAND_GRAPHS[0]!.graph);
    expect(() => decodeGraph(new Uint8Array([...bytes, 0]))).toThrow(ModelEncodingError);
    expect(() => decodeGraph(new Uint8Array([0, ...bytes.slice(1)]))).toThrow(ModelEncodingError);
    expect(() => decodeGraph(bytes.slice(0, bytes.length - 1))).toThrow(ModelEncodingError);
  });

  it('names the node whose declared shape or parameters are wrong', () => {
    const base = HAND_GRAPHS.find((h) => h.name === 'graph-conv')!.graph;
    const wrongShape: IntGraph = { ...base, nodes: [{ ...base.nodes[0]!, shape: [2, 3, 3] }, base.nodes[1]!] };
    expect(() => encodeGraph(wrongShape)).toThrow(/node 0 "conv0".*declares shape \[2, 3, 3\] but computes \[2, 2, 2\]/);
    const forward: IntGraph = { ...base, nodes: [{ ...base.nodes[0]!, inputs: [1] }, base.nodes[1]!] };
    expect(() => encodeGraph(forward)).toThrow(InvalidGraphError);
    const fractional: IntGraph = {
      ...base,
      nodes: [base.nodes[0]!, { ...base.nodes[1]!, op: 'conv', weights: [0.5, 1, 1, 1, 1, 1, 1, 1] } as IntGraph['nodes'][number]],
    };
    expect(() => encodeGraph(fractional)).toThrow(/not a safe integer/);
  });

  it('bounds every node and refuses values that could reach 2^62', () => {
    const { graph } = HAND_GRAPHS.find((h) => h.name === 'graph-activations')!;
    const bounds = computeGraphBounds(graph);
    expect(bounds).toHaveLength(graph.nodes.length);
    expect(bounds[2]).toMatchObject({ outMin: 0n, outMax: 96n });
    const b = new GraphBuilder([2]);
    const sq = b.add({ op: 'mul', inputs: [0, 0] });
    b.add({ op: 'mul', inputs: [sq, sq] });
    const big = b.build({ scaleBits: 1, outputKind: 'logits', inputMin: -(1n << 30n), inputMax: 1n << 30n });
    expect(() => computeGraphBounds(big)).toThrow(GraphBoundsError);
    expect(() => computeGraphBounds(big)).toThrow(/Node 1 "mul1"/);
  });
});
