import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { REQUEST_STATES } from '../../lib/protocol/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import type { Hex } from '../../lib/semantics/index.js';
import type { DashboardReader, JobActivity } from '../store/types.js';

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

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/**
 * Per minute over the last hour (wall clock of the node): jobs created, transactions confirmed, and the medians of
 * the node's reaction (job created -> first transaction sent, ms) and of inclusion (sent -> confirmed, s).
 */
export function activitySeries(jobs: readonly JobActivity[], now: number) {
  const start = Math.floor(now / BUCKET_MS) * BUCKET_MS - (SERIES_MINUTES - 1) * BUCKET_MS;
  const slot = (ms: number) => Math.floor((ms - start) / BUCKET_MS);
  const created = new Array<number>(SERIES_MINUTES).fill(0);
  const confirmed = new Array<number>(SERIES_MINUTES).fill(0);
  const reaction = Array.from({ length: SERIES_MINUTES }, (): number[] => []);
  const inclusion = Array.from({ length: SERIES_MINUTES }, (): number[] => []);
  const inRange = (i: number) => i >= 0 && i < SERIES_MINUTES;
  for (const j of jobs) {
    const c = slot(j.createdAt);
    if (inRange(c)) created[c]!++;
    if (j.sentAt !== null) {
      const s = slot(j.sentAt);
      if (inRange(s)) reaction[s]!.push(Math.max(0, j.sentAt - j.createdAt));
      if (j.state === 'confirmed') {
        const u = slot(j.updatedAt);
        if (inRange(u)) {
          confirmed[u]!++;
          inclusion[u]!.push(Math.max(0, j.updatedAt - j.sentAt) / 1000);
        }
      }
    }
  }
  return {
    t: created.map((_, i) => (start + i * BUCKET_MS) / 1000),
    created,
    confirmed,
    reactionMs: reaction.map(median),
    inclusionS: inclusion.map(median),
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

  let cached: { at: number; body: Promise<unknown> } | undefined;
  const summary = async () => {
    const status = options.status();
    const since = now() - SERIES_MINUTES * BUCKET_MS;
    const [jobs, requests, ledger, disputes, failed, verdicts, activity] = await Promise.all([
      reader.jobCounts(),
      reader.requestCounts(),
      reader.ledger(status.address),
      reader.recentDisputes(20),
      reader.recentJobs(20, ['failed']),
      reader.verdicts(20),
      reader.activity(since, 20_000),
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
