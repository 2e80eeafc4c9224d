import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeBounds, decodeModel, manifestFromModel, runReference, type IntModel } from '../../../lib/semantics/index.js';
import {
  circuitLayout,
  closeSharedProver,
  decodeProofCalldata,
  decodePublicSignals,
  encodeProofCalldata,
  generateCircuit,
  loadArtifacts,
  proveInference,
  ProverAddressError,
  publicSignalsFor,
  releaseCurve,
  setupModel,
  verifyGroth16,
  verifyInference,
  WitnessMismatchError,
  ZkArtifactError,
  type CircuitLayout,
  type InferenceProof,
  type ZkArtifacts,
} from '../../../lib/zk/index.js';
import { compileCircuit, type CompileResult } from '../../../lib/zk/compile.js';
import { packValues } from '../../../lib/zk/layout.js';
import { CIRCUIT_BUILD_DIR } from '../../../lib/zk/paths.js';
import { randomInput, seededRandom, tinyArgmaxModel, tinyLogitsModel, tinyLogitsTwinModel, writeModelDir } from '../../../lib/zk/sample-models.js';
import { randomModel } from '../semantics/fixtures.js';
import { R1cs, witness } from './helpers.js';

/** Anvil's default accounts 1 and 2: the address a proof is made for, and one that copies it. */
const PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

/** Writes and compiles a model's circuit (no set-up), with --O1 as setupModel does. */
async function compileModelCircuit(model: IntModel, name: string): Promise<{ layout: CircuitLayout; compiled: CompileResult }> {
  const manifest = manifestFromModel(model, { name });
  const layout = circuitLayout(manifest, model);
  const dir = join(CIRCUIT_BUILD_DIR, 'test', `model-${manifest.modelHash.slice(2, 14)}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.circom'), generateCircuit(model, layout));
  return { layout, compiled: await compileCircuit(join(dir, 'model.circom'), { optimize: 'O1' }) };
}

/** Compiles a model's circuit (no set-up) and returns a function computing its output from the witness. */
async function circuitRunner(model: IntModel, name: string): Promise<(input: bigint[]) => Promise<bigint[]>> {
  const { layout, compiled } = await compileModelCircuit(model, name);
  return async (input) => {
    const w = await witness(compiled, { inPacked: packValues(layout.input, input).map(String), prover: BigInt(PROVER).toString() });
    const decoded = decodePublicSignals(layout, w.slice(1, 1 + layout.nPublic));
    expect(decoded.prover).toBe(PROVER);
    return decoded.output;
  };
}

describe('the prover public signal', () => {
  it('is the last public signal and the circuit itself constrains it (prover * prover)', async () => {
    const { layout, compiled } = await compileModelCircuit(tinyLogitsModel, 'tiny-prover');
    const r1cs = await R1cs.load(compiled);
    // Wires 1..nPublic are the public signals in circom's order: outputs, then the public inputs as declared.
    expect(r1cs.wire('main.outPacked[0]')).toBe(1);
    expect(r1cs.wire('main.inPacked[0]')).toBe(layout.output.chunks + 1);
    expect(r1cs.wire('main.prover')).toBe(layout.nPublic);
    expect(layout.nPublic).toBe(layout.output.chunks + layout.input.chunks + 1);
    // Bound by a constraint of the circuit, not only by the `x * 0 = 0` row snarkjs' set-up adds per public input.
    expect(r1cs.quadraticIn(r1cs.wire('main.prover'))).toBe(1);
  });
});

function edgeInputs(model: IntModel): bigint[][] {
  const n = model.layers[0]!.inDim;
  const alt = Array.from({ length: n }, (_, i) => (i % 2 ? model.inputMax : model.inputMin));
  return [
    new Array<bigint>(n).fill(model.inputMin),
    new Array<bigint>(n).fill(model.inputMax),
    alt,
    alt.map((v) => (v === model.inputMin ? model.inputMax : model.inputMin)),
  ];
}

describe('circuit witness = reference executor', () => {
  // Random models spanning scales 1..12, negative input ranges, both output kinds, weights up to 2^31
  // and biases up to 2^40 (the semantics tests' generator).
  // The first six seeds whose models can be bounded (the others are refused by the semantics).
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < 6; seed++) {
    try {
      computeBounds(randomModel(seed, [5, 4, 3]));
      seeds.push(seed);
    } catch {
      // refused: |acc| could reach 2^62
    }
  }
  for (const seed of seeds) {
    it(`random model seed ${seed}: edge inputs and 25 random inputs`, async () => {
      const model = randomModel(seed, [5, 4, 3]);
      const run = await circuitRunner(model, `random-${seed}`);
      const next = seededRandom(seed * 7919);
      const inputs = [...edgeInputs(model), ...Array.from({ length: 25 }, () => randomInput(model, next))];
      for (const input of inputs) expect(await run(input), `input [${input.join(', ')}]`).toEqual(runReference(model, input));
    });
  }

  const vectorsPath = join(import.meta.dirname, '..', '..', 'vectors', 'semantics.json');
  it.skipIf(!existsSync(vectorsPath))(
    `shared vectors ${existsSync(vectorsPath) ? '' : '(SKIPPED: test/vectors/semantics.json is not in this tree yet)'}`,
    async () => {
      type Vector = { model: string; modelHash: string; encoding: string; input: string[]; output: string[] };
      const { vectors } = JSON.parse(await readFile(vectorsPath, 'utf8')) as { vectors: Vector[] };
      const runners = new Map<string, (input: bigint[]) => Promise<bigint[]>>();
      let checked = 0;
      for (const v of vectors) {
        const model = decodeModel(Buffer.from(v.encoding.slice(2), 'hex'));
        let run = runners.get(v.modelHash);
        if (!run) {
          run = await circuitRunner(model, v.model);
          runners.set(v.modelHash, run);
        }
        expect(await run(v.input.map(BigInt)), `${v.model} [${v.input.join(', ')}]`).toEqual(v.output.map(BigInt));
        checked++;
      }
      expect(checked).toBe(vectors.length);
    },
    600_000,
  );
});

describe('proofs: tiny models end to end', () => {
  let root: string;
  let dirA: string;
  let dirB: string;
  let dirArgmax: string;
  let artA: ZkArtifacts;
  let proof: InferenceProof;
  const input = [3n, -8n, 8n];
  const modelB = tinyLogitsTwinModel;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vai-zk-'));
    dirA = join(root, 'a');
    dirB = join(root, 'b');
    dirArgmax = join(root, 'argmax');
    await writeModelDir(dirA, tinyLogitsModel, 'tiny-a');
    await writeModelDir(dirB, modelB, 'tiny-b');
    await writeModelDir(dirArgmax, tinyArgmaxModel, 'tiny-argmax');
    await setupModel(dirA);
    await setupModel(dirB);
    await setupModel(dirArgmax);
    artA = await loadArtifacts(dirA);
    proof = await proveInference(dirA, input, PROVER);
  });

  afterAll(async () => {
    await closeSharedProver();
    await releaseCurve();
  });

  it('proves the reference output and verifies', async () => {
    expect(proof.output).toEqual(runReference(tinyLogitsModel, input));
    expect(proof.output).toEqual([3n, 61n]);
    expect(proof.prover).toBe(PROVER);
    expect(await verifyInference(dirA, { input, output: proof.output, prover: PROVER, proof: proof.proof })).toEqual({ valid: true });
    // The address's spelling does not matter, only its value.
    expect(await verifyInference(dirA, { input, output: proof.output, prover: PROVER.toLowerCase(), proof: proof.proof })).toEqual({ valid: true });
  });

  it('exposes [packed output..., packed input..., prover] as public signals, nothing else', () => {
    const { layout } = artA;
    expect(layout.nPublic).toBe(layout.output.chunks + layout.input.chunks + 1);
    expect(proof.publicSignals).toEqual(publicSignalsFor(layout, input, proof.output, PROVER).map(String));
    expect(proof.publicSignals.at(-1)).toBe(BigInt(PROVER).toString());
    expect(decodePublicSignals(layout, proof.publicSignals.map(BigInt))).toEqual({ input, output: proof.output, prover: PROVER });
  });

  it('binds the proof to its prover: it is invalid for any other address', async () => {
    const claim = { input, output: proof.output, proof: proof.proof };
    const other = await verifyInference(dirA, { ...claim, prover: OTHER });
    expect(other.valid).toBe(false);
    expect(other.reason).toMatch(/does not verify for this model, input, output and prover/);
    const neighbour = `0x${(BigInt(PROVER) + 1n).toString(16).padStart(40, '0')}`;
    expect((await verifyInference(dirA, { ...claim, prover: neighbour })).valid).toBe(false);
    expect((await verifyInference(dirA, { ...claim, prover: `0x${'0'.repeat(40)}` })).valid).toBe(false);
    // Not an address: invalid, with the reason (no exception, as for any other wrong claim).
    expect(await verifyInference(dirA, { ...claim, prover: '0x1234' })).toEqual({ valid: false, reason: 'the prover "0x1234" is not an address' });
    // The same input proven for OTHER verifies for OTHER only.
    const forOther = await proveInference(dirA, input, OTHER);
    expect((await verifyInference(dirA, { ...claim, prover: OTHER, proof: forOther.proof })).valid).toBe(true);
    expect((await verifyInference(dirA, { ...claim, prover: PROVER, proof: forOther.proof })).valid).toBe(false);
  });

  it('refuses to prove for something that is not an address', async () => {
    for (const bad of ['0x1234', `0x${'g'.repeat(40)}`, PROVER.slice(2), '0x70997970C51812DC3A010C7D01B50E0D17DC79c8'])
      await expect(proveInference(dirA, input, bad), bad).rejects.toBeInstanceOf(ProverAddressError);
  });

  it('proves argmax models', async () => {
    for (const x of [
      [3n, -8n, 8n],
      [0n, 0n, 0n],
      [-8n, 8n, -8n],
    ]) {
      const p = await proveInference(dirArgmax, x, PROVER);
      expect(p.output).toEqual(runReference(tinyArgmaxModel, x));
      expect((await verifyInference(dirArgmax, { input: x, output: p.output, prover: PROVER, proof: p.proof })).valid).toBe(true);
      expect((await verifyInference(dirArgmax, { input: x, output: [1n - p.output[0]!], prover: PROVER, proof: p.proof })).valid).toBe(false);
      expect((await verifyInference(dirArgmax, { input: x, output: p.output, prover: OTHER, proof: p.proof })).valid).toBe(false);
    }
  });

  it('rejects a proof of a wrong output', async () => {
    for (let j = 0; j < proof.output.length; j++)
      for (const d of [-1n, 1n]) {
        const wrong = proof.output.map((v, k) => (k === j ? v + d : v));
        expect((await verifyInference(dirA, { input, output: wrong, prover: PROVER, proof: proof.proof })).valid).toBe(false);
      }
  });

  it('rejects the proof for an altered input', async () => {
    expect((await verifyInference(dirA, { input: [3n, -8n, 7n], output: proof.output, prover: PROVER, proof: proof.proof })).valid).toBe(false);
  });

  it('rejects every altered public signal', async () => {
    const vkey = JSON.parse(await readFile(artA.files.vkey, 'utf8')) as snarkjs.VerificationKey;
    expect(await verifyGroth16(vkey, proof.publicSignals, proof.proof)).toBe(true);
    for (let i = 0; i < proof.publicSignals.length; i++) {
      const altered = proof.publicSignals.map((s, k) => (k === i ? (BigInt(s) + 1n).toString() : s));
      expect(await verifyGroth16(vkey, altered, proof.proof), `signal ${i}`).toBe(false);
    }
  });

  it("rejects model A's proof under model B's verifying key (same layout, other weights)", async () => {
    // No public signal names the model and B packs exactly like A: A's signals are a well-formed claim for
    // B, so only B's verifying key (from the set-up of B's own circuit) can reject them.
    const artB = await loadArtifacts(dirB);
    expect(publicSignalsFor(artB.layout, input, proof.output, PROVER).map(String)).toEqual(proof.publicSignals);
    const vkeyB = JSON.parse(await readFile(artB.files.vkey, 'utf8')) as snarkjs.VerificationKey;
    expect(await verifyGroth16(vkeyB, proof.publicSignals, proof.proof)).toBe(false);
    expect((await verifyInference(dirB, { input, output: proof.output, prover: PROVER, proof: proof.proof })).valid).toBe(false);
    const outB = runReference(modelB, input);
    expect((await verifyInference(dirB, { input, output: outB, prover: PROVER, proof: proof.proof })).valid).toBe(false);
  });

  it('round-trips the Solidity proof bytes', () => {
    const decoded = decodeProofCalldata(proof.calldata);
    expect(encodeProofCalldata(decoded)).toBe(proof.calldata);
    expect(decoded.pi_a.slice(0, 2)).toEqual(proof.proof.pi_a.slice(0, 2));
    expect(decoded.pi_b.slice(0, 2)).toEqual(proof.proof.pi_b.slice(0, 2));
  });

  it('fails loudly when the circuit and the reference disagree', async () => {
    // Artifacts whose model differs from the compiled circuit (as a compiler bug would make them).
    const skewed: ZkArtifacts = { ...artA, model: modelB };
    await expect(proveInference(dirA, input, PROVER, { artifacts: skewed })).rejects.toBeInstanceOf(WitnessMismatchError);
  });

  it('refuses stale artifacts (model changed after the set-up)', async () => {
    const stale = join(root, 'stale');
    await writeModelDir(stale, tinyLogitsModel, 'stale');
    await setupModel(stale);
    await writeModelDir(stale, modelB, 'stale');
    await expect(loadArtifacts(stale)).rejects.toBeInstanceOf(ZkArtifactError);
  });

  it('keeps the event loop responsive while proving in the worker', async () => {
    const next = seededRandom(9);
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const t0 = performance.now();
    for (let k = 0; k < 5; k++) await proveInference(dirA, randomInput(tinyLogitsModel, next), PROVER);
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(elapsed / 50);
    expect(maxGap).toBeLessThan(250);
  });
});
