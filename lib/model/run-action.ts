import { inputHash, outputHash, type Hex } from '../semantics/index.js';
import { parseModelInput } from '../protocol/index.js';
import type { EngineMismatchError } from './errors.js';
import { checkAgreement, loadModelDir } from './pipeline.js';

export type RunModelParameters = {
  dir: string;
  /** JSON array: float features, or integers with `integers`. */
  input: string;
  integers?: boolean;
};

export type RunModelReturnType = {
  model: string;
  modelHash: Hex;
  input: bigint[];
  output: bigint[];
  /** Class name for argmax models with named classes. */
  label?: string;
  inputHash: Hex;
  outputHash: Hex;
  /** Both engines ran and agreed (the call throws {@link EngineMismatchError} otherwise). */
  engines: ['onnxruntime', 'reference'];
};

/**
 * `vai model run`: quantizes one input (unless it is already integer), runs the integer graph in
 * onnxruntime-node and the reference executor, and throws {@link EngineMismatchError} if they differ.
 */
export async function runModel(p: RunModelParameters): Promise<RunModelReturnType> {
  const loaded = await loadModelDir(p.dir);
  const { model, manifest } = loaded;
  const input = parseModelInput(p.input, model, { integers: p.integers ?? false });
  const output = (await checkAgreement(model, loaded.intOnnx, [input]))[0]!;
  const label = model.outputKind === 'argmax' ? manifest.classes?.[Number(output[0])] : undefined;
  return {
    model: manifest.name,
    modelHash: manifest.modelHash as Hex,
    input,
    output,
    ...(label === undefined ? {} : { label }),
    inputHash: inputHash(input),
    outputHash: outputHash(output),
    engines: ['onnxruntime', 'reference'],
  };
}
