import { getAddress, isAddress } from 'ethers';
import { commitWords, type InputHashKind, rescale, type Hex, type IntModel, type ModelManifest } from '../semantics/index.js';
import { CircuitLayoutError, ProverAddressError } from './errors.js';

/** The BN254 scalar field: every public signal must be below it. */
export const FIELD_PRIME = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Bits per packed public signal: 2^253 < p, so a 253-bit decomposition is unique. */
export const PACK_BITS = 253;
/** The circuit's integer arithmetic must stay far below the field size (no wrap for any range-checked witness). */
const SAFE_BITS = 240;

/** How a vector of small integers is packed into public signals: value k sits in chunk floor(k / perChunk). */
export type PackedLayout = {
  length: number;
  /** Every value lies in [lo, hi]; it is packed as value - lo in `width` bits. */
  lo: bigint;
  hi: bigint;
  width: number;
  perChunk: number;
  chunks: number;
};

export type LayerLayout = {
  inDim: number;
  outDim: number;
  relu: boolean;
  /** Every rescaled quotient of the layer lies in [-2^m, 2^m) (from the static bounds). */
  m: number;
};

/** Public signals that hold the prover's address (one field element, below 2^160). */
export const PROVER_SIGNALS = 1;

/**
 * Everything the circuit generator, the witness input, the public-signal decoder and the Solidity wrapper
 * must agree on. Public signals, in circom's order: [output chunks..., input chunks..., prover]. The prover
 * (the address that will submit the proof) is public so that a proof copied from the mempool does not
 * verify for the copier. No model tag among them: each model has its own circuit (weights as constants) and
 * its own set-up, so its verifying key alone accepts only its proofs, and every public signal costs an
 * ecMul + ecAdd on chain.
 */
export type CircuitLayout = {
  modelHash: Hex;
  /**
   * Inferences one proof covers (K): 1 for a model's single circuit. A batch circuit packs the batch's values as one
   * vector, slot-major (slot b's value k at index b * length + k), in `input` and `output` (their `length` is K times
   * a single inference's), so dense packing spans slots and the public signals grow by K * length * width / 253.
   */
  batch: number;
  scaleBits: number;
  outputKind: 'logits' | 'argmax';
  input: PackedLayout;
  output: PackedLayout;
  layers: LayerLayout[];
  nPublic: number;
  /**
   * How the input is public (docs/ZK.md, "Committed input"): `keccak` (absent) puts the packed input among the public
   * signals; `poseidon` keeps it private and makes public its Poseidon commitment (one signal, the request's
   * `inputHash` of a model registered with that kind): [output chunks..., commitment, prover].
   */
  inputHash?: InputHashKind;
};

/** Public signals the input takes: its packed chunks, or the one commitment. */
export function inputSignals(layout: CircuitLayout): number {
  return layout.inputHash === 'poseidon' ? 1 : layout.input.chunks;
}

/** The layout with a committed input (the same packing, one public signal for the input). */
export function committedLayout(layout: CircuitLayout): CircuitLayout {
  if (layout.batch !== 1) throw new CircuitLayoutError('A committed input is available for single circuits only.');
  return { ...layout, inputHash: 'poseidon', nPublic: layout.output.chunks + 1 + PROVER_SIGNALS };
}

export const bitLength = (v: bigint): number => (v <= 0n ? 0 : v.toString(2).length);

export function packedLayout(length: number, lo: bigint, hi: bigint, what: string): PackedLayout {
  if (hi < lo) throw new CircuitLayoutError(`${what}: empty range [${lo}, ${hi}].`);
  const width = Math.max(1, bitLength(hi - lo));
  if (width > PACK_BITS) throw new CircuitLayoutError(`${what}: the range [${lo}, ${hi}] needs ${width} bits, more than a field element holds.`);
  const perChunk = Math.floor(PACK_BITS / width);
  return { length, lo, hi, width, perChunk, chunks: Math.ceil(length / perChunk) };
}

/** The smallest m >= 1 with -2^m <= lo and hi < 2^m. */
export function signedExponent(lo: bigint, hi: bigint): number {
  let m = 1;
  while (-(1n << BigInt(m)) > lo || hi >= 1n << BigInt(m)) m++;
  return m;
}

/** Batch sizes a batch circuit may have (docs/ZK.md, "Batches"). */
export const MAX_BATCH = 64;

/**
 * The circuit layout of a model, sized from the bounds of its manifest (checked by parseManifest); `batch` > 1 (or a
 * batch set-up of 1) lays out K inferences proven at once.
 */
export function circuitLayout(manifest: ModelManifest, model: IntModel, batch = 1): CircuitLayout {
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) throw new CircuitLayoutError(`Batch size ${batch} is not an integer in [1, ${MAX_BATCH}].`);
  const s = model.scaleBits;
  const input = packedLayout(batch * manifest.inputLength, model.inputMin, model.inputMax, 'input');
  // The largest |value| a range-checked witness can feed into each layer, to prove the field never wraps.
  let xAbs = model.inputMin < 0n ? -model.inputMin : model.inputMin;
  if (model.inputMax > xAbs) xAbs = model.inputMax;
  const layers = model.layers.map((layer, l): LayerLayout => {
    const b = manifest.layers[l]!.bounds;
    const m = signedExponent(rescale(BigInt(b.accMin), s), rescale(BigInt(b.accMax), s));
    let worst = 0n;
    layer.weights.forEach((row, j) => {
      let sum = BigInt(Math.abs(layer.bias[j]!));
      for (const w of row) sum += BigInt(Math.abs(w)) * xAbs;
      if (sum > worst) worst = sum;
    });
    const need = Math.max(bitLength(worst) + 2, m + s + 2);
    if (need > SAFE_BITS)
      throw new CircuitLayoutError(`Layer ${l}: accumulators can reach 2^${need - 2}, too close to the field size for a sound circuit.`, {
        metaMessages: ['Lower the scale (scaleBits) or narrow the input range.'],
      });
    xAbs = 1n << BigInt(m);
    return { inDim: layer.inDim, outDim: layer.outDim, relu: layer.relu, m };
  });
  const last = manifest.layers[manifest.layers.length - 1]!;
  const output =
    model.outputKind === 'argmax'
      ? packedLayout(batch, 0n, BigInt(last.outDim - 1), 'output')
      : packedLayout(batch * last.outDim, BigInt(last.bounds.outMin), BigInt(last.bounds.outMax), 'output');
  return {
    modelHash: manifest.modelHash as Hex,
    batch,
    scaleBits: s,
    outputKind: model.outputKind,
    input,
    output,
    layers,
    nPublic: output.chunks + input.chunks + PROVER_SIGNALS,
  };
}

/** The values of chunk c: [c * perChunk, min(length, (c + 1) * perChunk)). */
export function chunkCount(p: PackedLayout, c: number): number {
  return Math.min(p.perChunk, p.length - c * p.perChunk);
}

/** Packs values (already checked to lie in [lo, hi]) exactly as the circuit does. */
export function packValues(p: PackedLayout, values: readonly bigint[]): bigint[] {
  if (values.length !== p.length) throw new CircuitLayoutError(`Expected ${p.length} values to pack, got ${values.length}.`);
  const chunks: bigint[] = new Array<bigint>(p.chunks).fill(0n);
  values.forEach((v, k) => {
    if (v < p.lo || v > p.hi) throw new CircuitLayoutError(`Value ${v} at index ${k} is outside [${p.lo}, ${p.hi}].`);
    const c = Math.floor(k / p.perChunk);
    chunks[c]! |= (v - p.lo) << BigInt((k % p.perChunk) * p.width);
  });
  return chunks;
}

/** The inverse of {@link packValues}. */
export function unpackValues(p: PackedLayout, chunks: readonly bigint[]): bigint[] {
  if (chunks.length !== p.chunks) throw new CircuitLayoutError(`Expected ${p.chunks} packed chunks, got ${chunks.length}.`);
  const mask = (1n << BigInt(p.width)) - 1n;
  const values: bigint[] = [];
  for (let k = 0; k < p.length; k++) {
    const c = Math.floor(k / p.perChunk);
    values.push(((chunks[c]! >> BigInt((k % p.perChunk) * p.width)) & mask) + p.lo);
  }
  return values;
}

/** The prover's address as the field element of its public signal (the verifier's `uint256(uint160(prover))`). */
export function proverSignal(prover: string): bigint {
  // The hex form only (ethers' isAddress also takes ICAP), and a mixed-case address must carry a valid checksum.
  if (!/^0x[0-9a-fA-F]{40}$/.test(prover) || !isAddress(prover))
    throw new ProverAddressError(`Prover ${JSON.stringify(prover)} is not an address.`, {
      metaMessages: ['Pass the address that will submit the proof: 0x and 40 hex digits (a mixed-case one with a valid checksum).'],
    });
  return BigInt(prover);
}

/** The public signals of a proof that `model(input) = output`, made for `prover`, in circom's order. */
export function publicSignalsFor(layout: CircuitLayout, input: readonly bigint[], output: readonly bigint[], prover: string): bigint[] {
  const packed = packValues(layout.input, input);
  const inputPart = layout.inputHash === 'poseidon' ? [commitWords(packed, input.length)] : packed;
  return [...packValues(layout.output, output), ...inputPart, proverSignal(prover)];
}

/**
 * Splits public signals back into (input, output, prover), checking the count and the prover's range. A committed
 * layout has no input to unpack: `input` is empty and `commitment` holds its signal.
 */
export function decodePublicSignals(
  layout: CircuitLayout,
  signals: readonly bigint[],
): { input: bigint[]; output: bigint[]; prover: Hex; commitment?: bigint } {
  if (signals.length !== layout.nPublic) throw new CircuitLayoutError(`Expected ${layout.nPublic} public signals, got ${signals.length}.`);
  const out = signals.slice(0, layout.output.chunks);
  const committed = layout.inputHash === 'poseidon';
  const inp = signals.slice(layout.output.chunks, layout.output.chunks + inputSignals(layout));
  const proverValue = signals[layout.nPublic - 1]!;
  if (proverValue < 0n || proverValue >= 1n << 160n) throw new CircuitLayoutError(`The prover signal ${proverValue} is not an address (>= 2^160).`);
  const prover = getAddress(`0x${proverValue.toString(16).padStart(40, '0')}`) as Hex;
  if (committed) return { input: [], output: unpackValues(layout.output, out), prover, commitment: inp[0]! };
  return { input: unpackValues(layout.input, inp), output: unpackValues(layout.output, out), prover };
}

/** The packed public signals of a batch proof, for `prover`: every slot's input and output, slot-major. */
export function batchPublicSignalsFor(
  layout: CircuitLayout,
  inputs: readonly (readonly bigint[])[],
  outputs: readonly (readonly bigint[])[],
  prover: string,
): bigint[] {
  if (inputs.length !== layout.batch || outputs.length !== layout.batch)
    throw new CircuitLayoutError(`A batch of ${layout.batch} takes ${layout.batch} inputs and outputs, got ${inputs.length} and ${outputs.length}.`);
  return publicSignalsFor(layout, inputs.flat(), outputs.flat(), prover);
}

/** Splits a flat slot-major vector into `batch` slots. */
export function slots(values: readonly bigint[], batch: number): bigint[][] {
  const n = values.length / batch;
  return Array.from({ length: batch }, (_, b) => values.slice(b * n, (b + 1) * n));
}
