import type { Database } from 'better-sqlite3';

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit one that shipped. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     request_id  TEXT    NOT NULL,
     kind        TEXT    NOT NULL,
     state       TEXT    NOT NULL,
     model_id    TEXT    NOT NULL,
     input       TEXT,
     output      TEXT,
     claimed     TEXT,
     proof       TEXT,
     not_before  INTEGER NOT NULL DEFAULT 0,
     attempts    INTEGER NOT NULL DEFAULT 0,
     error       TEXT,
     nonce       INTEGER,
     created_at  INTEGER NOT NULL,
     updated_at  INTEGER NOT NULL,
     UNIQUE (request_id, kind)
   );
   CREATE INDEX jobs_due ON jobs (state, not_before);
   CREATE TABLE txs (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id      INTEGER NOT NULL REFERENCES jobs (id),
     sender      TEXT    NOT NULL,
     nonce       INTEGER NOT NULL,
     hash        TEXT    NOT NULL UNIQUE,
     raw         TEXT    NOT NULL,
     max_fee     TEXT    NOT NULL,
     priority_fee TEXT   NOT NULL,
     sent_at     INTEGER NOT NULL
   );
   CREATE INDEX txs_job ON txs (job_id);
   CREATE TABLE nonces (sender TEXT PRIMARY KEY, next INTEGER NOT NULL);
   CREATE TABLE cursors (name TEXT PRIMARY KEY, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL);`,
  `CREATE TABLE requests (
     request_id      TEXT    PRIMARY KEY,
     model_id        TEXT    NOT NULL,
     terms           TEXT    NOT NULL,
     input           TEXT    NOT NULL,
     proposer        TEXT,
     challenger      TEXT,
     output_hash     TEXT,
     proposed_output TEXT,
     proposed_at     INTEGER,
     state           TEXT    NOT NULL,
     requested_block INTEGER NOT NULL
   );
   CREATE INDEX requests_state ON requests (state);`,
  // Protocol v2: the challenger's claim and the dispute's start, the request terms' new fields, and the callbacks the oracle owes.
  // Terms stored before v2 get the fields' zero values (no dispute window, no verifier, no on-chain weights, any
  // provenance); such requests belong to a v1 oracle, which a v2 node cannot act on, so their jobs that were not
  // sent yet end as skipped (a sent one is still watched to its receipt).
  `ALTER TABLE requests ADD COLUMN claim_hash TEXT;
   ALTER TABLE requests ADD COLUMN disputed_at INTEGER;
   UPDATE requests SET terms = json_insert(terms, '$.disputeWindow', '0', '$.verifierVersion', '0', '$.accepts', '0');
   UPDATE jobs SET state = 'skipped', error = 'protocol v1 request: not actionable by a v2 node'
     WHERE state IN ('seen', 'inferred', 'proof_pending');
   CREATE TABLE callbacks (
     request_id   TEXT    PRIMARY KEY,
     requester    TEXT    NOT NULL,
     gas_limit    INTEGER NOT NULL,
     data         TEXT    NOT NULL,
     block_number INTEGER NOT NULL,
     delivered    INTEGER NOT NULL DEFAULT 0
   );`,
  // The dashboard (/ui): chain times of a request's start and end, how it ended, and the outcome of its dispute, so
  // that life cycles, earnings and slashes come from the store; the order of settlements (`settled_seq`: the ledger
  // adds up only what settled since it last looked); when a job's first transaction was sent (latency charts without
  // a join); indexes for its newest-first pages, counts and per-minute series (the page must stay fast on a store
  // with tens of thousands of jobs).
  `ALTER TABLE requests ADD COLUMN requested_at INTEGER;
   ALTER TABLE requests ADD COLUMN settled_at INTEGER;
   ALTER TABLE requests ADD COLUMN settled_seq INTEGER;
   ALTER TABLE requests ADD COLUMN provenance TEXT;
   ALTER TABLE requests ADD COLUMN winner TEXT;
   ALTER TABLE requests ADD COLUMN resolver TEXT;
   ALTER TABLE requests ADD COLUMN reward TEXT;
   ALTER TABLE requests ADD COLUMN resolver_reward TEXT;
   ALTER TABLE jobs ADD COLUMN sent_at INTEGER;
   UPDATE jobs SET sent_at = (SELECT MIN(sent_at) FROM txs WHERE txs.job_id = jobs.id) WHERE nonce IS NOT NULL;
   UPDATE requests SET settled_seq = rowid WHERE state IN ('Finalized', 'Failed', 'Expired');
   CREATE INDEX requests_block ON requests (requested_block);
   CREATE INDEX requests_disputed ON requests (disputed_at) WHERE disputed_at IS NOT NULL;
   CREATE UNIQUE INDEX requests_settled ON requests (settled_seq) WHERE settled_seq IS NOT NULL;
   CREATE INDEX jobs_kind_state ON jobs (kind, state);
   CREATE INDEX jobs_kind_updated ON jobs (kind, updated_at);
   CREATE INDEX jobs_updated ON jobs (updated_at, state, sent_at);
   CREATE INDEX jobs_created ON jobs (created_at);
   CREATE INDEX jobs_sent ON jobs (sent_at, created_at) WHERE sent_at IS NOT NULL;`,
];

/** Brings the database to the latest schema, one migration per transaction. */
export function migrate(db: Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
