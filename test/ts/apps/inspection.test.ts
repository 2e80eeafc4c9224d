import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ensureInspectionModel,
  FASHION_CLASSES,
  fashionTestImages,
  firstFashionImage,
  INSPECTION_MODEL,
  inspectionInput,
  isInspectionGraph,
} from '../../../lib/apps/inspection.js';
import { referenceOutput } from '../../../lib/model/model-dir.js';
import { InputLengthError, InputRangeError } from '../../../lib/semantics/index.js';

describe('the Fashion-MNIST test subset', () => {
  it('holds 1000 labelled 28×28 images of raw pixels', async () => {
    const images = await fashionTestImages();
    expect(images).toHaveLength(1000);
    for (const image of images) {
      expect(image.pixels).toHaveLength(784);
      expect(image.pixels.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)).toBe(true);
      expect(FASHION_CLASSES[image.label]).toBe(image.className);
    }
    // The official test set opens with an ankle boot, then a pullover.
    expect(images.slice(0, 2).map((i) => i.className)).toEqual(['Ankle boot', 'Pullover']);
    expect(new Set(images.map((i) => i.label)).size).toBe(10);
  });

  it('finds the first image of a class', async () => {
    const images = await fashionTestImages();
    const sneaker = await firstFashionImage('Sneaker');
    expect(sneaker.label).toBe(7);
    expect(images.findIndex((i) => i.label === 7)).toBe(sneaker.index);
  });
});

describe("the QualityInspector's LeNet-5", () => {
  it('is imported once into .vai/models/lenet5 as an argmax graph over raw pixels, and reused', async () => {
    const first = await ensureInspectionModel();
    const written = (await stat(join(first.dir, 'model.json'))).mtimeMs;
    const again = await ensureInspectionModel();
    expect((await stat(join(again.dir, 'model.json'))).mtimeMs).toBe(written);
    expect(isInspectionGraph(again)).toBe(true);
    expect(again.manifest).toMatchObject({
      name: INSPECTION_MODEL.name,
      inputLength: 784,
      outputLength: 1,
      outputKind: 'argmax',
      inputRange: ['0', '255'],
      scaleBits: INSPECTION_MODEL.scaleBits,
    });
  }, 300_000);

  it('quantizes an image as the station sends it (pixels at scale 1) and refuses other sizes and ranges', async () => {
    const model = await ensureInspectionModel();
    const image = await firstFashionImage('Sneaker');
    const input = inspectionInput(model, image.pixels);
    expect(input).toEqual(image.pixels.map(BigInt));
    const [predicted] = await referenceOutput(model, input);
    expect(Number(predicted)).toBeGreaterThanOrEqual(0);
    expect(Number(predicted)).toBeLessThan(10);
    expect(() => inspectionInput(model, image.pixels.slice(0, 64))).toThrow(InputLengthError);
    expect(() => inspectionInput(model, [...image.pixels.slice(1), 256])).toThrow(InputRangeError);
  }, 300_000);

  it('agrees with the labels of the test subset as the import measured (about 9 images in 10)', async () => {
    const model = await ensureInspectionModel();
    const images = (await fashionTestImages()).slice(0, 100);
    let right = 0;
    for (const image of images) if (Number((await referenceOutput(model, inspectionInput(model, image.pixels)))[0]) === image.label) right++;
    expect(right).toBeGreaterThanOrEqual(80);
  }, 300_000);
});
