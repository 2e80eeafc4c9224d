import { readFile } from 'node:fs/promises';
import { AbiCoder, getAddress, type BytesLike } from 'ethers';
import type { Groth16Proof, VerificationKey } from 'snarkjs';
import { commitWords, runReference, type Hex } from '../semantics/index.js';
import { ProofFormatError, ProofGenerationError, ProverAddressError, WitnessMismatchError } from './errors.js';
import { type CircuitLayout, decodePublicSignals, packValues, proverSignal, publicSignalsFor } from './layout.js';
import { sharedProver, type WorkerProver } from './prover.js';
import { loadArtifacts, type ZkArtifacts } from './settings.js';

export type InferenceProof = {
  modelHash: Hex;
  input: bigint[];
  output: bigint[];
  /** The address the proof is bound to (checksummed): only a transaction from it makes the proof verify on chain. */
  prover: Hex;
  /** snarkjs' proof JSON. */
  proof: Groth16Proof;
  /** The circuit's public signals (decimal strings): [packed output..., packed input..., prover]. */
  publicSignals: string[];
  /** `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c)`: the `proof` argument of verifyInference. */
  calldata: Hex;
  timings: { witnessMs: number; proveMs: number; totalMs: number };
};

const PROOF_ABI = ['uint256[2]', 'uint256[2][2]', 'uint256[2]'] as const;

/** The proof bytes the Solidity verifier decodes (G2 coordinates in the EVM's (imaginary, real) order). */
export function encodeProofCalldata(proof: Groth16Proof): Hex {
  const at = (xs: readonly string[] | undefined, i: number): string => {
    const v = xs?.[i];
    if (v === undefined) throw new ProofFormatError('Malformed Groth16 proof: a coordinate is missing.');
    return v;
  };
  const a = [at(proof.pi_a, 0), at(proof.pi_a, 1)];
  const b = [
    [at(proof.pi_b[0], 1), at(proof.pi_b[0], 0)],
    [at(proof.pi_b[1], 1), at(proof.pi_b[1], 0)],
  ];
  const c = [at(proof.pi_c, 0), at(proof.pi_c, 1)];
  return AbiCoder.defaultAbiCoder().encode(PROOF_ABI, [a, b, c]) as Hex;
}

/** The inverse of {@link encodeProofCalldata}. */
export function decodeProofCalldata(data: BytesLike): Groth16Proof {
  let a: bigint[], b: bigint[][], c: bigint[];
  try {
    [a, b, c] = AbiCoder.defaultAbiCoder().decode(PROOF_ABI, data).toArray(true) as [bigint[], bigint[][], bigint[]];
  } catch (cause) {
    throw new ProofFormatError('Proof bytes are not abi.encode(uint256[2], uint256[2][2], uint256[2]).', { cause });
  }
  const s = (v: bigint | undefined): string => (v ?? 0n).toString();
  return {
    pi_a: [s(a[0]), s(a[1]), '1'],
    pi_b: [
      [s(b[0]?.[1]), s(b[0]?.[0])],
      [s(b[1]?.[1]), s(b[1]?.[0])],
      ['1', '0'],
    ],
    pi_c: [s(c[0]), s(c[1]), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

export type ProveOptions = {
  /** The proving worker (default: the process-wide one). Named `worker`: `prover` is the address a proof is bound to. */
  worker?: WorkerProver | undefined;
  artifacts?: ZkArtifacts | undefined;
};

/**
 * Proves that the model in `modelDir` maps `input` to its canonical output, for `prover`: the address that
 * will submit the proof (the oracle passes its `msg.sender` to the verifier, so the proof verifies for no
 * other sender). The input is validated and run through the reference executor first; the witness and the
 * proof are computed in a worker thread; the circuit's output (read back from the public signals) must
 * equal the reference output, or this throws {@link WitnessMismatchError}. A `prover` that is not an
 * address throws `ProverAddressError`.
 */
export async function proveInference(modelDir: string, input: readonly bigint[], prover: string, opts: ProveOptions = {}): Promise<InferenceProof> {
  const t0 = performance.now();
  const proverValue = proverSignal(prover);
  const art = opts.artifacts ?? (await loadArtifacts(modelDir));
  const expected = runReference(art.model, input);
  return proveExpected(art, input, expected, prover, proverValue, opts.worker, t0);
}

/**
 * Proves one inference with a circuit's artifacts (chain model or graph): packs the input, runs the worker, and
 * checks the circuit's public signals against the reference output `expected`.
 */
export async function proveExpected(
  art: { layout: CircuitLayout; files: { wasm: string; zkey: string } },
  input: readonly bigint[],
  expected: readonly bigint[],
  prover: string,
  proverValue: bigint,
  workerArg: WorkerProver | undefined,
  t0: number,
): Promise<InferenceProof> {
  const inPacked = packValues(art.layout.input, input);
  const worker = workerArg ?? sharedProver();
  const reply = await worker.prove({
    wasm: art.files.wasm,
    zkey: art.files.zkey,
    circuitInput: { inPacked: inPacked.map(String), prover: proverValue.toString() },
  });
  const decoded = decodePublicSignals(art.layout, reply.publicSignals.map(BigInt));
  // A committed layout publishes the input's commitment (the request's inputHash) instead of the input.
  const sameInput =
    decoded.commitment !== undefined
      ? decoded.commitment === commitWords(inPacked, input.length)
      : decoded.input.length === input.length && decoded.input.every((v, i) => v === input[i]);
  const sameOutput = decoded.output.length === expected.length && decoded.output.every((v, i) => v === expected[i]);
  if (!sameInput || !sameOutput) throw new WitnessMismatchError(expected, decoded.output);
  // Only a public-signal order other than the layout's (a compiler bug) could make these differ.
  if (BigInt(decoded.prover) !== proverValue) throw new ProofGenerationError(`The proof's prover signal is ${decoded.prover}, not ${getAddress(prover)}.`);
  return {
    modelHash: art.layout.modelHash,
    input: [...input],
    output: [...expected],
    prover: decoded.prover,
    proof: reply.proof,
    publicSignals: reply.publicSignals,
    calldata: encodeProofCalldata(reply.proof),
    timings: { witnessMs: reply.witnessMs, proveMs: reply.proveMs, totalMs: performance.now() - t0 },
  };
}

export type VerifyResult = { valid: boolean; reason?: string };

/**
 * Checks a proof that the model in `modelDir` maps `input` to `output`, made for `prover` (the address that
 * submits it): the public signals are rebuilt from (input, output, prover) with the circuit's packing (so a
 * proof never vouches for values it does not bind) and checked against the model's verification key.
 * Returns { valid: false, reason } for a wrong claim, a proof made for another prover included.
 */
export async function verifyInference(
  modelDir: string,
  claim: { input: readonly bigint[]; output: readonly bigint[]; prover: string; proof: Groth16Proof },
  opts: { artifacts?: ZkArtifacts | undefined } = {},
): Promise<VerifyResult> {
  const art = opts.artifacts ?? (await loadArtifacts(modelDir));
  const { layout } = art;
  const inRange = (xs: readonly bigint[], p: typeof layout.input): boolean => xs.length === p.length && xs.every((v) => v >= p.lo && v <= p.hi);
  if (!inRange(claim.input, layout.input)) return { valid: false, reason: 'the input has the wrong length or a value outside the model range' };
  if (!inRange(claim.output, layout.output)) return { valid: false, reason: 'the output has the wrong length or a value outside its static bounds' };
  if (!isProverAddress(claim.prover)) return { valid: false, reason: `the prover ${JSON.stringify(claim.prover)} is not an address` };
  const signals = publicSignalsFor(layout, claim.input, claim.output, claim.prover).map(String);
  const vkey = JSON.parse(await readFile(art.files.vkey, 'utf8')) as VerificationKey;
  const valid = await verifyGroth16(vkey, signals, claim.proof);
  return valid ? { valid } : { valid, reason: 'the Groth16 proof does not verify for this model, input, output and prover' };
}

function isProverAddress(prover: string): boolean {
  try {
    proverSignal(prover);
    return true;
  } catch (err) {
    if (err instanceof ProverAddressError) return false;
    throw err;
  }
}

/** snarkjs' verifier, with malformed proofs turned into `false` instead of exceptions. */
export async function verifyGroth16(vkey: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
  // Loaded here, not with the module: proving runs snarkjs in its worker, and a process that only proves
  // would otherwise load it twice (about 0.25 s).
  const snarkjs = await import('snarkjs');
  try {
    return await snarkjs.groth16.verify(vkey, publicSignals, proof);
  } catch {
    return false;
  }
}

export type BatchInferenceProof = {
  modelHash: Hex;
  /** Inferences the proof covers (K): `inputs` holds the real ones, then padding (copies of the last) up to K. */
  batch: number;
  /** How many of the K slots are real (the rest repeat the last real input). */
  filled: number;
  inputs: bigint[][];
  outputs: bigint[][];
  prover: Hex;
  proof: Groth16Proof;
  /** The circuit's public signals (decimal strings): [packed outputs..., packed inputs..., prover]. */
  publicSignals: string[];
  /** Every public signal but the prover: the `signals` of IBatchInferenceVerifier.verifyBatch. */
  signals: bigint[];
  calldata: Hex;
  timings: { witnessMs: number; proveMs: number; totalMs: number };
};

/**
 * Proves with one Groth16 proof that the model maps each of `inputs` (1 to K of them) to its canonical output, for
 * `prover`, with the batch set-up of K = `batch` inferences (`vai zk setup --batch K`). Fewer than K inputs are padded
 * with copies of the last one (the oracle ignores slots beyond its request ids). Like {@link proveInference}, the
 * outputs read back from the public signals must equal the reference executor's.
 */
export async function proveBatch(
  modelDir: string,
  inputs: readonly (readonly bigint[])[],
  prover: string,
  opts: ProveOptions & { batch: number },
): Promise<BatchInferenceProof> {
  const t0 = performance.now();
  const proverValue = proverSignal(prover);
  const art = opts.artifacts ?? (await loadArtifacts(modelDir, opts.batch));
  const k = art.layout.batch;
  if (inputs.length === 0 || inputs.length > k) throw new ProofGenerationError(`A batch of ${k} proves 1 to ${k} inputs, not ${inputs.length}.`);
  const padded = [...inputs, ...Array.from({ length: k - inputs.length }, () => inputs[inputs.length - 1]!)].map((x) => [...x]);
  const expected = padded.map((x) => runReference(art.model, x));
  const inPacked = packValues(art.layout.input, padded.flat());
  const worker = opts.worker ?? sharedProver();
  const reply = await worker.prove({
    wasm: art.files.wasm,
    zkey: art.files.zkey,
    circuitInput: { inPacked: inPacked.map(String), prover: proverValue.toString() },
  });
  const signals = reply.publicSignals.map(BigInt);
  const decoded = decodePublicSignals(art.layout, signals);
  const flatOut = expected.flat();
  const flatIn = padded.flat();
  const same = (a: readonly bigint[], b: readonly bigint[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  if (!same(decoded.input, flatIn) || !same(decoded.output, flatOut)) throw new WitnessMismatchError(flatOut, decoded.output);
  if (BigInt(decoded.prover) !== proverValue) throw new ProofGenerationError(`The proof's prover signal is ${decoded.prover}, not ${getAddress(prover)}.`);
  return {
    modelHash: art.layout.modelHash,
    batch: k,
    filled: inputs.length,
    inputs: padded,
    outputs: expected,
    prover: decoded.prover,
    proof: reply.proof,
    publicSignals: reply.publicSignals,
    signals: signals.slice(0, -1),
    calldata: encodeProofCalldata(reply.proof),
    timings: { witnessMs: reply.witnessMs, proveMs: reply.proveMs, totalMs: performance.now() - t0 },
  };
}
