import {
  inputHash,
  outputHash,
  runReference,
  type Hex,
} from '../semantics/index.js';
import { parseInputJson } from './client.js';
import { EngineMismatchError } from './errors.js';
import { openSession, runIntBatch } from './ort.js';
import { loadModelDir } from './pipeline.js';

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
  /** Outputs of both engines (equal, or the call throws). */
  engines: { onnxruntime: bigint[]; reference: bigint[] };
};

/**
 * `vai model run`: quantizes one input (unless it is already integer), runs the integer graph in
 * onnxruntime-node and the reference executor, and throws {@link EngineMismatchError} if they differ.
 */
export async function runModel(p: RunModelParameters): Promise<RunModelReturnType> {
  const loaded = await loadModelDir(p.dir);
  const { model, manifest } = loaded;
  const input = parseInputJson(p.input, model, p.integers ?? false);
  const reference = runReference(model, input);
  const session = await openSession(loaded.intOnnx);
  let onnxruntime: bigint[];
  try {
    onnxruntime = (await runIntBatch(session, [input], input.length)).outputs[0]!;
  } finally {
    await session.release();
  }
  if (onnxruntime.join(',') !== reference.join(',')) {
    throw new EngineMismatchError(`onnxruntime [${onnxruntime.join(', ')}], reference [${reference.join(', ')}]`);
  }
  const label = model.outputKind === 'argmax' ? manifest.classes?.[Number(reference[0])] : undefined;
  return {
    model: manifest.name,
    modelHash: manifest.modelHash as Hex,
    input,
    output: reference,
    ...(label === undefined ? {} : { label }),
    inputHash: inputHash(input),
    outputHash: outputHash(reference),
    engines: { onnxruntime, reference },
  };
}
