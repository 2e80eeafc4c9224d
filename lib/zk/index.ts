export * from './errors.js';
export {
  circuitLayout,
  batchPublicSignalsFor,
  slots,
  MAX_BATCH,
  packValues,
  unpackValues,
  proverSignal,
  publicSignalsFor,
  decodePublicSignals,
  FIELD_PRIME,
  PROVER_SIGNALS,
  type CircuitLayout,
  type PackedLayout,
} from './layout.js';
export { generateCircuit, generateBatchCircuit } from './circuit.js';
export { compileCircuit, type CompileResult } from './compile.js';
export { ensureLocalPtau, requiredPower, cachedPtauPath } from './ptau.js';
export { setupModel, setupCircuit, type SetupOptions, type SetupResult, type CircuitSetupInput } from './setup.js';
export { artifactPaths, loadArtifacts, type ZkArtifacts, type ZkSettings } from './settings.js';
export {
  proveInference,
  proveBatch,
  verifyInference,
  verifyGroth16,
  encodeProofCalldata,
  decodeProofCalldata,
  type InferenceProof,
  type BatchInferenceProof,
  type VerifyResult,
} from './prove.js';
export { WorkerProver, sharedProver, closeSharedProver } from './prover.js';
export { verifierNames, batchVerifierNames, generateVerifierSource, generateBatchVerifierSource } from './solidity.js';
export { releaseCurve } from './curve.js';
export { generateGraphCircuit, GRAPH_MAIN_TEMPLATE, type GraphCircuit, type NodeCost } from './graph-circuit.js';
export { graphCircuitLayout } from './graph-layout.js';
export { graphIntervals, type GraphIntervals } from './graph-intervals.js';
export { setupGraph, loadGraphArtifacts, GRAPH_COSTS_FILE, type GraphSetupResult, type GraphArtifacts } from './graph-setup.js';
export { proveGraphInference, verifyGraphInference } from './graph-prove.js';
