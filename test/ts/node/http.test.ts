import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputHash, outputHash, runReference, type IntModel } from '../../../lib/semantics/index.js';
import { ProverError } from '../../../adapter/errors.js';
import { createAdapterApp, listen } from '../../../adapter/http/server.js';
import { ModelCatalog } from '../../../adapter/inference/catalog.js';
import { ReferenceEngine, type InferenceEngine } from '../../../adapter/inference/engine.js';
import type { Prover } from '../../../adapter/inference/prover.js';
import { InferenceService } from '../../../adapter/inference/service.js';
import { createMetrics } from '../../../adapter/metrics.js';
import { classifier, writeModelDir } from './helpers/models.js';

/** The classifier at scale 2^8 over inputs 0..16: a model whose raw features are small integers (like digits' pixels). */
const pixels: IntModel = {
  ...classifier,
  scaleBits: 8,
  inputMax: 16n * 256n,
  layers: classifier.layers.map((l) => ({ ...l, weights: l.weights.map((row) => row.map((w) => w * 16)), bias: l.bias.map((b) => b * 256) })),
};

/** An engine that never answers: to see the 504 path. */
const hangingEngine: InferenceEngine = { name: 'hanging', run: () => new Promise(() => {}) };
/** A prover whose backend is down: to see the 502 path. */
const brokenProver: Prover = {
  canProve: () => true,
  prove: async () => {
    throw new ProverError('worker crashed');
  },
};

let server: Server;
let base: string;
let slowServer: Server;
let slowBase: string;

beforeAll(async () => {
  const catalog = await ModelCatalog.load([writeModelDir(classifier, 'classifier'), writeModelDir(pixels, 'pixels')]);
  const logger = pino({ level: 'silent' });
  const metrics = createMetrics();
  const inference = new InferenceService({
    catalog,
    engine: new ReferenceEngine(),
    prover: brokenProver,
    metrics,
    inferenceTimeoutMs: 1000,
    proveTimeoutMs: 1000,
  });
  // On-chain id 7 is the classifier's registration (the node resolves ids through the registry's modelHash).
  const resolveModelId = async (id: bigint) => (id === 7n ? catalog.get('classifier') : undefined);
  const main = await listen(createAdapterApp({ inference, metrics, logger, bodyLimit: '2kb', resolveModelId }), 0);
  [server, base] = [main.server, `http://127.0.0.1:${main.port}`];
  const slow = new InferenceService({ catalog, engine: hangingEngine, metrics, inferenceTimeoutMs: 50, proveTimeoutMs: 50 });
  const slowOne = await listen(createAdapterApp({ inference: slow, metrics, logger }), 0);
  [slowServer, slowBase] = [slowOne.server, `http://127.0.0.1:${slowOne.port}`];
});
afterAll(() => {
  server?.close();
  slowServer?.close();
});

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('external-adapter endpoint', () => {
  it('answers {jobRunID, statusCode, data, result} with the canonical output and commitments', async () => {
    const input = [10n, 90n, 3n, 50n];
    const expected = runReference(classifier, input);
    const { status, json } = await post(`${base}/`, { id: 'job-1', data: { model: 'classifier', input: [10, '90', 3, 50] } });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      jobRunID: 'job-1',
      statusCode: 200,
      data: { output: expected.map(String), inputHash: inputHash(input), outputHash: outputHash(expected) },
      result: String(expected[0]),
    });
    expect((json.data as { modelHash: string }).modelHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('accepts the modelHash alias and defaults jobRunID to "1"', async () => {
    const first = await post(`${base}/`, { data: { model: 'classifier', input: [1, 2, 3, 4] } });
    const modelHash = (first.json.data as { modelHash: string }).modelHash;
    const { status, json } = await post(`${base}/`, { data: { modelHash, input: [1, 2, 3, 4] } });
    expect(status).toBe(200);
    expect(json.jobRunID).toBe('1');
    expect(json.result).toBe(first.json.result);
  });

  it.each([
    [{ id: 3, data: { input: [1, 2, 3, 4] } }, '[Param: model] required'],
    [{ id: 3, data: { model: 'nope', input: [1, 2, 3, 4] } }, '[Param: model] Model nope is not served by this node.'],
    [{ id: 3, data: { model: 'classifier', input: [1, 2, 3] } }, '[Param: input] Input has 3 values, the model takes 4.'],
    [{ id: 3, data: { model: 'classifier', input: [1, 2, 3, 101] } }, "[Param: input] Input value 101 at index 3 is outside the model's range [0, 100]."],
    [{ id: 3, data: { model: 'classifier', input: [1, 'x', 3, 4] } }, '[Param: input.1]'],
    [{ id: 3, data: { model: 'classifier', input: [1, 2.5, 3, 4], inputKind: 'quantized' } }, '[Param: input.1] not an integer'],
    [{ id: 3, data: { model: 'classifier', input: 'nope' } }, '[Param: input]'],
    [{ id: 3, data: { model: 'classifier', input: [1, 2, 3, 4], prove: true } }, '[Param: prover] required with prove'],
    [{ id: 3, data: { model: 'classifier', input: [1, 2, 3, 4], prove: true, prover: '0x1234' } }, '[Param: prover] expected an address'],
  ])('rejects bad parameters with 400 and a [Param: name] message (%#)', async (body, message) => {
    const { status, json } = await post(`${base}/`, body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ jobRunID: '3', status: 'errored', statusCode: 400 });
    expect((json.error as { message: string }).message.startsWith(message)).toBe(true);
  });

  it('limits the body size and rejects malformed JSON in the same error shape', async () => {
    const big = await post(`${base}/`, { id: 1, data: { model: 'classifier', input: Array.from({ length: 2000 }, () => 1) } });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ status: 'errored', statusCode: 413 });
    const bad = await post(`${base}/`, '{"id": 1, "data": ');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: 'errored', statusCode: 400 });
  });

  it('answers 502 when the prover fails and 504 when inference times out', async () => {
    const prover = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const upstream = await post(`${base}/`, { id: 'p', data: { model: 'classifier', input: [1, 2, 3, 4], prove: true, prover } });
    expect(upstream.status).toBe(502);
    expect(upstream.json).toMatchObject({ jobRunID: 'p', status: 'errored', statusCode: 502, error: { message: 'worker crashed' } });
    const timeout = await post(`${slowBase}/`, { id: 't', data: { model: 'classifier', input: [1, 2, 3, 4] } });
    expect(timeout.status).toBe(504);
    expect(timeout.json).toMatchObject({ jobRunID: 't', status: 'errored', statusCode: 504, error: { name: 'AdapterTimeoutError' } });
  });

  it('serves /health and Prometheus /metrics with inference latency and request counts', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/vai_inference_seconds_count\{model="classifier",engine="reference"\} [1-9]/);
    expect(text).toMatch(/vai_http_requests_total\{status="400"\} [1-9]/);
  });

  it('puts the result under data too (a bridge task parses "data,result") and echoes a null id', async () => {
    const input = [10n, 90n, 3n, 50n];
    const { status, json } = await post(`${base}/`, { id: null, data: { model: 'classifier', input: [10, 90, 3, 50] } });
    expect(status).toBe(200);
    expect(json.jobRunID).toBeNull();
    expect((json.data as { result: unknown }).result).toBe(String(runReference(classifier, input)[0]));
    const refused = await post(`${base}/`, { id: null, data: { model: 'nope', input: [1, 2, 3, 4] } });
    expect(refused.status).toBe(400);
    expect(refused.json.jobRunID).toBeNull();
  });

  it('takes the on-chain model id (number or decimal string, as model or modelId) and refuses an unknown one', async () => {
    const expected = String(runReference(classifier, [1n, 2n, 3n, 4n])[0]);
    for (const data of [{ modelId: 7 }, { modelId: '7' }, { model: 7 }, { model: '7' }]) {
      const { status, json } = await post(`${base}/`, { id: 'm', data: { ...data, input: [1, 2, 3, 4] } });
      expect(status).toBe(200);
      expect(json.result).toBe(expected);
    }
    const unknown = await post(`${base}/`, { id: 'm', data: { modelId: 8, input: [1, 2, 3, 4] } });
    expect(unknown.status).toBe(400);
    expect((unknown.json.error as { message: string }).message).toContain('[Param: model] Model 8 is not served');
  });

  it('quantizes real-valued inputs with the model scale (inputKind real, or any non-integer value)', async () => {
    const reals = [0.5, 1.25, 2, 3.5];
    const quantized = reals.map((v) => BigInt(Math.round(v * 16)));
    const expected = { result: String(runReference(classifier, quantized)[0]), input: quantized.map(String), inputHash: inputHash(quantized) };
    for (const data of [{ input: reals }, { input: reals, inputKind: 'real' }]) {
      const { status, json } = await post(`${base}/`, { id: 'r', data: { model: 'classifier', ...data } });
      expect(status).toBe(200);
      expect(json.data).toMatchObject(expected);
    }
    // Whole numbers marked real are scaled too.
    const whole = await post(`${base}/`, { id: 'r', data: { model: 'classifier', input: [1, 2, 3, 4], inputKind: 'real' } });
    expect(whole.json.data).toMatchObject({ input: ['16', '32', '48', '64'] });
    const outside = await post(`${base}/`, { id: 'r', data: { model: 'classifier', input: [0.5, 1, 2, 7] } });
    expect(outside.status).toBe(400);
    expect((outside.json.error as { message: string }).message).toMatch(/^\[Param: input\] .*outside the model's range/);
  });

  it('refuses integers that look unscaled (all within the real range of a model at scale 2^8 or finer), unless marked', async () => {
    const raw = [0, 3, 16, 9];
    const refused = await post(`${base}/`, { id: 'u', data: { model: 'pixels', input: raw } });
    expect(refused.status).toBe(400);
    expect((refused.json.error as { message: string }).message).toMatch(/^\[Param: input\] The integers look unscaled/);
    const scaled = raw.map((v) => BigInt(v * 256));
    const expected = String(runReference(pixels, scaled)[0]);
    for (const data of [{ input: scaled.map(Number) }, { input: raw, inputKind: 'real' }]) {
      const { status, json } = await post(`${base}/`, { id: 'u', data: { model: 'pixels', ...data } });
      expect(status).toBe(200);
      expect(json.result).toBe(expected);
    }
    const marked = await post(`${base}/`, { id: 'u', data: { model: 'pixels', input: raw, inputKind: 'quantized' } });
    expect(marked.status).toBe(200);
    expect(marked.json.data).toMatchObject({ input: raw.map(String) });
    // All zeros is a plausible quantized input: taken as it is.
    expect((await post(`${base}/`, { id: 'u', data: { model: 'pixels', input: [0, 0, 0, 0] } })).status).toBe(200);
  });

  it('answers what the sample Chainlink bridge job of docs/NODE.md posts, and its jsonparse task finds the result', async () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'NODE.md'), 'utf8');
    const toml = /```toml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(toml).toBeDefined();
    // TOML first (observationSource is a basic string: \\ is one backslash), then the pipeline's DOT attributes.
    const dot = toml!.replaceAll('\\\\', '\\');
    const template = /type="bridge"[^\]]*?requestData="((?:[^"\\]|\\.)*)"/.exec(dot)?.[1];
    const path = /type="jsonparse"\s+path="([^"]+)"\s+data="\$\(vai\)"/.exec(dot)?.[1];
    expect(template).toBeDefined();
    expect(path).toBe('data,result');
    // Variables are substituted JSON-encoded (the CBOR request carries the model id and the real-valued row).
    const vars: Record<string, unknown> = {
      'jobSpec.externalJobID': '0eec7e1d-d0d2-476c-a1a8-72dfb6633f02',
      'decode_cbor.modelId': 7,
      'decode_cbor.input': [0.5, 1.25, 2, 3.5],
    };
    const body = JSON.parse(template!.replaceAll('\\"', '"').replace(/\$\(([^)]+)\)/g, (_m, name: string) => JSON.stringify(vars[name]))) as Record<
      string,
      unknown
    >;
    // The node adds its run's metadata to the bridge's body; the endpoint ignores it.
    const { status, json } = await post(`${base}/`, { ...body, meta: { oracleRequest: { requestId: '0x01' } } });
    expect(status).toBe(200);
    expect(json.jobRunID).toBe('0eec7e1d-d0d2-476c-a1a8-72dfb6633f02');
    const parsed = path!.split(',').reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], json);
    expect(parsed).toBe(String(runReference(classifier, [8n, 20n, 32n, 56n])[0]));
  });
});
