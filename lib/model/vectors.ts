import { hexlify } from 'ethers';
import { z } from 'zod';
import { encodeModel, inputLength, modelHash, quantize, runReference, type Hex, type IntModel } from '../semantics/index.js';
import { checkAgreement, loadModelDir } from './pipeline.js';
import { createRandom } from './random.js';

/** One shared test vector: a model (by its canonical encoding), an integer input and its output. */
export type TestVector = {
  model: string;
  modelHash: Hex;
  encoding: Hex;
  input: string[];
  output: string[];
};

/** The file format other engines' tests read (`test/vectors/semantics.json`). */
export const vectorFileSchema = z.object({
  vectors: z.array(
    z.object({
      model: z.string(),
      modelHash: z.string().regex(/^0x[0-9a-f]{64}$/),
      encoding: z.string().regex(/^0x([0-9a-f]{2})+$/),
      input: z.array(z.string().regex(/^-?\d+$/)),
      output: z.array(z.string().regex(/^-?\d+$/)),
    }),
  ),
});

/** Runs the reference executor and records the vector (integers as decimal strings). */
export function makeVector(name: string, model: IntModel, input: readonly bigint[]): TestVector {
  return {
    model: name,
    modelHash: modelHash(model),
    encoding: hexlify(encodeModel(model)) as Hex,
    input: input.map(String),
    output: runReference(model, input).map(String),
  };
}

/**
 * Inputs that exercise a model's edges, then seeded random ones inside its range: every value at
 * the minimum, every value at the maximum, zeros (if strictly inside the range), min/max alternating, and `random`
 * uniform rows. The seed makes the list the same on every run.
 */
export function edgeInputs(model: IntModel, random: number, seed: number): bigint[][] {
  const n = inputLength(model);
  const { inputMin: lo, inputMax: hi } = model;
  const rows: bigint[][] = [new Array<bigint>(n).fill(lo), new Array<bigint>(n).fill(hi)];
  if (lo < 0n && hi > 0n) rows.push(new Array<bigint>(n).fill(0n));
  rows.push(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? lo : hi)));
  const next = createRandom(seed);
  const span = Number(hi - lo);
  for (let r = 0; r < random; r++)
    rows.push(
      Array.from({ length: n }, () => {
        const v = lo + BigInt(Math.floor(next() * (span + 1)));
        return v > hi ? hi : v;
      }),
    );
  return rows;
}

export function serializeVectors(vectors: readonly TestVector[]): string {
  return `${JSON.stringify({ vectors }, null, 1)}\n`;
}

export type DirVectorsOptions = {
  /** Seeded random inputs after the edge cases. */
  random: number;
  /** Rows (raw features) to quantize and add, for a model whose input length matches. */
  rows?: readonly Float64Array[];
};

/**
 * Vectors for a model folder: {@link edgeInputs} plus the given data rows that are valid inputs.
 * Every input is also run through onnxruntime, which must agree with the reference executor.
 */
export async function dirVectors(dir: string, options: DirVectorsOptions): Promise<TestVector[]> {
  const { model, manifest, intOnnx } = await loadModelDir(dir);
  const inputs = edgeInputs(model, options.random, parseInt(manifest.modelHash.slice(2, 10), 16));
  for (const r of options.rows ?? []) {
    if (r.length !== manifest.inputLength) continue;
    const q = Array.from(r, (v) => quantize(v, model.scaleBits));
    if (q.every((v) => v >= model.inputMin && v <= model.inputMax)) inputs.push(q);
  }
  await checkAgreement(model, intOnnx, inputs);
  return inputs.map((input) => makeVector(manifest.name, model, input));
}
