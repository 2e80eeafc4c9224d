import type { Dataset } from '../data/csv.js';
import { argmax } from './float.js';
import { createRandom, normal } from './random.js';

export type TrainOptions = {
  /** Hidden layer widths, e.g. `[32]`. */
  hidden: number[];
  epochs: number;
  seed: number;
  learningRate: number;
  batchSize: number;
  /** L2 penalty on the weights. */
  weightDecay: number;
};

export const defaultTrainOptions: TrainOptions = {
  hidden: [32],
  epochs: 40,
  seed: 1,
  learningRate: 0.005,
  batchSize: 32,
  weightDecay: 1e-4,
};

/** A trained classifier: standardization statistics and dense layers that act on standardized input. */
export type TrainedMlp = {
  mean: Float64Array;
  std: Float64Array;
  layers: { inDim: number; outDim: number; weights: Float64Array; bias: Float64Array }[];
  /** Training-set accuracy after the last epoch. */
  trainAccuracy: number;
};

/** Per-feature mean and standard deviation (a constant feature gets std 1, so it maps to 0). */
export function standardization(rows: Float64Array[]): { mean: Float64Array; std: Float64Array } {
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mean[i]! += r[i]! / rows.length;
  for (const r of rows) for (let i = 0; i < d; i++) std[i]! += (r[i]! - mean[i]!) ** 2 / rows.length;
  for (let i = 0; i < d; i++) std[i] = std[i]! > 1e-12 ? Math.sqrt(std[i]!) : 1;
  return { mean, std };
}

type Param = { value: Float64Array; grad: Float64Array; m: Float64Array; v: Float64Array; decay: boolean };

const param = (value: Float64Array, decay: boolean): Param => ({
  value,
  grad: new Float64Array(value.length),
  m: new Float64Array(value.length),
  v: new Float64Array(value.length),
  decay,
});

/**
 * Trains an MLP classifier (ReLU hidden layers, softmax cross-entropy, Adam, mini-batches) in plain
 * float64 arithmetic. Deterministic: the seed fixes the initialization and the batch order.
 *
 * @example
 * const mlp = trainMlp(train, { ...defaultTrainOptions, hidden: [32] });
 */
export function trainMlp(data: Dataset, options: TrainOptions): TrainedMlp {
  const random = createRandom(options.seed);
  const { mean, std } = standardization(data.rows);
  const inputs = data.rows.map((r) => r.map((v, i) => (v - mean[i]!) / std[i]!));
  const classes = data.classes.length;
  const dims = [mean.length, ...options.hidden, classes];
  const layers = dims.slice(1).map((outDim, l) => {
    const inDim = dims[l]!;
    const w = new Float64Array(outDim * inDim);
    const scale = Math.sqrt(2 / inDim); // He initialization for ReLU layers
    for (let k = 0; k < w.length; k++) w[k] = normal(random) * scale;
    return { inDim, outDim, w: param(w, true), b: param(new Float64Array(outDim), false) };
  });
  const params = layers.flatMap((l) => [l.w, l.b]);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const n = inputs.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // Activations per layer (index 0 = input), reused across rows.
  const acts = dims.map((d) => new Float64Array(d));
  const deltas = dims.map((d) => new Float64Array(d));
  let correct = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    correct = 0;
    for (let start = 0; start < n; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      for (const p of params) p.grad.fill(0);
      for (const idx of batch) {
        acts[0]!.set(inputs[idx]!);
        layers.forEach((layer, l) => {
          const x = acts[l]!;
          const y = acts[l + 1]!;
          const last = l === layers.length - 1;
          for (let o = 0; o < layer.outDim; o++) {
            let s = layer.b.value[o]!;
            const row = o * layer.inDim;
            for (let i = 0; i < layer.inDim; i++) s += layer.w.value[row + i]! * x[i]!;
            y[o] = !last && s < 0 ? 0 : s;
          }
        });
        // Softmax cross-entropy gradient at the logits: p - onehot.
        const logits = acts[layers.length]!;
        const label = data.labels[idx]!;
        if (argmax(logits) === label) correct++;
        let max = -Infinity;
        for (const z of logits) max = Math.max(max, z);
        let sum = 0;
        for (const z of logits) sum += Math.exp(z - max);
        const top = deltas[layers.length]!;
        for (let c = 0; c < classes; c++) top[c] = Math.exp(logits[c]! - max) / sum - (c === label ? 1 : 0);
        for (let l = layers.length - 1; l >= 0; l--) {
          const layer = layers[l]!;
          const x = acts[l]!;
          const dy = deltas[l + 1]!;
          const dx = deltas[l]!;
          dx.fill(0);
          for (let o = 0; o < layer.outDim; o++) {
            const g = dy[o]!;
            if (g === 0) continue;
            layer.b.grad[o]! += g;
            const row = o * layer.inDim;
            for (let i = 0; i < layer.inDim; i++) {
              layer.w.grad[row + i]! += g * x[i]!;
              dx[i]! += g * layer.w.value[row + i]!;
            }
          }
          if (l > 0) for (let i = 0; i < layer.inDim; i++) if (x[i]! <= 0) dx[i] = 0; // ReLU derivative
        }
      }
      step++;
      const lr = options.learningRate;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (const p of params) {
        for (let k = 0; k < p.value.length; k++) {
          let g = p.grad[k]! / batch.length;
          if (p.decay) g += options.weightDecay * p.value[k]!;
          p.m[k] = beta1 * p.m[k]! + (1 - beta1) * g;
          p.v[k] = beta2 * p.v[k]! + (1 - beta2) * g * g;
          p.value[k]! -= (lr * (p.m[k]! / c1)) / (Math.sqrt(p.v[k]! / c2) + 1e-8);
        }
      }
    }
  }
  return {
    mean,
    std,
    layers: layers.map((l) => ({ inDim: l.inDim, outDim: l.outDim, weights: l.w.value, bias: l.b.value })),
    trainAccuracy: correct / n,
  };
}
