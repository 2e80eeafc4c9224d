import { GRAPH_MANIFEST_FORMAT, graphInputScaleBits, inputHash, outputHash, type Hex, validateGraphInput } from '../semantics/index.js';
import { parseInput, parseModelInput } from '../protocol/index.js';
import { checkGraphAgreement, loadGraphDir, manifestFormat } from './graph-pipeline.js';
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
  if ((await manifestFormat(p.dir)) === GRAPH_MANIFEST_FORMAT) return runGraphModel(p);
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

/** `vai model run` for an integer graph: the input is the tensor flattened in row-major order. */
async function runGraphModel(p: RunModelParameters): Promise<RunModelReturnType> {
  const { graph, manifest, intOnnx } = await loadGraphDir(p.dir);
  const input = parseInput(p.input, graphInputScaleBits(graph), { integers: p.integers ?? false });
  validateGraphInput(graph, input);
  const output = (await checkGraphAgreement(graph, intOnnx, [input]))[0]!;
  const label = graph.outputKind === 'argmax' ? manifest.classes?.[Number(output[0])] : undefined;
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
