/** Types of the canonical integer model (docs/SEMANTICS.md). */
export type OutputKind = 'logits' | 'argmax';

export type IntLayer = {
  inDim: number;
  outDim: number;
  relu: boolean;
  /** `weights[j][i]`: output `j`, input `i`, integers at scale 2^S. */
  weights: number[][];
  /** `bias[j]`: integers at scale 2^(2S). */
  bias: number[];
};

export type IntModel = {
  scaleBits: number;
  outputKind: OutputKind;
  inputMin: bigint;
  inputMax: bigint;
  layers: IntLayer[];
};

export type LayerBounds = {
  accMin: bigint;
  accMax: bigint;
  outMin: bigint;
  outMax: bigint;
};

export type Hex = `0x${string}`;

/** Limits fixed by the semantics. */
export const MIN_SCALE_BITS = 1;
export const MAX_SCALE_BITS = 32;
export const MAX_LAYERS = 16;
export const MAX_DIM = 0xffff;
/** Every accumulator and activation must stay strictly below this in absolute value. */
export const VALUE_LIMIT = 1n << 62n;
export const OUTPUT_KIND_CODE: Record<OutputKind, number> = { logits: 0, argmax: 1 };

export function outputLength(model: IntModel): number {
  if (model.outputKind === 'argmax') return 1;
  const last = model.layers[model.layers.length - 1];
  return last ? last.outDim : 0;
}

export function inputLength(model: IntModel): number {
  return model.layers[0]?.inDim ?? 0;
}
