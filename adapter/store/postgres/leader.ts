import pg from 'pg';
import { sleep } from '../../timeout.js';
import type { Leadership } from '../types.js';
import type { PgDatabase } from './database.js';

export type LeadershipOptions = {
  /** How often a standby tries to take the lock. */
  pollMs?: number;
  /** How often the leader checks that its session is alive; one that does not answer within this is lost. */
  heartbeatMs?: number;
};

/**
 * Leader election with a PostgreSQL advisory lock held by a dedicated session (not a pool connection): the lock
 * lives as long as that session. A leader that dies (SIGKILL, crash) closes its socket, the server ends the session
 * and releases the lock, and a standby polling `pg_try_advisory_lock` takes over within `pollMs`. A leader whose
 * machine vanishes without closing the socket is detected by TCP keepalives set on the session (about 5 s).
 *
 * The lock alone cannot stop a deposed leader that has not noticed yet, so taking over also bumps the key's epoch
 * in `leaders` (under that row's lock), and every submission re-reads it FOR SHARE in its own transaction: a
 * deposed leader's submission either committed before the takeover (and the new leader sees its nonce) or fails.
 */
export class PgLeadership implements Leadership {
  readonly #db: PgDatabase;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  #session: pg.Client | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(db: PgDatabase, options: LeadershipOptions = {}) {
    this.#db = db;
    this.#pollMs = options.pollMs ?? 500;
    this.#heartbeatMs = options.heartbeatMs ?? 2000;
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#db.url, keepAlive: true, keepAliveInitialDelayMillis: 1000 });
    client.on('error', () => {}); // reported through the heartbeat
    await client.connect();
    // The server's side of a silent peer: probe after 2 s idle, every 1 s, give up after 3 (the lock is freed).
    await client.query('SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3');
    return client;
  }

  async acquire(name: string, holder: string, signal: AbortSignal): Promise<{ epoch: number; lost: Promise<Error> }> {
    await this.release();
    for (;;) {
      signal.throwIfAborted();
      try {
        this.#session ??= await this.#connect();
        const { rows } = await this.#session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`vai:leader:${name}`]);
        if (rows[0]?.ok) break;
      } catch {
        // The database is unreachable: try again (a standby cannot lead without it anyway).
        await this.#drop();
      }
      await sleep(this.#pollMs, signal);
    }
    const session = this.#session!;
    const [row] = await this.#db.query<{ epoch: number }>(
      `INSERT INTO leaders (name, holder, epoch, since) VALUES ($1, $2, 1, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = leaders.epoch + 1, since = excluded.since RETURNING epoch`,
      [name, holder, Date.now()],
    );
    const epoch = row!.epoch;
    this.#db.fence = { name, holder, epoch };
    const lost = new Promise<Error>((resolve) => {
      const fail = (err: Error) => {
        if (this.#session !== session) return;
        void this.#drop();
        resolve(err);
      };
      session.once('end', () => fail(new Error('the leadership session ended')));
      session.once('error', (err: Error) => fail(err));
      let inFlight = false;
      this.#heartbeat = setInterval(() => {
        if (inFlight) return fail(new Error(`the leadership session did not answer within ${this.#heartbeatMs} ms`));
        inFlight = true;
        session.query('SELECT 1').then(
          () => (inFlight = false),
          (err: Error) => fail(err),
        );
      }, this.#heartbeatMs);
      this.#heartbeat.unref();
    });
    return { epoch, lost };
  }

  async #drop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    const session = this.#session;
    this.#session = undefined;
    if (session) await session.end().catch(() => {});
  }

  async release(): Promise<void> {
    // Ending the session releases the advisory lock; the fence stays, so that a late submission of this replica
    // still fails once another has taken over.
    await this.#drop();
  }
}
