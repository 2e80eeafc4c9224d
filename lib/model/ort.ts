import ort from 'onnxruntime-node';

export type Session = ort.InferenceSession;

/**
 * Opens an onnxruntime-node session on model bytes: CPU provider, one intra-op thread (inference
 * here is many small independent calls; threads cost more than they save), full graph optimization.
 */
export async function openSession(bytes: Uint8Array): Promise<Session> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only: warnings would mix into the CLI's stderr
  });
}

/**
 * Runs a float graph on a batch of flattened rows, fed as `[rows, ...featureShape]` (e.g. `[n, 1, 8, 8]`);
 * returns one Float64Array of outputs per row.
 */
export async function runFloatBatch(session: Session, rows: readonly ArrayLike<number>[], featureShape: readonly number[]): Promise<Float64Array[]> {
  const inputLength = featureShape.reduce((a, d) => a * d, 1);
  const meta = session.inputMetadata[0];
  const double = meta?.isTensor === true && meta.type === 'float64';
  const flat = double ? new Float64Array(rows.length * inputLength) : new Float32Array(rows.length * inputLength);
  for (const [i, r] of rows.entries()) flat.set(Array.from(r), i * inputLength);
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const result = await session.run({ [inputName]: new ort.Tensor(double ? 'float64' : 'float32', flat, [rows.length, ...featureShape]) });
  const out = result[outputName]!;
  // Logits are float; a graph ending in ArgMax returns int64 class indices.
  const data = out.data as Float32Array | Float64Array | BigInt64Array;
  const width = data.length / rows.length;
  return rows.map((_, i) => Float64Array.from(data.subarray(i * width, (i + 1) * width) as ArrayLike<number | bigint>, Number));
}

export type IntBatchResult = {
  /** Model output per row (argmax index or logits, as the model's outputKind says). */
  outputs: bigint[][];
  /** Last-layer values per row, when asked for (`withLogits`). */
  logits: bigint[][] | null;
};

function rowsOf(data: BigInt64Array, n: number): bigint[][] {
  const width = data.length / n;
  const rows: bigint[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: bigint[] = new Array(width);
    for (let j = 0; j < width; j++) row[j] = data[i * width + j]!;
    rows[i] = row;
  }
  return rows;
}

/**
 * Runs the integer graph (`model.int.onnx`) on a batch of integer rows. Only the `output` tensor is
 * fetched unless `withLogits` asks for the last layer's values too (argmax models expose `logits`).
 */
export async function runIntBatch(
  session: Session,
  rows: readonly (readonly bigint[])[],
  inputLength: number,
  options: { withLogits?: boolean } = {},
): Promise<IntBatchResult> {
  const flat = new BigInt64Array(rows.length * inputLength);
  // An element loop: about twice as fast as TypedArray.set from an array of bigints in V8.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const offset = i * inputLength;
    for (let j = 0; j < inputLength; j++) flat[offset + j] = row[j]!;
  }
  const hasLogits = session.outputNames.includes('logits');
  const fetch = options.withLogits && hasLogits ? ['output', 'logits'] : ['output'];
  const result = await session.run({ input: new ort.Tensor('int64', flat, [rows.length, inputLength]) }, fetch);
  const outputs = rowsOf(result.output!.data as BigInt64Array, rows.length);
  if (!options.withLogits) return { outputs, logits: null };
  return { outputs, logits: hasLogits ? rowsOf(result.logits!.data as BigInt64Array, rows.length) : outputs };
}

export { ort };
