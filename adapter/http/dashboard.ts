import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { REQUEST_STATES } from '../../lib/protocol/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import type { Hex } from '../../lib/semantics/index.js';
import type { ActivityBucket, DashboardReader } from '../store/types.js';

/**
 * What the node tells the page about itself: public facts only. The key and the RPC URL are not in this type, so
 * no code path can put them on the page; every answer also passes through the node's scrubber.
 */
export type DashboardStatus = {
  ok: boolean;
  version: string;
  address: Hex;
  oracle: string;
  chainId?: string;
  roles: readonly string[];
  models: readonly string[];
  head?: number;
  processedTo?: number;
  lastError?: string;
  /** Wei, refreshed every poll of the chain. */
  freeStake?: bigint;
  lockedStake?: bigint;
  balance?: bigint;
  bondsAtRisk?: bigint;
  proposalsHeld: number;
  arbitrationRequests: number;
};

export type DashboardOptions = {
  reader: DashboardReader;
  status: () => DashboardStatus;
  /** Removes secrets (the RPC URL's credentials, the key) from a serialized answer: the last line of defence. */
  scrub: (text: string) => string;
  /** How long a summary is reused (ms): many open pages cost the store one query set per period. */
  summaryTtlMs?: number;
  now?: () => number;
};

/** The page and its assets: served from the repository (adapter/http/ui), also when the node runs from dist/. */
const UI_DIR = join(PROJECT_ROOT, 'adapter', 'http', 'ui');
const UPLOT_DIR = join(dirname(createRequire(import.meta.url).resolve('uplot')));

const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: join(UI_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { file: join(UI_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  'uPlot.min.js': { file: join(UPLOT_DIR, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: join(UPLOT_DIR, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const limitSchema = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const requestsQuery = z.object({ limit: limitSchema(500, 50), state: z.enum(REQUEST_STATES).optional() });
const disputesQuery = z.object({ limit: limitSchema(200, 20) });

/** One minute of the throughput and latency charts. */
const BUCKET_MS = 60_000;
const SERIES_MINUTES = 60;

/**
 * The last hour per minute (the node's clock), gaps filled: jobs created, jobs confirmed, and the mean reaction (job
 * created -> first transaction sent, ms) and inclusion (sent -> confirmed, s) of the jobs sent or confirmed then.
 */
export function activitySeries(buckets: readonly ActivityBucket[], now: number) {
  const start = Math.floor(now / BUCKET_MS) * BUCKET_MS - (SERIES_MINUTES - 1) * BUCKET_MS;
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  const slots = Array.from({ length: SERIES_MINUTES }, (_, i) => start + i * BUCKET_MS);
  const round = (v: number | null | undefined, digits: number) => (v == null ? null : Number(v.toFixed(digits)));
  return {
    t: slots.map((ms) => ms / 1000),
    created: slots.map((ms) => byStart.get(ms)?.created ?? 0),
    confirmed: slots.map((ms) => byStart.get(ms)?.confirmed ?? 0),
    reactionMs: slots.map((ms) => round(byStart.get(ms)?.reactionMs, 0)),
    inclusionS: slots.map((ms) => round((byStart.get(ms)?.inclusionMs ?? null) === null ? null : byStart.get(ms)!.inclusionMs! / 1000, 2)),
  };
}

/** JSON with bigints as decimal strings (wei, request ids), scrubbed of the node's secrets. */
function sendJson(res: Response, scrub: (s: string) => string, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  res.type('application/json').set('Cache-Control', 'no-store').send(scrub(text));
}

function badQuery(res: Response, error: z.ZodError): void {
  const issue = error.issues[0];
  res.status(400).json({ error: `[Param: ${issue?.path.join('.') || 'query'}] ${issue?.message ?? 'invalid'}` });
}

/**
 * The operator dashboard: `GET /ui` (one static page), `/ui/assets/*` (its script, style and uPlot, from the node
 * itself: no CDN), and the JSON it polls, read-only queries of the store: `/ui/api/summary` (node, stake, counts,
 * earnings, disputes, verdicts, charts) and `/ui/api/requests?limit=&state=` (life cycles with the node's jobs).
 */
export function dashboardRouter(options: DashboardOptions): express.Router {
  const { reader, scrub } = options;
  const now = options.now ?? Date.now;
  const ttl = options.summaryTtlMs ?? 1000;
  const router = express.Router();
  // The page's files are read once: they do not change while the node runs.
  const files = new Map<string, Buffer>();
  const read = (file: string) => {
    let data = files.get(file);
    if (!data) {
      data = readFileSync(file);
      files.set(file, data);
    }
    return data;
  };

  const page = (_req: Request, res: Response) => {
    res
      .type('text/html; charset=utf-8')
      // The page runs only its own scripts and talks only to this node.
      .set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
      .set('Cache-Control', 'no-cache')
      .send(read(join(UI_DIR, 'index.html')));
  };
  router.get('/ui', page);
  router.get('/ui/', page);
  router.get('/ui/assets/:name', (req: Request, res: Response) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) {
      res.status(404).json({ error: 'no such asset' });
      return;
    }
    res.type(asset.type).set('Cache-Control', 'max-age=300').send(read(asset.file));
  });

  // The buckets of past minutes never change (a job's creation, first send and confirmation happen once): they are
  // read once per minute, and only the current minute is read on every summary.
  let past: { minute: number; buckets: ActivityBucket[] } | undefined;
  const recentActivity = async (): Promise<ActivityBucket[]> => {
    const minute = Math.floor(now() / BUCKET_MS) * BUCKET_MS;
    if (past?.minute !== minute) {
      const since = minute - (SERIES_MINUTES - 1) * BUCKET_MS;
      past = { minute, buckets: (await reader.activity(since, BUCKET_MS)).filter((b) => b.start < minute) };
    }
    return [...past.buckets, ...(await reader.activity(minute, BUCKET_MS))];
  };

  let cached: { at: number; body: Promise<unknown> } | undefined;
  const summary = async () => {
    const status = options.status();
    const [jobs, requests, ledger, disputes, failed, verdicts, activity] = await Promise.all([
      reader.jobCounts(),
      reader.requestCounts(),
      reader.ledger(status.address),
      reader.recentDisputes(20),
      reader.recentJobs(20, ['failed']),
      reader.verdicts(20),
      recentActivity(),
    ]);
    return { at: now(), node: status, jobs, requests, ledger, disputes, failed, verdicts, series: activitySeries(activity, now()) };
  };
  router.get('/ui/api/summary', async (_req: Request, res: Response) => {
    if (!cached || now() - cached.at >= ttl) {
      cached = { at: now(), body: summary() };
      cached.body.catch(() => {
        cached = undefined;
      });
    }
    try {
      sendJson(res, scrub, await cached.body);
    } catch (err) {
      res.status(500).json({ error: scrub((err as Error).message) });
    }
  });
  router.get('/ui/api/requests', async (req: Request, res: Response) => {
    const q = requestsQuery.safeParse(req.query);
    if (!q.success) return badQuery(res, q.error);
    try {
      sendJson(res, scrub, { requests: await reader.recentRequests(q.data.limit, q.data.state) });
    } catch (err) {
      res.status(500).json({ error: scrub((err as Error).message) });
    }
  });
  router.get('/ui/api/disputes', async (req: Request, res: Response) => {
    const q = disputesQuery.safeParse(req.query);
    if (!q.success) return badQuery(res, q.error);
    try {
      sendJson(res, scrub, { disputes: await reader.recentDisputes(q.data.limit) });
    } catch (err) {
      res.status(500).json({ error: scrub((err as Error).message) });
    }
  });
  return router;
}
