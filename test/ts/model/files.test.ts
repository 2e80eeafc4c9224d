import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelDirError } from '../../../lib/model/errors.js';
import { writeDirAtomic } from '../../../lib/model/files.js';
import { loadModelDir } from '../../../lib/model/pipeline.js';
import { trainModel } from '../../../lib/model/train-action.js';
import { tempDir } from './fixtures.js';

describe('writeDirAtomic', () => {
  it('creates the folder (and its parents) with every file', async () => {
    const root = await tempDir();
    const out = join(root, 'a', 'b', 'model');
    await writeDirAtomic(out, { 'model.json': '{}', 'x.bin': new Uint8Array([1, 2]) });
    expect((await readdir(out)).sort()).toEqual(['model.json', 'x.bin']);
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['model']);
  });

  it('replaces a model folder whole, and leaves it untouched when a write fails', async () => {
    const root = await tempDir();
    const out = join(root, 'model');
    await writeDirAtomic(out, { 'model.json': 'old', 'old.bin': 'x' });
    await writeDirAtomic(out, { 'model.json': 'new' });
    expect(await readdir(out)).toEqual(['model.json']);
    const broken = { 'model.json': 'newer', 'bad.bin': 42 as unknown as string };
    await expect(writeDirAtomic(out, broken)).rejects.toThrow();
    expect(await readFile(join(out, 'model.json'), 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['model']);
  });

  it('refuses to replace a folder that is not a model folder', async () => {
    const root = await tempDir();
    const out = join(root, 'docs');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    await expect(writeDirAtomic(out, { 'model.json': '{}' })).rejects.toThrow(ModelDirError);
    expect(await readdir(out)).toEqual(['notes.txt']);
  });
});

describe('loadModelDir', () => {
  it('refuses an integer graph that does not match model.json', async () => {
    const dir = join(await tempDir(), 'iris');
    await trainModel({ data: 'data/iris.csv', out: dir, hidden: [4], epochs: 2 });
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const other = join(await tempDir(), 'iris2');
    await trainModel({ data: 'data/iris.csv', out: other, hidden: [4], epochs: 2, seed: 9 });
    await writeFile(join(dir, 'model.int.onnx'), await readFile(join(other, 'model.int.onnx')));
    await expect(loadModelDir(dir)).rejects.toThrow(/does not match model.json/);
    manifest.layers[0].weights[0][0] += 1;
    await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    await expect(loadModelDir(dir)).rejects.toThrow(/modelHash/);
  });
});
