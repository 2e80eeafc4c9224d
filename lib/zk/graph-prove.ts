import type { Groth16Proof, VerificationKey } from 'snarkjs';
import { readFile } from 'node:fs/promises';
import { runGraph, type IntGraph } from '../semantics/index.js';
import { loadGraphArtifacts, type GraphArtifacts } from './graph-setup.js';
import { proverSignal, publicSignalsFor } from './layout.js';
import { type InferenceProof, type ProveOptions, proveExpected, type VerifyResult, verifyGroth16 } from './prove.js';

/**
 * Proves that `graph` maps `input` to its canonical output (lib/semantics/graph-execute.ts), for `prover`, with the
 * set-up in `<dir>/zk/` (setupGraph). The circuit's output must equal the reference executor's, or this throws
 * `WitnessMismatchError`.
 */
export async function proveGraphInference(
  dir: string,
  graph: IntGraph,
  input: readonly bigint[],
  prover: string,
  opts: { worker?: ProveOptions['worker']; artifacts?: GraphArtifacts } = {},
): Promise<InferenceProof> {
  const t0 = performance.now();
  const proverValue = proverSignal(prover);
  const art = opts.artifacts ?? (await loadGraphArtifacts(dir, graph));
  const expected = runGraph(graph, input);
  return proveExpected(art, input, expected, prover, proverValue, opts.worker, t0);
}

/** Checks a graph proof against the set-up's verification key, rebuilding the public signals from the claim. */
export async function verifyGraphInference(
  dir: string,
  graph: IntGraph,
  claim: { input: readonly bigint[]; output: readonly bigint[]; prover: string; proof: Groth16Proof },
): Promise<VerifyResult> {
  const art = await loadGraphArtifacts(dir, graph);
  const { layout } = art;
  const inRange = (xs: readonly bigint[], p: typeof layout.input): boolean => xs.length === p.length && xs.every((v) => v >= p.lo && v <= p.hi);
  if (!inRange(claim.input, layout.input) || !inRange(claim.output, layout.output)) return { valid: false, reason: 'a value is outside its range' };
  const signals = publicSignalsFor(layout, claim.input, claim.output, claim.prover).map(String);
  const vkey = JSON.parse(await readFile(art.files.vkey, 'utf8')) as VerificationKey;
  const valid = await verifyGroth16(vkey, signals, claim.proof);
  return valid ? { valid } : { valid, reason: 'the Groth16 proof does not verify for this graph, input, output and prover' };
}
