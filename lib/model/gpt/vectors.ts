/**
 * Shared test vectors of the transformer ops (test/vectors/transformer.json): small graphs, one op
 * each plus a whole attention block, with inputs at the edges the semantics defines (softmax ties,
 * the exp floor, masked rows; a constant layer-norm row, negative rounding; the GELU's segment
 * borders and its range end; the first and last token ids). Other engines (circuit, Solidity) read
 * the same file; the reference and the integer onnxruntime graph are checked against it here.
 */
import { hexlify } from 'ethers';
import { encodeGraph, GraphBuilder, graphHash, type Hex, type IntGraph, runGraph } from '../../semantics/index.js';
import { geluOp, softmaxConstants } from './ops.js';

export type GraphVector = { name: string; modelHash: Hex; encoding: Hex; input: string[]; output: string[] };

const S = 12;
const ONE = 1n << BigInt(S);
const at = (v: number): bigint => BigInt(Math.round(v * 2 ** S));

function single(shape: number[], spec: Parameters<GraphBuilder['add']>[0], range: [bigint, bigint]): IntGraph {
  const b = new GraphBuilder(shape);
  b.add(spec);
  return b.build({ scaleBits: S, outputKind: 'logits', inputMin: range[0], inputMax: range[1] });
}

/** A two-head causal attention block over 4 tokens with every transformer op. */
export function vectorAttention(): IntGraph {
  const T = 4;
  const D = 4;
  const V = 5;
  const w = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (((i * 37 + seed * 11) % 17) - 8) * 64);
  const b = new GraphBuilder([T]);
  const e = b.add({ op: 'embedding', vocab: V, table: w(V * D, 1), positions: w(T * D, 2), inputs: [0] });
  const n = b.add({ op: 'layernorm', gamma: new Array(D).fill(Number(ONE)), beta: w(D, 6).map((v) => v * 64), epsilon: 168, inputs: [e] });
  const qkv = b.add({ op: 'linear', outDim: 3 * D, weights: w(3 * D * D, 3), bias: w(3 * D, 4).map((v) => v * 8), inputs: [n] });
  const heads = [0, 1, 2].map((i) => {
    const s = b.add({ op: 'slice', axis: 1, start: i * D, end: (i + 1) * D, inputs: [qkv] });
    const r = b.add({ op: 'reshape', shape: [T, 2, 2], inputs: [s] });
    return b.add({ op: 'transpose', perm: i === 1 ? [1, 2, 0] : [1, 0, 2], inputs: [r] });
  });
  const att = b.add({ op: 'matmul', inputs: [heads[0]!, heads[1]!] });
  const scaled = b.add({ op: 'affine', scale: [2048, 2048], bias: [0, 0], inputs: [att] });
  const soft = b.add({ ...softmaxConstants(S, true), inputs: [scaled] });
  const y = b.add({ op: 'matmul', inputs: [soft, heads[2]!] });
  const t = b.add({ op: 'transpose', perm: [1, 0, 2], inputs: [y] });
  const f = b.add({ op: 'reshape', shape: [T, D], inputs: [t] });
  const g = b.add({ ...geluOp(S), inputs: [f] });
  const r = b.add({ op: 'add', inputs: [g, e] });
  b.add({ op: 'linear', outDim: V, weights: w(V * D, 5), bias: new Array(V).fill(0), inputs: [r] });
  return b.build({ scaleBits: S, outputKind: 'logits', inputMin: 0n, inputMax: BigInt(V - 1) });
}

/** The graphs and inputs of the vector file. */
export function transformerVectorCases(): { name: string; graph: IntGraph; inputs: bigint[][] }[] {
  /** ln 2 at 2^S, the softmax's shift step. */
  const L = BigInt(softmaxConstants(S, false).ln2);
  const wide: [bigint, bigint] = [-(1n << 24n), 1n << 24n];
  const gelu = single([12], { ...geluOp(S), inputs: [0] }, wide);
  const seg = 1n << BigInt(S - 3);
  return [
    {
      name: 'softmax-causal',
      graph: single([3, 3], { ...softmaxConstants(S, true), inputs: [0] }, wide),
      // Ties (equal scores), a row whose other entries fall below the exp floor, negative scores.
      inputs: [
        [at(1), at(1), at(1), at(0.5), at(0.5), at(9), at(2), at(-30), at(2)],
        [0n, 0n, 0n, -(1n << 24n), 1n << 24n, 0n, -L, -2n * L, 0n],
      ],
    },
    {
      name: 'softmax-full',
      graph: single([2, 4], { ...softmaxConstants(S, false), inputs: [0] }, wide),
      // -L and -L - 1 sit on both sides of the first shift of i-exp.
      inputs: [[at(0), -L, -L - 1n, at(-25), at(3), at(3), at(3), at(3) - 1n]],
    },
    {
      name: 'layernorm',
      graph: single([3, 4], { op: 'layernorm', gamma: [4096, -8192, 2048, 4096], beta: [0, 1 << 22, -(1 << 23), 1], epsilon: 168, inputs: [0] }, wide),
      // A constant row (r from epsilon only), a row whose mean rounds half up, large values.
      inputs: [[at(2), at(2), at(2), at(2), 1n, 2n, 3n, 0n, -(1n << 24n), 1n << 24n, 0n, 5n]],
    },
    {
      name: 'gelu',
      graph: gelu,
      // Zero, ±1 unit, a segment border and its neighbours, the range end (4) and beyond, extremes.
      inputs: [[0n, 1n, -1n, seg, seg - 1n, -seg, 32n * seg - 1n, 32n * seg, -(32n * seg), at(-0.75), 1n << 24n, -(1n << 24n)]],
    },
    {
      name: 'mean',
      graph: single([3, 4], { op: 'mean', axis: 0, keepDims: false, inputs: [0] }, wide),
      // round(2^S / 3) is inexact; sums of -1 and -2 units round toward the tie rule.
      inputs: [[1n, -1n, -2n, 1n << 24n, 1n, -1n, 0n, 1n << 24n, 1n, 0n, 0n, 1n << 24n]],
    },
    {
      name: 'attention-block',
      graph: vectorAttention(),
      inputs: [
        [0n, 0n, 0n, 0n],
        [4n, 3n, 2n, 1n],
        [1n, 4n, 1n, 4n],
      ],
    },
  ];
}

export function buildTransformerVectors(): GraphVector[] {
  return transformerVectorCases().flatMap(({ name, graph, inputs }) =>
    inputs.map((input) => ({
      name,
      modelHash: graphHash(graph),
      encoding: hexlify(encodeGraph(graph)) as Hex,
      input: input.map(String),
      output: runGraph(graph, input).map(String),
    })),
  );
}
