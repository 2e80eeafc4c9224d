import { isPostgresUrl, openPgStore } from './postgres/index.js';
import { openStore } from './sqlite/index.js';
import type { NodeStores } from './types.js';

/**
 * The node's stores at `db`: a PostgreSQL database (`postgres://…`, shared by replicas and prove workers) or a
 * SQLite file (the default, one process).
 */
export async function openNodeStore(db: string): Promise<NodeStores> {
  return isPostgresUrl(db) ? openPgStore(db) : openStore(db);
}
