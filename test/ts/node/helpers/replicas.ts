import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, Transaction, Wallet } from 'ethers';
import pg from 'pg';
import { startPostgres } from '../../../../lib/devnet/postgres.js';
import { InferenceOracle__factory } from '../../../../typechain/index.js';
import { ANVIL_KEYS, startAnvil, waitFor } from './anvil.js';
import { classifier, writeModelDir } from './models.js';
import { tempDir } from './node.js';
import { BOND, FEE, deployProtocol } from './protocol.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');

export type FailoverOptions = {
  /** Leader kills (SIGKILL), alternating between the two replicas. */
  kills: number;
  /** Offered requests per second, steady, for the whole run. */
  rate: number;
  /** Time between a takeover and the next kill. */
  intervalMs: number;
  /** Wallets the requests are sent from. */
  wallets?: number;
  log?: (line: string) => void;
};

export type FailoverFigures = {
  /** Request transactions sent by the harness; `requests`: those mined (the node's input). */
  sent: number;
  requests: number;
  proposed: number;
  /** Requests with no proposal at the end. */
  lost: number;
  /** Requests for which the operator's key sent more than one proposal transaction (counted on chain). */
  duplicates: number;
  /** Proposal transactions of the operator's key that reverted. */
  reverted: number;
  /** From each SIGKILL to the standby's leadership (its epoch in the database). */
  takeoverMs: number[];
  /** From each SIGKILL to the next proposal transaction recorded by the new leader. */
  resumeMs: number[];
  /** The propose jobs at the end, by state and error (the store's own account of what did not get proposed). */
  jobOutcomes: Array<{ state: string; error: string | null; count: number }>;
  /** Offered and achieved request rates. */
  offeredPerS: number;
  durationS: number;
  dir: string;
};

/** `standby`: up and waiting to lead (its log said so), as a real standby is long before a failover. */
type Replica = { name: string; child: ChildProcess; standby: boolean };

/** Resolves once the process has exited (at once if it already has). */
const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

/**
 * The failover scenario: PostgreSQL, anvil, the protocol, and two replicas of one node identity as processes
 * (`bin/vai.js node start --db postgres://…`); requests flow at `rate` while the leader is SIGKILLed `kills` times
 * (the killed replica is restarted and stands by). Counts the operator's proposals per request from the chain.
 */
export async function runFailover(o: FailoverOptions): Promise<FailoverFigures> {
  const log = o.log ?? (() => {});
  const dir = tempDir('vai-failover-');
  const postgres = await startPostgres();
  const anvil = await startAnvil(['--accounts', String((o.wallets ?? 4) + 3)]);
  const provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100, batchMaxCount: 50 });
  const replicas: Replica[] = [];
  const url = postgres.createDatabase('failover');
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    const modelDir = writeModelDir(classifier, 'classifier');
    const operatorKey = ANVIL_KEYS[1]!;
    const operator = new Wallet(operatorKey).address.toLowerCase();
    const expected = Math.ceil((o.rate * ((o.kills + 1) * (o.intervalMs + 3000))) / 1000) + 50;
    const p = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: true }], [operatorKey], BOND * BigInt(expected));
    const args = [
      '--rpc',
      anvil.url,
      '--key',
      operatorKey,
      '--oracle',
      p.oracleAddress,
      '--models',
      modelDir,
      '--db',
      url,
      '--port',
      '0',
      '--roles',
      'proposer',
      '--confirmations',
      '0',
      '--poll-interval-ms',
      '100',
      '--log',
      'json',
      '--log-level',
      'info',
      '--finalize-batch',
      '0',
    ];
    const spawnReplica = (name: string): Replica => {
      const child = spawn(process.execPath, [join(root, 'bin', 'vai.js'), 'node', 'start', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      const file = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
      const replica: Replica = { name, child, standby: false };
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('standing by')) replica.standby = true;
      });
      return replica;
    };
    replicas.push(spawnReplica('a'), spawnReplica('b'));
    const leader = async (): Promise<{ holder: string; epoch: number } | undefined> => {
      try {
        const { rows } = await admin.query<{ holder: string; epoch: string }>('SELECT holder, epoch FROM leaders WHERE name = $1', [operator]);
        return rows[0] && { holder: rows[0].holder, epoch: Number(rows[0].epoch) };
      } catch {
        return undefined; // not migrated yet
      }
    };
    await waitFor(async () => (await leader()) !== undefined, 60_000, 'a replica to lead');
    log(`leader: ${(await leader())?.holder}`);

    // Requests: pre-signed by several wallets (distinct inputs), sent at the offered rate.
    const iface = InferenceOracle__factory.createInterface();
    const wallets = Array.from({ length: o.wallets ?? 4 }, (_, i) => new Wallet(ANVIL_KEYS[2 + i]!));
    const nonces = await Promise.all(wallets.map((w) => provider.getTransactionCount(w.address)));
    let sent = 0;
    let sending = true;
    const t0 = Date.now();
    const load = (async () => {
      while (sending) {
        const due = t0 + (sent / o.rate) * 1000;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const w = sent % wallets.length;
        const input = [BigInt(sent % 100), BigInt(Math.floor(sent / 100) % 100), BigInt(w), 1n];
        const tx = Transaction.from({
          type: 2,
          chainId: 31337n,
          nonce: nonces[w]!++,
          to: p.oracleAddress,
          value: FEE,
          gasLimit: 500_000n,
          maxFeePerGas: 20_000_000_000n,
          maxPriorityFeePerGas: 1_000_000n,
          data: iface.encodeFunctionData('requestInference', [p.modelIds[0]!, input, 0, 0]),
        });
        tx.signature = wallets[w]!.signingKey.sign(tx.unsignedHash);
        sent++;
        void provider.send('eth_sendRawTransaction', [tx.serialized]).catch((err: unknown) => log(`request failed: ${(err as Error).message}`));
      }
    })();

    const takeoverMs: number[] = [];
    const resumeMs: number[] = [];
    for (let k = 0; k < o.kills; k++) {
      await new Promise((r) => setTimeout(r, o.intervalMs));
      // The scenario is a leader dying with a standby ready: the replica restarted after the last kill must be up.
      await waitFor(() => replicas.every((r) => r.standby), 60_000, 'the restarted replica to stand by', 50);
      const before = await leader();
      const victim = replicas.find((r) => before?.holder.includes(`:${r.child.pid}:`));
      if (!before || !victim) throw new Error(`cannot find the leading replica (${before?.holder})`);
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await waitFor(async () => ((await leader())?.epoch ?? 0) > before.epoch, 30_000, 'a takeover', 20);
      takeoverMs.push(Date.now() - killedAt);
      await waitFor(
        async () => (await admin.query('SELECT 1 FROM txs WHERE sent_at > $1 LIMIT 1', [killedAt])).rows.length > 0,
        30_000,
        'the new leader to submit',
        20,
      );
      resumeMs.push(Date.now() - killedAt);
      log(`kill ${k + 1}: ${victim.name} (epoch ${before.epoch}); takeover ${takeoverMs.at(-1)} ms, proposals resume after ${resumeMs.at(-1)} ms`);
      await exited(victim.child);
      replicas.splice(replicas.indexOf(victim), 1, spawnReplica(victim.name));
    }
    sending = false;
    await load;
    const durationS = (Date.now() - t0) / 1000;

    // Every request on chain, then every proposal: counted from the chain, not from the node's store.
    const oracle = InferenceOracle__factory.connect(p.oracleAddress, provider);
    // A request transaction the harness sent but anvil did not mine is the harness's loss, not the node's: counted apart.
    await waitFor(async () => (await oracle.queryFilter(oracle.filters.InferenceRequested())).length >= sent, 60_000, 'all requests mined').catch(() =>
      log('not every request transaction was mined'),
    );
    const requested = (await oracle.queryFilter(oracle.filters.InferenceRequested())).map((e) => e.args.requestId);
    await waitFor(
      async () => new Set((await oracle.queryFilter(oracle.filters.OutputProposed())).map((e) => e.args.requestId)).size >= requested.length,
      120_000,
      'every request to be proposed',
      500,
    ).catch(() => log('not every request was proposed'));
    const proposed = new Set((await oracle.queryFilter(oracle.filters.OutputProposed())).map((e) => e.args.requestId.toString()));
    const perRequest = new Map<string, number>();
    let reverted = 0;
    const head = await provider.getBlockNumber();
    for (let b = 0; b <= head; b += 50) {
      const blocks = await Promise.all(
        Array.from({ length: Math.min(50, head - b + 1) }, (_, i) => provider.send('eth_getBlockByNumber', [`0x${(b + i).toString(16)}`, true])),
      );
      for (const block of blocks as Array<{ transactions: Array<{ from: string; input: string; hash: string }> }>) {
        for (const t of block.transactions) {
          if (t.from.toLowerCase() !== operator) continue;
          const call = iface.parseTransaction({ data: t.input });
          if (!call?.name.startsWith('propose')) continue;
          const id = (call.args[0] as bigint).toString();
          perRequest.set(id, (perRequest.get(id) ?? 0) + 1);
          const receipt = await provider.getTransactionReceipt(t.hash);
          if (receipt?.status !== 1) reverted++;
        }
      }
    }
    // The store's account: which propose jobs did not end confirmed, and why (errors cut to their kind).
    const outcomes = await admin.query<{ state: string; error: string | null; count: string }>(
      `SELECT state, regexp_replace(error, '0x[0-9a-fA-F]+', '0x…', 'g') AS error, count(*) AS count FROM jobs WHERE kind = 'propose' GROUP BY 1, 2 ORDER BY 3 DESC`,
    );
    return {
      sent,
      requests: requested.length,
      jobOutcomes: outcomes.rows.map((r) => ({ state: r.state, error: r.error, count: Number(r.count) })),
      proposed: proposed.size,
      lost: requested.filter((id) => !proposed.has(id.toString())).length,
      duplicates: [...perRequest.values()].filter((n) => n > 1).length,
      reverted,
      takeoverMs,
      resumeMs,
      offeredPerS: o.rate,
      durationS,
      dir,
    };
  } finally {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => exited(r.child)));
    await admin.end().catch(() => {});
    provider.destroy();
    await anvil.stop();
    postgres.stop();
  }
}
