import type { JsonRpcProvider, Log } from 'ethers';
import type { Hex } from '../../lib/semantics/index.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';
import type { CursorStore } from '../store/types.js';

export type FollowerOptions<E> = {
  provider: JsonRpcProvider;
  /** Where the follower keeps its block cursor. */
  cursors: CursorStore;
  logger: Logger;
  metrics?: NodeMetrics | undefined;
  /** The cursor's name in the store (one per followed contract). */
  name: string;
  address: Hex;
  /** Blocks a log must be under before it is acted on (0: the head itself). */
  confirmations: number;
  /** How far back to rewind when the block under the cursor changed (a reorg deeper than the confirmations). */
  reorgDepth: number;
  /** Where to start when the store has no cursor yet. */
  fromBlock: number;
  maxLogRange: number;
  decode(log: Log): E | undefined;
  /** Must be idempotent: after a crash or a rewind the same logs are handled again. */
  handle(events: E[], range: { from: number; to: number }): Promise<void>;
};

export type FollowResult = { head: number; headTimestamp: number; processedTo: number; events: number };

/**
 * Follows a contract's logs from a block cursor persisted in the job store, `confirmations` blocks
 * behind the head. The cursor keeps the hash of its block: if that block changed (a reorg deeper than
 * the confirmations), the follower rewinds `reorgDepth` blocks and reads them again; handlers are
 * idempotent, so re-reading is harmless. The cursor moves only after a range was fully handled.
 */
export class BlockFollower<E> {
  readonly #o: FollowerOptions<E>;

  constructor(options: FollowerOptions<E>) {
    this.#o = options;
  }

  /** One pass: reads and handles every confirmed block past the cursor. Throws on RPC errors (the caller retries). */
  async poll(): Promise<FollowResult> {
    const { provider, cursors, name, confirmations, maxLogRange } = this.#o;
    const latest = await provider.getBlock('latest');
    if (!latest) throw new Error('the RPC has no latest block');
    const head = latest.number;
    this.#o.metrics?.chainHead.set(head);
    const target = head - confirmations;
    let cursor = await cursors.getCursor(name);
    if (cursor) {
      const block = await provider.getBlock(cursor.number);
      if (!block || block.hash !== cursor.hash) {
        const back = Math.max(this.#o.fromBlock - 1, cursor.number - this.#o.reorgDepth, -1);
        this.#o.logger.warn({ cursor: cursor.number, stored: cursor.hash, now: block?.hash, rewindTo: back }, 'block under the cursor changed: rewinding');
        cursor = back >= 0 ? { number: back, hash: ((await provider.getBlock(back))?.hash ?? '0x') as Hex } : undefined;
      }
    }
    let position = cursor?.number ?? this.#o.fromBlock - 1;
    let events = 0;
    while (position < target) {
      const from = position + 1;
      const to = Math.min(target, position + maxLogRange);
      const logs = await provider.getLogs({ address: this.#o.address, fromBlock: from, toBlock: to });
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
      const decoded = logs.map((l) => this.#o.decode(l)).filter((e): e is E => e !== undefined);
      if (decoded.length) await this.#o.handle(decoded, { from, to });
      events += decoded.length;
      const block = await provider.getBlock(to);
      if (!block?.hash) throw new Error(`block ${to} is not available`);
      await cursors.setCursor(name, { number: to, hash: block.hash as Hex });
      position = to;
    }
    this.#o.metrics?.chainLag.set(Math.max(0, head - position));
    return { head, headTimestamp: latest.timestamp, processedTo: position, events };
  }
}
