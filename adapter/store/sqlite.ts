import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { Hex } from '../../lib/semantics/index.js';
import { REQUEST_STATES, ZERO_ADDRESS, ZERO_HASH, type OwedCallback, type Proposal, type RequestRecord, type RequestState, type RequestTerms } from '../chain/types.js';
import { JobStoreError } from '../errors.js';
import { assertTransition, isJobKind, isJobState, type JobKind, type JobState } from '../jobs/machine.js';
import { migrate } from './migrations.js';
import type { BlockCursor, Job, JobPatch, JobStore, NewJob, SignedTx, TxRecord } from './types.js';

type JobRow = {
  id: number;
  request_id: string;
  kind: string;
  state: string;
  model_id: string;
  input: string | null;
  output: string | null;
  claimed: string | null;
  proof: string | null;
  not_before: number;
  attempts: number;
  error: string | null;
  nonce: number | null;
  created_at: number;
  updated_at: number;
};

type TxRow = {
  id: number;
  job_id: number;
  sender: string;
  nonce: number;
  hash: string;
  raw: string;
  max_fee: string;
  priority_fee: string;
  sent_at: number;
};

const encodeValues = (v: readonly bigint[] | null | undefined): string | null =>
  v == null ? null : JSON.stringify(v.map((x) => x.toString()));
const decodeValues = (s: string | null): bigint[] | null => (s == null ? null : (JSON.parse(s) as string[]).map((x) => BigInt(x)));

function toJob(row: JobRow): Job {
  if (!isJobKind(row.kind) || !isJobState(row.state)) throw new JobStoreError(`Job ${row.id} has an unknown kind or state (${row.kind}, ${row.state}).`);
  return {
    id: row.id,
    requestId: BigInt(row.request_id),
    kind: row.kind,
    state: row.state,
    modelId: row.model_id as Hex,
    input: decodeValues(row.input),
    output: decodeValues(row.output),
    claimed: decodeValues(row.claimed),
    proof: row.proof as Hex | null,
    notBefore: row.not_before,
    attempts: row.attempts,
    error: row.error,
    nonce: row.nonce,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTx(row: TxRow): TxRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    from: row.sender as Hex,
    nonce: row.nonce,
    hash: row.hash as Hex,
    raw: row.raw as Hex,
    maxFeePerGas: BigInt(row.max_fee),
    maxPriorityFeePerGas: BigInt(row.priority_fee),
    sentAt: row.sent_at,
  };
}

type RequestRow = {
  request_id: string;
  model_id: string;
  terms: string;
  input: string;
  proposer: string | null;
  challenger: string | null;
  output_hash: string | null;
  claim_hash: string | null;
  proposed_output: string | null;
  proposed_at: number | null;
  disputed_at: number | null;
  state: string;
  requested_block: number;
};

const encodeTerms = (t: RequestTerms): string =>
  JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** Terms as stored (JSON, integers as strings); rows from before protocol v2 got the new fields' zero values. */
function decodeTerms(s: string): RequestTerms {
  const t = JSON.parse(s) as Record<keyof RequestTerms, string | boolean | undefined>;
  const int = (v: string | boolean | undefined): bigint => BigInt(typeof v === 'string' ? v : 0);
  return {
    requester: t.requester as Hex,
    modelId: int(t.modelId),
    callbackGasLimit: int(t.callbackGasLimit),
    fee: int(t.fee),
    bond: int(t.bond),
    challengeWindow: int(t.challengeWindow),
    outputLength: int(t.outputLength),
    deadline: int(t.deadline),
    inputHash: t.inputHash as Hex,
    disputeWindow: int(t.disputeWindow),
    verifierVersion: int(t.verifierVersion),
    accepts: int(t.accepts),
  };
}

const requestStateRank = (s: RequestState): number => (s === 'Finalized' || s === 'Failed' || s === 'Expired' ? 4 : REQUEST_STATES.indexOf(s));

function toRequest(row: RequestRow): RequestRecord {
  const state = REQUEST_STATES.find((s) => s === row.state);
  if (!state) throw new JobStoreError(`Request ${row.request_id} has an unknown state ${row.state}.`);
  const proposal: Proposal | null =
    row.proposer && row.output_hash
      ? {
          proposer: row.proposer as Hex,
          challenger: (row.challenger ?? ZERO_ADDRESS) as Hex,
          outputHash: row.output_hash as Hex,
          claimHash: (row.claim_hash ?? ZERO_HASH) as Hex,
        }
      : null;
  return {
    requestId: BigInt(row.request_id),
    modelId: BigInt(row.model_id),
    terms: decodeTerms(row.terms),
    input: decodeValues(row.input) ?? [],
    proposal,
    proposedOutput: decodeValues(row.proposed_output),
    proposedAt: row.proposed_at,
    disputedAt: row.disputed_at,
    state,
    requestedBlock: row.requested_block,
  };
}

const PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  input: 'input',
  output: 'output',
  claimed: 'claimed',
  proof: 'proof',
  notBefore: 'not_before',
  attempts: 'attempts',
  error: 'error',
  modelId: 'model_id',
};

function patchAssignments(patch: JobPatch): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof JobPatch, JobPatch[keyof JobPatch]]>) {
    if (value === undefined) continue;
    parts.push(`${PATCH_COLUMNS[key]} = ?`);
    values.push(key === 'input' || key === 'output' || key === 'claimed' ? encodeValues(value as bigint[] | null) : value);
  }
  return { sql: parts.map((p) => `, ${p}`).join(''), values };
}

/**
 * The default {@link JobStore}: one SQLite file in WAL mode (better-sqlite3, synchronous calls, each
 * method one transaction).
 *
 * Durability: every commit reaches the WAL before the method returns, so a process crash (SIGKILL) loses
 * nothing (`synchronous = NORMAL`). A submission is committed with `synchronous = FULL`: the WAL is
 * fsynced before the transaction is broadcast, which also makes every earlier commit durable, so even a
 * power cut cannot forget a transaction that may be on the network (the rule "never submitted twice").
 */
export class SqliteJobStore implements JobStore {
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

  #job(id: number): Job {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new JobStoreError(`Job ${id} does not exist.`);
    return toJob(row);
  }

  async ensureJob(spec: NewJob, now = Date.now()): Promise<{ job: Job; created: boolean }> {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO jobs (request_id, kind, state, model_id, input, claimed, not_before, created_at, updated_at)
           VALUES (?, ?, 'seen', ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, kind) DO NOTHING`,
        )
        .run(spec.requestId.toString(), spec.kind, spec.modelId, encodeValues(spec.input), encodeValues(spec.claimed), spec.notBefore ?? 0, now, now);
      const row = this.db.prepare('SELECT * FROM jobs WHERE request_id = ? AND kind = ?').get(spec.requestId.toString(), spec.kind) as JobRow;
      return { job: toJob(row), created: info.changes === 1 };
    })();
  }

  async getJob(id: number): Promise<Job | undefined> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  async findJob(requestId: bigint, kind: JobKind): Promise<Job | undefined> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE request_id = ? AND kind = ?').get(requestId.toString(), kind) as JobRow | undefined;
    return row && toJob(row);
  }

  async dueJobs(now: number, limit: number, exclude: readonly number[] = []): Promise<Job[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE state IN ('seen', 'inferred', 'proof_pending') AND not_before <= ?
         AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY not_before, id LIMIT ?`,
      )
      .all(now, JSON.stringify(exclude), limit) as JobRow[];
    return rows.map(toJob);
  }

  async submittedJobs(): Promise<Job[]> {
    return (this.db.prepare(`SELECT * FROM jobs WHERE state = 'submitted' ORDER BY nonce, id`).all() as JobRow[]).map(toJob);
  }

  #transition(id: number, from: JobState, to: JobState, patch: JobPatch, now: number): Job {
    assertTransition(id, from, to);
    const { sql, values } = patchAssignments(patch);
    const info = this.db.prepare(`UPDATE jobs SET state = ?, updated_at = ?${sql} WHERE id = ? AND state = ?`).run(to, now, ...values, id, from);
    if (info.changes !== 1) {
      const current = this.db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string } | undefined;
      throw new JobStoreError(
        current ? `Job ${id} is ${current.state}, not ${from}: another worker moved it.` : `Job ${id} does not exist.`,
      );
    }
    return this.#job(id);
  }

  async transition(id: number, from: JobState, to: JobState, patch: JobPatch = {}, now = Date.now()): Promise<Job> {
    return this.db.transaction(() => this.#transition(id, from, to, patch, now))();
  }

  async update(id: number, state: JobState, patch: JobPatch, now = Date.now()): Promise<Job> {
    return this.db.transaction(() => {
      const { sql, values } = patchAssignments(patch);
      const info = this.db.prepare(`UPDATE jobs SET updated_at = ?${sql} WHERE id = ? AND state = ?`).run(now, ...values, id, state);
      if (info.changes !== 1) throw new JobStoreError(`Job ${id} is not ${state}.`);
      return this.#job(id);
    })();
  }

  #reserveNonce(from: Hex): number {
    const row = this.db.prepare('SELECT next FROM nonces WHERE sender = ?').get(from.toLowerCase()) as { next: number } | undefined;
    const nonce = row?.next ?? 0;
    this.db
      .prepare('INSERT INTO nonces (sender, next) VALUES (?, ?) ON CONFLICT (sender) DO UPDATE SET next = excluded.next')
      .run(from.toLowerCase(), nonce + 1);
    return nonce;
  }

  #insertTx(jobId: number, from: Hex, nonce: number, signed: SignedTx, now: number): TxRecord {
    const info = this.db
      .prepare('INSERT INTO txs (job_id, sender, nonce, hash, raw, max_fee, priority_fee, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(jobId, from.toLowerCase(), nonce, signed.hash, signed.raw, signed.maxFeePerGas.toString(), signed.maxPriorityFeePerGas.toString(), now);
    return toTx(this.db.prepare('SELECT * FROM txs WHERE id = ?').get(info.lastInsertRowid) as TxRow);
  }

  /** Runs `fn` in a transaction whose commit is fsynced (see the class comment). */
  #durably<T>(fn: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  async submit(id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now = Date.now()) {
    return this.#durably(() => this.#submitOne(id, state, from, sign, now));
  }

  async submitMany(items: ReadonlyArray<{ id: number; state: JobState; sign: (nonce: number) => SignedTx }>, from: Hex, now = Date.now()) {
    return this.#durably(() =>
      items.map((item) => {
        // A savepoint per job: one that fails leaves no trace (no nonce reserved) and the others go on.
        try {
          return this.db.transaction(() => this.#submitOne(item.id, item.state, from, item.sign, now))();
        } catch (err) {
          return { error: err as Error };
        }
      }),
    );
  }

  #submitOne(id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now: number): { job: Job; tx: TxRecord } {
    const job = this.#job(id);
    if (job.state !== state) throw new JobStoreError(`Job ${id} is ${job.state}, not ${state}: another worker moved it.`);
    assertTransition(id, state, 'submitted');
    const nonce = job.nonce ?? this.#reserveNonce(from);
    if (job.nonce == null) this.db.prepare('UPDATE jobs SET nonce = ? WHERE id = ?').run(nonce, id);
    const tx = this.#insertTx(id, from, nonce, sign(nonce), now);
    return { job: this.#transition(id, state, 'submitted', {}, now), tx };
  }

  async addReplacement(jobId: number, sign: (nonce: number) => SignedTx, now = Date.now()): Promise<TxRecord> {
    return this.#durably(() => {
      const job = this.#job(jobId);
      if (job.state !== 'submitted' || job.nonce == null) throw new JobStoreError(`Job ${jobId} has no transaction to replace.`);
      const first = this.db.prepare('SELECT sender FROM txs WHERE job_id = ? LIMIT 1').get(jobId) as { sender: string } | undefined;
      if (!first) throw new JobStoreError(`Job ${jobId} has no transaction to replace.`);
      return this.#insertTx(jobId, first.sender as Hex, job.nonce, sign(job.nonce), now);
    });
  }

  async txsOf(jobId: number): Promise<TxRecord[]> {
    return (this.db.prepare('SELECT * FROM txs WHERE job_id = ? ORDER BY id').all(jobId) as TxRow[]).map(toTx);
  }

  async nextNonce(from: Hex): Promise<number> {
    const row = this.db.prepare('SELECT next FROM nonces WHERE sender = ?').get(from.toLowerCase()) as { next: number } | undefined;
    return row?.next ?? 0;
  }

  async syncNonce(from: Hex, atLeast: number): Promise<number> {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO nonces (sender, next) VALUES (?, ?) ON CONFLICT (sender) DO UPDATE SET next = MAX(next, excluded.next)')
        .run(from.toLowerCase(), atLeast);
      return (this.db.prepare('SELECT next FROM nonces WHERE sender = ?').get(from.toLowerCase()) as { next: number }).next;
    })();
  }

  async getCursor(name: string): Promise<BlockCursor | undefined> {
    const row = this.db.prepare('SELECT block_number, block_hash FROM cursors WHERE name = ?').get(name) as
      | { block_number: number; block_hash: string }
      | undefined;
    return row && { number: row.block_number, hash: row.block_hash as Hex };
  }

  async setCursor(name: string, cursor: BlockCursor): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO cursors (name, block_number, block_hash) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash',
      )
      .run(name, cursor.number, cursor.hash);
  }

  async countByState(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>> {
    const rows = this.db.prepare('SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state').all() as Array<{ kind: string; state: string; count: number }>;
    return rows.filter((r): r is { kind: JobKind; state: JobState; count: number } => isJobKind(r.kind) && isJobState(r.state));
  }

  async saveRequest(record: RequestRecord): Promise<RequestRecord> {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO requests (request_id, model_id, terms, input, state, requested_block) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (request_id) DO NOTHING`,
        )
        .run(record.requestId.toString(), record.modelId.toString(), encodeTerms(record.terms), encodeValues(record.input), record.state, record.requestedBlock);
      return toRequest(this.db.prepare('SELECT * FROM requests WHERE request_id = ?').get(record.requestId.toString()) as RequestRow);
    })();
  }

  async getRequest(requestId: bigint): Promise<RequestRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM requests WHERE request_id = ?').get(requestId.toString()) as RequestRow | undefined;
    return row && toRequest(row);
  }

  /** Moves the remembered state forward only (events re-read after a reorg rewind must not move it back). */
  #setState(requestId: bigint, state: RequestState): void {
    const row = this.db.prepare('SELECT state FROM requests WHERE request_id = ?').get(requestId.toString()) as { state: RequestState } | undefined;
    if (row && requestStateRank(state) > requestStateRank(row.state)) this.db.prepare('UPDATE requests SET state = ? WHERE request_id = ?').run(state, requestId.toString());
  }

  async recordProposal(requestId: bigint, proposal: Proposal, output: bigint[], proposedAt: number): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE requests SET proposer = ?, output_hash = ?, proposed_output = ?, proposed_at = ? WHERE request_id = ?')
        .run(proposal.proposer, proposal.outputHash, encodeValues(output), proposedAt, requestId.toString());
      this.#setState(requestId, 'Proposed');
    })();
  }

  async recordChallenge(requestId: bigint, challenger: Hex, claimHash: Hex, disputedAt: number): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE requests SET challenger = ?, claim_hash = ?, disputed_at = ? WHERE request_id = ?')
        .run(challenger, claimHash, disputedAt, requestId.toString());
      this.#setState(requestId, 'Disputed');
    })();
  }

  async setRequestState(requestId: bigint, state: RequestState): Promise<void> {
    this.db.transaction(() => this.#setState(requestId, state))();
  }

  async requestsPastDeadline(chainTime: number, limit: number): Promise<RequestRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM requests WHERE state = 'Requested' AND CAST(json_extract(terms, '$.deadline') AS INTEGER) < ?
         ORDER BY requested_block LIMIT ?`,
      )
      .all(chainTime, limit) as RequestRow[];
    return rows.map(toRequest);
  }

  async maturedProposals(proposer: Hex, chainTime: number, limit: number): Promise<RequestRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM requests WHERE state = 'Proposed' AND lower(proposer) = ?
           AND proposed_at + CAST(json_extract(terms, '$.challengeWindow') AS INTEGER) <= ?
         ORDER BY proposed_at LIMIT ?`,
      )
      .all(proposer.toLowerCase(), chainTime, limit) as RequestRow[];
    return rows.map(toRequest);
  }

  async bondsAtRisk(operator: Hex): Promise<bigint> {
    const rows = this.db
      .prepare(`SELECT terms FROM requests WHERE state IN ('Proposed', 'Disputed') AND (lower(proposer) = ? OR lower(challenger) = ?)`)
      .all(operator.toLowerCase(), operator.toLowerCase()) as Array<{ terms: string }>;
    return rows.reduce((sum, r) => sum + decodeTerms(r.terms).bond, 0n);
  }

  async saveCallback(cb: Omit<OwedCallback, 'delivered'>): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO callbacks (request_id, requester, gas_limit, data, block_number) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (request_id) DO UPDATE SET block_number = excluded.block_number`,
      )
      .run(cb.requestId.toString(), cb.requester, Number(cb.gasLimit), cb.data, cb.block);
  }

  async getCallback(requestId: bigint): Promise<OwedCallback | undefined> {
    const row = this.db.prepare('SELECT * FROM callbacks WHERE request_id = ?').get(requestId.toString()) as
      | { request_id: string; requester: string; gas_limit: number; data: string; block_number: number; delivered: number }
      | undefined;
    return (
      row && {
        requestId: BigInt(row.request_id),
        requester: row.requester as Hex,
        gasLimit: BigInt(row.gas_limit),
        data: row.data as Hex,
        block: row.block_number,
        delivered: row.delivered !== 0,
      }
    );
  }

  async markCallbackDelivered(requestId: bigint): Promise<void> {
    this.db.prepare('UPDATE callbacks SET delivered = 1 WHERE request_id = ?').run(requestId.toString());
  }

  async cursorNames(): Promise<string[]> {
    return (this.db.prepare('SELECT name FROM cursors ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
