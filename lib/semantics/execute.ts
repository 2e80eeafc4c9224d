import { InputLengthError, InputRangeError } from './errors.js';
import { inputLength, type IntLayer, type IntModel } from './types.js';

/** floor((acc + 2^(S-1)) / 2^S): round half up, as an arithmetic shift (floor also for negatives). */
export function rescale(acc: bigint, scaleBits: number): bigint {
  const s = BigInt(scaleBits);
  return (acc + (1n << (s - 1n))) >> s;
}

/** Throws {@link InputLengthError} or {@link InputRangeError} unless `input` is a valid model input. */
export function validateInput(model: IntModel, input: readonly bigint[]): void {
  const expected = inputLength(model);
  if (input.length !== expected) throw new InputLengthError(expected, input.length);
  input.forEach((v, i) => {
    if (v < model.inputMin || v > model.inputMax) throw new InputRangeError(i, v, model.inputMin, model.inputMax);
  });
}

export type LayerTrace = { acc: bigint[]; y: bigint[] };
export type ReferenceTrace = { layers: LayerTrace[]; output: bigint[] };

function runLayer(layer: IntLayer, x: readonly bigint[], scaleBits: number): LayerTrace {
  const acc: bigint[] = [];
  const y: bigint[] = [];
  for (let j = 0; j < layer.outDim; j++) {
    const row = layer.weights[j]!;
    let sum = BigInt(layer.bias[j]!);
    for (let i = 0; i < layer.inDim; i++) {
      const w = row[i]!;
      if (w !== 0) sum += BigInt(w) * x[i]!;
    }
    acc.push(sum);
    const r = rescale(sum, scaleBits);
    y.push(layer.relu && r < 0n ? 0n : r);
  }
  return { acc, y };
}

/** Index of the largest value; the lowest index wins a tie. */
export function argmax(values: readonly bigint[]): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j]! > values[best]!) best = j;
  return best;
}

/** The reference executor with every intermediate value: the spec of docs/SEMANTICS.md in code. */
export function runReferenceTrace(model: IntModel, input: readonly bigint[]): ReferenceTrace {
  validateInput(model, input);
  const layers: LayerTrace[] = [];
  let x: readonly bigint[] = input;
  for (const layer of model.layers) {
    const trace = runLayer(layer, x, model.scaleBits);
    layers.push(trace);
    x = trace.y;
  }
  const output = model.outputKind === 'argmax' ? [BigInt(argmax(x))] : [...x];
  return { layers, output };
}

/** The canonical integer output of `model` for `input`. */
export function runReference(model: IntModel, input: readonly bigint[]): bigint[] {
  return runReferenceTrace(model, input).output;
}
