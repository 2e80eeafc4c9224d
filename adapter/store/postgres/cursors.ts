import type { Hex } from '../../../lib/semantics/index.js';
import type { BlockCursor, CursorStore } from '../types.js';
import type { PgDatabase } from './database.js';

/** {@link CursorStore} on PostgreSQL (single statements: atomic on their own). */
export class PgCursors implements CursorStore {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async getCursor(name: string): Promise<BlockCursor | undefined> {
    const [row] = await this.#db.query<{ block_number: number; block_hash: string }>('SELECT block_number, block_hash FROM cursors WHERE name = $1', [name]);
    return row && { number: row.block_number, hash: row.block_hash as Hex };
  }

  async setCursor(name: string, cursor: BlockCursor): Promise<void> {
    await this.#db.query(
      'INSERT INTO cursors (name, block_number, block_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash',
      [name, cursor.number, cursor.hash],
    );
  }

  async cursorNames(): Promise<string[]> {
    return (await this.#db.query<{ name: string }>('SELECT name FROM cursors ORDER BY name')).map((r) => r.name);
  }
}
