export * from './types.js';
export * from './errors.js';
export { validateModel } from './validate.js';
export { encodeModel, decodeModel, modelHash, minimalWidth, ENCODING_MAGIC } from './encoding.js';
export { rescale, argmax, validateInput, runReference, runReferenceTrace, type LayerTrace, type ReferenceTrace } from './execute.js';
export { computeBounds } from './bounds.js';
export { inputHash, outputHash, valuesHash } from './hashing.js';
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
