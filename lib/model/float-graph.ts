import type { OnnxDim } from '../onnx/index.js';
import { concatIndex, type GraphNode, inferShape, transposeIndex, type Window, windowPositions } from '../semantics/index.js';

/**
 * The float graph an imported network is reduced to, before quantization: the ops of the integer
 * graph (docs/SEMANTICS.md, "Integer graphs") with real-valued parameters, sigmoid and tanh as
 * themselves, batch normalization already folded where it can be. Tensor 0 is the input; node `k`
 * writes tensor `k + 1`.
 */
export type FloatOp =
  | { op: 'conv'; window: Window; groups: number; outChannels: number; weights: number[]; bias: number[] }
  | { op: 'dense'; outDim: number; weights: number[]; bias: number[] }
  | { op: 'affine'; scale: number[]; bias: number[] }
  | { op: 'maxpool'; window: Window }
  | { op: 'avgpool'; window: Window; countPad: boolean }
  | { op: 'relu' }
  | { op: 'leakyrelu'; alpha: number }
  | { op: 'clip'; lo: number; hi: number }
  | { op: 'hardsigmoid'; alpha: number; beta: number }
  | { op: 'hardswish'; alpha: number; beta: number }
  | { op: 'sigmoid' }
  | { op: 'tanh' }
  | { op: 'add' }
  | { op: 'mul' }
  | { op: 'concat'; axis: number }
  | { op: 'reshape' }
  | { op: 'transpose'; perm: number[] };

export type FloatNode = FloatOp & { inputs: number[]; shape: number[]; name: string };

export type FloatGraph = {
  /** The source input's shape, batch dimension first (e.g. `['batch_size', 1, 28, 28]`). */
  sourceInputShape: OnnxDim[];
  /** The unbatched input shape (e.g. `[1, 28, 28]`). */
  inputShape: number[];
  nodes: FloatNode[];
  head: 'logits' | 'softmax' | 'argmax';
};

/** The integer op with the same shape rule, for shape inference. */
function shapeTwin(node: FloatNode): GraphNode {
  switch (node.op) {
    case 'sigmoid':
    case 'tanh':
      return { op: 'relu', inputs: node.inputs, shape: node.shape, name: node.name };
    case 'clip':
      return { op: 'clip', lo: 0n, hi: 0n, inputs: node.inputs, shape: node.shape, name: node.name };
    default:
      return node as GraphNode;
  }
}

export function floatShape(node: FloatNode, inputs: readonly (readonly number[])[]): number[] {
  return inferShape(shapeTwin(node), inputs);
}

const hardSigmoid = (x: number, alpha: number, beta: number): number => Math.min(Math.max(alpha * x + beta, 0), 1);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Runs the float graph in float64 on one flat input; returns the values of every tensor (input first). */
export function forwardFloatGraphAll(graph: FloatGraph, input: ArrayLike<number>): Float64Array[] {
  const shapes: number[][] = [graph.inputShape];
  const tensors: Float64Array[] = [Float64Array.from(input)];
  for (const node of graph.nodes) {
    const x = tensors[node.inputs[0]!]!;
    const inShape = shapes[node.inputs[0]!]!;
    const size = node.shape.reduce((a, d) => a * d, 1);
    const y = new Float64Array(size);
    switch (node.op) {
      case 'conv': {
        const [c, h, w] = inShape as [number, number, number];
        const { cells } = windowPositions(node.window, h, w);
        const inPer = c / node.groups;
        const outPer = node.outChannels / node.groups;
        const k = node.window.kernel[0] * node.window.kernel[1];
        let e = 0;
        for (let o = 0; o < node.outChannels; o++) {
          const g = Math.floor(o / outPer);
          for (const cell of cells) {
            let s = node.bias[o]!;
            for (let i = 0; i < inPer; i++) {
              const base = (g * inPer + i) * h * w;
              const wb = (o * inPer + i) * k;
              for (let t = 0; t < k; t++) if (cell[t]! >= 0) s += node.weights[wb + t]! * x[base + cell[t]!]!;
            }
            y[e++] = s;
          }
        }
        break;
      }
      case 'dense': {
        const n = x.length;
        for (let j = 0; j < node.outDim; j++) {
          let s = node.bias[j]!;
          for (let i = 0; i < n; i++) s += node.weights[j * n + i]! * x[i]!;
          y[j] = s;
        }
        break;
      }
      case 'affine': {
        const per = x.length / inShape[0]!;
        for (let i = 0; i < x.length; i++) {
          const ch = Math.floor(i / per);
          y[i] = node.scale[ch]! * x[i]! + node.bias[ch]!;
        }
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const [c, h, w] = inShape as [number, number, number];
        const { cells } = windowPositions(node.window, h, w);
        let e = 0;
        for (let ch = 0; ch < c; ch++)
          for (const cell of cells) {
            const real = cell.filter((p) => p >= 0).map((p) => x[ch * h * w + p]!);
            if (node.op === 'maxpool') y[e++] = Math.max(...real);
            else y[e++] = real.reduce((a, v) => a + v, 0) / (node.countPad ? cell.length : real.length);
          }
        break;
      }
      case 'relu':
        x.forEach((v, i) => {
          y[i] = Math.max(v, 0);
        });
        break;
      case 'leakyrelu':
        x.forEach((v, i) => {
          y[i] = v >= 0 ? v : node.alpha * v;
        });
        break;
      case 'clip':
        x.forEach((v, i) => {
          y[i] = Math.min(Math.max(v, node.lo), node.hi);
        });
        break;
      case 'hardsigmoid':
        x.forEach((v, i) => {
          y[i] = hardSigmoid(v, node.alpha, node.beta);
        });
        break;
      case 'hardswish':
        x.forEach((v, i) => {
          y[i] = v * hardSigmoid(v, node.alpha, node.beta);
        });
        break;
      case 'sigmoid':
        x.forEach((v, i) => {
          y[i] = sigmoid(v);
        });
        break;
      case 'tanh':
        x.forEach((v, i) => {
          y[i] = Math.tanh(v);
        });
        break;
      case 'add':
      case 'mul': {
        const b = tensors[node.inputs[1]!]!;
        x.forEach((v, i) => {
          y[i] = node.op === 'add' ? v + b[i]! : v * b[i]!;
        });
        break;
      }
      case 'concat': {
        const g = concatIndex(
          node.inputs.map((id) => shapes[id]!),
          node.axis,
        );
        for (let e = 0; e < g.length; e += 2) y[e / 2] = tensors[node.inputs[g[e]!]!]![g[e + 1]!]!;
        break;
      }
      case 'reshape':
        y.set(x);
        break;
      case 'transpose':
        transposeIndex(inShape, node.perm).forEach((src, i) => {
          y[i] = x[src]!;
        });
        break;
    }
    tensors.push(y);
    shapes.push(node.shape);
  }
  return tensors;
}

/** The float graph's last tensor (the logits) for one flat input. */
export function forwardFloatGraph(graph: FloatGraph, input: ArrayLike<number>): Float64Array {
  return forwardFloatGraphAll(graph, input).at(-1)!;
}
