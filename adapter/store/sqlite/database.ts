import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { JobStoreError } from '../../errors.js';
import { migrate } from '../migrations.js';

/**
 * The one SQLite connection the stores share: one file in WAL mode (better-sqlite3, synchronous calls), so a
 * transaction opened by one store may write the tables of another (a submission moves its job).
 *
 * Durability: every commit reaches the WAL before the method returns, so a process crash (SIGKILL) loses
 * nothing (`synchronous = NORMAL`). A submission is committed with `synchronous = FULL` ({@link durably}): the
 * WAL is fsynced before the transaction is broadcast, which also makes every earlier commit durable, so even a
 * power cut cannot forget a transaction that may be on the network (the rule "never submitted twice").
 */
export class SqliteDatabase {
  readonly db: Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new BetterSqlite3(path);
    } catch (cause) {
      throw new JobStoreError(`Cannot open the job store at ${path}.`, { cause });
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  /** Runs `fn` in one transaction (a savepoint when called inside another). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Runs `fn` in a transaction whose commit is fsynced (see the class comment). */
  durably<T>(fn: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
