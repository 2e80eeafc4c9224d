import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFromModel, runReference } from '../../../lib/semantics/index.js';
import {
  batchPublicSignalsFor,
  circuitLayout,
  closeSharedProver,
  decodePublicSignals,
  generateBatchCircuit,
  generateBatchVerifierSource,
  loadArtifacts,
  proveBatch,
  publicSignalsFor,
  releaseCurve,
  setupModel,
  slots,
  verifyGroth16,
  ZkArtifactError,
  type BatchInferenceProof,
} from '../../../lib/zk/index.js';
import { CircuitLayoutError } from '../../../lib/zk/errors.js';
import { tinyArgmaxModel, tinyLogitsModel, writeModelDir } from '../../../lib/zk/sample-models.js';

const PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

describe('batch layout', () => {
  const manifest = manifestFromModel(tinyLogitsModel, { name: 'tiny' });

  it('packs K inferences as one slot-major vector: K times the values, signals shared across slots', () => {
    const one = circuitLayout(manifest, tinyLogitsModel);
    const four = circuitLayout(manifest, tinyLogitsModel, 4);
    expect(one.batch).toBe(1);
    expect(four.batch).toBe(4);
    expect(four.input.length).toBe(4 * one.input.length);
    expect(four.output.length).toBe(4 * one.output.length);
    expect(four.input.width).toBe(one.input.width);
    expect(four.input.chunks).toBe(Math.ceil(four.input.length / four.input.perChunk));
    expect(four.nPublic).toBe(four.input.chunks + four.output.chunks + 1);
    // Dense across slots: fewer signals than four single proofs' worth.
    expect(four.nPublic).toBeLessThanOrEqual(4 * (one.nPublic - 1) + 1);
  });

  it('builds the public signals of a batch from its slots, and decodes them back', () => {
    const layout = circuitLayout(manifest, tinyLogitsModel, 3);
    const inputs = [
      [3n, -8n, 8n],
      [-2n, 5n, 0n],
      [0n, 0n, 1n],
    ];
    const outputs = inputs.map((x) => runReference(tinyLogitsModel, x));
    const signals = batchPublicSignalsFor(layout, inputs, outputs, PROVER);
    expect(signals).toEqual(publicSignalsFor(layout, inputs.flat(), outputs.flat(), PROVER));
    const decoded = decodePublicSignals(layout, signals);
    expect(slots(decoded.input, 3)).toEqual(inputs);
    expect(slots(decoded.output, 3)).toEqual(outputs);
    expect(() => batchPublicSignalsFor(layout, inputs.slice(1), outputs.slice(1), PROVER)).toThrow(CircuitLayoutError);
  });

  it('refuses batch sizes outside [1, 64]', () => {
    expect(() => circuitLayout(manifest, tinyLogitsModel, 0)).toThrow(CircuitLayoutError);
    expect(() => circuitLayout(manifest, tinyLogitsModel, 65)).toThrow(CircuitLayoutError);
    expect(() => circuitLayout(manifest, tinyLogitsModel, 1.5)).toThrow(CircuitLayoutError);
  });

  it('generates one inference template repeated K times, and a verifier with K-sized constants', () => {
    const layout = circuitLayout(manifest, tinyArgmaxModel, 5);
    const circuit = generateBatchCircuit(tinyArgmaxModel, layout);
    expect(circuit).toContain('component inference[5];');
    expect(circuit).toContain('template VaiInference()');
    expect(circuit).toContain('component main { public [inPacked, prover] } = VaiBatch();');
    const source = generateBatchVerifierSource({
      layout,
      names: { contract: 'TinyBatch5Verifier', groth16: 'TinyBatch5Groth16' },
      groth16Source: 'contract TinyBatch5Groth16 {}',
      modelName: 'tiny',
      regenerate: 'test',
    });
    expect(source).toContain('uint256 internal constant BATCH = 5;');
    expect(source).toContain(`uint256 internal constant PUBLIC_SIGNALS = ${layout.nPublic};`);
    expect(source).toContain('contract TinyBatch5Verifier is TinyBatch5Groth16, IBatchInferenceVerifier');
  });
});

describe('batch set-up and proof (tiny model, K = 3)', () => {
  let dir: string;
  let proof: BatchInferenceProof;
  let vkey: snarkjs.VerificationKey;
  const inputs = [
    [3n, -8n, 8n],
    [-2n, 5n, 0n],
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vai-batch-'));
    await writeModelDir(dir, tinyLogitsModel, 'tiny');
    const setup = await setupModel(dir, { batch: 3 });
    expect(setup.batch).toBe(3);
    proof = await proveBatch(dir, inputs, PROVER, { batch: 3 });
    vkey = JSON.parse(await readFile(setup.files.vkey, 'utf8')) as snarkjs.VerificationKey;
  }, 180_000);

  afterAll(async () => {
    await closeSharedProver();
    await releaseCurve();
  });

  it('proves every slot, padding the missing ones with the last input', () => {
    expect(proof.batch).toBe(3);
    expect(proof.filled).toBe(2);
    expect(proof.inputs).toEqual([...inputs, inputs[1]]);
    expect(proof.outputs).toEqual(proof.inputs.map((x) => runReference(tinyLogitsModel, x)));
    expect(proof.signals.map(String)).toEqual(proof.publicSignals.slice(0, -1));
  });

  it('verifies for its prover only, and not with a tampered signal', async () => {
    expect(await verifyGroth16(vkey, proof.publicSignals, proof.proof)).toBe(true);
    const other = [...proof.publicSignals.slice(0, -1), BigInt(OTHER).toString()];
    expect(await verifyGroth16(vkey, other, proof.proof)).toBe(false);
    const tampered = [(BigInt(proof.publicSignals[0]!) + 1n).toString(), ...proof.publicSignals.slice(1)];
    expect(await verifyGroth16(vkey, tampered, proof.proof)).toBe(false);
  });

  it('keeps the batch set-up apart from the single one', async () => {
    await expect(loadArtifacts(dir)).rejects.toThrow(ZkArtifactError);
    await expect(loadArtifacts(dir, 4)).rejects.toThrow(ZkArtifactError);
    expect((await loadArtifacts(dir, 3)).layout.batch).toBe(3);
  });

  it('refuses more inputs than slots', async () => {
    await expect(proveBatch(dir, [...inputs, ...inputs], PROVER, { batch: 3 })).rejects.toThrow(/1 to 3/);
  });
});
