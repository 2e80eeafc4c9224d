import type { NodeStores } from '../types.js';
import { PgCursors } from './cursors.js';
import { PgDashboard } from './dashboard.js';
import { PgDatabase } from './database.js';
import { PgJobs } from './jobs.js';
import { PgLeadership, type LeadershipOptions } from './leader.js';
import { PgProofQueue } from './proofs.js';
import { PgRequestMirror } from './requests.js';
import { PgTxs } from './txs.js';

export { PgDatabase, redactPassword } from './database.js';

/** Whether a `--db` value names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/**
 * Opens (migrating if needed) the PostgreSQL database at `url` and returns the node's stores over one pool, with
 * the dashboard's queries, the replicas' leadership and the prove workers' queue. `close()` ends the pool and the leadership session.
 */
export async function openPgStore(url: string, options: LeadershipOptions & { poolSize?: number } = {}): Promise<NodeStores> {
  const db = await PgDatabase.open(url, { max: options.poolSize ?? 10 });
  const leadership = new PgLeadership(db, options);
  return {
    jobs: new PgJobs(db),
    txs: new PgTxs(db),
    cursors: new PgCursors(db),
    requests: new PgRequestMirror(db),
    dashboard: new PgDashboard(db),
    leadership,
    proofs: new PgProofQueue(db),
    close: async () => {
      await leadership.release();
      await db.close();
    },
  };
}
