import type { Hex } from '../../../lib/semantics/index.js';
import type { Proposal, RequestState } from '../../../lib/protocol/index.js';
import { decodeTerms, encodeTerms, encodeValues, requestStateRank, toCallback, toRequest, type CallbackRow, type RequestRow } from '../rows.js';
import type { OwedCallback, RequestMirror, RequestRecord, Resolution, Settlement } from '../types.js';
import type { PgDatabase, Queryable } from './database.js';

/** Key of the transaction-scoped advisory lock under which a settlement takes its number (`settled_seq`). */
const SETTLEMENT_LOCK = 0x7661_695f_7365_7474n; // "vai_sett"

/** {@link RequestMirror} on PostgreSQL: the `requests` and `callbacks` tables. */
export class PgRequestMirror implements RequestMirror {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async saveRequest(record: RequestRecord, requestedAt?: number): Promise<RequestRecord> {
    await this.#db.query(
      `INSERT INTO requests (request_id, model_id, terms, input, state, requested_block, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (request_id) DO NOTHING`,
      [
        record.requestId.toString(),
        record.modelId.toString(),
        encodeTerms(record.terms),
        encodeValues(record.input),
        record.state,
        record.requestedBlock,
        requestedAt ?? null,
      ],
    );
    const saved = await this.getRequest(record.requestId);
    return saved ?? record;
  }

  async getRequest(requestId: bigint): Promise<RequestRecord | undefined> {
    const [row] = await this.#db.query<RequestRow>('SELECT * FROM requests WHERE request_id = $1', [requestId.toString()]);
    return row && toRequest(row);
  }

  /** Moves the remembered state forward only (events re-read after a reorg rewind must not move it back). */
  async #setState(c: Queryable, requestId: bigint, state: RequestState): Promise<void> {
    const { rows } = await c.query<{ state: RequestState }>('SELECT state FROM requests WHERE request_id = $1 FOR UPDATE', [requestId.toString()]);
    const row = rows[0];
    if (row && requestStateRank(state) > requestStateRank(row.state))
      await c.query('UPDATE requests SET state = $1 WHERE request_id = $2', [state, requestId.toString()]);
  }

  async recordProposal(requestId: bigint, proposal: Proposal, output: bigint[], proposedAt: number): Promise<void> {
    await this.#db.transaction(async (c) => {
      await c.query('UPDATE requests SET proposer = $1, output_hash = $2, proposed_output = $3, proposed_at = $4 WHERE request_id = $5', [
        proposal.proposer,
        proposal.outputHash,
        encodeValues(output),
        proposedAt,
        requestId.toString(),
      ]);
      await this.#setState(c, requestId, 'Proposed');
    });
  }

  async recordChallenge(requestId: bigint, challenger: Hex, claimHash: Hex, disputedAt: number): Promise<void> {
    await this.#db.transaction(async (c) => {
      await c.query('UPDATE requests SET challenger = $1, claim_hash = $2, disputed_at = $3 WHERE request_id = $4', [
        challenger,
        claimHash,
        disputedAt,
        requestId.toString(),
      ]);
      await this.#setState(c, requestId, 'Disputed');
    });
  }

  async recordSettlement(requestId: bigint, settlement: Settlement): Promise<void> {
    await this.#db.transaction(async (c) => {
      // Settlements take their number one at a time, under a lock held until commit: numbers then become visible in
      // order, which lets the dashboard's ledger add up only the numbers above the last it read (PgDashboard).
      // A plain nextval would not: a later number can commit before an earlier one, which would then be skipped.
      await c.query('SELECT pg_advisory_xact_lock($1)', [SETTLEMENT_LOCK.toString()]);
      await c.query(
        `UPDATE requests SET settled_at = $1, provenance = COALESCE($2, provenance), settled_seq = COALESCE(settled_seq, nextval('settled_seq'))
         WHERE request_id = $3`,
        [settlement.at, settlement.provenance ?? null, requestId.toString()],
      );
      await this.#setState(c, requestId, settlement.state);
    });
  }

  async recordResolution(requestId: bigint, r: Resolution): Promise<void> {
    await this.#db.query('UPDATE requests SET winner = $1, resolver = $2, provenance = $3, reward = $4, resolver_reward = $5 WHERE request_id = $6', [
      r.winner.toLowerCase(),
      r.resolver.toLowerCase(),
      r.provenance,
      r.reward.toString(),
      r.resolverReward.toString(),
      requestId.toString(),
    ]);
  }

  async setRequestState(requestId: bigint, state: RequestState): Promise<void> {
    await this.#db.transaction((c) => this.#setState(c, requestId, state));
  }

  async requestsPastDeadline(chainTime: number, limit: number): Promise<RequestRecord[]> {
    const rows = await this.#db.query<RequestRow>(
      `SELECT * FROM requests WHERE state = 'Requested' AND (terms::jsonb ->> 'deadline')::numeric < $1
       ORDER BY requested_block LIMIT $2`,
      [chainTime, limit],
    );
    return rows.map(toRequest);
  }

  async maturedProposals(proposer: Hex, chainTime: number, limit: number): Promise<RequestRecord[]> {
    const rows = await this.#db.query<RequestRow>(
      `SELECT * FROM requests WHERE state = 'Proposed' AND lower(proposer) = $1
         AND proposed_at + (terms::jsonb ->> 'challengeWindow')::numeric <= $2
       ORDER BY proposed_at LIMIT $3`,
      [proposer.toLowerCase(), chainTime, limit],
    );
    return rows.map(toRequest);
  }

  async bondsAtRisk(operator: Hex): Promise<bigint> {
    const rows = await this.#db.query<{ terms: string }>(
      `SELECT terms FROM requests WHERE state IN ('Proposed', 'Disputed') AND (lower(proposer) = $1 OR lower(challenger) = $1)`,
      [operator.toLowerCase()],
    );
    return rows.reduce((sum, r) => sum + decodeTerms(r.terms).bond, 0n);
  }

  async saveCallback(cb: Omit<OwedCallback, 'delivered'>): Promise<void> {
    await this.#db.query(
      `INSERT INTO callbacks (request_id, requester, gas_limit, data, block_number) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (request_id) DO UPDATE SET block_number = excluded.block_number`,
      [cb.requestId.toString(), cb.requester, cb.gasLimit.toString(), cb.data, cb.block],
    );
  }

  async getCallback(requestId: bigint): Promise<OwedCallback | undefined> {
    const [row] = await this.#db.query<CallbackRow>('SELECT * FROM callbacks WHERE request_id = $1', [requestId.toString()]);
    return row && toCallback(row);
  }

  async markCallbackDelivered(requestId: bigint): Promise<void> {
    await this.#db.query('UPDATE callbacks SET delivered = true WHERE request_id = $1', [requestId.toString()]);
  }
}
