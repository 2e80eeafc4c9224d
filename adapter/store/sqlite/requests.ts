import type { Database } from 'better-sqlite3';
import type { Hex } from '../../../lib/semantics/index.js';
import type { Proposal, RequestState } from '../../../lib/protocol/index.js';
import type { OwedCallback, RequestMirror, RequestRecord, Resolution, Settlement } from '../types.js';
import type { SqliteDatabase } from './database.js';
import { decodeTerms, encodeTerms, encodeValues, requestStateRank, toCallback, toRequest, type CallbackRow, type RequestRow } from '../rows.js';

/** {@link RequestMirror} over the shared SQLite connection: the `requests` and `callbacks` tables. */
export class SqliteRequestMirror implements RequestMirror {
  readonly #sql: SqliteDatabase;

  constructor(sql: SqliteDatabase) {
    this.#sql = sql;
  }

  get #db(): Database {
    return this.#sql.db;
  }

  async saveRequest(record: RequestRecord, requestedAt?: number): Promise<RequestRecord> {
    return this.#sql.atomically(() => {
      this.#db
        .prepare(
          `INSERT INTO requests (request_id, model_id, terms, input, state, requested_block, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (request_id) DO NOTHING`,
        )
        .run(
          record.requestId.toString(),
          record.modelId.toString(),
          encodeTerms(record.terms),
          encodeValues(record.input),
          record.state,
          record.requestedBlock,
          requestedAt ?? null,
        );
      return toRequest(this.#db.prepare('SELECT * FROM requests WHERE request_id = ?').get(record.requestId.toString()) as RequestRow);
    });
  }

  async getRequest(requestId: bigint): Promise<RequestRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM requests WHERE request_id = ?').get(requestId.toString()) as RequestRow | undefined;
    return row && toRequest(row);
  }

  /** Moves the remembered state forward only (events re-read after a reorg rewind must not move it back). */
  #setState(requestId: bigint, state: RequestState): void {
    const row = this.#db.prepare('SELECT state FROM requests WHERE request_id = ?').get(requestId.toString()) as { state: RequestState } | undefined;
    if (row && requestStateRank(state) > requestStateRank(row.state))
      this.#db.prepare('UPDATE requests SET state = ? WHERE request_id = ?').run(state, requestId.toString());
  }

  async recordProposal(requestId: bigint, proposal: Proposal, output: bigint[], proposedAt: number): Promise<void> {
    this.#sql.atomically(() => {
      this.#db
        .prepare('UPDATE requests SET proposer = ?, output_hash = ?, proposed_output = ?, proposed_at = ? WHERE request_id = ?')
        .run(proposal.proposer, proposal.outputHash, encodeValues(output), proposedAt, requestId.toString());
      this.#setState(requestId, 'Proposed');
    });
  }

  async recordChallenge(requestId: bigint, challenger: Hex, claimHash: Hex, disputedAt: number): Promise<void> {
    this.#sql.atomically(() => {
      this.#db
        .prepare('UPDATE requests SET challenger = ?, claim_hash = ?, disputed_at = ? WHERE request_id = ?')
        .run(challenger, claimHash, disputedAt, requestId.toString());
      this.#setState(requestId, 'Disputed');
    });
  }

  async setRequestState(requestId: bigint, state: RequestState): Promise<void> {
    this.#sql.atomically(() => this.#setState(requestId, state));
  }

  async recordSettlement(requestId: bigint, settlement: Settlement): Promise<void> {
    this.#sql.atomically(() => {
      this.#db
        .prepare(
          `UPDATE requests SET settled_at = ?, provenance = COALESCE(?, provenance),
             settled_seq = COALESCE(settled_seq, (SELECT COALESCE(MAX(settled_seq), 0) + 1 FROM requests)) WHERE request_id = ?`,
        )
        .run(settlement.at, settlement.provenance ?? null, requestId.toString());
      this.#setState(requestId, settlement.state);
    });
  }

  async recordResolution(requestId: bigint, r: Resolution): Promise<void> {
    this.#db
      .prepare('UPDATE requests SET winner = ?, resolver = ?, provenance = ?, reward = ?, resolver_reward = ? WHERE request_id = ?')
      .run(r.winner.toLowerCase(), r.resolver.toLowerCase(), r.provenance, r.reward.toString(), r.resolverReward.toString(), requestId.toString());
  }

  async requestsPastDeadline(chainTime: number, limit: number): Promise<RequestRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM requests WHERE state = 'Requested' AND CAST(json_extract(terms, '$.deadline') AS INTEGER) < ?
         ORDER BY requested_block LIMIT ?`,
      )
      .all(chainTime, limit) as RequestRow[];
    return rows.map(toRequest);
  }

  async maturedProposals(proposer: Hex, chainTime: number, limit: number): Promise<RequestRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM requests WHERE state = 'Proposed' AND lower(proposer) = ?
           AND proposed_at + CAST(json_extract(terms, '$.challengeWindow') AS INTEGER) <= ?
         ORDER BY proposed_at LIMIT ?`,
      )
      .all(proposer.toLowerCase(), chainTime, limit) as RequestRow[];
    return rows.map(toRequest);
  }

  async bondsAtRisk(operator: Hex): Promise<bigint> {
    const rows = this.#db
      .prepare(`SELECT terms FROM requests WHERE state IN ('Proposed', 'Disputed') AND (lower(proposer) = ? OR lower(challenger) = ?)`)
      .all(operator.toLowerCase(), operator.toLowerCase()) as Array<{ terms: string }>;
    return rows.reduce((sum, r) => sum + decodeTerms(r.terms).bond, 0n);
  }

  async saveCallback(cb: Omit<OwedCallback, 'delivered'>): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO callbacks (request_id, requester, gas_limit, data, block_number) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (request_id) DO UPDATE SET block_number = excluded.block_number`,
      )
      .run(cb.requestId.toString(), cb.requester, Number(cb.gasLimit), cb.data, cb.block);
  }

  async getCallback(requestId: bigint): Promise<OwedCallback | undefined> {
    const row = this.#db.prepare('SELECT * FROM callbacks WHERE request_id = ?').get(requestId.toString()) as CallbackRow | undefined;
    return row && toCallback(row);
  }

  async markCallbackDelivered(requestId: bigint): Promise<void> {
    this.#db.prepare('UPDATE callbacks SET delivered = 1 WHERE request_id = ?').run(requestId.toString());
  }
}
