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
  rows.forEach((r, i) => flat.set(Array.from(r), i * inputLength));
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
  /** Last-layer values per row. */
  logits: bigint[][];
};

function rowsOf(data: BigInt64Array, n: number): bigint[][] {
  const width = data.length / n;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));
}

/** Runs the integer graph (`model.int.onnx`) on a batch of integer rows. */
export async function runIntBatch(session: Session, rows: readonly (readonly bigint[])[], inputLength: number): Promise<IntBatchResult> {
  const flat = new BigInt64Array(rows.length * inputLength);
  rows.forEach((r, i) => flat.set(r, i * inputLength));
  const result = await session.run({ input: new ort.Tensor('int64', flat, [rows.length, inputLength]) });
  const outputs = rowsOf(result.output!.data as BigInt64Array, rows.length);
  const logits = result.logits ? rowsOf(result.logits.data as BigInt64Array, rows.length) : outputs;
  return { outputs, logits };
}

export { ort };
