import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type InputDomain, inputDomain, isTransformerGraph, validateModelInput } from '../../lib/model/model-dir.js';
import { addressSchema, integerValueSchema } from '../../lib/protocol/index.js';
import { graphInputScaleBits, inputHash, outputHash, quantizeAll } from '../../lib/semantics/index.js';
import type { LoadedModel } from '../inference/catalog.js';
import type { RoleServices } from '../roles/context.js';
import { dashboardRouter, type DashboardOptions } from './dashboard.js';
import { AdapterError, AdapterInputError, toAdapterError } from './errors.js';

/** A model key: a served model's name or `modelHash`, or an on-chain model id (number or decimal string). */
const modelKey = z.union([z.string().min(1), z.number().int().nonnegative().refine(Number.isSafeInteger, 'above 2^53: send it as a decimal string')]);

/** One input value as sent: an integer (number or decimal string) or a real number. */
const inputValue = z.union([
  z.number().refine(Number.isFinite, 'not a finite number'),
  z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a number'),
]);

/**
 * The request parameters of `POST /`, declared once: type, required, aliases (`modelHash`, `modelId` for `model`).
 * `inputKind`: `real` (values quantized here with the model's scale), `quantized` (integers at the model's scale,
 * taken as they are), or absent: real when a value is not an integer, else quantized unless they look unscaled
 * ({@link looksUnscaled}).
 */
const dataSchema = z
  .object({
    model: modelKey.optional(),
    modelHash: z.string().min(1).optional(),
    modelId: modelKey.optional(),
    input: z.array(inputValue).min(1).max(65_535),
    inputKind: z.enum(['real', 'quantized']).optional(),
    prove: z.boolean().default(false),
    /** The address that will submit the proof: a proof verifies on chain only in a transaction from it. */
    prover: addressSchema.optional(),
  })
  .transform(({ model, modelHash, modelId, ...rest }, ctx) => {
    const key = model ?? modelHash ?? modelId;
    if (key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'required' });
      return z.NEVER;
    }
    // No default: the caller alone knows which address will send the proof, and a proof made for another one
    // would only fail on chain.
    if (rest.prove && !rest.prover) {
      ctx.addIssue({ code: 'custom', path: ['prover'], message: 'required with prove: the address that will submit the proof' });
      return z.NEVER;
    }
    return { model: String(key), ...rest };
  });

/** `jobRunID` is echoed as given: a string, a number (as its decimal string) or null; absent: "1". */
const bodySchema = z.object({
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  data: dataSchema,
});

/** The smallest scale at which unscaled integers are refused: 2^8, where they would stand for under 1/256 of a unit. */
export const UNSCALED_MIN_SCALE_BITS = 8;

/**
 * Do these integers look like raw feature values that were never multiplied by 2^S? True when the model's scale is
 * at least 2^8, every value lies in the model's real-valued range `[floor(inputMin / 2^S), ceil(inputMax / 2^S)]`
 * and one of them is not zero: quantized, such an input would be a row of values below 1/256 of the range's unit,
 * which no real input of the model is; unscaled, it is an ordinary row (the digits model's pixels 0..16).
 */
export function looksUnscaled(model: Pick<InputDomain, 'scaleBits' | 'inputMin' | 'inputMax'>, values: readonly bigint[]): boolean {
  const s = model.scaleBits;
  if (s < UNSCALED_MIN_SCALE_BITS) return false;
  const unit = 1n << BigInt(s);
  const floorDiv = (v: bigint) => (v >= 0n ? v / unit : -((-v + unit - 1n) / unit));
  const ceilDiv = (v: bigint) => -floorDiv(-v);
  const [lo, hi] = [floorDiv(model.inputMin), ceilDiv(model.inputMax)];
  return values.some((v) => v !== 0n) && values.every((v) => v >= lo && v <= hi);
}

/** The quantized input of a request: real values quantized with the model's scale, or integers checked as above. */
function quantizedInput(model: LoadedModel, values: ReadonlyArray<number | string>, kind: 'real' | 'quantized' | undefined): bigint[] {
  const isInteger = (v: number | string) => (typeof v === 'number' ? Number.isInteger(v) : /^-?\d+$/.test(v));
  const real = kind === 'real' || (kind === undefined && !values.every(isInteger));
  // A graph imported with --input-scale-bits takes real inputs at that scale (raw pixels as they are), not at 2^S.
  const inputScale = model.kind === 'graph' ? graphInputScaleBits(model.graph) : model.manifest.scaleBits;
  const domain = { ...inputDomain(model), scaleBits: inputScale };
  // A transformer's input is token ids: integers that no scale applies to.
  const tokens = model.kind === 'graph' && isTransformerGraph(model.graph);
  if (real) {
    if (tokens) throw new AdapterInputError('input', `model ${model.name} takes token ids (integers), not real values`);
    const numbers = values.map(Number);
    const bad = numbers.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new AdapterInputError(`input.${bad}`, 'not a finite number');
    const q = quantizeAll(numbers, domain.scaleBits);
    validateModelInput(model, q);
    return q;
  }
  const ints = values.map((v, i) => {
    if (!isInteger(v)) throw new AdapterInputError(`input.${i}`, 'not an integer (inputKind is quantized)');
    const parsed = integerValueSchema.safeParse(v);
    if (!parsed.success) throw new AdapterInputError(`input.${i}`, parsed.error.issues[0]?.message ?? 'invalid');
    return parsed.data;
  });
  if (kind === undefined && !tokens && looksUnscaled(domain, ints)) {
    const unit = 2 ** domain.scaleBits;
    throw new AdapterInputError(
      'input',
      `The integers look unscaled: model ${model.name} takes values at scale 2^${domain.scaleBits} (1.0 is ${unit}), and these are all within its real range. Send the real values with "inputKind": "real" (quantized here), multiply them by ${unit}, or send "inputKind": "quantized" if they really are quantized.`,
    );
  }
  return ints;
}

export type HealthReport = { ok: boolean; [key: string]: unknown };

/** The node's services the endpoint uses (the same instances as the roles': one metrics registry, one logger). */
export type AdapterAppOptions = Pick<RoleServices, 'inference' | 'metrics' | 'logger'> & {
  bodyLimit?: string;
  health?: () => Promise<HealthReport> | HealthReport;
  /** Stack traces in error answers (debug only). */
  debug?: boolean;
  /** The served model registered under an on-chain model id (through the registry's `modelHash`), if any. */
  resolveModelId?: (modelId: bigint) => Promise<LoadedModel | undefined>;
  /** The operator dashboard at `/ui` (none: not served). */
  dashboard?: DashboardOptions;
};

function jobRunIdOf(body: unknown): string | null {
  const id = (body as { id?: unknown } | undefined)?.id;
  if (id === null) return null;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '1';
}

/**
 * The Chainlink external-adapter endpoint (`POST /` with `{id, data: {model, input}}`), `/health`, Prometheus
 * `/metrics`, and the operator dashboard (`/ui`, see `dashboard.ts`).
 */
export function createAdapterApp(options: AdapterAppOptions): express.Express {
  const { inference, metrics, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: options.bodyLimit ?? '64kb' }));

  app.post('/', async (req: Request, res: Response) => {
    const jobRunID = jobRunIdOf(req.body);
    try {
      const parsed = bodySchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const path = issue.path.filter((p) => p !== 'data');
        const param = path.length ? path.map(String).join('.') : 'data';
        throw new AdapterInputError(param, issue.message);
      }
      const { model: key, input: values, inputKind, prove, prover } = parsed.data.data;
      const model = await findModel(key);
      const input = quantizedInput(model, values, inputKind);
      const result = await inference.infer(model, input);
      const proof = prove && prover ? await inference.prove(result.model, input, result.output, prover) : undefined;
      const output = result.output.map((v) => v.toString());
      // One value (an argmax model's class, or a one-value output) as a decimal string, else the array of them:
      // also under data, where a Chainlink bridge task's jsonparse (path "data,result") looks for it.
      const answer = output.length === 1 ? output[0]! : output;
      metrics.httpRequests.inc({ status: '200' });
      res.status(200).json({
        jobRunID,
        statusCode: 200,
        data: {
          result: answer,
          output,
          input: input.map(String),
          modelHash: result.modelHash,
          inputHash: inputHash(input),
          outputHash: outputHash(result.output),
          ...(proof ? { proof } : {}),
        },
        result: answer,
      });
    } catch (err) {
      sendError(res, jobRunID, toAdapterError(err));
    }
  });

  /** A served model by name, `modelHash`, or on-chain model id (a decimal number: resolved through the registry). */
  async function findModel(key: string): Promise<LoadedModel> {
    const known = inference.catalog.find(key) ?? (/^\d+$/.test(key) ? inference.catalog.find(`id:${BigInt(key)}`) : undefined);
    if (known) return known;
    if (/^\d+$/.test(key) && options.resolveModelId) {
      const resolved = await options.resolveModelId(BigInt(key)).catch(() => undefined);
      if (resolved) return resolved;
    }
    return inference.catalog.get(key);
  }

  app.get('/health', async (_req: Request, res: Response) => {
    try {
      const report = (await options.health?.()) ?? { ok: true };
      res.status(report.ok ? 200 : 503).json(report);
    } catch (err) {
      res.status(503).json({ ok: false, error: (err as Error).message });
    }
  });

  app.get('/metrics', async (_req: Request, res: Response) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Every node store (SQLite and PostgreSQL) answers the dashboard's queries; an endpoint built without them says so.
  if (options.dashboard) app.use(dashboardRouter(options.dashboard));
  else
    app.get(['/ui', '/ui/*path'], (_req, res) => {
      res.status(404).type('text/plain').send('This endpoint has no dashboard: it is served by a node (vai node start), over its store.\n');
    });

  // Body-parser failures (too large, not JSON) in the same error shape.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number; type?: string }).status;
    const type = (err as { type?: string }).type;
    const adapterError =
      type === 'entity.too.large'
        ? new AdapterError(413, `Request body larger than ${options.bodyLimit ?? '64kb'}.`, { name: 'AdapterInputError' })
        : status && status >= 400 && status < 500
          ? new AdapterInputError('body', (err as Error).message)
          : toAdapterError(err);
    sendError(res, jobRunIdOf(req.body), adapterError);
  });

  function sendError(res: Response, jobRunID: string | null, err: AdapterError): void {
    metrics.httpRequests.inc({ status: String(err.statusCode) });
    if (err.statusCode >= 500) logger.warn({ err, jobRunID }, 'adapter request failed');
    res.status(err.statusCode).json({
      jobRunID,
      status: 'errored',
      statusCode: err.statusCode,
      error: { name: err.name, message: err.shortMessage, ...(options.debug && err.stack ? { stack: err.stack } : {}) },
    });
  }
  return app;
}

/** Listens on `port` (0: any free port) and resolves with the server and its port. */
export function listen(app: express.Express, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
