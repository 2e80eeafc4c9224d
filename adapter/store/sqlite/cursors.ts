import type { Hex } from '../../../lib/semantics/index.js';
import type { BlockCursor, CursorStore } from '../types.js';
import type { SqliteDatabase } from './database.js';

/** {@link CursorStore} over the shared SQLite connection (single statements: atomic on their own). */
export class SqliteCursors implements CursorStore {
  readonly #sql: SqliteDatabase;

  constructor(sql: SqliteDatabase) {
    this.#sql = sql;
  }

  async getCursor(name: string): Promise<BlockCursor | undefined> {
    const row = this.#sql.db.prepare('SELECT block_number, block_hash FROM cursors WHERE name = ?').get(name) as
      | { block_number: number; block_hash: string }
      | undefined;
    return row && { number: row.block_number, hash: row.block_hash as Hex };
  }

  async setCursor(name: string, cursor: BlockCursor): Promise<void> {
    this.#sql.db
      .prepare(
        'INSERT INTO cursors (name, block_number, block_hash) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash',
      )
      .run(name, cursor.number, cursor.hash);
  }

  async cursorNames(): Promise<string[]> {
    return (this.#sql.db.prepare('SELECT name FROM cursors ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }
}
