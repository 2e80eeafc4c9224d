import { keccak256 } from 'ethers';
import { minimalWidth } from './encoding.js';
import { ModelEncodingError } from './errors.js';
import { validateGraph } from './graph-validate.js';
import { isTransformerOp, isTransformerOpName, readTransformerParams, writeTransformerParams } from './graph-transformer.js';
import { GRAPH_OP_CODES, type GraphNode, type IntGraph, type OpName, type Window } from './graph.js';
import { OUTPUT_KIND_CODE, type Hex } from './types.js';

/** "VAG1": the magic of the integer graph format, version 1. */
export const GRAPH_ENCODING_MAGIC = 0x56414731;
const PIECEWISE_FNS = ['sigmoid', 'tanh'] as const;

/** A growing big-endian byte buffer. */
class Writer {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  at = 0;
  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n));
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.at, v);
    this.at += 1;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.at, v);
    this.at += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.at, v);
    this.at += 4;
  }
  i64(v: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.at, v);
    this.at += 8;
  }
  /** `u32 count, u8 width, count × width bytes`: the smallest of 1, 2, 4, 8 that holds every value. */
  ints(values: readonly number[]): void {
    const width = minimalWidth(values);
    this.u32(values.length);
    this.u8(width);
    this.room(values.length * width);
    for (const v of values) {
      if (width === 1) this.view.setInt8(this.at, v);
      else if (width === 2) this.view.setInt16(this.at, v);
      else if (width === 4) this.view.setInt32(this.at, v);
      else this.view.setBigInt64(this.at, BigInt(v));
      this.at += width;
    }
  }
  window(w: Window): void {
    for (const v of [...w.kernel, ...w.stride, ...w.pads]) this.u16(v);
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.at);
  }
}

class Reader {
  private readonly view: DataView;
  at = 0;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): void {
    if (this.at + n > this.bytes.length) throw new ModelEncodingError(`Graph encoding is truncated at byte ${this.at}.`);
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.at++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.at);
    this.at += 8;
    return v;
  }
  ints(): number[] {
    const n = this.u32();
    const width = this.u8();
    if (![1, 2, 4, 8].includes(width)) throw new ModelEncodingError(`Integer width ${width} at byte ${this.at - 1} is not 1, 2, 4 or 8.`);
    this.need(n * width);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const v =
        width === 1
          ? this.view.getInt8(this.at)
          : width === 2
            ? this.view.getInt16(this.at)
            : width === 4
              ? this.view.getInt32(this.at)
              : Number(this.view.getBigInt64(this.at));
      out.push(v);
      this.at += width;
    }
    if (minimalWidth(out) !== width) throw new ModelEncodingError(`Integer array ending at byte ${this.at} is not in its smallest width.`);
    return out;
  }
  window(): Window {
    const v = Array.from({ length: 8 }, () => this.u16());
    return { kernel: [v[0]!, v[1]!], stride: [v[2]!, v[3]!], pads: [v[4]!, v[5]!, v[6]!, v[7]!] };
  }
  get remaining(): number {
    return this.bytes.length - this.at;
  }
}

function writeParams(w: Writer, node: GraphNode): void {
  // Transformer ops: graph-transformer.ts.
  if (isTransformerOp(node)) {
    writeTransformerParams(w, node);
    return;
  }
  switch (node.op) {
    case 'conv':
      w.window(node.window);
      w.u16(node.groups);
      w.u32(node.outChannels);
      w.ints(node.weights);
      w.ints(node.bias);
      return;
    case 'dense':
      w.u32(node.outDim);
      w.ints(node.weights);
      w.ints(node.bias);
      return;
    case 'affine':
      w.ints(node.scale);
      w.ints(node.bias);
      return;
    case 'maxpool':
      w.window(node.window);
      return;
    case 'avgpool':
      w.window(node.window);
      w.u8(node.countPad ? 1 : 0);
      return;
    case 'leakyrelu':
      w.i64(BigInt(node.alpha));
      return;
    case 'clip':
      w.i64(node.lo);
      w.i64(node.hi);
      return;
    case 'hardsigmoid':
    case 'hardswish':
      w.i64(BigInt(node.alpha));
      w.i64(BigInt(node.beta));
      return;
    case 'piecewise':
      w.u8(PIECEWISE_FNS.indexOf(node.fn));
      w.i64(node.lo);
      w.u8(node.segBits);
      w.ints(node.c0);
      w.ints(node.c1);
      w.ints(node.c2);
      return;
    case 'concat':
      w.u8(node.axis);
      return;
    case 'transpose':
      w.u8(node.perm.length);
      for (const p of node.perm) w.u8(p);
      return;
    case 'relu':
    case 'add':
    case 'mul':
    case 'reshape':
      return;
  }
}

/**
 * The canonical byte encoding of an integer graph (docs/SEMANTICS.md, "Graph encoding"); its
 * keccak256 is the graph's modelHash. Node names are not encoded: they do not change the function.
 */
export function encodeGraph(graph: IntGraph): Uint8Array {
  validateGraph(graph);
  const w = new Writer();
  w.u32(GRAPH_ENCODING_MAGIC);
  w.u8(graph.scaleBits);
  w.u8(OUTPUT_KIND_CODE[graph.outputKind]);
  w.i64(graph.inputMin);
  w.i64(graph.inputMax);
  w.u8(graph.inputShape.length);
  for (const d of graph.inputShape) w.u32(d);
  w.u16(graph.nodes.length);
  for (const node of graph.nodes) {
    w.u8(GRAPH_OP_CODES[node.op]);
    w.u8(node.inputs.length);
    for (const id of node.inputs) w.u16(id);
    w.u8(node.shape.length);
    for (const d of node.shape) w.u32(d);
    writeParams(w, node);
  }
  return w.done();
}

export function graphHash(graph: IntGraph): Hex {
  return keccak256(encodeGraph(graph)) as Hex;
}

const OP_BY_CODE = new Map<number, OpName>(Object.entries(GRAPH_OP_CODES).map(([name, code]) => [code, name as OpName]));

function readNode(r: Reader, k: number): GraphNode {
  const code = r.u8();
  const op = OP_BY_CODE.get(code);
  if (!op) throw new ModelEncodingError(`Node ${k} has unknown op code ${code}.`);
  const inputs = Array.from({ length: r.u8() }, () => r.u16());
  const shape = Array.from({ length: r.u8() }, () => r.u32());
  const base = { inputs, shape, name: `node${k}` };
  // Transformer ops: graph-transformer.ts.
  if (isTransformerOpName(op)) {
    const fail = (reason: string): never => {
      throw new ModelEncodingError(`Node ${k}: ${reason}.`);
    };
    return { ...base, ...readTransformerParams(r, op, fail) };
  }
  switch (op) {
    case 'conv': {
      const window = r.window();
      const groups = r.u16();
      const outChannels = r.u32();
      return { ...base, op, window, groups, outChannels, weights: r.ints(), bias: r.ints() };
    }
    case 'dense': {
      const outDim = r.u32();
      return { ...base, op, outDim, weights: r.ints(), bias: r.ints() };
    }
    case 'affine':
      return { ...base, op, scale: r.ints(), bias: r.ints() };
    case 'maxpool':
      return { ...base, op, window: r.window() };
    case 'avgpool': {
      const window = r.window();
      const flag = r.u8();
      if (flag > 1) throw new ModelEncodingError(`Node ${k}: countPad flag ${flag} is not 0 or 1.`);
      return { ...base, op, window, countPad: flag === 1 };
    }
    case 'leakyrelu':
      return { ...base, op, alpha: Number(r.i64()) };
    case 'clip': {
      const lo = r.i64();
      return { ...base, op, lo, hi: r.i64() };
    }
    case 'hardsigmoid':
    case 'hardswish': {
      const alpha = Number(r.i64());
      return { ...base, op, alpha, beta: Number(r.i64()) };
    }
    case 'piecewise': {
      const fn = PIECEWISE_FNS[r.u8()];
      if (!fn) throw new ModelEncodingError(`Node ${k}: unknown piecewise function.`);
      const lo = r.i64();
      const segBits = r.u8();
      return { ...base, op, fn, lo, segBits, c0: r.ints(), c1: r.ints(), c2: r.ints() };
    }
    case 'concat':
      return { ...base, op, axis: r.u8() };
    case 'transpose':
      return { ...base, op, perm: Array.from({ length: r.u8() }, () => r.u8()) };
    case 'relu':
    case 'add':
    case 'mul':
    case 'reshape':
      return { ...base, op } as GraphNode;
  }
}

/** Decodes and validates a canonical graph encoding (nodes are named `node<k>`); rejects trailing bytes. */
export function decodeGraph(bytes: Uint8Array): IntGraph {
  const r = new Reader(bytes);
  if (r.u32() !== GRAPH_ENCODING_MAGIC) throw new ModelEncodingError('Not an integer graph encoding (magic "VAG1" expected).');
  const scaleBits = r.u8();
  const kind = r.u8();
  if (kind > 1) throw new ModelEncodingError(`outputKind ${kind} is not 0 or 1.`);
  const inputMin = r.i64();
  const inputMax = r.i64();
  const inputShape = Array.from({ length: r.u8() }, () => r.u32());
  const nodes = Array.from({ length: r.u16() }, (_, k) => readNode(r, k));
  if (r.remaining !== 0) throw new ModelEncodingError(`${r.remaining} trailing bytes after the graph.`);
  const graph: IntGraph = { scaleBits, outputKind: kind === 1 ? 'argmax' : 'logits', inputMin, inputMax, inputShape, nodes };
  validateGraph(graph);
  return graph;
}
