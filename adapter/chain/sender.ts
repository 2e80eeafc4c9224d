import { Transaction, type JsonRpcProvider, type SigningKey, type TransactionReceipt } from 'ethers';
import type { Hex } from '../../lib/semantics/index.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';
import type { Job, JobStore, SignedTx, TxRecord } from '../store/types.js';
import type { JobState } from '../jobs/machine.js';

export type TxRequest = { to: Hex; data: Hex; gasLimit: bigint; value?: bigint };

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type TxSenderOptions = {
  provider: JsonRpcProvider;
  signingKey: SigningKey;
  address: Hex;
  chainId: bigint;
  store: JobStore;
  logger: Logger;
  metrics?: NodeMetrics | undefined;
  confirmations: number;
  /** A transaction not mined after this long is replaced with a higher fee. */
  stuckAfterMs: number;
  /** Each replacement raises both fee caps by at least this percentage (nodes want >= 10 %). */
  feeBumpPercent: number;
  /** A ceiling on `maxFeePerGas` (replacements stop rising there). */
  maxFeePerGas?: bigint | undefined;
};

/** What happened to a submitted job's transaction. */
export type TxOutcome = { job: Job; receipt: TransactionReceipt; succeeded: boolean };

const MIN_PRIORITY_FEE = 1_000_000n; // 0.001 gwei

/** Is this broadcast error harmless (the transaction, or one with its nonce, is already there)? */
function isBenignBroadcastError(err: unknown): boolean {
  const text = String((err as { message?: string })?.message ?? err).toLowerCase();
  return ['already known', 'known transaction', 'nonce too low', 'already imported', 'replacement transaction underpriced', 'transaction already exists'].some((s) => text.includes(s));
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
  #queue: Promise<unknown> = Promise.resolve();
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
    return this.#o.store.syncNonce(this.#o.address, pending);
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
   * Sends are serialized so that nonces reach the RPC in order.
   */
  send(job: Job, state: JobState, request: TxRequest): Promise<TxRecord> {
    const run = async () => {
      const fees = await this.fees();
      const { tx } = await this.#o.store.submit(job.id, state, this.#o.address, (nonce) =>
        this.#sign({ nonce, to: request.to, data: request.data, gasLimit: request.gasLimit, value: request.value ?? 0n, ...fees }),
      );
      await this.#broadcast(tx);
      this.#o.logger.debug({ job: job.id, kind: job.kind, request: job.requestId.toString(), hash: tx.hash, nonce: tx.nonce }, 'transaction sent');
      return tx;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
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
    const tx = await this.#o.store.addReplacement(job.id, (nonce) =>
      this.#sign({ nonce, to: old.to as Hex, data: old.data as Hex, gasLimit: old.gasLimit, value: old.value, maxFeePerGas, maxPriorityFeePerGas }),
    );
    this.#o.logger.info({ job: job.id, nonce: tx.nonce, old: latest.hash, hash: tx.hash, maxFeePerGas: maxFeePerGas.toString() }, 'transaction replaced with a higher fee');
    await this.#broadcast(tx);
    return tx;
  }

  /**
   * One pass over the submitted jobs: settles those whose transaction is mined with enough confirmations,
   * re-broadcasts dropped ones, replaces stuck ones. Returns the settled outcomes.
   */
  async poll(head: number, now = Date.now()): Promise<TxOutcome[]> {
    const { store, provider, confirmations } = this.#o;
    const outcomes: TxOutcome[] = [];
    const jobs = await store.submittedJobs();
    if (jobs.length === 0) return outcomes;
    let mainNonce: number | undefined;
    await Promise.all(
      jobs.map(async (job) => {
        const txs = await store.txsOf(job.id);
        const receipts = await Promise.all(txs.map((t) => provider.getTransactionReceipt(t.hash)));
        const receipt = receipts.find((r): r is TransactionReceipt => r != null);
        if (receipt) {
          if (head - receipt.blockNumber + 1 < Math.max(1, confirmations)) return;
          const succeeded = receipt.status === 1;
          const settled = await store.transition(job.id, 'submitted', succeeded ? 'confirmed' : 'failed', succeeded ? {} : { error: `transaction ${receipt.hash} reverted` });
          this.#o.metrics?.transactions.inc({ kind: job.kind, outcome: succeeded ? 'confirmed' : 'reverted' });
          outcomes.push({ job: settled, receipt, succeeded });
          return;
        }
        const latest = txs[txs.length - 1];
        if (!latest) return;
        mainNonce ??= await provider.getTransactionCount(this.#o.address, 'latest');
        if (job.nonce != null && mainNonce > job.nonce) {
          // The nonce is used but by none of our hashes (receipts can lag a block: look again next pass first).
          if (now - latest.sentAt < this.#o.stuckAfterMs) return;
          const failed = await store.transition(job.id, 'submitted', 'failed', { error: `nonce ${job.nonce} was used by another transaction` });
          this.#o.logger.error({ job: job.id, nonce: job.nonce }, 'nonce used by another transaction of this key');
          this.#o.metrics?.transactions.inc({ kind: job.kind, outcome: 'nonce_lost' });
          void failed;
          return;
        }
        if (now - latest.sentAt >= this.#o.stuckAfterMs) {
          await this.#replace(job, latest);
          return;
        }
        const known = await provider.send('eth_getTransactionByHash', [latest.hash]);
        if (!known) await this.#broadcast(latest);
      }),
    );
    return outcomes;
  }
}
