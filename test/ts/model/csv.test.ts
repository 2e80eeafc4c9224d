import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, readCsv, splitDataset } from '../../../lib/data/csv.js';
import { createRandom } from '../../../lib/model/random.js';
import { tempDir } from './fixtures.js';

describe('parseCsv', () => {
  it('reads a header of column names, label last', () => {
    const ds = parseCsv('a,b,label\n1,2,0\n3,4.5,1\n');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.rows.map((r) => Array.from(r))).toEqual([
      [1, 2],
      [3, 4.5],
    ]);
    expect(ds.labels).toEqual([0, 1]);
    expect(ds.classes).toEqual(['0', '1']);
  });

  it('takes the label column named by --label', () => {
    const ds = parseCsv('y,a,b\n1,5,6\n0,7,8\n', { label: 'y' });
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.rows.map((r) => Array.from(r))).toEqual([
      [5, 6],
      [7, 8],
    ]);
    expect(ds.labels).toEqual([1, 0]);
    expect(() => parseCsv('y,a\n1,5\n', { label: 'z' })).toThrow(/no column named "z"/);
    expect(() => parseCsv('1,5\n0,6\n', { label: 'z' })).toThrow(/needs a header row/);
  });

  it('reads the count-header form with class names', () => {
    const ds = parseCsv('3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n6,2,1\n');
    expect(ds.classes).toEqual(['setosa', 'versicolor']);
    expect(ds.labels).toEqual([0, 1, 1]);
    expect(ds.featureNames).toEqual(['x0', 'x1']);
    expect(() => parseCsv('4,2,a,b\n1,2,0\n3,4,1\n')).toThrow(/announces 4 rows but the file has 2/);
  });

  it('reads the header-less form and string labels', () => {
    expect(parseCsv('0,1,2\n3,4,5\n').rows.length).toBe(2);
    const ds = parseCsv('1,cat\n2,dog\n3,cat\n');
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.labels).toEqual([0, 1, 0]);
  });

  it('reads unlabelled rows with label: false', () => {
    const ds = parseCsv('1,2\n3,4\n', { label: false });
    expect(ds.rows.map((r) => Array.from(r))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(ds.labels).toEqual([]);
  });

  it('names the line of a bad row', () => {
    expect(() => parseCsv('a,b,y\n1,2,0\n3,x,1\n', { source: 'f.csv' })).toThrow('f.csv:3: column 2 is not a finite number: "x"');
    expect(() => parseCsv('a,b,y\n1,2,0\n3,1\n')).toThrow(/:3: expected 3 fields, found 2/);
    expect(() => parseCsv('a,b,y\n1,NaN,0\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b,y\n1,,0\n')).toThrow(/not a finite number/);
    expect(() => parseCsv('')).toThrow(/empty/);
  });

  it('reads the bundled data sets, gzip included', async () => {
    const digits = await readCsv('data/digits.csv.gz');
    expect(digits.rows.length).toBe(1797);
    expect(digits.rows[0]!.length).toBe(64);
    expect(digits.classes.length).toBe(10);
    const cancer = await readCsv('data/breast_cancer.csv');
    expect(cancer.rows.length).toBe(569);
    expect(cancer.classes).toEqual(['malignant', 'benign']);
    const dir = await tempDir();
    await writeFile(join(dir, 'x.csv.gz'), gzipSync('a,y\n1,0\n2,1\n'));
    expect((await readCsv(join(dir, 'x.csv.gz'))).rows.length).toBe(2);
    await expect(readCsv(join(dir, 'missing.csv'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
  });
});

describe('splitDataset', () => {
  it('is a deterministic partition for a seed', () => {
    const ds = parseCsv(Array.from({ length: 100 }, (_, i) => `${i},${i % 2}`).join('\n'));
    const a = splitDataset(ds, 0.2, createRandom(7));
    const b = splitDataset(ds, 0.2, createRandom(7));
    expect(a.test.rows.map((r) => r[0])).toEqual(b.test.rows.map((r) => r[0]));
    expect(a.test.rows.length).toBe(20);
    const all = [...a.train.rows, ...a.test.rows].map((r) => r[0]!).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(splitDataset(ds, 0.2, createRandom(8)).test.rows.map((r) => r[0])).not.toEqual(a.test.rows.map((r) => r[0]));
  });
});
