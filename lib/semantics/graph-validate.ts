import { InvalidGraphError } from './errors.js';
import { isTransformerOp, transformerConstants, transformerShape } from './graph-transformer.js';
import { type GraphNode, type IntGraph, MAX_GRAPH_NODES, MAX_RANK, MAX_TENSOR_SIZE, size, type Window } from './graph.js';
import { MAX_SCALE_BITS, MIN_SCALE_BITS } from './types.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Output plane of a window over an `h × w` plane: `floor((h + top + bottom - kh) / sh) + 1`. */
export function windowOutput(window: Window, h: number, w: number): [number, number] {
  const [kh, kw] = window.kernel;
  const [sh, sw] = window.stride;
  const [top, left, bottom, right] = window.pads;
  return [Math.floor((h + top + bottom - kh) / sh) + 1, Math.floor((w + left + right - kw) / sw) + 1];
}

const isCount = (v: number, min = 1): boolean => Number.isInteger(v) && v >= min;

/**
 * The shape a node writes, from the shapes of the tensors it reads; throws on parameters that do
 * not fit them. Used by the validator (which compares it with the node's declared shape) and by the
 * importer (which builds nodes).
 */
export function inferShape(node: GraphNode, inputs: readonly (readonly number[])[]): number[] {
  const fail = (reason: string): never => {
    throw new InvalidGraphError(null, node.name, reason);
  };
  // Transformer ops: graph-transformer.ts.
  if (isTransformerOp(node)) return transformerShape(node, inputs, fail);
  const arity = node.op === 'concat' ? Math.max(1, inputs.length) : node.op === 'add' || node.op === 'mul' ? 2 : 1;
  if (inputs.length !== arity) fail(`${node.op} reads ${arity} tensor(s), not ${inputs.length}`);
  const x = inputs[0]!;
  const checkWindow = (win: Window, padBelowKernel: boolean): [number, number, number] => {
    if (x.length !== 3) fail(`${node.op} needs a [C, H, W] input, not [${x.join(', ')}]`);
    if (!win.kernel.every((k) => isCount(k)) || !win.stride.every((s) => isCount(s)) || !win.pads.every((p) => isCount(p, 0))) {
      fail('kernel and stride must be positive integers, pads non-negative integers');
    }
    const [top, left, bottom, right] = win.pads;
    if (padBelowKernel && (top >= win.kernel[0] || bottom >= win.kernel[0] || left >= win.kernel[1] || right >= win.kernel[1])) {
      fail('every pad must be smaller than the kernel (a window must hold a real position)');
    }
    const [oh, ow] = windowOutput(win, x[1]!, x[2]!);
    if (oh < 1 || ow < 1) fail(`the window does not fit the ${x[1]}×${x[2]} plane`);
    return [x[0]!, oh, ow];
  };
  switch (node.op) {
    case 'conv': {
      const [c, oh, ow] = checkWindow(node.window, false);
      const { groups: g, outChannels: oc } = node;
      if (!isCount(g) || c % g !== 0 || !isCount(oc) || oc % g !== 0) fail(`groups ${g} must divide the ${c} input and ${oc} output channels`);
      const expected = oc * (c / g) * node.window.kernel[0] * node.window.kernel[1];
      if (node.weights.length !== expected) fail(`conv has ${node.weights.length} weights, expected ${expected}`);
      if (node.bias.length !== oc) fail(`conv has ${node.bias.length} biases, expected ${oc}`);
      return [oc, oh, ow];
    }
    case 'dense':
      if (x.length !== 1) fail(`dense needs a flat input, not [${x.join(', ')}] (flatten first)`);
      if (!isCount(node.outDim)) fail(`outDim ${node.outDim}`);
      if (node.weights.length !== node.outDim * x[0]!) fail(`dense has ${node.weights.length} weights, expected ${node.outDim * x[0]!}`);
      if (node.bias.length !== node.outDim) fail(`dense has ${node.bias.length} biases, expected ${node.outDim}`);
      return [node.outDim];
    case 'affine':
      if (node.scale.length !== x[0] || node.bias.length !== x[0]) fail(`affine needs ${x[0]} scales and biases (one per channel)`);
      return [...x];
    case 'maxpool':
      return checkWindow(node.window, true);
    case 'avgpool':
      return checkWindow(node.window, true);
    case 'clip':
      if (node.lo > node.hi) fail(`clip range [${node.lo}, ${node.hi}] is empty`);
      return [...x];
    case 'piecewise': {
      const n = node.c0.length;
      if (n < 1 || node.c1.length !== n || node.c2.length !== n) fail('piecewise needs one c0, c1 and c2 per segment');
      if (!Number.isInteger(node.segBits) || node.segBits < 0 || node.segBits > 40) fail(`segBits ${node.segBits} is outside 0..40`);
      return [...x];
    }
    case 'relu':
    case 'leakyrelu':
    case 'hardsigmoid':
    case 'hardswish':
      return [...x];
    case 'add':
    case 'mul':
      if (inputs[1]!.join(',') !== x.join(',')) fail(`${node.op} of shapes [${x.join(', ')}] and [${inputs[1]!.join(', ')}] (no broadcasting)`);
      return [...x];
    case 'concat': {
      const { axis } = node;
      if (!Number.isInteger(axis) || axis < 0 || axis >= x.length) fail(`concat axis ${axis} is outside the rank ${x.length}`);
      const out = [...x];
      for (const s of inputs.slice(1)) {
        if (s.length !== x.length || s.some((d, i) => i !== axis && d !== x[i])) fail(`concat of [${x.join(', ')}] and [${s.join(', ')}] on axis ${axis}`);
        out[axis]! += s[axis]!;
      }
      return out;
    }
    case 'reshape':
      if (!node.shape.every((d) => isCount(d)) || size(node.shape) !== size(x)) fail(`cannot reshape [${x.join(', ')}] to [${node.shape.join(', ')}]`);
      return [...node.shape];
    case 'transpose': {
      const { perm } = node;
      if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
        fail(`perm [${perm.join(', ')}] is not a permutation of ${x.length} axes`);
      return perm.map((p) => x[p]!);
    }
  }
}

/** Constants of a node that must be safe integers (weights, biases, coefficients). */
export function nodeConstants(node: GraphNode): number[] {
  switch (node.op) {
    case 'conv':
    case 'dense':
      return [...node.weights, ...node.bias];
    case 'affine':
      return [...node.scale, ...node.bias];
    case 'leakyrelu':
      return [node.alpha];
    case 'hardsigmoid':
    case 'hardswish':
      return [node.alpha, node.beta];
    case 'piecewise':
      return [...node.c0, ...node.c1, ...node.c2];
    // Transformer ops: graph-transformer.ts.
    case 'embedding':
    case 'linear':
    case 'softmax':
    case 'layernorm':
    case 'gelu':
      return transformerConstants(node);
    default:
      return [];
  }
}

/** Checks a graph against the rules of the semantics; throws {@link InvalidGraphError} naming the node. */
export function validateGraph(graph: IntGraph): void {
  const fail = (reason: string, node: number | null = null, name: string | null = null): never => {
    throw new InvalidGraphError(node, name, reason);
  };
  const s = graph.scaleBits;
  if (!Number.isInteger(s) || s < MIN_SCALE_BITS || s > MAX_SCALE_BITS) fail(`scaleBits ${s} is outside ${MIN_SCALE_BITS}..${MAX_SCALE_BITS}`);
  if (graph.outputKind !== 'logits' && graph.outputKind !== 'argmax') fail(`unknown outputKind ${String(graph.outputKind)}`);
  const ib = graph.inputScaleBits;
  if (ib !== undefined && (!Number.isInteger(ib) || ib < 0 || ib > s)) fail(`inputScaleBits ${ib} is outside 0..scaleBits (${s})`);
  if (graph.inputMin < INT64_MIN || graph.inputMax > INT64_MAX) fail('the input range does not fit int64');
  if (graph.inputMin > graph.inputMax) fail(`inputMin ${graph.inputMin} exceeds inputMax ${graph.inputMax}`);
  const checkShape = (shape: readonly number[], what: string) => {
    if (shape.length < 1 || shape.length > MAX_RANK || !shape.every((d) => isCount(d)) || size(shape) > MAX_TENSOR_SIZE) {
      fail(`${what} shape [${shape.join(', ')}] (rank 1..${MAX_RANK}, positive dimensions, at most ${MAX_TENSOR_SIZE} values)`);
    }
  };
  checkShape(graph.inputShape, 'input');
  if (graph.nodes.length < 1 || graph.nodes.length > MAX_GRAPH_NODES) fail(`${graph.nodes.length} nodes (1..${MAX_GRAPH_NODES} allowed)`);
  const shapes: number[][] = [graph.inputShape];
  graph.nodes.forEach((node, k) => {
    for (const id of node.inputs) if (!Number.isInteger(id) || id < 0 || id > k) fail(`reads tensor ${id}, which is not written before it`, k, node.name);
    let shape: number[];
    try {
      shape = inferShape(
        node,
        node.inputs.map((id) => shapes[id]!),
      );
    } catch (cause) {
      if (cause instanceof InvalidGraphError) fail(cause.shortMessage.replace(/^[^:]*: /, '').replace(/\.$/, ''), k, node.name);
      throw cause;
    }
    if (shape.join(',') !== node.shape.join(',')) fail(`declares shape [${node.shape.join(', ')}] but computes [${shape.join(', ')}]`, k, node.name);
    checkShape(shape, 'output');
    for (const c of nodeConstants(node)) if (!Number.isSafeInteger(c)) fail(`constant ${c} is not a safe integer`, k, node.name);
    if (node.op === 'clip' && (node.lo < INT64_MIN || node.hi > INT64_MAX)) fail('clip bounds do not fit int64', k, node.name);
    if (node.op === 'piecewise' && (node.lo < -(1n << 62n) || node.lo > 1n << 62n)) fail('piecewise lo does not fit', k, node.name);
    shapes.push(shape);
  });
}
