import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { VaiError } from '../errors.js';

/** A labelled numeric table: one row per example, features flattened in row-major order. */
export type Dataset = {
  /** Feature column names (synthesized as `x0`, `x1`, … when the file has none). */
  featureNames: string[];
  /** Class names, index = class id. */
  classes: string[];
  rows: Float64Array[];
  /** Class id per row (index into `classes`). */
  labels: number[];
};

export type ParseCsvOptions = {
  /** Name of the label column (needs a header of column names); default: the last column;
   * `false`: no label column (unlabelled rows, e.g. for calibration). */
  label?: string | false;
  /** Where the text came from, for error messages. */
  source?: string;
};

/** A CSV file that cannot be read as a labelled numeric table; names the line when a row is at fault. */
export class CsvError extends VaiError {
  override name = 'CsvError';
  constructor(source: string, reason: string, line?: number) {
    super(`${source}${line === undefined ? '' : `:${line}`}: ${reason}`, {
      metaMessages: ['Expected comma-separated numbers, one example per line, label in the last column (or --label NAME).'],
    });
  }
}

const isNumber = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

type Header = { kind: 'none' } | { kind: 'names'; names: string[] } | { kind: 'count'; rows: number; features: number; classes: string[] };

function detectHeader(first: string[], width: number): Header {
  // A first line whose feature columns are numbers is a data row (the label may be a word).
  if (first.length === width && first.slice(0, -1).every(isNumber)) return { kind: 'none' };
  const [a, b] = first;
  if (
    a !== undefined &&
    b !== undefined &&
    /^\d+$/.test(a.trim()) &&
    /^\d+$/.test(b.trim()) &&
    Number(b) + 1 === width &&
    first.slice(2).every((s) => !isNumber(s))
  ) {
    return { kind: 'count', rows: Number(a), features: Number(b), classes: first.slice(2).map((s) => s.trim()) };
  }
  return { kind: 'names', names: first.map((s) => s.trim()) };
}

/**
 * Parses CSV text into a labelled dataset. Three layouts are accepted: a header of column names, no
 * header (all lines numeric), or the count header `n_rows,n_features,class names…` of the bundled
 * data sets. Labels that are all non-negative integers are class ids; otherwise the distinct label
 * strings, sorted, become the classes.
 *
 * @example
 * const ds = parseCsv('a,b,label\n1,2,0\n3,4,1\n');
 * ds.rows.length; // 2
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): Dataset {
  const source = options.source ?? 'csv';
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ fields: l.split(','), line: i + 1, empty: l.trim() === '' }))
    .filter((l) => !l.empty);
  const first = lines[0];
  const second = lines[1];
  if (!first) throw new CsvError(source, 'the file is empty');
  const width = (second ?? first).fields.length;
  const header = second ? detectHeader(first.fields, width) : ({ kind: 'none' } as Header);
  if (header.kind === 'names' && header.names.length !== width) {
    throw new CsvError(source, `the header has ${header.names.length} columns but the rows have ${width}`, first.line);
  }
  const body = header.kind === 'none' ? lines : lines.slice(1);
  if (body.length === 0) throw new CsvError(source, 'the file has a header but no rows');
  const labelled = options.label !== false;
  if (width < (labelled ? 2 : 1)) throw new CsvError(source, 'need at least one feature column and a label column');
  if (header.kind === 'count' && header.rows !== body.length) {
    throw new CsvError(source, `the header announces ${header.rows} rows but the file has ${body.length}`, first.line);
  }

  let labelIndex = labelled ? width - 1 : -1;
  if (typeof options.label === 'string') {
    if (header.kind !== 'names') throw new CsvError(source, `--label ${options.label} needs a header row of column names`);
    labelIndex = header.names.indexOf(options.label);
    if (labelIndex < 0) throw new CsvError(source, `no column named "${options.label}" (columns: ${header.names.join(', ')})`);
  }
  const featureNames =
    header.kind === 'names' ? header.names.filter((_, i) => i !== labelIndex) : Array.from({ length: labelled ? width - 1 : width }, (_, i) => `x${i}`);

  const rows: Float64Array[] = [];
  const rawLabels: string[] = [];
  for (const { fields, line } of body) {
    if (fields.length !== width) throw new CsvError(source, `expected ${width} fields, found ${fields.length}`, line);
    const row = new Float64Array(labelled ? width - 1 : width);
    let k = 0;
    for (let i = 0; i < width; i++) {
      const f = (fields[i] as string).trim();
      if (i === labelIndex) {
        if (f === '') throw new CsvError(source, 'the label is empty', line);
        rawLabels.push(f);
        continue;
      }
      const v = Number(f);
      if (f === '' || !Number.isFinite(v)) throw new CsvError(source, `column ${i + 1} is not a finite number: "${f}"`, line);
      row[k++] = v;
    }
    rows.push(row);
  }

  if (!labelled) return { featureNames, classes: [], rows, labels: [] };
  const integerLabels = rawLabels.every((l) => /^\d+$/.test(l));
  let classes: string[];
  let labels: number[];
  if (integerLabels) {
    labels = rawLabels.map(Number);
    const count = Math.max(...labels) + 1;
    if (header.kind === 'count' && header.classes.length > 0) {
      if (count > header.classes.length) {
        throw new CsvError(source, `label ${count - 1} has no class name (the header names ${header.classes.length})`);
      }
      classes = header.classes;
    } else {
      classes = Array.from({ length: count }, (_, i) => String(i));
    }
  } else {
    classes = [...new Set(rawLabels)].sort();
    labels = rawLabels.map((l) => classes.indexOf(l));
  }
  return { featureNames, classes, rows, labels };
}

/** Reads a `.csv` or gzip-compressed `.csv.gz` file into a dataset (see {@link parseCsv}). */
export async function readCsv(path: string, options: Omit<ParseCsvOptions, 'source'> = {}): Promise<Dataset> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    throw new CsvError(path, `cannot read the file (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`);
  }
  const text = path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  return parseCsv(text, { ...options, source: path });
}

/**
 * Deterministic train/test split: a seeded permutation of the rows, the last `testFraction` of it
 * is the test set. The same seed always gives the same split.
 */
export function splitDataset(ds: Dataset, testFraction: number, random: () => number): { train: Dataset; test: Dataset } {
  const n = ds.rows.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const nTest = Math.round(n * testFraction);
  const pick = (idx: number[]): Dataset => ({
    ...ds,
    rows: idx.map((i) => ds.rows[i] as Float64Array),
    labels: idx.map((i) => ds.labels[i] as number),
  });
  return { train: pick(order.slice(0, n - nTest)), test: pick(order.slice(n - nTest)) };
}
