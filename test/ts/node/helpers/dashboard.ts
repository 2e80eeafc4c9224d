import type { Server } from 'node:http';
import { pino } from 'pino';
import type { Hex } from '../../../../lib/semantics/index.js';
import type { DashboardStatus } from '../../../../adapter/http/dashboard.js';
import { createAdapterApp, listen } from '../../../../adapter/http/server.js';
import { ModelCatalog } from '../../../../adapter/inference/catalog.js';
import { ReferenceEngine } from '../../../../adapter/inference/engine.js';
import { InferenceService } from '../../../../adapter/inference/service.js';
import { createMetrics } from '../../../../adapter/metrics.js';
import { classifier, writeModelDir } from './models.js';
import type { NodeStores } from '../../../../adapter/store/types.js';

/**
 * The node's HTTP endpoint with the dashboard over `store`, without a chain: `status` stands for what the node would
 * report (an address, stake, ...). Resolves with the base URL and a `close`.
 */
export async function serveDashboard(
  store: NodeStores,
  opts: { address: Hex; status?: Partial<DashboardStatus>; scrub?: (s: string) => string },
): Promise<{ base: string; server: Server; close: () => Promise<void> }> {
  const catalog = await ModelCatalog.load([writeModelDir(classifier, 'classifier')]);
  const metrics = createMetrics(store.jobs);
  const inference = new InferenceService({ catalog, engine: new ReferenceEngine(), metrics, inferenceTimeoutMs: 1000, proveTimeoutMs: 1000 });
  const status = (): DashboardStatus => ({
    ok: true,
    version: 'test',
    address: opts.address,
    oracle: '0x00000000000000000000000000000000000000aa',
    chainId: '31337',
    roles: ['proposer', 'watcher', 'finalizer'],
    models: ['classifier'],
    head: 12_000,
    processedTo: 11_999,
    freeStake: 19n * 10n ** 18n,
    lockedStake: 10n ** 18n,
    balance: 5n * 10n ** 18n,
    bondsAtRisk: 10n ** 18n,
    proposalsHeld: 0,
    arbitrationRequests: 0,
    ...opts.status,
  });
  const app = createAdapterApp({
    inference,
    metrics,
    logger: pino({ level: 'silent' }),
    dashboard: { reader: store.dashboard, status, scrub: opts.scrub ?? ((s) => s) },
  });
  const { server, port } = await listen(app, 0);
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
