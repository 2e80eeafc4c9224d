import { keccak256 } from 'ethers';
import { ModelEncodingError } from './errors.js';
import { OUTPUT_KIND_CODE, type Hex, type IntLayer, type IntModel, type OutputKind } from './types.js';
import { validateModel } from './validate.js';

/** "VAI1": the magic of format version 1. */
export const ENCODING_MAGIC = 0x56414931;
const HEADER_BYTES = 23;
const LAYER_HEADER_BYTES = 7;
const WIDTHS = [1, 2, 4, 8] as const;

/** The smallest of 1, 2, 4, 8 bytes that holds every value as a signed integer. */
export function minimalWidth(values: Iterable<number>): number {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (const w of WIDTHS) {
    const limit = 2 ** (8 * w - 1);
    if (lo >= -limit && hi <= limit - 1) return w;
  }
  return 8;
}

/** The canonical byte encoding of a model (docs/SEMANTICS.md); its keccak256 is the modelHash. */
export function encodeModel(model: IntModel): Uint8Array {
  validateModel(model);
  const layerSizes = model.layers.map((layer) => {
    const wBytes = minimalWidth(layer.weights.flat());
    const bBytes = minimalWidth(layer.bias);
    return { wBytes, bBytes, size: LAYER_HEADER_BYTES + layer.outDim * (layer.inDim * wBytes + bBytes) };
  });
  const total = HEADER_BYTES + layerSizes.reduce((sum, l) => sum + l.size, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ENCODING_MAGIC);
  view.setUint8(4, model.scaleBits);
  view.setUint8(5, OUTPUT_KIND_CODE[model.outputKind]);
  view.setBigInt64(6, model.inputMin);
  view.setBigInt64(14, model.inputMax);
  view.setUint8(22, model.layers.length);
  let at = HEADER_BYTES;
  model.layers.forEach((layer, l) => {
    const { wBytes, bBytes } = layerSizes[l]!;
    view.setUint16(at, layer.inDim);
    view.setUint16(at + 2, layer.outDim);
    view.setUint8(at + 4, layer.relu ? 1 : 0);
    view.setUint8(at + 5, wBytes);
    view.setUint8(at + 6, bBytes);
    at += LAYER_HEADER_BYTES;
    for (const row of layer.weights) for (const w of row) at = writeInt(view, at, w, wBytes);
    for (const b of layer.bias) at = writeInt(view, at, b, bBytes);
  });
  return bytes;
}

/** Decodes and validates a canonical encoding; rejects anything that is not canonical. */
export function decodeModel(bytes: Uint8Array): IntModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number, what: string): void => {
    if (at + n > bytes.length)
      throw new ModelEncodingError(`Model encoding is truncated: ${what} needs ${n} bytes at offset ${at}, the encoding has ${bytes.length}.`);
  };
  need(0, HEADER_BYTES, 'the header');
  if (view.getUint32(0) !== ENCODING_MAGIC) throw new ModelEncodingError('Not a canonical model encoding: the magic is not "VAI1".');
  const kindCode = view.getUint8(5);
  const outputKind = (Object.keys(OUTPUT_KIND_CODE) as OutputKind[]).find((k) => OUTPUT_KIND_CODE[k] === kindCode);
  if (!outputKind) throw new ModelEncodingError(`Unknown output kind code ${kindCode}.`);
  const layerCount = view.getUint8(22);
  const layers: IntLayer[] = [];
  let at = HEADER_BYTES;
  for (let l = 0; l < layerCount; l++) {
    need(at, LAYER_HEADER_BYTES, `layer ${l}'s header`);
    const inDim = view.getUint16(at);
    const outDim = view.getUint16(at + 2);
    const reluByte = view.getUint8(at + 4);
    const wBytes = view.getUint8(at + 5);
    const bBytes = view.getUint8(at + 6);
    if (reluByte > 1) throw new ModelEncodingError(`Layer ${l}: relu flag ${reluByte} is not 0 or 1.`);
    for (const [name, w] of [
      ['weight', wBytes],
      ['bias', bBytes],
    ] as const)
      if (!(WIDTHS as readonly number[]).includes(w)) throw new ModelEncodingError(`Layer ${l}: ${name} width ${w} is not 1, 2, 4 or 8.`);
    at += LAYER_HEADER_BYTES;
    need(at, outDim * (inDim * wBytes + bBytes), `layer ${l}'s values`);
    const weights: number[][] = [];
    for (let j = 0; j < outDim; j++) {
      const row: number[] = [];
      for (let i = 0; i < inDim; i++, at += wBytes) row.push(readInt(view, at, wBytes, l));
      weights.push(row);
    }
    const bias: number[] = [];
    for (let j = 0; j < outDim; j++, at += bBytes) bias.push(readInt(view, at, bBytes, l));
    if (minimalWidth(weights.flat()) !== wBytes || minimalWidth(bias) !== bBytes)
      throw new ModelEncodingError(`Layer ${l}: value widths are not the smallest that hold the values (not canonical).`);
    layers.push({ inDim, outDim, relu: reluByte === 1, weights, bias });
  }
  if (at !== bytes.length) throw new ModelEncodingError(`Model encoding has ${bytes.length - at} trailing bytes.`);
  const model: IntModel = {
    scaleBits: view.getUint8(4),
    outputKind,
    inputMin: view.getBigInt64(6),
    inputMax: view.getBigInt64(14),
    layers,
  };
  try {
    validateModel(model);
  } catch (cause) {
    throw new ModelEncodingError('Model encoding decodes to an invalid model.', { cause, details: (cause as Error).message });
  }
  return model;
}

export function modelHash(model: IntModel): Hex {
  return keccak256(encodeModel(model)) as Hex;
}

function writeInt(view: DataView, at: number, value: number, width: number): number {
  switch (width) {
    case 1:
      view.setInt8(at, value);
      break;
    case 2:
      view.setInt16(at, value);
      break;
    case 4:
      view.setInt32(at, value);
      break;
    default:
      view.setBigInt64(at, BigInt(value));
  }
  return at + width;
}

function readInt(view: DataView, at: number, width: number, layer: number): number {
  switch (width) {
    case 1:
      return view.getInt8(at);
    case 2:
      return view.getInt16(at);
    case 4:
      return view.getInt32(at);
    default: {
      const v = view.getBigInt64(at);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
        throw new ModelEncodingError(`Layer ${layer}: value ${v} at offset ${at} is not a safe integer.`);
      return Number(v);
    }
  }
}
