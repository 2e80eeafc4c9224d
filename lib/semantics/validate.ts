import { InvalidModelError } from './errors.js';
import { MAX_DIM, MAX_LAYERS, MAX_SCALE_BITS, MIN_SCALE_BITS, type IntModel } from './types.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Checks the structure of a model against the semantics; throws {@link InvalidModelError}. */
export function validateModel(model: IntModel): void {
  const fail = (reason: string): never => {
    throw new InvalidModelError(`Invalid model: ${reason}.`);
  };
  const { scaleBits: s, layers } = model;
  if (!Number.isInteger(s) || s < MIN_SCALE_BITS || s > MAX_SCALE_BITS) fail(`scaleBits ${s} is outside ${MIN_SCALE_BITS}..${MAX_SCALE_BITS}`);
  if (model.outputKind !== 'logits' && model.outputKind !== 'argmax') fail(`unknown outputKind ${String(model.outputKind)}`);
  if (model.inputMin < INT64_MIN || model.inputMax > INT64_MAX) fail('the input range does not fit int64');
  if (model.inputMin > model.inputMax) fail(`inputMin ${model.inputMin} exceeds inputMax ${model.inputMax}`);
  if (layers.length < 1 || layers.length > MAX_LAYERS) fail(`${layers.length} layers (1..${MAX_LAYERS} allowed)`);
  layers.forEach((layer, l) => {
    const { inDim, outDim } = layer;
    if (!Number.isInteger(inDim) || inDim < 1 || inDim > MAX_DIM) fail(`layer ${l} inDim ${inDim} is outside 1..${MAX_DIM}`);
    if (!Number.isInteger(outDim) || outDim < 1 || outDim > MAX_DIM) fail(`layer ${l} outDim ${outDim} is outside 1..${MAX_DIM}`);
    const prev = layers[l - 1];
    if (prev && prev.outDim !== inDim) fail(`layer ${l} takes ${inDim} values but layer ${l - 1} gives ${prev.outDim}`);
    if (layer.weights.length !== outDim) fail(`layer ${l} has ${layer.weights.length} weight rows, expected ${outDim}`);
    layer.weights.forEach((row, j) => {
      if (row.length !== inDim) fail(`layer ${l} weight row ${j} has ${row.length} values, expected ${inDim}`);
      row.forEach((w, i) => {
        if (!Number.isSafeInteger(w)) fail(`layer ${l} weight [${j}][${i}] = ${w} is not a safe integer`);
      });
    });
    if (layer.bias.length !== outDim) fail(`layer ${l} has ${layer.bias.length} biases, expected ${outDim}`);
    layer.bias.forEach((b, j) => {
      if (!Number.isSafeInteger(b)) fail(`layer ${l} bias [${j}] = ${b} is not a safe integer`);
    });
  });
}
