import { concat, keccak256, toBeHex, toTwos } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  computeBounds,
  decodeModel,
  encodeModel,
  InputLengthError,
  InputRangeError,
  InvalidModelError,
  ManifestError,
  manifestFromModel,
  ModelBoundsError,
  ModelEncodingError,
  modelHash,
  inputHash,
  parseManifest,
  quantize,
  QuantizeError,
  rescale,
  runReference,
  runReferenceTrace,
  type IntModel,
} from '../../../lib/semantics/index.js';
import { randomInt, randomModel, rng, tinyModel } from './fixtures.js';

describe('rescale', () => {
  it('rounds half up with floor for negatives (not truncation)', () => {
    expect(rescale(-587n, 8)).toBe(-2n);
    expect(rescale(-640n, 8)).toBe(-2n);
    expect(rescale(-641n, 8)).toBe(-3n);
    expect(rescale(-128n, 8)).toBe(0n);
    expect(rescale(-129n, 8)).toBe(-1n);
    expect(rescale(127n, 8)).toBe(0n);
    expect(rescale(128n, 8)).toBe(1n);
    expect(rescale(383n, 8)).toBe(1n);
    expect(rescale(384n, 8)).toBe(2n);
  });

  it('agrees with floor((acc + 2^(S-1)) / 2^S) computed in rationals', () => {
    const next = rng(7);
    for (let k = 0; k < 2000; k++) {
      const s = randomInt(next, 1, 32);
      const acc = BigInt(randomInt(next, -(2 ** 50), 2 ** 50));
      const num = acc + (1n << BigInt(s - 1));
      const den = 1n << BigInt(s);
      const q = num / den; // truncates toward zero
      const floor = num % den !== 0n && num < 0n ? q - 1n : q;
      expect(rescale(acc, s)).toBe(floor);
    }
  });
});

describe('reference executor', () => {
  it('computes the hand-checked output of the tiny model', () => {
    // layer 0: acc = [8 + 4*3 - 2*5, -2 - 3*3 + 5] = [10, -6]; y = [floor(12/4), relu(floor(-4/4))] = [3, 0]
    // layer 1: acc = [3, 300 - 15] = [3, 285]; y = [floor(5/4), floor(287/4)] = [1, 71]
    const trace = runReferenceTrace(tinyModel, [3n, 5n]);
    expect(trace.layers[0]).toEqual({ acc: [10n, -6n], y: [3n, 0n] });
    expect(trace.layers[1]).toEqual({ acc: [3n, 285n], y: [1n, 71n] });
    expect(trace.output).toEqual([1n, 71n]);
  });

  it('breaks argmax ties toward the lowest index', () => {
    const model: IntModel = {
      ...tinyModel,
      outputKind: 'argmax',
      layers: [
        {
          inDim: 2,
          outDim: 3,
          relu: false,
          weights: [
            [0, 0],
            [4, 0],
            [4, 0],
          ],
          bias: [0, 0, 0],
        },
      ],
    };
    expect(runReference(model, [0n, 1n])).toEqual([0n]);
    expect(runReference(model, [1n, 0n])).toEqual([1n]);
  });

  it('rejects inputs of the wrong length or out of range', () => {
    expect(() => runReference(tinyModel, [1n])).toThrow(InputLengthError);
    expect(() => runReference(tinyModel, [1n, 17n])).toThrow(InputRangeError);
    expect(() => runReference(tinyModel, [-17n, 0n])).toThrow(/index 0/);
  });
});

describe('canonical encoding', () => {
  it('freezes the byte layout of version 1', () => {
    const hex = Buffer.from(encodeModel(tinyModel)).toString('hex');
    const expected = [
      '56414931',
      '02',
      '00',
      'fffffffffffffff0',
      '0000000000000010',
      '02',
      '0002',
      '0002',
      '01',
      '01',
      '01',
      '04fe',
      'fd01',
      '08fe',
      '0002',
      '0002',
      '00',
      '01',
      '02',
      '0102',
      'fb00',
      '0000',
      '012c',
    ].join('');
    expect(hex).toBe(expected);
    expect(modelHash(tinyModel)).toBe(keccak256(`0x${expected}`));
  });

  it('round-trips random models across all value widths', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const model = randomModel(seed, [randomInt(rng(seed), 1, 9), 4, 3]);
      expect(decodeModel(encodeModel(model))).toEqual(model);
    }
  });

  it('rejects malformed encodings', () => {
    const bytes = encodeModel(tinyModel);
    const patched = (at: number, value: number): Uint8Array => {
      const copy = bytes.slice();
      copy[at] = value;
      return copy;
    };
    expect(() => decodeModel(bytes.slice(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeModel(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
    expect(() => decodeModel(patched(0, 0))).toThrow(/magic/);
    expect(() => decodeModel(patched(5, 2))).toThrow(/output kind/);
    expect(() => decodeModel(patched(4, 0))).toThrow(ModelEncodingError);
    expect(() => decodeModel(patched(27, 2))).toThrow(/relu flag/);
    expect(() => decodeModel(patched(28, 3))).toThrow(/width 3/);
    // a 2-byte weight width for values that fit one byte is not canonical
    const wide = encodeModel(tinyModel);
    expect(() => decodeModel(Uint8Array.from([...wide.slice(0, 28), 2, ...wide.slice(29)]))).toThrow(ModelEncodingError);
  });

  it('refuses structurally invalid models', () => {
    expect(() => encodeModel({ ...tinyModel, scaleBits: 0 })).toThrow(InvalidModelError);
    expect(() => encodeModel({ ...tinyModel, inputMin: 5n, inputMax: 4n })).toThrow(/exceeds/);
    const badChain = { ...tinyModel, layers: [tinyModel.layers[0]!, { ...tinyModel.layers[1]!, inDim: 3 }] };
    expect(() => encodeModel(badChain)).toThrow(InvalidModelError);
    const unsafe = { ...tinyModel, layers: [{ ...tinyModel.layers[0]!, bias: [2 ** 60, 0] }, tinyModel.layers[1]!] };
    expect(() => encodeModel(unsafe)).toThrow(/safe integer/);
  });
});

describe('bounds', () => {
  it('contains every value the reference executor produces', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const model = randomModel(seed, [4, 6, 3]);
      let bounds: ReturnType<typeof computeBounds>;
      try {
        bounds = computeBounds(model);
      } catch (err) {
        expect(err).toBeInstanceOf(ModelBoundsError);
        continue;
      }
      const next = rng(seed * 31);
      for (let k = 0; k < 50; k++) {
        const input = Array.from({ length: 4 }, () => BigInt(randomInt(next, Number(model.inputMin), Number(model.inputMax))));
        runReferenceTrace(model, input).layers.forEach((layer, l) => {
          const b = bounds[l]!;
          for (const a of layer.acc) expect(a >= b.accMin && a <= b.accMax).toBe(true);
          for (const y of layer.y) expect(y >= b.outMin && y <= b.outMax).toBe(true);
        });
      }
    }
  });

  it('refuses a model whose accumulators can reach 2^62', () => {
    const big: IntModel = {
      scaleBits: 1,
      outputKind: 'logits',
      inputMin: -(2n ** 40n),
      inputMax: 2n ** 40n,
      layers: [{ inDim: 2, outDim: 1, relu: false, weights: [[2 ** 21, 2 ** 21]], bias: [0] }],
    };
    expect(() => computeBounds(big)).toThrow(/Layer 0 cannot be bounded/);
  });
});

describe('hashing and quantization', () => {
  it('hashes int256[] like abi.encodePacked', () => {
    const values = [1n, -1n, 2n ** 200n, -(2n ** 255n)];
    const packed = concat(values.map((v) => toBeHex(toTwos(v, 256), 32)));
    expect(inputHash(values)).toBe(keccak256(packed));
  });

  it('quantizes round half up and refuses non-finite values', () => {
    expect(quantize(1.5, 2)).toBe(6n);
    expect(quantize(-0.125, 2)).toBe(0n); // -0.5 rounds up to 0
    expect(quantize(-0.126, 2)).toBe(-1n);
    expect(() => quantize(Number.NaN, 4)).toThrow(QuantizeError);
    expect(() => quantize(Number.POSITIVE_INFINITY, 4)).toThrow(QuantizeError);
  });
});

describe('manifest', () => {
  it('round-trips and detects tampering', () => {
    const manifest = manifestFromModel(tinyModel, { name: 'tiny' });
    const json: unknown = JSON.parse(JSON.stringify(manifest));
    expect(parseManifest(json).model).toEqual(tinyModel);
    expect(() => parseManifest({ ...manifest, modelHash: `0x${'00'.repeat(32)}` })).toThrow(/modelHash/);
    const layers = manifest.layers.map((l, i) => (i === 0 ? { ...l, bounds: { ...l.bounds, accMax: '0' } } : l));
    expect(() => parseManifest({ ...manifest, layers })).toThrow(ManifestError);
    expect(() => parseManifest({ ...manifest, format: 'other' })).toThrow(/format/);
  });
});
