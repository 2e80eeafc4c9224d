import { concat, keccak256, ZeroHash } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  encodeModel,
  inputCommitment,
  inputHash,
  merkleDepth,
  merkleProof,
  merkleRoot,
  merkleRootFromProof,
  outputHash,
  runReference,
  runReferenceTrace,
  runStep,
  STEP_MAGIC,
  stepEncodings,
  stepsCommitment,
  TraceCommitmentError,
  traceCommitment,
  traceStates,
  type Hex,
} from '../../../lib/semantics/index.js';
import { randomInt, randomModel, rng, tinyModel } from './fixtures.js';

const word = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const pair = (a: string, b: string): Hex => keccak256(concat([a, b])) as Hex;

describe('merkle trees', () => {
  it('pads to a power of two with zero words, one leaf being its own root', () => {
    expect(merkleDepth(1)).toBe(0);
    expect(merkleDepth(2)).toBe(1);
    expect(merkleDepth(3)).toBe(2);
    expect(merkleDepth(5)).toBe(3);
    expect(merkleRoot([word(7)])).toBe(word(7));
    expect(merkleRoot([word(1), word(2)])).toBe(pair(word(1), word(2)));
    expect(merkleRoot([word(1), word(2), word(3)])).toBe(pair(pair(word(1), word(2)), pair(word(3), ZeroHash)));
  });

  it('proves every leaf, and no proof survives a changed leaf, index or sibling', () => {
    for (const count of [1, 2, 3, 4, 5, 8, 13]) {
      const leaves = Array.from({ length: count }, (_, i) => word(100 + i));
      const root = merkleRoot(leaves);
      for (let i = 0; i < count; i++) {
        const proof = merkleProof(leaves, i);
        expect(proof).toHaveLength(merkleDepth(count));
        expect(merkleRootFromProof(leaves[i]!, i, proof)).toBe(root);
        expect(merkleRootFromProof(word(999), i, proof)).not.toBe(root);
        if (count > 1) {
          expect(merkleRootFromProof(leaves[i]!, i ^ 1, proof)).not.toBe(root);
          expect(merkleRootFromProof(leaves[i]!, i, [word(5), ...proof.slice(1)])).not.toBe(root);
        }
      }
    }
  });

  it('refuses an empty tree and a leaf outside it', () => {
    expect(() => merkleRoot([])).toThrow(TraceCommitmentError);
    expect(() => merkleProof([word(1)], 1)).toThrow(TraceCommitmentError);
  });
});

describe('execution traces', () => {
  it('starts with the input, holds each layer output, and ends with the model output', () => {
    const trace = runReferenceTrace(tinyModel, [3n, 5n]);
    const states = traceStates(tinyModel, [3n, 5n]);
    expect(states).toEqual([[3n, 5n], trace.layers[0]!.y, trace.output]);
  });

  it("hashes the first state of a Poseidon-committed model to the request's commitment, the others as before", () => {
    const model = randomModel(5, [4, 6, 3]);
    const input = [model.inputMin, model.inputMax, 0n, model.inputMin];
    const keccak = traceCommitment(model, input);
    const committed = traceCommitment(model, input, 'poseidon');
    expect(committed.hashes[0]).toBe(inputCommitment(input, model));
    expect(committed.hashes.slice(1)).toEqual(keccak.hashes.slice(1));
    expect(committed.root).not.toBe(keccak.root);
  });

  it('hashes the first state to the inputHash and the last to the outputHash, for both output kinds', () => {
    const next = rng(11);
    for (let seed = 1; seed <= 40; seed++) {
      const model = randomModel(seed, [4, 6, 5, 3]);
      const input = Array.from({ length: 4 }, () => BigInt(randomInt(next, Number(model.inputMin), Number(model.inputMax))));
      const { states, hashes, root } = traceCommitment(model, input);
      expect(states).toHaveLength(model.layers.length + 1);
      expect(hashes[0]).toBe(inputHash(input));
      expect(hashes[hashes.length - 1]).toBe(outputHash(runReference(model, input)));
      expect(root).toBe(merkleRoot(hashes));
      // Steps compose: each state is the step before it applied to the previous state.
      for (let l = 0; l < model.layers.length; l++) expect(runStep(model, l, states[l]!)).toEqual(states[l + 1]);
    }
  });

  it('refuses a step that does not exist or a state of the wrong length', () => {
    expect(() => runStep(tinyModel, 2, [1n, 2n])).toThrow(TraceCommitmentError);
    expect(() => runStep(tinyModel, 0, [1n])).toThrow(TraceCommitmentError);
  });
});

describe('step commitments', () => {
  it('encodes each step as "VAS1", the scale, the argmax flag and the layer bytes of the model encoding', () => {
    for (const kind of ['logits', 'argmax'] as const) {
      const model = { ...randomModel(5, [3, 4, 2]), outputKind: kind };
      const steps = stepEncodings(model);
      const encoding = encodeModel(model);
      expect(Buffer.from(concat([encoding.subarray(0, 23), ...steps.map((s) => s.subarray(6))]).slice(2), 'hex')).toEqual(Buffer.from(encoding));
      steps.forEach((s, l) => {
        const view = new DataView(s.buffer);
        expect(view.getUint32(0)).toBe(STEP_MAGIC);
        expect(view.getUint8(4)).toBe(model.scaleBits);
        expect(view.getUint8(5)).toBe(kind === 'argmax' && l === steps.length - 1 ? 1 : 0);
      });
      const commitment = stepsCommitment(model);
      expect(commitment.leaves).toEqual(steps.map((s) => keccak256(s)));
      expect(commitment.root).toBe(merkleRoot(commitment.leaves));
    }
  });
});
