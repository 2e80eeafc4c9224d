import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { addressSchema, integerValueSchema } from '../../lib/protocol/index.js';
import { inputHash, outputHash } from '../../lib/semantics/index.js';
import type { RoleServices } from '../roles/context.js';
import { AdapterError, AdapterInputError, toAdapterError } from './errors.js';

/** The request parameters of `POST /`, declared once: type, required, aliases (`modelHash`, `modelId` for `model`). */
const dataSchema = z
  .object({
    model: z.string().min(1).optional(),
    modelHash: z.string().min(1).optional(),
    modelId: z.string().min(1).optional(),
    input: z.array(integerValueSchema).min(1).max(65_535),
    prove: z.boolean().default(false),
    /** The address that will submit the proof: a proof verifies on chain only in a transaction from it. */
    prover: addressSchema.optional(),
  })
  .transform(({ model, modelHash, modelId, ...rest }, ctx) => {
    const key = model ?? modelHash ?? modelId;
    if (!key) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'required' });
      return z.NEVER;
    }
    // No default: the caller alone knows which address will send the proof, and a proof made for another one
    // would only fail on chain.
    if (rest.prove && !rest.prover) {
      ctx.addIssue({ code: 'custom', path: ['prover'], message: 'required with prove: the address that will submit the proof' });
      return z.NEVER;
    }
    return { model: key, ...rest };
  });

const bodySchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  data: dataSchema,
});

export type HealthReport = { ok: boolean; [key: string]: unknown };

/** The node's services the endpoint uses (the same instances as the roles': one metrics registry, one logger). */
export type AdapterAppOptions = Pick<RoleServices, 'inference' | 'metrics' | 'logger'> & {
  bodyLimit?: string;
  health?: () => Promise<HealthReport> | HealthReport;
  /** Stack traces in error answers (debug only). */
  debug?: boolean;
};

function jobRunIdOf(body: unknown): string {
  const id = (body as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '1';
}

/**
 * The Chainlink external-adapter endpoint (`POST /` with `{id, data: {model, input}}`), `/health` and
 * Prometheus `/metrics`.
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
      const { model: key, input, prove, prover } = parsed.data.data;
      const result = await inference.infer(key, input);
      const proof = prove && prover ? await inference.prove(result.model, input, result.output, prover) : undefined;
      const output = result.output.map((v) => v.toString());
      metrics.httpRequests.inc({ status: '200' });
      res.status(200).json({
        jobRunID,
        statusCode: 200,
        data: { output, modelHash: result.modelHash, inputHash: inputHash(input), outputHash: outputHash(result.output), ...(proof ? { proof } : {}) },
        result: output.length === 1 ? output[0] : output,
      });
    } catch (err) {
      sendError(res, jobRunID, toAdapterError(err));
    }
  });

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

  function sendError(res: Response, jobRunID: string, err: AdapterError): void {
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
