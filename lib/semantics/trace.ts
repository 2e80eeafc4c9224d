import { keccak256 } from 'ethers';
import { encodeModel } from './encoding.js';
import { TraceCommitmentError } from './errors.js';
import { argmax, rescale, validateInput } from './execute.js';
import { valuesHash } from './hashing.js';
import { type InputHashKind, inputHashOf } from './input-hash.js';
import { merkleProof, merkleRoot } from './merkle.js';
import type { Hex, IntLayer, IntModel } from './types.js';

/**
 * Execution traces and per-step weight commitments (docs/SEMANTICS.md, "Trace and step commitments"): what the
 * bisection game of a dispute is played over.
 *
 * A model of `n` layers has `n` steps and `n + 1` states: state 0 is the input, state `l + 1` is the output of
 * layer `l` (after its ReLU), and the last state is the model's output (for an argmax model the last step ends with
 * the argmax, so the last state is `[index]`). Each state is hashed as the oracle hashes inputs and outputs,
 * `keccak256(abi.encodePacked(int256[] values))`, so state 0 hashes to the request's `inputHash` and the last state
 * to the proposal's `outputHash`. The trace root is the Merkle root ({@link merkleRoot}) of the `n + 1` state hashes.
 */

/** "VAS1": the magic of a step encoding. */
export const STEP_MAGIC = 0x56415331;
const STEP_HEADER_BYTES = 6;
const MODEL_HEADER_BYTES = 23;
const LAYER_HEADER_BYTES = 7;

export type TraceCommitment = {
  /** The `n + 1` states: the input, each layer's output, the model's output last. */
  states: bigint[][];
  /** `keccak256(abi.encodePacked(int256[] state))` of each state. */
  hashes: Hex[];
  /** The Merkle root of `hashes`. */
  root: Hex;
};

/** The states of `model` on `input`: `n + 1` of them for `n` layers (see the module comment). */
export function traceStates(model: IntModel, input: readonly bigint[]): bigint[][] {
  validateInput(model, input);
  const states: bigint[][] = [[...input]];
  let x: readonly bigint[] = input;
  model.layers.forEach((layer, l) => {
    const last = l === model.layers.length - 1;
    const post = stepValues(layer, x, model.scaleBits, last && model.outputKind === 'argmax');
    states.push(post);
    x = post;
  });
  return states;
}

/**
 * The trace of `model` on `input` with its state hashes and root. State 0's hash is the request's `inputHash`, of the
 * model's input-hash kind (`inputHashKind`, default keccak: a Poseidon-committed model's state 0 is its commitment);
 * every later state is keccak.
 */
export function traceCommitment(model: IntModel, input: readonly bigint[], inputHashKind: InputHashKind = 'keccak'): TraceCommitment {
  const states = traceStates(model, input);
  const hashes = states.map((s, i) => (i === 0 ? inputHashOf(inputHashKind, s, model) : valuesHash(s)));
  return { states, hashes, root: merkleRoot(hashes) };
}

/** The proof that state `index` of a trace hashes to `hashes[index]` under the trace's root. */
export function traceProof(hashes: readonly Hex[], index: number): Hex[] {
  return merkleProof(hashes, index);
}

/**
 * Step `l` of a model on the state before it: the dense layer, its ReLU, and the argmax when `l` is the last step of
 * an argmax model. The same arithmetic as the reference executor (and the Solidity step executor).
 */
export function runStep(model: IntModel, l: number, pre: readonly bigint[]): bigint[] {
  const layer = model.layers[l];
  if (!layer) throw new TraceCommitmentError(`Step ${l} does not exist: the model has ${model.layers.length} steps.`);
  if (pre.length !== layer.inDim) throw new TraceCommitmentError(`Step ${l} takes ${layer.inDim} values, got ${pre.length}.`);
  return stepValues(layer, pre, model.scaleBits, l === model.layers.length - 1 && model.outputKind === 'argmax');
}

function stepValues(layer: IntLayer, x: readonly bigint[], scaleBits: number, withArgmax: boolean): bigint[] {
  const y: bigint[] = [];
  for (let j = 0; j < layer.outDim; j++) {
    const row = layer.weights[j]!;
    let acc = BigInt(layer.bias[j]!);
    for (let i = 0; i < layer.inDim; i++) acc += BigInt(row[i]!) * x[i]!;
    const r = rescale(acc, scaleBits);
    y.push(layer.relu && r < 0n ? 0n : r);
  }
  return withArgmax ? [BigInt(argmax(y))] : y;
}

/**
 * The canonical encoding of step `l`: `"VAS1"`, `scaleBits` (1 byte), whether the step ends with the argmax
 * (1 byte: the last step of an argmax model), then the layer exactly as the model encoding holds it (its 7-byte
 * header, weights and biases at the same widths).
 */
export function stepEncodings(model: IntModel): Uint8Array[] {
  const bytes = encodeModel(model);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const steps: Uint8Array[] = [];
  let at = MODEL_HEADER_BYTES;
  model.layers.forEach((layer, l) => {
    const wBytes = view.getUint8(at + 5);
    const bBytes = view.getUint8(at + 6);
    const size = LAYER_HEADER_BYTES + layer.outDim * (layer.inDim * wBytes + bBytes);
    const step = new Uint8Array(STEP_HEADER_BYTES + size);
    const stepView = new DataView(step.buffer);
    stepView.setUint32(0, STEP_MAGIC);
    stepView.setUint8(4, model.scaleBits);
    stepView.setUint8(5, l === model.layers.length - 1 && model.outputKind === 'argmax' ? 1 : 0);
    step.set(bytes.subarray(at, at + size), STEP_HEADER_BYTES);
    steps.push(step);
    at += size;
  });
  return steps;
}

export type StepsCommitment = {
  /** The step encodings, one per layer. */
  steps: Uint8Array[];
  /** `keccak256` of each step encoding: the leaves. */
  leaves: Hex[];
  /** The Merkle root the registry holds for the model (`setStepsCommitment`). */
  root: Hex;
};

/** The per-step weight commitment of a model: what the registry holds, and what a step execution proves against. */
export function stepsCommitment(model: IntModel): StepsCommitment {
  const steps = stepEncodings(model);
  const leaves = steps.map((s) => keccak256(s) as Hex);
  return { steps, leaves, root: merkleRoot(leaves) };
}
