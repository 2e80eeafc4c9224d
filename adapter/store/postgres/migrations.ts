/**
 * The PostgreSQL schema: the SQLite schema's tables at their latest version (same columns, so that rows map the
 * same way), plus what replicas share: the leader's fencing row and the proof queue. Applied in order, each once
 * (`vai_schema`); never edit one that shipped.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id          BIGSERIAL PRIMARY KEY,
     request_id  TEXT    NOT NULL,
     kind        TEXT    NOT NULL,
     state       TEXT    NOT NULL,
     model_id    TEXT    NOT NULL,
     input       TEXT,
     output      TEXT,
     claimed     TEXT,
     proof       TEXT,
     not_before  BIGINT  NOT NULL DEFAULT 0,
     attempts    INTEGER NOT NULL DEFAULT 0,
     error       TEXT,
     nonce       BIGINT,
     created_at  BIGINT  NOT NULL,
     updated_at  BIGINT  NOT NULL,
     UNIQUE (request_id, kind)
   );
   CREATE INDEX jobs_due ON jobs (state, not_before);
   CREATE TABLE txs (
     id           BIGSERIAL PRIMARY KEY,
     job_id       BIGINT NOT NULL REFERENCES jobs (id),
     sender       TEXT   NOT NULL,
     nonce        BIGINT NOT NULL,
     hash         TEXT   NOT NULL UNIQUE,
     raw          TEXT   NOT NULL,
     max_fee      TEXT   NOT NULL,
     priority_fee TEXT   NOT NULL,
     sent_at      BIGINT NOT NULL
   );
   CREATE INDEX txs_job ON txs (job_id);
   CREATE TABLE nonces (sender TEXT PRIMARY KEY, next BIGINT NOT NULL);
   CREATE TABLE cursors (name TEXT PRIMARY KEY, block_number BIGINT NOT NULL, block_hash TEXT NOT NULL);
   CREATE TABLE requests (
     request_id      TEXT   PRIMARY KEY,
     model_id        TEXT   NOT NULL,
     terms           TEXT   NOT NULL,
     input           TEXT   NOT NULL,
     proposer        TEXT,
     challenger      TEXT,
     output_hash     TEXT,
     claim_hash      TEXT,
     proposed_output TEXT,
     proposed_at     BIGINT,
     disputed_at     BIGINT,
     state           TEXT   NOT NULL,
     requested_block BIGINT NOT NULL
   );
   CREATE INDEX requests_state ON requests (state);
   CREATE TABLE callbacks (
     request_id   TEXT    PRIMARY KEY,
     requester    TEXT    NOT NULL,
     gas_limit    BIGINT  NOT NULL,
     data         TEXT    NOT NULL,
     block_number BIGINT  NOT NULL,
     delivered    BOOLEAN NOT NULL DEFAULT false
   );
   -- One row per node identity (key address): who leads and since which epoch. Taking over bumps the epoch under
   -- the row's lock; a submission reads it FOR SHARE, so a deposed leader's submission fails (or commits first).
   CREATE TABLE leaders (name TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch BIGINT NOT NULL, since BIGINT NOT NULL);
   -- Proofs asked of the prove workers: one per job, claimed with a lease (FOR UPDATE SKIP LOCKED).
   CREATE TABLE proofs (
     job_id      BIGINT PRIMARY KEY REFERENCES jobs (id),
     model_id    TEXT   NOT NULL,
     input       TEXT   NOT NULL,
     output      TEXT   NOT NULL,
     prover      TEXT   NOT NULL,
     state       TEXT   NOT NULL DEFAULT 'open',
     worker      TEXT,
     lease_until BIGINT NOT NULL DEFAULT 0,
     proof       TEXT,
     error       TEXT,
     attempts    INTEGER NOT NULL DEFAULT 0,
     created_at  BIGINT NOT NULL,
     updated_at  BIGINT NOT NULL
   );
   CREATE INDEX proofs_open ON proofs (state, lease_until);`,
  // The columns of SQLite's migration 4 (the dashboard's life cycles, settlements and latencies), so that rows map
  // the same way. The dashboard's queries themselves run on SQLite only for now.
  `ALTER TABLE requests ADD COLUMN requested_at BIGINT;
   ALTER TABLE requests ADD COLUMN settled_at BIGINT;
   ALTER TABLE requests ADD COLUMN settled_seq BIGINT;
   ALTER TABLE requests ADD COLUMN provenance TEXT;
   ALTER TABLE requests ADD COLUMN winner TEXT;
   ALTER TABLE requests ADD COLUMN resolver TEXT;
   ALTER TABLE requests ADD COLUMN reward TEXT;
   ALTER TABLE requests ADD COLUMN resolver_reward TEXT;
   ALTER TABLE jobs ADD COLUMN sent_at BIGINT;
   CREATE SEQUENCE settled_seq;`,
];
