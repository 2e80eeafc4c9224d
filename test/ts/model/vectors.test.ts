import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getBytes, hexlify } from 'ethers';
import { describe, expect, it } from 'vitest';
import { InputFormatError, parseModelInput, quantizeInput } from '../../../lib/protocol/index.js';
import { HAND_MODELS } from '../../../lib/model/hand-models.js';
import { makeVector, vectorFileSchema } from '../../../lib/model/vectors.js';
import { InputLengthError, InputRangeError, QuantizeError, decodeModel, encodeModel, modelHash, runReference } from '../../../lib/semantics/index.js';
import { PROJECT_ROOT } from '../../../lib/project.js';

const file = join(PROJECT_ROOT, 'test', 'vectors', 'semantics.json');

describe('test/vectors/semantics.json', () => {
  it('is well-formed and every vector holds under the reference executor', async () => {
    const { vectors } = vectorFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    const names = new Set(vectors.map((v) => v.model));
    expect([...names]).toEqual(['hand-rounding', 'hand-relu-argmax', 'hand-wide', 'digits']);
    expect(vectors.filter((v) => v.model === 'digits').length).toBeGreaterThanOrEqual(10);
    for (const v of vectors) {
      const model = decodeModel(getBytes(v.encoding));
      expect(hexlify(encodeModel(model))).toBe(v.encoding);
      expect(modelHash(model)).toBe(v.modelHash);
      expect(runReference(model, v.input.map(BigInt)).map(String)).toEqual(v.output);
    }
  });

  it('is up to date with the hand-checkable models', async () => {
    const { vectors } = vectorFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    for (const { name, model, inputs } of HAND_MODELS) {
      const inFile = vectors.filter((v) => v.model === name);
      for (const input of inputs) expect(inFile).toContainEqual(makeVector(name, model, input));
    }
    const rounding = vectors.filter((v) => v.model === 'hand-rounding');
    const out = (x: string) => rounding.find((v) => v.input[0] === x)!.output;
    expect(out('128')).toEqual(['1', '0', '1']); // +0.5 rounds up
    expect(out('-128')).toEqual(['0', '1', '-2']); // -0.5 rounds up to 0; (3x - 128)/256 = -2 exactly
    expect(out('-587')).toEqual(['-2', '2', '-7']); // floor, not truncation
    expect(out('-641')).toEqual(['-3', '3', '-8']);
  });
});

describe('client input quantization', () => {
  const { model } = HAND_MODELS[1]!; // scale 2^2, range [-16, 16]

  it('quantizes round-half-up and checks length and range', () => {
    expect(quantizeInput(model, [1.125, -1.125])).toEqual([5n, -4n]);
    expect(() => quantizeInput(model, [1])).toThrow(InputLengthError);
    expect(() => quantizeInput(model, [Number.NaN, 1])).toThrow(QuantizeError);
    expect(() => quantizeInput(model, [4.5, 1])).toThrow(InputRangeError);
  });

  it('parses --input JSON as floats or integers', () => {
    expect(parseModelInput('[1, -1]', model, { integers: false })).toEqual([4n, -4n]);
    expect(parseModelInput('["16", -16]', model, { integers: true })).toEqual([16n, -16n]);
    expect(() => parseModelInput('[1, 2', model, { integers: false })).toThrow(InputFormatError);
    expect(() => parseModelInput('{"a": 1}', model, { integers: false })).toThrow(/JSON array/);
    expect(() => parseModelInput('[17, 0]', model, { integers: true })).toThrow(InputRangeError);
  });
});
