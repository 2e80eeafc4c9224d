/**
 * The transformer ops of the integer graph (docs/SEMANTICS.md, "Transformer ops"): their types,
 * shape rules, constants and encoding. Kept apart from graph.ts so the CNN ops and these evolve in
 * separate files; graph.ts, graph-validate.ts, graph-bounds.ts, graph-execute.ts and
 * graph-encoding.ts only register them.
 */

/**
 * Token and position embedding: input `[.., T]` of token ids (plain integers, not at 2^S), output
 * `[.., T, D]`, `y[t][j] = table[id[t]][j] + positions[t][j]` (`t` the index on the last input
 * axis); `table` `[vocab][D]` and `positions` `[T][D]` (or empty) at 2^S.
 */
export type EmbeddingOp = { op: 'embedding'; vocab: number; table: number[]; positions: number[] };
/** Data × constant on the last axis: `[..., K]` → `[..., N]`, `y = rescale(B[n] + sum_k W[n][k] x[k])`, W `[N][K]` at 2^S, B at 2^(2S). */
export type LinearOp = { op: 'linear'; outDim: number; weights: number[]; bias: number[] };
/** Data × data: `[..., M, K] × [..., K, N]` → `[..., M, N]` (same leading dims), `y = rescale(sum_k a b)`. */
export type MatMulOp = { op: 'matmul' };
/**
 * Integer softmax on the last axis (I-BERT's i-exp, exact normalization); with `causal`, element
 * `[r][c]` of the last two axes is masked (probability 0) when `c > r`. Constants at 2^S:
 * `ln2`, and the polynomial `exp(p) ≈ a (p + b)^2 + c` on `(-ln 2, 0]`.
 */
export type SoftmaxOp = { op: 'softmax'; causal: boolean; ln2: number; a: number; b: number; c: number };
/** Layer norm on the last axis: `gamma` at 2^S, `beta` at 2^(2S), `epsilon` at 2^(2S). */
export type LayerNormOp = { op: 'layernorm'; gamma: number[]; beta: number[]; epsilon: number };
/**
 * GELU as `max(x, 0) - h(|x|)`, `h(a) = a Φ(-a)` a piecewise quadratic on `[0, n 2^segBits)` (the
 * piecewise rule of sigmoid and tanh with `lo = 0`), coefficients at 2^S.
 */
export type GeluOp = { op: 'gelu'; segBits: number; c0: number[]; c1: number[]; c2: number[] };
/** Elements `start <= i < end` of `axis` (step 1): Split and Slice. */
export type SliceOp = { op: 'slice'; axis: number; start: number; end: number };
/** Mean over `axis`: `rescale(round(2^S / n) * sum)`, the average pool's rule; `keepDims` keeps the axis as size 1. */
export type MeanOp = { op: 'mean'; axis: number; keepDims: boolean };

export type TransformerOp = EmbeddingOp | LinearOp | MatMulOp | SoftmaxOp | LayerNormOp | GeluOp | SliceOp | MeanOp;
export type TransformerOpName = TransformerOp['op'];

/** Op codes of the transformer ops in the canonical graph encoding (after the CNN ops' 1..16, with room). */
export const TRANSFORMER_OP_CODES: Record<TransformerOpName, number> = {
  embedding: 32,
  linear: 33,
  matmul: 34,
  softmax: 35,
  layernorm: 36,
  gelu: 37,
  slice: 38,
  mean: 39,
};

export const TRANSFORMER_OPS: ReadonlySet<string> = new Set(Object.keys(TRANSFORMER_OP_CODES));

export function isTransformerOpName(op: string): op is TransformerOpName {
  return TRANSFORMER_OPS.has(op);
}

export function isTransformerOp<T extends { op: string }>(node: T): node is T & TransformerOp {
  return TRANSFORMER_OPS.has(node.op);
}

const isCount = (v: number, min = 1): boolean => Number.isInteger(v) && v >= min;

/**
 * The shape a transformer node writes from the shapes it reads; calls `fail` with the reason when
 * the parameters do not fit them (the caller turns it into its own error).
 */
export function transformerShape(node: TransformerOp, inputs: readonly (readonly number[])[], fail: (reason: string) => never): number[] {
  const arity = node.op === 'matmul' ? 2 : 1;
  if (inputs.length !== arity) fail(`${node.op} reads ${arity} tensor(s), not ${inputs.length}`);
  const x = inputs[0]!;
  const last = x[x.length - 1]!;
  switch (node.op) {
    case 'embedding': {
      if (x.length > 3) fail(`embedding needs a [.., T] tensor of token ids of rank 1 to 3, not [${x.join(', ')}]`);
      if (!isCount(node.vocab) || node.table.length % node.vocab !== 0 || node.table.length === 0)
        fail(`embedding table of ${node.table.length} values for ${node.vocab} tokens`);
      const d = node.table.length / node.vocab;
      if (node.positions.length !== 0 && node.positions.length !== last * d) fail(`positions hold ${node.positions.length} values, expected ${last * d}`);
      return [...x, d];
    }
    case 'linear':
      if (!isCount(node.outDim)) fail(`outDim ${node.outDim}`);
      if (node.weights.length !== node.outDim * last) fail(`linear has ${node.weights.length} weights, expected ${node.outDim * last}`);
      if (node.bias.length !== node.outDim) fail(`linear has ${node.bias.length} biases, expected ${node.outDim}`);
      return [...x.slice(0, -1), node.outDim];
    case 'matmul': {
      const y = inputs[1]!;
      if (x.length < 2 || y.length !== x.length || x.slice(0, -2).join(',') !== y.slice(0, -2).join(',') || x[x.length - 1] !== y[y.length - 2]) {
        fail(`matmul of [${x.join(', ')}] and [${y.join(', ')}] (same leading dimensions, [M, K] × [K, N])`);
      }
      return [...x.slice(0, -1), y[y.length - 1]!];
    }
    case 'softmax':
      if (node.causal && (x.length < 2 || x[x.length - 2] !== last)) fail(`a causal softmax needs square [.., T, T] scores, not [${x.join(', ')}]`);
      if (!isCount(node.ln2) || !isCount(node.a) || !isCount(node.c, 0) || !(node.b > node.ln2)) fail('softmax constants need ln2 > 0, a > 0, c >= 0, b > ln2');
      return [...x];
    case 'layernorm':
      if (node.gamma.length !== last || node.beta.length !== last) fail(`layernorm needs ${last} gammas and betas`);
      if (!isCount(node.epsilon, 0)) fail(`epsilon ${node.epsilon} must be a non-negative integer`);
      return [...x];
    case 'gelu': {
      const n = node.c0.length;
      if (n < 1 || node.c1.length !== n || node.c2.length !== n) fail('gelu needs one c0, c1 and c2 per segment');
      if (!isCount(node.segBits, 0) || node.segBits > 40) fail(`segBits ${node.segBits} is outside 0..40`);
      return [...x];
    }
    case 'mean': {
      const { axis } = node;
      if (!isCount(axis, 0) || axis >= x.length) fail(`mean axis ${axis} is outside the rank ${x.length}`);
      if (!node.keepDims && x.length < 2) fail('a mean that drops the only axis');
      return node.keepDims ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis);
    }
    case 'slice': {
      const { axis, start, end } = node;
      if (!isCount(axis, 0) || axis >= x.length) fail(`slice axis ${axis} is outside the rank ${x.length}`);
      if (!isCount(start, 0) || !isCount(end) || start >= end || end > x[axis]!) fail(`slice [${start}, ${end}) of an axis of ${x[axis]}`);
      const out = [...x];
      out[axis] = end - start;
      return out;
    }
  }
}

/** Constants of a transformer node that must be safe integers. */
export function transformerConstants(node: TransformerOp): number[] {
  switch (node.op) {
    case 'embedding':
      return [...node.table, ...node.positions];
    case 'linear':
      return [...node.weights, ...node.bias];
    case 'softmax':
      return [node.ln2, node.a, node.b, node.c];
    case 'layernorm':
      return [...node.gamma, ...node.beta, node.epsilon];
    case 'gelu':
      return [...node.c0, ...node.c1, ...node.c2];
    default:
      return [];
  }
}

/** What the encoders of graph-encoding.ts offer the transformer ops. */
export type ParamWriter = { u8(v: number): void; u32(v: number): void; i64(v: bigint): void; ints(values: readonly number[]): void };
export type ParamReader = { u8(): number; u32(): number; i64(): bigint; ints(): number[] };

/** Parameters of a transformer node, in the order of docs/SEMANTICS.md ("Graph encoding"). */
export function writeTransformerParams(w: ParamWriter, node: TransformerOp): void {
  switch (node.op) {
    case 'embedding':
      w.u32(node.vocab);
      w.ints(node.table);
      w.ints(node.positions);
      return;
    case 'linear':
      w.u32(node.outDim);
      w.ints(node.weights);
      w.ints(node.bias);
      return;
    case 'softmax':
      w.u8(node.causal ? 1 : 0);
      for (const v of [node.ln2, node.a, node.b, node.c]) w.i64(BigInt(v));
      return;
    case 'layernorm':
      w.ints(node.gamma);
      w.ints(node.beta);
      w.i64(BigInt(node.epsilon));
      return;
    case 'gelu':
      w.u8(node.segBits);
      w.ints(node.c0);
      w.ints(node.c1);
      w.ints(node.c2);
      return;
    case 'slice':
      w.u8(node.axis);
      w.u32(node.start);
      w.u32(node.end);
      return;
    case 'mean':
      w.u8(node.axis);
      w.u8(node.keepDims ? 1 : 0);
      return;
    case 'matmul':
      return;
  }
}

export function readTransformerParams(r: ParamReader, op: TransformerOpName, fail: (reason: string) => never): TransformerOp {
  switch (op) {
    case 'embedding': {
      const vocab = r.u32();
      return { op, vocab, table: r.ints(), positions: r.ints() };
    }
    case 'linear': {
      const outDim = r.u32();
      return { op, outDim, weights: r.ints(), bias: r.ints() };
    }
    case 'softmax': {
      const flag = r.u8();
      if (flag > 1) fail(`causal flag ${flag} is not 0 or 1`);
      const [ln2, a, b, c] = [r.i64(), r.i64(), r.i64(), r.i64()].map(Number) as [number, number, number, number];
      return { op, causal: flag === 1, ln2, a, b, c };
    }
    case 'layernorm': {
      const gamma = r.ints();
      const beta = r.ints();
      return { op, gamma, beta, epsilon: Number(r.i64()) };
    }
    case 'gelu': {
      const segBits = r.u8();
      return { op, segBits, c0: r.ints(), c1: r.ints(), c2: r.ints() };
    }
    case 'slice': {
      const axis = r.u8();
      const start = r.u32();
      return { op, axis, start, end: r.u32() };
    }
    case 'mean': {
      const axis = r.u8();
      const flag = r.u8();
      if (flag > 1) fail(`keepDims flag ${flag} is not 0 or 1`);
      return { op, axis, keepDims: flag === 1 };
    }
    case 'matmul':
      return { op };
  }
}
