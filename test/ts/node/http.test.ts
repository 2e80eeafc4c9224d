import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputHash, outputHash, runReference } from '../../../lib/semantics/index.js';
import { ProverError } from '../../../adapter/errors.js';
import { createAdapterApp, listen } from '../../../adapter/http/server.js';
import { ModelCatalog } from '../../../adapter/inference/catalog.js';
import { ReferenceEngine, type InferenceEngine } from '../../../adapter/inference/engine.js';
import type { Prover } from '../../../adapter/inference/prover.js';
import { InferenceService } from '../../../adapter/inference/service.js';
import { createMetrics } from '../../../adapter/metrics.js';
import { classifier, writeModelDir } from './helpers/models.js';

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
  const catalog = await ModelCatalog.load([writeModelDir(classifier, 'classifier')]);
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
  const main = await listen(createAdapterApp({ inference, metrics, logger, bodyLimit: '2kb' }), 0);
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
});
