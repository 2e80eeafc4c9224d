export * from './types.js';
export * from './errors.js';
export { validateModel } from './validate.js';
export { encodeModel, decodeModel, modelHash, minimalWidth, ENCODING_MAGIC } from './encoding.js';
export { rescale, argmax, validateInput, runReference, runReferenceTrace, type LayerTrace, type ReferenceTrace } from './execute.js';
export { computeBounds } from './bounds.js';
export { inputHash, outputHash, valuesHash } from './hashing.js';
export {
  COMMITMENT_PACK_BITS,
  COMMITMENT_RATE,
  INPUT_HASH_KINDS,
  type InputHashKind,
  type InputRange,
  commitWords,
  inputCommitment,
  inputHashKindOf,
  inputHashKindValue,
  inputHashOf,
  OUT_OF_RANGE_INPUT_HASH,
  packCommitmentWords,
} from './input-hash.js';
export { quantize, quantizeAll, dequantize } from './quantize.js';
export {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  ManifestError,
  manifestFromModel,
  manifestSchema,
  parseManifest,
  readModelDir,
  serializeManifest,
  type ManifestExtra,
  type ModelManifest,
} from './manifest.js';
export * from './graph.js';
export { inferShape, validateGraph, windowOutput, nodeConstants } from './graph-validate.js';
export { avgWeight, linearPlan, windowPositions, transposeIndex, concatIndex, type LinearPlan } from './graph-plan.js';
export { compileGraph, computeGraphBounds, type CompiledGraph } from './graph-bounds.js';
export { runGraph, runGraphTrace, graphLogits, validateGraphInput, compiled as compiledGraph, type NodeTrace, type GraphTrace } from './graph-execute.js';
export { encodeGraph, decodeGraph, graphHash, GRAPH_ENCODING_MAGIC } from './graph-encoding.js';
export { GraphBuilder, type NodeSpec } from './graph-builder.js';
export {
  GRAPH_MANIFEST_FORMAT,
  graphManifestFromGraph,
  graphManifestSchema,
  parseGraphManifest,
  type GraphManifest,
  type GraphManifestExtra,
} from './graph-manifest.js';
// Transformer ops (graph-transformer*.ts).
export * from './graph-transformer.js';
export { floorDiv, roundDiv, isqrt, integerExp, geluCorrection, softmaxFloor, runTransformerNode } from './graph-transformer-execute.js';
export { merkleDepth, merkleProof, merkleRoot, merkleRootFromProof } from './merkle.js';
export {
  runStep,
  STEP_MAGIC,
  stepEncodings,
  stepsCommitment,
  traceCommitment,
  traceProof,
  traceStates,
  type StepsCommitment,
  type TraceCommitment,
} from './trace.js';
export {
  checkGeneration,
  decodeGenerationRequest,
  encodeGeneration,
  encodeGenerationRequest,
  GENERATION_MAGIC,
  GENERATION_PAD,
  generatedIds,
  GenerationInputError,
  generationHash,
  generationSpec,
  languageModelShape,
  MAX_GENERATED_TOKENS,
  runGeneration,
  type Generation,
  type WindowLogits,
} from './generation.js';
// Graph traces of generation models (graph-steps.ts, graph-trace.ts): what a language model's bisection is played over.
export {
  encodeGraphStep,
  GRAPH_STEP_MAGIC,
  graphStepPlan,
  graphStepsCommitment,
  type GraphStep,
  type GraphStepPlan,
  type GraphStepsCommitment,
} from './graph-steps.js';
export {
  graphStepWitness,
  graphStepWitnesses,
  graphTraceCommitment,
  graphTraceProof,
  type GraphStepWitness,
  type GraphTraceCommitment,
} from './graph-trace.js';
