import type { NodeStores } from '../types.js';
import { SqliteCursors } from './cursors.js';
import { SqliteDashboard } from './dashboard.js';
import { SqliteDatabase } from './database.js';
import { SqliteJobs } from './jobs.js';
import { SqliteRequestMirror } from './requests.js';
import { SqliteTxs } from './txs.js';

export { SqliteDatabase } from './database.js';

/** The node's stores on SQLite (the same shape as on PostgreSQL). */
export type SqliteStores = NodeStores;

/**
 * Opens (creating and migrating if needed) the SQLite file at `path` and returns the node's stores over one
 * connection: what one store commits is seen at once by the others, and a submission (transactions + nonces)
 * moves its job in the same atomic transaction. `close()` closes the connection, for all of them.
 */
export function openStore(path: string): SqliteStores {
  const sql = new SqliteDatabase(path);
  return {
    jobs: new SqliteJobs(sql),
    txs: new SqliteTxs(sql),
    cursors: new SqliteCursors(sql),
    requests: new SqliteRequestMirror(sql),
    dashboard: new SqliteDashboard(sql),
    close: async () => sql.close(),
  };
}
