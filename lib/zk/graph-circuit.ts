import type { GraphNode, IntGraph } from '../semantics/index.js';
import { CircuitLayoutError } from './errors.js';
import { graphIntervals, type GraphIntervals, piecewiseStages, productInterval } from './graph-intervals.js';
import { COMMITMENT_RATE } from '../semantics/index.js';
import { bitLength, chunkCount, type CircuitLayout } from './layout.js';

/** circomlib's Poseidon(4) (t = 5: 8 full and 60 partial rounds) in R1CS rows under --O1, which keeps the linear mixing rows (measured: the fashion-committed fixture, 9 permutations, 6,624 rows over the public-input circuit). */
const POSEIDON4_CONSTRAINTS = 736;

/**
 * The circom circuit of an integer graph (docs/ZK.md, "Graph circuits").
 *
 * Everything is written inline in one main template, with loops over constant arrays (circom2 crashes on very
 * long expressions, and loops keep the source small), because templates would cost rows the inline form does
 * not: each component input or output that is not a plain signal copy is a linear constraint under --O1, and
 * the accumulators of linear ops stay `var` expressions that appear once, inside the range check of their
 * rescale, instead of rows of their own.
 *
 * The gadgets, all sized from the per-element intervals of ./graph-intervals.ts:
 * - rescale: one bit decomposition of `(acc + 2^(S-1) + OFF * 2^S) / 2^E` into `S - E` remainder bits and `W`
 *   quotient bits (E: the power of two that divides every weight and bias, at most S - 1; OFF: the offset that
 *   makes the quotient non-negative; with a signed layout OFF = 2^(W-1) and the top bit is the sign);
 * - sign: the top bit of `x + 2^K` in K + 1 bits;
 * - comparison: the top bit of `a - b - 1 + 2^W` in W + 1 bits, with W the bit length of the pair's range;
 * - products (mul, hardswish, the piecewise stages) sit inside the rescale's equation (one quadratic row).
 * Soundness: every value is pinned by induction (the input by its unpacking, each rescale by a decomposition
 * that is unique because the honest value lies in its interval and 2^(bits + E) is far below the field size).
 */

/** Rows a node costs: boolean bits, decomposition equations, products (mux, ReLU, gating), linear rows. */
export type NodeCost = { node: number; name: string; op: string; bits: number; equations: number; products: number; linear: number; note: string };

export type GraphCircuit = { source: string; costs: NodeCost[]; total: number };

export const GRAPH_MAIN_TEMPLATE = 'VaiGraph';

/** Beyond this many bits in one decomposition (plus the factor 2^E), the field could wrap. */
const MAX_DECOMPOSITION_BITS = 240;

const tz = (v: bigint): number => {
  if (v === 0n) return Number.POSITIVE_INFINITY;
  let n = 0;
  let x = v < 0n ? -v : v;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
};
const pow2 = (n: number): bigint => 1n << BigInt(n);
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Rescale layout of one element: quotient in [qlo, qhi], `signed` when its sign bit is needed. */
type RescaleElement = { nb: number; c: bigint; off: bigint };

/** The smallest M >= 0 with -2^M <= lo and hi < 2^M. */
function signedBits(lo: bigint, hi: bigint): number {
  let m = 0;
  while (-pow2(m) > lo || hi >= pow2(m)) m++;
  return m;
}

function rescaleElement(S: number, E: number, accLo: bigint, accHi: bigint, signed: boolean): RescaleElement {
  const half = pow2(S - 1);
  const qlo = (accLo + half) >> BigInt(S);
  const qhi = (accHi + half) >> BigInt(S);
  let off: bigint;
  let w: number;
  if (signed) {
    const m = signedBits(qlo, qhi);
    off = pow2(m);
    w = m + 1;
  } else {
    off = -qlo;
    w = bitLength(qhi - qlo);
  }
  const nb = S - E + w;
  if (nb + E > MAX_DECOMPOSITION_BITS) throw new CircuitLayoutError(`A rescale needs ${nb + E} bits, too close to the field size.`);
  return { nb, c: half + off * pow2(S), off };
}

/** The exponent of the largest power of two dividing every constant (at most S - 1, so it divides 2^(S-1)). */
function commonTz(S: number, values: Iterable<bigint>): number {
  let e = S - 1;
  for (const v of values) e = Math.min(e, tz(v));
  return e;
}

/**
 * Inside a loop over values `i` whose bits are `ub[i * width + b]`: asserts value <= R. Walking R's bits from the top,
 * `eq` says "the value's bits so far equal R's"; a run of ones keeps eq only if the value's bits are all one there
 * (k - 1 products, or for k >= 3 one equality of their sum with k: 2 rows, plus 1 to chain), a run of zeros requires
 * eq * (their sum) = 0 (1 row). Bits below R's lowest zero bit need no check.
 */
function upperBound(r: bigint, width: number): { decl: string[]; body: string[]; rows: number; perValue: number } {
  let z = width;
  for (let k = width - 1; k >= 0; k--) if (((r >> BigInt(k)) & 1n) === 0n) z = k;
  const runs: { one: boolean; hi: number; lo: number }[] = [];
  for (let k = width - 1; k >= z; k--) {
    const one = ((r >> BigInt(k)) & 1n) === 1n;
    const last = runs.at(-1);
    if (last && last.one === one) last.lo = k;
    else runs.push({ one, hi: k, lo: k });
  }
  const bit = (k: number): string => `ub[i * ${width} + ${k}]`;
  const body: string[] = [];
  let eq = '1';
  let slot = 0;
  let rows = 0;
  const next = (): string => `le[i * PER + ${slot++}]`;
  for (const run of runs) {
    const bits = Array.from({ length: run.hi - run.lo + 1 }, (_, t) => bit(run.hi - t));
    if (!run.one) {
      body.push(`${eq} * (${bits.join(' + ')}) === 0;`);
      rows++;
      continue;
    }
    const chain = bits.length - (eq === '1' ? 1 : 0);
    const viaSum = 2 + (eq === '1' ? 0 : 1);
    if (chain <= viaSum) {
      for (const b of bits) {
        if (eq === '1') eq = b;
        else {
          const sig = next();
          body.push(`${sig} <== ${eq} * ${b};`);
          rows++;
          eq = sig;
        }
      }
    } else {
      const inv = next();
      const all = next();
      body.push(
        `var d${slot} = ${bits.join(' + ')} - ${bits.length};`,
        `${inv} <-- d${slot} != 0 ? 1 / d${slot} : 0;`,
        `${all} <== 1 - d${slot} * ${inv};`,
        `d${slot} * ${all} === 0;`,
      );
      rows += 2;
      if (eq === '1') eq = all;
      else {
        const sig = next();
        body.push(`${sig} <== ${eq} * ${all};`);
        rows++;
        eq = sig;
      }
    }
  }
  const per = slot;
  return { decl: per > 0 ? ['le'] : [], body: body.map((l) => l.replaceAll('PER', String(per))), rows, perValue: per };
}

/** Bits of a comparison of two values of one interval [lo, hi]: a - b - 1 lies in [-2^W, 2^W). */
const compareBits = (lo: bigint, hi: bigint): number => Math.max(1, bitLength(hi - lo));

class Emitter {
  readonly fns: string[] = [];
  readonly body: string[] = [];
  readonly costs: NodeCost[] = [];
  private fnCount = 0;

  /** A constant array as a function; returns the accessor for index expression `idx` (a literal if uniform). */
  array(values: readonly (bigint | number)[], idx: string): string {
    const first = values[0];
    if (first !== undefined && values.every((v) => v === first)) return String(first);
    const name = `k${this.fnCount++}`;
    const lines = [`function ${name}() {`, `    var c[${values.length}];`];
    values.forEach((v, i) => {
      if (BigInt(v) !== 0n) lines.push(`    c[${i}] = ${v};`);
    });
    lines.push('    return c;', '}', '');
    this.fns.push(lines.join('\n'));
    this.body.push(`    var ${name}v[${values.length}] = ${name}();`);
    return `${name}v[${idx}]`;
  }

  line(...l: string[]): void {
    this.body.push(...l.map((s) => `    ${s}`));
  }

  /**
   * Inside a loop: decomposes `value` (a var expression, honest value `2^E * v` with `v` in [0, 2^nb)) into bits
   * `bits[off .. off + nb)`: nb boolean rows and one equation.
   */
  decompose(prefix: string, bits: string, off: string, nb: string, value: string, e: number): string[] {
    const d = pow2(e);
    return [
      `var ${prefix}v = ${value};`,
      `for (var i = 0; i < ${nb}; i++) {`,
      `    ${bits}[${off} + i] <-- ((${prefix}v \\ ${d}) >> i) & 1;`,
      `    ${bits}[${off} + i] * (${bits}[${off} + i] - 1) === 0;`,
      '}',
      `var ${prefix}lc = 0;`,
      `var ${prefix}e = ${d};`,
      `for (var i = 0; i < ${nb}; i++) {`,
      `    ${prefix}lc += ${bits}[${off} + i] * ${prefix}e;`,
      `    ${prefix}e = ${prefix}e + ${prefix}e;`,
      '}',
      `${prefix}lc === ${prefix}v;`,
    ];
  }

  /** Inside a loop: `var <prefix>q` = the quotient from the bits above the remainder. */
  quotient(prefix: string, bits: string, off: string, nb: string, low: number, offset: string): string[] {
    return [
      `var ${prefix}q = -(${offset});`,
      `var ${prefix}f = 1;`,
      `for (var i = ${low}; i < ${nb}; i++) {`,
      `    ${prefix}q += ${bits}[${off} + i] * ${prefix}f;`,
      `    ${prefix}f = ${prefix}f + ${prefix}f;`,
      '}',
    ];
  }

  indent(lines: string[], depth: number): string[] {
    const pad = '    '.repeat(depth);
    return lines.map((l) => pad + l);
  }
}

/** Per tensor: the signal array that holds it (null while it is only a var expression of a fused op). */
type TensorRef = { name: string | null; sign: string | null };

/**
 * Generates the graph's circuit. `layout` is the graph's public layout (./graph-layout.ts). Throws
 * {@link CircuitLayoutError} on what the compiler does not express (a piecewise op whose segment count is not a
 * power of two).
 */
export function generateGraphCircuit(graph: IntGraph, layout: CircuitLayout, iv: GraphIntervals = graphIntervals(graph)): GraphCircuit {
  const S = graph.scaleBits;
  const half = pow2(S - 1);
  const one = pow2(S);
  const c = iv.compiled;
  const em = new Emitter();
  const nodes = graph.nodes;
  const lastTensor = nodes.length;
  // Readers of every tensor, through reshapes (a reshape is the same flat values).
  const readers: number[][] = Array.from({ length: nodes.length + 1 }, () => []);
  nodes.forEach((n, k) => {
    for (const id of n.inputs) readers[id]!.push(k);
  });
  const refs: TensorRef[] = [];
  const len = (id: number): number => iv.tensors[id]!.lo.length;
  const cost = (k: number, note = ''): NodeCost => {
    const node = nodes[k]!;
    const nc: NodeCost = { node: k, name: node.name, op: node.op, bits: 0, equations: 0, products: 0, linear: 0, note };
    em.costs.push(nc);
    return nc;
  };
  const onlyReader = (id: number): number | null => (id !== lastTensor && readers[id]!.length === 1 ? readers[id]![0]! : null);
  const needsSign = (id: number): boolean =>
    readers[id]!.some((r) => {
      const op = nodes[r]!.op;
      if (op === 'relu' || op === 'leakyrelu') return true;
      if (op === 'clip') return (nodes[r] as GraphNode & { op: 'clip' }).lo === 0n;
      if (op === 'reshape') return needsSign(r + 1);
      return false;
    });

  // ---- input: unpacked from the public signals, range-checked to [inputMin, inputMax] ----
  const { input, output } = layout;
  const committed = layout.inputHash === 'poseidon';
  em.line(`signal input inPacked[${input.chunks}];`, 'signal input prover;', `signal output outPacked[${output.chunks}];`);
  if (committed) em.line('signal output inCommitment;');
  em.line('');
  em.line(
    "// The address that will submit the proof: it takes no part in the inference, this one row binds it (docs/ZK.md, 'The prover').",
    'signal proverSquare <== prover * prover;',
    '',
    `signal t0[${input.length}];`,
    `signal ub[${input.length * input.width}];`,
  );
  // The input: each packed signal decomposed into its values' bits (the values' lower bound and the packing), each
  // value's upper bound checked on its bits. Written inline rather than with circuits/pack.circom's UnpackRange: the
  // upper bound of a range such as [0, 255 * 2^8] costs 3 rows here instead of 8 (a run of k >= 3 ones of the bound
  // is one equality of the bits' sum with k, not k - 1 products).
  const inRow: NodeCost = {
    node: -1,
    name: 'input',
    op: 'input',
    bits: 0,
    equations: 0,
    products: 0,
    linear: input.width === 1 && input.lo === 0n ? 0 : input.length,
    note: 'unpacking and range check',
  };
  em.costs.push(inRow);
  for (let ch = 0; ch < input.chunks; ch++) {
    const n = chunkCount(input, ch);
    inRow.bits += n * input.width;
    inRow.equations += 1;
    em.line(...em.decompose(`in${ch}`, 'ub', String(ch * input.perChunk * input.width), String(n * input.width), `inPacked[${ch}]`, 0));
  }
  em.line(
    `for (var i = 0; i < ${input.length}; i++) {`,
    '    var v = 0;',
    `    for (var b = 0; b < ${input.width}; b++) {`,
    `        v += ub[i * ${input.width} + b] * (1 << b);`,
    '    }',
    `    t0[i] <== v + ${input.lo};`,
    '}',
  );
  const range = input.hi - input.lo;
  if (range !== pow2(input.width) - 1n) {
    const upper = upperBound(range, input.width);
    inRow.products += input.length * upper.rows;
    em.line(...upper.decl.map((d) => `signal ${d}[${input.length * Math.max(1, upper.perValue)}];`));
    em.line(`for (var i = 0; i < ${input.length}; i++) {`, ...em.indent(upper.body, 1), '}');
  }
  refs.push({ name: 't0', sign: null });
  em.costs.push({ node: -1, name: 'prover', op: 'prover', bits: 0, equations: 0, products: 1, linear: 0, note: 'prover * prover' });

  const skipped = new Set<number>();

  /** Rescales the var array `accs` (expressions) of `count` elements into tensor `target`, fusing a ReLU when asked. */
  const rescaleAll = (
    k: number,
    nc: NodeCost,
    accs: (j: string) => string,
    accLo: readonly bigint[],
    accHi: readonly bigint[],
    e: number,
    target: string,
    mode: 'plain' | 'signed' | 'relu',
    tag = '',
  ): string | null => {
    const els = accLo.map((lo, j) => rescaleElement(S, e, lo, accHi[j]!, mode !== 'plain'));
    const total = els.reduce((a, r) => a + r.nb, 0);
    const offs: number[] = [];
    let o = 0;
    for (const r of els) {
      offs.push(o);
      o += r.nb;
    }
    nc.bits += total;
    nc.equations += els.length;
    if (mode === 'relu') nc.products += els.length;
    // --O1 merges a copy of a single bit (a quotient of width 1 without offset) or of a constant (width 0).
    else nc.linear += els.filter((r) => !(r.nb - (S - e) === 0 || (r.nb - (S - e) === 1 && r.off === 0n))).length;
    const b = `b${k}${tag}`;
    const nb = em.array(
      els.map((r) => r.nb),
      'j',
    );
    const cc = em.array(
      els.map((r) => r.c),
      'j',
    );
    const off = em.array(
      els.map((r) => r.off),
      'j',
    );
    const bo = em.array(offs, 'j');
    const rp = `r${k}${tag}`;
    em.line(`signal ${b}[${total}];`, `signal ${target}[${els.length}];`);
    em.line(
      `for (var j = 0; j < ${els.length}; j++) {`,
      ...em.indent(em.decompose(rp, b, bo, nb, `${accs('j')} + ${cc}`, e), 1),
      ...em.indent(em.quotient(rp, b, bo, nb, S - e, off), 1),
      mode === 'relu' ? `    ${target}[j] <== ${rp}q * ${b}[${bo} + ${nb} - 1];` : `    ${target}[j] <== ${rp}q;`,
      '}',
    );
    let sign: string | null = null;
    if (mode === 'signed') {
      sign = em.array(
        els.map((r, j) => offs[j]! + r.nb - 1),
        'j',
      );
      sign = `${b}[${sign}]`;
    }
    return sign;
  };

  /** A tournament maximum over windows of var expressions `item(p)`; returns the per-window max as a var array. */
  const tournament = (
    k: number,
    nc: NodeCost,
    windows: readonly Int32Array[],
    item: (p: string) => string,
    lo: readonly bigint[],
    hi: readonly bigint[],
    withIndex: boolean,
  ): { max: string; index: string | null } => {
    const ws: number[] = [];
    const wi: number[] = [];
    const wbits: number[] = [];
    const boffs: number[] = [];
    const moffs: number[] = [];
    let bTotal = 0;
    let mTotal = 0;
    for (const win of windows) {
      ws.push(wi.length);
      wi.push(...win);
      let l = lo[win[0]!]!;
      let h = hi[win[0]!]!;
      for (const p of win) {
        if (lo[p]! < l) l = lo[p]!;
        if (hi[p]! > h) h = hi[p]!;
      }
      const w = compareBits(l, h);
      wbits.push(w);
      boffs.push(bTotal);
      moffs.push(mTotal);
      bTotal += (win.length - 1) * (w + 1);
      mTotal += win.length - 1;
    }
    ws.push(wi.length);
    nc.bits += bTotal;
    nc.equations += mTotal;
    // The index of a window's first comparison is the comparison bit itself (0 + gt * (1 - 0)): a copy, no row.
    nc.products += mTotal + (withIndex ? mTotal - windows.filter((w) => w.length > 1).length : 0);
    const n = windows.length;
    const cb = `c${k}`;
    const mm = `m${k}`;
    em.line(`signal ${cb}[${Math.max(1, bTotal)}];`, `signal ${mm}[${Math.max(1, mTotal)}];`);
    if (withIndex) em.line(`signal i${k}[${Math.max(1, mTotal)}];`);
    const start = em.array(ws.slice(0, -1), 'w');
    const end = em.array(ws.slice(1), 'w');
    const idxArr = em.array(wi, 'ii');
    const wb = em.array(wbits, 'w');
    const bOff = em.array(boffs, 'w');
    const mOff = em.array(moffs, 'w');
    em.line(`var x${k}[${n}];`);
    if (withIndex) em.line(`var xi${k}[${n}];`);
    em.line(
      `for (var w = 0; w < ${n}; w++) {`,
      `    var ii = ${start};`,
      `    var best = ${item(idxArr)};`,
      ...(withIndex ? ['    var bestIdx = 0;'] : []),
      `    for (var s = 1; s < ${end} - ${start}; s++) {`,
      `        ii = ${start} + s;`,
      `        var a = ${item(idxArr)};`,
      `        var cw = ${wb};`,
      `        var co = ${bOff} + (s - 1) * (cw + 1);`,
      ...em.indent(em.decompose(`q${k}`, cb, 'co', 'cw + 1', 'a - best - 1 + (1 << cw)', 0), 2),
      `        var gt = ${cb}[co + cw];`,
      `        ${mm}[${mOff} + s - 1] <== best + gt * (a - best);`,
      ...(withIndex ? [`        i${k}[${mOff} + s - 1] <== bestIdx + gt * (${idxArr} - bestIdx);`, `        bestIdx = i${k}[${mOff} + s - 1];`] : []),
      `        best = ${mm}[${mOff} + s - 1];`,
      '    }',
      `    x${k}[w] = best;`,
      ...(withIndex ? [`    xi${k}[w] = bestIdx;`] : []),
      '}',
    );
    return { max: `x${k}`, index: withIndex ? `xi${k}` : null };
  };

  /** Writes the accumulators of linear node k into `var a<k>[n]` (expressions over the input signals). */
  const accumulate = (k: number, node: GraphNode, x: string): { accs: string; e: number } => {
    const plan = c.plans[k]!;
    const n = plan.bias.length;
    const constants: bigint[] = [...plan.bias];
    for (const w of plan.weight) constants.push(BigInt(w));
    const e = commonTz(S, constants);
    const a = `a${k}`;
    em.line(`var ${a}[${n}];`);
    if (node.op === 'conv') {
      const [ch, h, wd] = c.shapes[node.inputs[0]!] as [number, number, number];
      const [o, oh, ow] = node.shape as [number, number, number];
      const [kh, kw] = node.window.kernel;
      const [sh, sw] = node.window.stride;
      const [top, left] = node.window.pads;
      const g = node.groups;
      const cg = ch / g;
      const outPer = o / g;
      const wName = `k${k}w`;
      em.fns.push(
        [
          `function ${wName}() {`,
          `    var c[${node.weights.length}];`,
          ...node.weights.flatMap((w, i) => (w !== 0 ? [`    c[${i}] = ${w};`] : [])),
          '    return c;',
          '}',
          '',
        ].join('\n'),
      );
      const bias = em.array(node.bias, 'oc');
      em.line(
        `var ${wName}v[${node.weights.length}] = ${wName}();`,
        `for (var oc = 0; oc < ${o}; oc++) {`,
        `    var grp = oc \\ ${outPer};`,
        `    for (var oy = 0; oy < ${oh}; oy++) {`,
        `        for (var ox = 0; ox < ${ow}; ox++) {`,
        `            var acc = ${bias};`,
        `            for (var ic = 0; ic < ${cg}; ic++) {`,
        `                for (var ky = 0; ky < ${kh}; ky++) {`,
        `                    var yy = oy * ${sh} + ky - ${top};`,
        `                    for (var kx = 0; kx < ${kw}; kx++) {`,
        `                        var xx = ox * ${sw} + kx - ${left};`,
        `                        var wt = ${wName}v[((oc * ${cg} + ic) * ${kh} + ky) * ${kw} + kx];`,
        `                        if (yy >= 0 && yy < ${h} && xx >= 0 && xx < ${wd} && wt != 0) {`,
        `                            acc += wt * ${x}[((grp * ${cg} + ic) * ${h} + yy) * ${wd} + xx];`,
        '                        }',
        '                    }',
        '                }',
        '            }',
        `            ${a}[(oc * ${oh} + oy) * ${ow} + ox] = acc;`,
        '        }',
        '    }',
        '}',
      );
    } else if (node.op === 'dense') {
      const nIn = c.shapes[node.inputs[0]!]![0]!;
      const wName = `k${k}w`;
      const lines = [`function ${wName}() {`, `    var c[${node.outDim}][${nIn}];`];
      node.weights.forEach((w, i) => {
        if (w !== 0) lines.push(`    c[${Math.floor(i / nIn)}][${i % nIn}] = ${w};`);
      });
      em.fns.push([...lines, '    return c;', '}', ''].join('\n'));
      const bias = em.array(node.bias, 'j');
      em.line(
        `var ${wName}v[${node.outDim}][${nIn}] = ${wName}();`,
        `for (var j = 0; j < ${node.outDim}; j++) {`,
        `    var acc = ${bias};`,
        `    for (var i = 0; i < ${nIn}; i++) {`,
        `        if (${wName}v[j][i] != 0) {`,
        `            acc += ${wName}v[j][i] * ${x}[i];`,
        '        }',
        '    }',
        `    ${a}[j] = acc;`,
        '}',
      );
    } else {
      // affine and avgpool: a few terms per output, read from the sparse plan.
      const start = em.array(Array.from(plan.start.slice(0, -1)), 'j');
      const end = em.array(Array.from(plan.start.slice(1)), 'j');
      const index = em.array(Array.from(plan.index), 't');
      const weight = em.array(Array.from(plan.weight), 't');
      const bias = em.array(plan.bias, 'j');
      em.line(
        `for (var j = 0; j < ${n}; j++) {`,
        `    var acc = ${bias};`,
        `    for (var t = ${start}; t < ${end}; t++) {`,
        `        acc += ${weight} * ${x}[${index}];`,
        '    }',
        `    ${a}[j] = acc;`,
        '}',
      );
    }
    return { accs: a, e };
  };

  /** Sign bit of every element of a materialized tensor (its own, or from a K + 1 bit decomposition). */
  const signOf = (k: number, nc: NodeCost, id: number, shift: bigint, tag: string): string => {
    const ref = refs[id]!;
    if (ref.sign && shift === 0n) return ref.sign;
    const { lo, hi } = iv.tensors[id]!;
    let l = lo[0]! - shift;
    let h = hi[0]! - shift;
    for (let j = 0; j < lo.length; j++) {
      if (lo[j]! - shift < l) l = lo[j]! - shift;
      if (hi[j]! - shift > h) h = hi[j]! - shift;
    }
    const kk = signedBits(l, h);
    const n = lo.length;
    nc.bits += n * (kk + 1);
    nc.equations += n;
    const sb = `s${k}${tag}`;
    em.line(
      `signal ${sb}[${n * (kk + 1)}];`,
      `for (var j = 0; j < ${n}; j++) {`,
      ...em.indent(em.decompose(`g${k}${tag}`, sb, `j * ${kk + 1}`, String(kk + 1), `${ref.name}[j] - (${shift}) + ${pow2(kk)}`, 0), 1),
      '}',
    );
    return `${sb}[j * ${kk + 1} + ${kk}]`;
  };

  nodes.forEach((node, k) => {
    const t = k + 1;
    if (skipped.has(k)) return;
    const xId = node.inputs[0]!;
    const x = refs[xId]?.name ?? null;
    const xi = iv.tensors[xId]!;
    em.line('', `// node ${k} (${node.name}): ${node.op}`);
    switch (node.op) {
      case 'conv':
      case 'dense':
      case 'affine':
      case 'avgpool': {
        if (!x) throw new Error(`tensor ${xId} is not materialized`);
        const nc = cost(k);
        const acc = iv.acc[k]!;
        const { accs, e } = accumulate(k, node, x);
        // Fusions that keep the semantics bit for bit: ReLU of a rescale is the rescale's sign times its quotient;
        // max pooling commutes with every monotone map (rescale, ReLU), so the window's largest accumulator is
        // rescaled once instead of every element (when that is cheaper: comparisons of accumulators are wider).
        const r = onlyReader(t);
        const rNode = r === null ? null : nodes[r]!;
        const afterRelu = rNode?.op === 'relu' ? onlyReader(r! + 1) : r;
        const pool = afterRelu !== null && nodes[afterRelu]!.op === 'maxpool' ? afterRelu : null;
        if (pool !== null) {
          const windows = c.pools[pool]!;
          const viaRelu = rNode?.op === 'relu';
          // Cost of each plan, from the same sizing rules.
          const cmpCost = (lo: readonly bigint[], hi: readonly bigint[]): number =>
            windows.reduce((s, win) => {
              let l = lo[win[0]!]!;
              let h = hi[win[0]!]!;
              for (const p of win) {
                if (lo[p]! < l) l = lo[p]!;
                if (hi[p]! > h) h = hi[p]!;
              }
              return s + (win.length - 1) * (compareBits(l, h) + 3);
            }, 0);
          const winAcc = windows.map((win) => {
            let l = acc.lo[win[0]!]!;
            let h = acc.hi[win[0]!]!;
            for (const p of win) {
              if (acc.lo[p]! > l) l = acc.lo[p]!;
              if (acc.hi[p]! > h) h = acc.hi[p]!;
            }
            return [l, h] as const;
          });
          const deferred = cmpCost(acc.lo, acc.hi) + winAcc.reduce((s, [l, h]) => s + rescaleElement(S, e, l, h, viaRelu).nb + 2, 0);
          const mid = iv.tensors[viaRelu ? r! + 1 : t]!;
          const direct = acc.lo.reduce((s, l, j) => s + rescaleElement(S, e, l, acc.hi[j]!, viaRelu).nb + 2, 0) + cmpCost(mid.lo, mid.hi);
          if (deferred < direct) {
            nc.note = `max pool ${nodes[pool]!.name}${viaRelu ? ` and ReLU ${rNode!.name}` : ''} fused: ${deferred} rows instead of ${direct}`;
            const m = tournament(k, nc, windows, (p) => `${accs}[${p}]`, acc.lo, acc.hi, false);
            rescaleAll(
              k,
              nc,
              (j) => `${m.max}[${j}]`,
              winAcc.map(([l]) => l),
              winAcc.map(([, h]) => h),
              e,
              `t${pool + 1}`,
              viaRelu ? 'relu' : 'plain',
            );
            if (viaRelu) skipped.add(r!);
            skipped.add(pool);
            for (let id = t; id <= pool; id++) refs[id] ??= { name: null, sign: null };
            refs[pool + 1] = { name: `t${pool + 1}`, sign: null };
            break;
          }
        }
        // A residual add folds into the rescale, exactly: rescale(acc) + x = rescale(acc + 2^S * x) for an integer
        // x. The add then costs nothing, and a ReLU after it takes the rescale's sign.
        const other = rNode?.op === 'add' ? rNode.inputs.find((id) => id !== t) : undefined;
        const otherName = other === undefined || other >= t ? null : (refs[other]?.name ?? null);
        if (rNode?.op === 'add' && other !== undefined && otherName) {
          const xo = iv.tensors[other]!;
          const sum = r! + 1;
          const lo = acc.lo.map((v, j) => v + (xo.lo[j]! << BigInt(S)));
          const hi = acc.hi.map((v, j) => v + (xo.hi[j]! << BigInt(S)));
          const after = onlyReader(sum);
          const reluAfter = after !== null && nodes[after]!.op === 'relu' ? after : null;
          const target = reluAfter === null ? sum : reluAfter + 1;
          nc.note = `add ${rNode.name}${reluAfter === null ? '' : ` and ReLU ${nodes[reluAfter]!.name}`} folded into the rescale`;
          const sign = rescaleAll(
            k,
            nc,
            (j) => `${accs}[${j}] + ${one} * ${otherName}[${j}]`,
            lo,
            hi,
            e,
            `t${target}`,
            reluAfter === null ? (needsSign(sum) ? 'signed' : 'plain') : 'relu',
          );
          refs[t] = { name: null, sign: null };
          skipped.add(r!);
          if (reluAfter !== null) {
            skipped.add(reluAfter);
            refs[sum] = { name: null, sign: null };
          }
          refs[target] = { name: `t${target}`, sign };
          break;
        }
        if (rNode?.op === 'relu') {
          nc.note = `ReLU ${rNode.name} fused`;
          rescaleAll(k, nc, (j) => `${accs}[${j}]`, acc.lo, acc.hi, e, `t${r! + 1}`, 'relu');
          refs[t] = { name: null, sign: null };
          refs[r! + 1] = { name: `t${r! + 1}`, sign: null };
          skipped.add(r!);
        } else {
          const sign = rescaleAll(k, nc, (j) => `${accs}[${j}]`, acc.lo, acc.hi, e, `t${t}`, needsSign(t) ? 'signed' : 'plain');
          refs[t] = { name: `t${t}`, sign };
        }
        break;
      }
      case 'reshape':
        refs[t] = { ...refs[xId]! };
        cost(k, 'no rows: the same signals');
        break;
      case 'transpose':
      case 'concat': {
        const nc = cost(k, 'no rows: copies merged by --O1');
        const g = c.gathers[k]!;
        const n = len(t);
        em.line(`signal t${t}[${n}];`);
        if (node.op === 'transpose') {
          const idx = em.array(Array.from(g), 'j');
          em.line(`for (var j = 0; j < ${n}; j++) {`, `    t${t}[j] <== ${x}[${idx}];`, '}');
        } else {
          // One loop per input: the pairs (input, element) of the concat, grouped.
          node.inputs.forEach((id, q) => {
            const dst: number[] = [];
            const src: number[] = [];
            for (let e2 = 0; e2 < g.length; e2 += 2)
              if (g[e2] === q) {
                dst.push(e2 / 2);
                src.push(g[e2 + 1]!);
              }
            if (dst.length === 0) return;
            const d = em.array(dst, 'j');
            const s = em.array(src, 'j');
            em.line(`for (var j = 0; j < ${dst.length}; j++) {`, `    t${t}[${d}] <== ${refs[id]!.name}[${s}];`, '}');
          });
        }
        refs[t] = { name: `t${t}`, sign: null };
        void nc;
        break;
      }
      case 'relu': {
        const nc = cost(k);
        const n = len(t);
        if (xi.lo.every((v) => v >= 0n)) {
          nc.note = 'identity: the input is never negative';
          refs[t] = { ...refs[xId]! };
          break;
        }
        em.line(`signal t${t}[${n}];`);
        if (xi.hi.every((v) => v <= 0n)) {
          nc.note = 'zero: the input is never positive';
          em.line(`for (var j = 0; j < ${n}; j++) {`, `    t${t}[j] <== 0;`, '}');
        } else {
          const sign = signOf(k, nc, xId, 0n, 'r');
          nc.products += n;
          em.line(`for (var j = 0; j < ${n}; j++) {`, `    t${t}[j] <== ${x}[j] * ${sign};`, '}');
        }
        refs[t] = { name: `t${t}`, sign: null };
        break;
      }
      case 'leakyrelu': {
        const nc = cost(k);
        const n = len(t);
        const alpha = BigInt(node.alpha);
        const sign = signOf(k, nc, xId, 0n, 'l');
        const lo = xi.lo.map((l, j) => (alpha * l < alpha * xi.hi[j]! ? alpha * l : alpha * xi.hi[j]!));
        const hi = xi.lo.map((l, j) => (alpha * l > alpha * xi.hi[j]! ? alpha * l : alpha * xi.hi[j]!));
        const e = commonTz(S, [alpha]);
        rescaleAll(k, nc, (j) => `${node.alpha} * ${x}[${j}]`, lo, hi, e, `tm${t}`, 'plain');
        nc.products += n;
        em.line(`signal t${t}[${n}];`, `for (var j = 0; j < ${n}; j++) {`, `    t${t}[j] <== tm${t}[j] + ${sign} * (${x}[j] - tm${t}[j]);`, '}');
        refs[t] = { name: `t${t}`, sign: null };
        break;
      }
      case 'clip': {
        const nc = cost(k);
        const n = len(t);
        let cur = x!;
        const needLo = xi.lo.some((v) => v < node.lo);
        const needHi = xi.hi.some((v) => v > node.hi);
        if (needLo) {
          const sign = signOf(k, nc, xId, node.lo, 'a');
          nc.products += n;
          em.line(`signal u${t}[${n}];`, `for (var j = 0; j < ${n}; j++) {`, `    u${t}[j] <== ${node.lo} + ${sign} * (${cur}[j] - (${node.lo}));`, '}');
          cur = `u${t}`;
        }
        if (needHi) {
          // hi - y1 >= 0 keeps y1: the sign of hi - y1 over y1 in [max(lo_x, lo), hi_x].
          let l = 0n;
          let h = 0n;
          xi.lo.forEach((v, j) => {
            const a = node.hi - bmax(xi.hi[j]!, node.lo);
            const b = node.hi - bmax(v, node.lo);
            if (j === 0 || a < l) l = a;
            if (j === 0 || b > h) h = b;
          });
          const kk = signedBits(l, h);
          nc.bits += n * (kk + 1);
          nc.equations += n;
          nc.products += n;
          em.line(
            `signal s${t}h[${n * (kk + 1)}];`,
            `signal t${t}[${n}];`,
            `for (var j = 0; j < ${n}; j++) {`,
            ...em.indent(em.decompose(`h${t}`, `s${t}h`, `j * ${kk + 1}`, String(kk + 1), `${node.hi} - ${cur}[j] + ${pow2(kk)}`, 0), 1),
            `    t${t}[j] <== ${node.hi} + s${t}h[j * ${kk + 1} + ${kk}] * (${cur}[j] - (${node.hi}));`,
            '}',
          );
          cur = `t${t}`;
        }
        if (!needLo && !needHi) nc.note = 'identity: the input is inside the range';
        refs[t] = { name: cur, sign: null };
        break;
      }
      case 'hardsigmoid':
      case 'hardswish': {
        const nc = cost(k);
        const n = len(t);
        const alpha = BigInt(node.alpha);
        const beta = BigInt(node.beta);
        const lo = xi.lo.map((l, j) => (alpha * l < alpha * xi.hi[j]! ? alpha * l : alpha * xi.hi[j]!) + beta);
        const hi = xi.lo.map((l, j) => (alpha * l > alpha * xi.hi[j]! ? alpha * l : alpha * xi.hi[j]!) + beta);
        const e = commonTz(S, [alpha, beta]);
        const sign = rescaleAll(k, nc, (j) => `${node.alpha} * ${x}[${j}] + ${node.beta}`, lo, hi, e, `tm${t}`, 'signed');
        // h = min(max(z, 0), 2^S): the lower clamp is the rescale's sign, the upper one a comparison with 2^S.
        const zHi = hi.map((v) => (v + half) >> BigInt(S));
        const zLo = lo.map((v) => (v + half) >> BigInt(S));
        let h = `tm${t}`;
        if (zLo.some((v) => v < 0n)) {
          nc.products += n;
          em.line(`signal h${t}a[${n}];`, `for (var j = 0; j < ${n}; j++) {`, `    h${t}a[j] <== tm${t}[j] * ${sign};`, '}');
          h = `h${t}a`;
        }
        if (zHi.some((v) => v > one)) {
          const top = zHi.reduce(bmax, 0n);
          const kk = signedBits(one - top, one);
          nc.bits += n * (kk + 1);
          nc.equations += n;
          nc.products += n;
          em.line(
            `signal s${t}h[${n * (kk + 1)}];`,
            `signal h${t}b[${n}];`,
            `for (var j = 0; j < ${n}; j++) {`,
            ...em.indent(em.decompose(`h${t}`, `s${t}h`, `j * ${kk + 1}`, String(kk + 1), `${one} - ${h}[j] + ${pow2(kk)}`, 0), 1),
            `    h${t}b[j] <== ${one} + s${t}h[j * ${kk + 1} + ${kk}] * (${h}[j] - ${one});`,
            '}',
          );
          h = `h${t}b`;
        }
        if (node.op === 'hardsigmoid') {
          refs[t] = { name: h, sign: null };
          break;
        }
        const pLo: bigint[] = [];
        const pHi: bigint[] = [];
        xi.lo.forEach((l, j) => {
          const [p0, p1] = productInterval(l, xi.hi[j]!, 0n, one);
          pLo.push(p0);
          pHi.push(p1);
        });
        const sign2 = rescaleAll(k, nc, (j) => `${x}[${j}] * ${h}[${j}]`, pLo, pHi, 0, `t${t}`, needsSign(t) ? 'signed' : 'plain', 'p');
        refs[t] = { name: `t${t}`, sign: sign2 };
        break;
      }
      case 'mul': {
        const nc = cost(k);
        const yId = node.inputs[1]!;
        const yi = iv.tensors[yId]!;
        const pLo: bigint[] = [];
        const pHi: bigint[] = [];
        xi.lo.forEach((l, j) => {
          const [p0, p1] = productInterval(l, xi.hi[j]!, yi.lo[j]!, yi.hi[j]!);
          pLo.push(p0);
          pHi.push(p1);
        });
        const sign = rescaleAll(k, nc, (j) => `${x}[${j}] * ${refs[yId]!.name}[${j}]`, pLo, pHi, 0, `t${t}`, needsSign(t) ? 'signed' : 'plain');
        refs[t] = { name: `t${t}`, sign };
        break;
      }
      case 'add': {
        const nc = cost(k);
        const n = len(t);
        nc.linear += n;
        em.line(`signal t${t}[${n}];`, `for (var j = 0; j < ${n}; j++) {`, `    t${t}[j] <== ${x}[j] + ${refs[node.inputs[1]!]!.name}[j];`, '}');
        refs[t] = { name: `t${t}`, sign: null };
        break;
      }
      case 'maxpool': {
        const nc = cost(k);
        if (!x) throw new Error(`tensor ${xId} is not materialized`);
        const m = tournament(k, nc, c.pools[k]!, (p) => `${x}[${p}]`, xi.lo, xi.hi, false);
        const n = len(t);
        em.line(`signal t${t}[${n}];`, `for (var j = 0; j < ${n}; j++) {`, `    t${t}[j] <== ${m.max}[j];`, '}');
        refs[t] = { name: `t${t}`, sign: null };
        break;
      }
      case 'piecewise':
        piecewise(k, node, x!);
        break;
      default:
        // The transformer ops (embedding, softmax, layer norm, …) have no circuit yet.
        throw new CircuitLayoutError(`Node ${(node as GraphNode).name} (${(node as GraphNode).op}): the graph circuit compiler does not take this op yet.`);
    }
  });

  /**
   * Sigmoid and tanh (docs/SEMANTICS.md): one decomposition of u0 = x - lo (+ 2^K when it can be negative) gives
   * the clamps (sign bit; any bit at or above T = b + kb set), the segment bits and the offset; a one-hot decoder
   * of the kb segment bits selects the coefficients; both stages are products inside their rescale's equation.
   */
  function piecewise(k: number, node: GraphNode & { op: 'piecewise' }, x: string): void {
    const t = k + 1;
    const nc = cost(k);
    const xi = iv.tensors[node.inputs[0]!]!;
    const n = xi.lo.length;
    const segs = node.c0.length;
    const kb = Math.round(Math.log2(segs));
    if (2 ** kb !== segs) throw new CircuitLayoutError(`Piecewise node ${node.name} has ${segs} segments: the circuit compiler needs a power of two.`);
    const b = node.segBits;
    const T = b + kb;
    let A = xi.lo[0]! - node.lo;
    let B = xi.hi[0]! - node.lo;
    for (let j = 0; j < n; j++) {
      if (xi.lo[j]! - node.lo < A) A = xi.lo[j]! - node.lo;
      if (xi.hi[j]! - node.lo > B) B = xi.hi[j]! - node.lo;
    }
    const lowClamp = A < 0n;
    const highClamp = B >= pow2(T);
    let K = T;
    while ((lowClamp && -pow2(K) > A) || B >= pow2(K)) K++;
    const nbits = lowClamp ? K + 1 : K;
    nc.bits += n * nbits;
    nc.equations += n;
    const u = `u${t}`;
    em.line(`signal ${u}[${n * nbits}];`);
    const ub = (i: string): string => `${u}[j * ${nbits} + ${i}]`;
    const lines: string[] = [...em.decompose(`p${t}`, u, `j * ${nbits}`, String(nbits), `${x}[j] - (${node.lo})${lowClamp ? ` + ${pow2(K)}` : ''}`, 0)];
    const sign = lowClamp ? ub(String(K)) : '1';
    // inR: the value is inside [0, 2^T); ovr: it is above (then k = all ones, t = 2^b - 1, the top of the range).
    let inR = sign;
    let ovr = '0';
    if (highClamp) {
      nc.products += 3;
      nc.equations += 0;
      em.line(`signal z${t}[${n}];`, `signal zi${t}[${n}];`, `signal in${t}[${n}];`);
      lines.push(
        'var hs = 0;',
        `for (var i = ${T}; i < ${K}; i++) {`,
        `    hs += ${ub('i')};`,
        '}',
        `zi${t}[j] <-- hs != 0 ? 1 / hs : 0;`,
        `z${t}[j] <== 1 - hs * zi${t}[j];`,
        `hs * z${t}[j] === 0;`,
        `in${t}[j] <== ${sign} * z${t}[j];`,
      );
      inR = `in${t}[j]`;
      ovr = `(${sign} - in${t}[j])`;
      nc.products = nc.products - 3 + 3 * n;
    } else if (lowClamp) {
      inR = sign;
    }
    const clamped = lowClamp || highClamp;
    // Segment bits and offset after the clamp.
    const kbits: string[] = [];
    if (kb > 0) {
      if (clamped) {
        em.line(`signal kb${t}[${n * kb}];`);
        nc.products += n * kb;
        for (let i = 0; i < kb; i++) {
          lines.push(`kb${t}[j * ${kb} + ${i}] <== ${inR} * ${ub(String(b + i))} + ${ovr};`);
          kbits.push(`kb${t}[j * ${kb} + ${i}]`);
        }
      } else for (let i = 0; i < kb; i++) kbits.push(ub(String(b + i)));
    }
    let tExpr = '0';
    if (b > 0) {
      lines.push('var tl = 0;', `for (var i = 0; i < ${b}; i++) {`, `    tl += ${ub('i')} * (1 << i);`, '}');
      if (clamped) {
        em.line(`signal tt${t}[${n}];`);
        nc.products += n;
        lines.push(`tt${t}[j] <== ${inR} * tl + ${ovr} * ${pow2(b) - 1n};`);
        tExpr = `tt${t}[j]`;
      } else tExpr = 'tl';
    }
    // One-hot decoder of the segment: level i splits every entry by bit i (one product each).
    let entries: string[] = ['1'];
    if (kb > 0) {
      let prods = 0;
      for (let i = 0; i < kb; i++) prods += i === 0 ? 0 : 2 ** i;
      em.line(`signal oh${t}[${Math.max(1, n * prods)}];`);
      nc.products += n * prods;
      let p = 0;
      entries = [`(1 - ${kbits[0]})`, kbits[0]!];
      for (let i = 1; i < kb; i++) {
        const next: string[] = new Array<string>(entries.length * 2);
        entries.forEach((ent, m) => {
          const sig = `oh${t}[j * ${prods} + ${p++}]`;
          lines.push(`${sig} <== ${ent} * ${kbits[i]};`);
          next[m] = `(${ent} - ${sig})`;
          next[m + entries.length] = sig;
        });
        entries = next;
      }
    }
    const select = (coef: readonly number[]): string => {
      const terms = coef.flatMap((v, i) => (v !== 0 ? [`${v} * ${entries[i]}`] : []));
      return terms.length ? terms.join(' + ') : '0';
    };
    lines.push(`var sc0 = ${select(node.c0)};`, `var sc1 = ${select(node.c1)};`, `var sc2 = ${select(node.c2)};`);
    // Stage 1: r = rescale(C2 * t); stage 2: y = rescale(C0 * 2^S + (C1 + r) * t).
    const st = piecewiseStages(node, S);
    const e1 = commonTz(S, node.c2.map(BigInt));
    const r1 = rescaleElement(S, e1, st.p[0], st.p[1], false);
    const r2 = rescaleElement(S, 0, st.z[0], st.z[1], needsSign(t));
    nc.bits += n * (r1.nb + r2.nb);
    nc.equations += 2 * n;
    nc.linear += n;
    em.line(`signal v${t}[${n * r1.nb}];`, `signal w${t}[${n * r2.nb}];`, `signal t${t}[${n}];`);
    lines.push(
      ...em.decompose(`ra${t}`, `v${t}`, `j * ${r1.nb}`, String(r1.nb), `sc2 * ${tExpr} + ${r1.c}`, e1),
      ...em.quotient(`ra${t}`, `v${t}`, `j * ${r1.nb}`, String(r1.nb), S - e1, String(r1.off)),
      ...em.decompose(`rb${t}`, `w${t}`, `j * ${r2.nb}`, String(r2.nb), `(sc1 + ra${t}q) * ${tExpr} + sc0 * ${one} + ${r2.c}`, 0),
      ...em.quotient(`rb${t}`, `w${t}`, `j * ${r2.nb}`, String(r2.nb), S, String(r2.off)),
      `t${t}[j] <== rb${t}q;`,
    );
    em.line(`for (var j = 0; j < ${n}; j++) {`, ...em.indent(lines, 1), '}');
    refs[t] = { name: `t${t}`, sign: needsSign(t) ? `w${t}[j * ${r2.nb} + ${r2.nb - 1}]` : null };
  }

  // ---- output ----
  const last = refs[lastTensor]!.name;
  if (!last) throw new Error('the last tensor is not materialized');
  em.line('', '// output');
  if (graph.outputKind === 'argmax') {
    const fin = iv.tensors[lastTensor]!;
    const nc: NodeCost = { node: -1, name: 'argmax', op: 'argmax', bits: 0, equations: 0, products: 0, linear: 0, note: 'lowest index on a tie' };
    em.costs.push(nc);
    const all = Int32Array.from({ length: fin.lo.length }, (_, i) => i);
    const m = tournament(nodes.length, nc, [all], (p) => `${last}[${p}]`, fin.lo, fin.hi, true);
    em.line(`outPacked[0] <== ${m.index}[0];`);
  } else {
    em.costs.push({
      node: -1,
      name: 'output',
      op: 'output',
      bits: 0,
      equations: 0,
      products: 0,
      // A lone value with offset 0 is a plain copy, which --O1 merges.
      linear: output.chunks === 1 && output.length === 1 && output.lo === 0n ? 0 : output.chunks,
      note: 'Pack: one linear row per signal',
    });
    em.line(`component pack[${output.chunks}];`);
    for (let ch = 0; ch < output.chunks; ch++) {
      const n = chunkCount(output, ch);
      em.line(
        `pack[${ch}] = Pack(${n}, ${output.width}, ${output.lo});`,
        `for (var i = 0; i < ${n}; i++) {`,
        `    pack[${ch}].in[i] <== ${last}[${ch * output.perChunk} + i];`,
        '}',
        `outPacked[${ch}] <== pack[${ch}].out;`,
      );
    }
  }

  if (committed) {
    // The committed input (docs/ZK.md, "Committed input"): the private packed signals, already pinned by their bit
    // decomposition above, absorbed three at a time into circomlib's Poseidon(4) after the input length, exactly as
    // src-sol/libraries/InputHash.sol and lib/semantics/input-hash.ts do.
    const rounds = Math.ceil(input.chunks / COMMITMENT_RATE);
    em.costs.push({
      node: -1,
      name: 'commitment',
      op: 'poseidon',
      bits: 0,
      equations: 0,
      products: rounds * POSEIDON4_CONSTRAINTS,
      linear: 0,
      note: `${rounds} Poseidon(4)`,
    });
    em.line(`component commit[${rounds}];`);
    for (let r = 0; r < rounds; r++) {
      const words = [0, 1, 2].map((j) => (r * COMMITMENT_RATE + j < input.chunks ? `inPacked[${r * COMMITMENT_RATE + j}]` : '0'));
      em.line(
        `commit[${r}] = Poseidon(4);`,
        `commit[${r}].inputs[0] <== ${r === 0 ? String(input.length) : `commit[${r - 1}].out`};`,
        ...words.map((w, j) => `commit[${r}].inputs[${j + 1}] <== ${w};`),
      );
    }
    em.line(`inCommitment <== commit[${rounds - 1}].out;`);
  }

  const source = [
    '// Generated by lib/zk (graph circuit compiler): do not edit; regenerate from the model.',
    `// modelHash ${layout.modelHash}`,
    'pragma circom 2.1.0;',
    '',
    'include "circuits/pack.circom";',
    ...(committed ? ['include "circomlib/circuits/poseidon.circom";'] : []),
    '',
    ...em.fns,
    `template ${GRAPH_MAIN_TEMPLATE}() {`,
    ...em.body,
    '}',
    '',
    committed ? `component main { public [prover] } = ${GRAPH_MAIN_TEMPLATE}();` : `component main { public [inPacked, prover] } = ${GRAPH_MAIN_TEMPLATE}();`,
    '',
  ].join('\n');
  const total = em.costs.reduce((s, r) => s + r.bits + r.equations + r.products + r.linear, 0);
  return { source, costs: em.costs, total };
}
