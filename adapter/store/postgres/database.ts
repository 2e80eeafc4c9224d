import pg from 'pg';
import { JobStoreError } from '../../errors.js';
import { PG_MIGRATIONS } from './migrations.js';

/** The epoch this replica leads its key with (`leaders` row). */
export type Fence = { name: string; holder: string; epoch: number };

/** A connection of the pool inside a transaction (or the pool itself, for one statement). */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Key of the transaction-scoped advisory lock that serializes migrations of replicas starting together. */
const MIGRATION_LOCK = 0x7661_695f_6d69_67n; // "vai_mig"

/** 64-bit integers (BIGINT, COUNT) as numbers: the store's ids, times (ms), nonces and blocks stay below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The PostgreSQL database the stores share: a pool of connections (transactions of different jobs run side by
 * side; the compare-and-set updates and row locks keep each one atomic). Commits are durable when they return
 * (`synchronous_commit` on, the server's default), which is what SQLite's `synchronous = FULL` gives submissions.
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  /** Set by the leadership: submissions check it in their transaction (see `PgTxs`). */
  fence: Fence | undefined;

  private constructor(url: string, pool: pg.Pool) {
    this.url = url;
    this.pool = pool;
  }

  static async open(url: string, options: { max?: number } = {}): Promise<PgDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: TYPES, keepAlive: true, connectionTimeoutMillis: 10_000 });
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener it would throw.
    pool.on('error', () => {});
    const db = new PgDatabase(url, pool);
    try {
      await db.transaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
        await c.query('CREATE TABLE IF NOT EXISTS vai_schema (version INTEGER NOT NULL)');
        const { rows } = await c.query<{ version: number }>('SELECT COALESCE(MAX(version), 0) AS version FROM vai_schema');
        for (let v = rows[0]!.version; v < PG_MIGRATIONS.length; v++) {
          await c.query(PG_MIGRATIONS[v]!);
          await c.query('INSERT INTO vai_schema (version) VALUES ($1)', [v + 1]);
        }
      });
    } catch (cause) {
      await pool.end().catch(() => {});
      throw new JobStoreError(`Cannot open the job store at ${redactPassword(url)}: ${(cause as Error).message}`, { cause });
    }
    return db;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  #closed = false;

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

/** A database URL fit for logs and errors (the password replaced). */
export function redactPassword(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
