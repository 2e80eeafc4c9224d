import { Transaction, type JsonRpcProvider, type SigningKey } from 'ethers';
import type { Hex } from '../../lib/semantics/index.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';
import type { Job, NodeStores, SignedTx, TxRecord } from '../store/types.js';
import type { JobState } from '../jobs/machine.js';

export type TxRequest = { to: Hex; data: Hex; gasLimit: bigint; value?: bigint };

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type TxSenderOptions = {
  provider: JsonRpcProvider;
  signingKey: SigningKey;
  address: Hex;
  chainId: bigint;
  /** Jobs (watched to their receipt) and their transactions and nonces. */
  stores: Pick<NodeStores, 'jobs' | 'txs'>;
  logger: Logger;
  metrics?: NodeMetrics | undefined;
  confirmations: number;
  /** A transaction not mined after this long is replaced with a higher fee. */
  stuckAfterMs: number;
  /** Each replacement raises both fee caps by at least this percentage (nodes want >= 10 %). */
  feeBumpPercent: number;
  /** A ceiling on `maxFeePerGas` (replacements stop rising there). */
  maxFeePerGas?: bigint | undefined;
  /**
   * Why a mined transaction reverted, and what that makes of its job (`skipped`: someone else acted first). None:
   * every revert fails its job with no reason.
   */
  explainRevert?: ((job: Job, call: { to: Hex; data: Hex }, blockNumber: number) => Promise<RevertExplanation>) | undefined;
  /**
   * Whether a job whose transaction (`data`) succeeded has more to send: it goes back to `inferred` with its nonce
   * freed (a move of a bisection game that does not end it) instead of `confirmed`. None: every success confirms.
   */
  continues?: ((job: Job, data: Hex) => boolean) | undefined;
};

/** A mined revert as the node understands it: the decoded reason and the job's end. */
export type RevertExplanation = { reason: string; verdict: 'failed' | 'skipped' };

/** The receipt fields the node needs. */
export type MinedTx = { hash: Hex; blockNumber: number; status: number };

/** What happened to a submitted job's transaction. */
export type TxOutcome = { job: Job; receipt: MinedTx; succeeded: boolean; revert?: RevertExplanation };

type RawReceipt = { transactionHash: string; blockNumber: string; status: string };
const toMined = (r: RawReceipt): MinedTx => ({ hash: r.transactionHash as Hex, blockNumber: Number(r.blockNumber), status: Number(r.status) });

const MIN_PRIORITY_FEE = 1_000_000n; // 0.001 gwei
/** How often a pending transaction is checked for having been dropped by the RPC. */
const RECHECK_MS = 3000;

/** Is this broadcast error harmless (the transaction, or one with its nonce, is already there)? */
function isBenignBroadcastError(err: unknown): boolean {
  const text = String((err as { message?: string })?.message ?? err).toLowerCase();
  return ['already known', 'known transaction', 'nonce too low', 'already imported', 'replacement transaction underpriced', 'transaction already exists'].some(
    (s) => text.includes(s),
  );
}

/**
 * Signs and sends the node's transactions. The nonce lives in the job store: it is reserved, the
 * transaction signed and the job moved to `submitted` in one store transaction, before anything is
 * broadcast. After a crash the stored raw transaction is broadcast again (same hash), so a job is never
 * submitted twice; a transaction that is dropped is re-broadcast and one that is stuck is replaced (same
 * nonce, fees raised by `feeBumpPercent`).
 */
export class TxSender {
  readonly #o: TxSenderOptions;
  #fees: { at: number; fees: Fees } | undefined;

  constructor(options: TxSenderOptions) {
    this.#o = options;
  }

  get address(): Hex {
    return this.#o.address;
  }

  /** Aligns the stored nonce with the chain (another wallet may have used the key while the node was away). */
  async init(): Promise<number> {
    const pending = await this.#o.provider.getTransactionCount(this.#o.address, 'pending');
    return this.#o.stores.txs.syncNonce(this.#o.address, pending);
  }

  /** Current EIP-1559 fees, cached for a second. */
  async fees(): Promise<Fees> {
    if (this.#fees && Date.now() - this.#fees.at < 1000) return this.#fees.fees;
    const block = await this.#o.provider.getBlock('latest');
    const base = block?.baseFeePerGas ?? 1_000_000_000n;
    let priority = MIN_PRIORITY_FEE;
    try {
      priority = BigInt(await this.#o.provider.send('eth_maxPriorityFeePerGas', []));
    } catch {
      // Not every RPC has it; the floor will do.
    }
    if (priority < MIN_PRIORITY_FEE) priority = MIN_PRIORITY_FEE;
    let maxFeePerGas = base * 2n + priority;
    if (this.#o.maxFeePerGas && maxFeePerGas > this.#o.maxFeePerGas) maxFeePerGas = this.#o.maxFeePerGas;
    if (priority > maxFeePerGas) priority = maxFeePerGas;
    const fees = { maxFeePerGas, maxPriorityFeePerGas: priority };
    this.#fees = { at: Date.now(), fees };
    return fees;
  }

  #sign(fields: { nonce: number; to: Hex; data: Hex; gasLimit: bigint; value: bigint } & Fees): SignedTx {
    const tx = Transaction.from({ type: 2, chainId: this.#o.chainId, ...fields });
    tx.signature = this.#o.signingKey.sign(tx.unsignedHash);
    return { hash: tx.hash as Hex, raw: tx.serialized as Hex, maxFeePerGas: fields.maxFeePerGas, maxPriorityFeePerGas: fields.maxPriorityFeePerGas };
  }

  async #broadcast(tx: TxRecord): Promise<void> {
    try {
      await this.#o.provider.send('eth_sendRawTransaction', [tx.raw]);
    } catch (err) {
      if (isBenignBroadcastError(err)) return;
      // Kept as submitted: the monitor re-broadcasts or replaces it.
      this.#o.logger.warn({ err: (err as Error).message, hash: tx.hash, nonce: tx.nonce }, 'broadcast failed, will retry');
    }
  }

  /**
   * Submits the job's transaction: at most once per job (the store refuses a second submission).
   * Sends are queued; each turn of the queue signs everything waiting in one durable store transaction
   * (nonces in queue order, one fsync for the lot), then broadcasts them in that order.
   */
  send(job: Job, state: JobState, request: TxRequest): Promise<TxRecord> {
    return new Promise<TxRecord>((resolve, reject) => {
      this.#pending.push({ job, state, request, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  readonly #pending: Array<{ job: Job; state: JobState; request: TxRequest; resolve(tx: TxRecord): void; reject(err: unknown): void }> = [];
  #draining = false;
  #broadcasts: Promise<void> = Promise.resolve();

  /** Resolves when every transaction signed so far has been handed to the RPC once. */
  flushed(): Promise<void> {
    return this.#broadcasts;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, 200);
        try {
          const fees = await this.fees();
          const results = await this.#o.stores.txs.submitMany(
            batch.map(({ job, state, request }) => ({
              id: job.id,
              state,
              sign: (nonce: number) =>
                this.#sign({ nonce, to: request.to, data: request.data, gasLimit: request.gasLimit, value: request.value ?? 0n, ...fees }),
            })),
            this.#o.address,
          );
          // Recorded durably: the job is submitted now. Broadcasting is this sender's business from here on
          // (the monitor re-broadcasts what the RPC does not know), so the job's worker is released.
          const sent: TxRecord[] = [];
          for (const [i, r] of results.entries()) {
            if ('error' in r) {
              batch[i]!.reject(r.error);
              continue;
            }
            sent.push(r.tx);
            batch[i]!.resolve(r.tx);
          }
          // Broadcasts stay in nonce order across batches, and overlap the signing of the next batch.
          this.#broadcasts = this.#broadcasts.then(async () => {
            for (let i = 0; i < sent.length; i += 50) await Promise.all(sent.slice(i, i + 50).map((tx) => this.#broadcast(tx)));
            this.#o.logger.debug({ count: sent.length }, 'transactions sent');
          });
        } catch (err) {
          for (const item of batch) item.reject(err);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Replaces the job's latest transaction with the same one at higher fees (same nonce). */
  async #replace(job: Job, latest: TxRecord): Promise<TxRecord> {
    const old = Transaction.from(latest.raw);
    const market = await this.fees();
    const bump = (v: bigint) => (v * BigInt(100 + this.#o.feeBumpPercent) + 99n) / 100n;
    let maxPriorityFeePerGas = bump(latest.maxPriorityFeePerGas);
    if (market.maxPriorityFeePerGas > maxPriorityFeePerGas) maxPriorityFeePerGas = market.maxPriorityFeePerGas;
    let maxFeePerGas = bump(latest.maxFeePerGas);
    if (market.maxFeePerGas > maxFeePerGas) maxFeePerGas = market.maxFeePerGas;
    if (maxPriorityFeePerGas > maxFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
    const cap = this.#o.maxFeePerGas;
    if (cap && latest.maxFeePerGas >= cap) return latest; // at the ceiling: keep waiting
    if (cap && maxFeePerGas > cap) maxFeePerGas = cap;
    const tx = await this.#o.stores.txs.addReplacement(job.id, (nonce) =>
      this.#sign({ nonce, to: old.to as Hex, data: old.data as Hex, gasLimit: old.gasLimit, value: old.value, maxFeePerGas, maxPriorityFeePerGas }),
    );
    this.#o.logger.info(
      { job: job.id, nonce: tx.nonce, old: latest.hash, hash: tx.hash, maxFeePerGas: maxFeePerGas.toString() },
      'transaction replaced with a higher fee',
    );
    await this.#broadcast(tx);
    return tx;
  }

  /** Receipts of our transactions found in blocks, by hash, until their job is settled. */
  readonly #found = new Map<string, MinedTx>();
  readonly #startedAt = Date.now();
  #scannedTo: number | undefined;
  readonly #checkedAt = new Map<number, number>();

  /**
   * Finds our transactions in the blocks up to `head`: the block's transaction hashes (no bodies, no
   * logs), then the receipt of each of ours.
   */
  async #scan(head: number, hashes: ReadonlySet<string>): Promise<void> {
    const { provider } = this.#o;
    if (this.#scannedTo === undefined) {
      // First pass (start-up, maybe after a crash): ask for each transaction once.
      for (const hash of hashes) {
        const r = (await provider.send('eth_getTransactionReceipt', [hash])) as RawReceipt | null;
        if (r) this.#found.set(hash, toMined(r));
      }
      this.#scannedTo = head;
      return;
    }
    for (let b = this.#scannedTo + 1; b <= head; b++) {
      const block = (await provider.send('eth_getBlockByNumber', [`0x${b.toString(16)}`, false])) as { transactions: string[] } | null;
      if (!block) throw new Error(`block ${b} is not available`);
      const ours = block.transactions.filter((h) => hashes.has(h));
      const receipts = (await Promise.all(ours.map((h) => provider.send('eth_getTransactionReceipt', [h])))) as Array<RawReceipt | null>;
      for (const r of receipts) if (r) this.#found.set(r.transactionHash, toMined(r));
      this.#scannedTo = b;
    }
  }

  /** The explanation of a mined revert; `later` when it cannot be asked now (RPC down): the job settles on a later pass. */
  async #explain(job: Job, raw: Hex, blockNumber: number): Promise<RevertExplanation | undefined | 'later'> {
    if (!this.#o.explainRevert) return undefined;
    const tx = Transaction.from(raw);
    if (!tx.to) return undefined;
    try {
      return await this.#o.explainRevert(job, { to: tx.to as Hex, data: tx.data as Hex }, blockNumber);
    } catch (err) {
      this.#o.logger.debug({ job: job.id, err: (err as Error).message }, 'cannot replay the reverted transaction yet');
      return 'later';
    }
  }

  /**
   * One pass over the submitted jobs: settles those whose transaction is mined with enough confirmations,
   * re-broadcasts dropped ones, replaces stuck ones. Returns the settled outcomes.
   */
  async poll(head: number, now = Date.now()): Promise<TxOutcome[]> {
    const { stores, provider, confirmations } = this.#o;
    const outcomes: TxOutcome[] = [];
    const jobs = await stores.jobs.submittedJobs();
    if (jobs.length === 0) {
      this.#scannedTo = head;
      return outcomes;
    }
    // A job's transactions are those of its current nonce (a game's earlier moves are mined already).
    const txsByJob = new Map(
      await Promise.all(jobs.map(async (j) => [j.id, (await stores.txs.txsOf(j.id)).filter((t) => j.nonce == null || t.nonce === j.nonce)] as const)),
    );
    const hashes = new Set([...txsByJob.values()].flat().map((t) => t.hash));
    await this.#scan(head, hashes);
    let mainNonce: number | undefined;
    for (const job of jobs) {
      const txs = txsByJob.get(job.id) ?? [];
      const receipt = txs.map((t) => this.#found.get(t.hash)).find((r): r is MinedTx => r !== undefined);
      if (receipt) {
        if (head - receipt.blockNumber + 1 < Math.max(1, confirmations)) continue;
        const succeeded = receipt.status === 1;
        const mined = txs.find((t) => t.hash === receipt.hash);
        const revert = succeeded || !mined ? undefined : await this.#explain(job, mined.raw, receipt.blockNumber);
        if (revert === 'later') continue;
        const goesOn = succeeded && mined !== undefined && (this.#o.continues?.(job, Transaction.from(mined.raw).data as Hex) ?? false);
        const settled = await stores.jobs.transition(
          job.id,
          'submitted',
          goesOn ? 'inferred' : succeeded ? 'confirmed' : (revert?.verdict ?? 'failed'),
          goesOn
            ? { nonce: null, notBefore: 0, attempts: 0, error: null }
            : succeeded
              ? {}
              : { error: `transaction ${receipt.hash} reverted${revert ? `: ${revert.reason}` : ''}` },
        );
        for (const t of txs) this.#found.delete(t.hash);
        this.#checkedAt.delete(job.id);
        const outcome = succeeded ? 'confirmed' : revert?.verdict === 'skipped' ? 'lost_race' : 'reverted';
        this.#o.metrics?.transactions.inc({ kind: job.kind, outcome });
        outcomes.push({ job: settled, receipt, succeeded, ...(revert ? { revert } : {}) });
        continue;
      }
      const latest = txs[txs.length - 1];
      if (!latest) continue;
      // A transaction not in a block yet: look at it closely once in a while, not on every pass.
      const age = now - latest.sentAt;
      // Sent by an earlier run of the node (a restart): check it at once.
      const lastCheck = this.#checkedAt.get(job.id) ?? (latest.sentAt < this.#startedAt ? 0 : latest.sentAt);
      if (age < this.#o.stuckAfterMs && now - lastCheck < RECHECK_MS) continue;
      this.#checkedAt.set(job.id, now);
      mainNonce ??= await provider.getTransactionCount(this.#o.address, 'latest');
      if (job.nonce != null && mainNonce > job.nonce) {
        // Our nonce is used: by one of our hashes in a block we have not scanned, or by another transaction.
        const receipts = (await Promise.all(txs.map((t) => provider.send('eth_getTransactionReceipt', [t.hash])))) as Array<RawReceipt | null>;
        const mined = receipts.find((r): r is RawReceipt => r != null);
        if (mined) {
          this.#found.set(mined.transactionHash, toMined(mined));
          continue;
        }
        if (age < this.#o.stuckAfterMs) continue;
        await stores.jobs.transition(job.id, 'submitted', 'failed', { error: `nonce ${job.nonce} was used by another transaction` });
        this.#o.logger.error({ job: job.id, nonce: job.nonce }, 'nonce used by another transaction of this key');
        this.#o.metrics?.transactions.inc({ kind: job.kind, outcome: 'nonce_lost' });
        continue;
      }
      if (age >= this.#o.stuckAfterMs) {
        await this.#replace(job, latest);
        continue;
      }
      const known = await provider.send('eth_getTransactionByHash', [latest.hash]);
      if (!known) await this.#broadcast(latest);
    }
    return outcomes;
  }
}
