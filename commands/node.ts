import { Command, Option } from 'commander';
import { parseNodeConfig, ROLES } from '../adapter/config.js';
import { NodeConfigError } from '../adapter/errors.js';
import { createLogger } from '../adapter/log.js';
import { startNode, type RunningNode } from '../adapter/node.js';
import { startProveWorker } from '../adapter/prove-worker.js';
import { urlSecrets } from '../adapter/redact.js';
import { DESCRIPTIONS } from './descriptions.js';
import { runAction } from './output.js';

export type NodeCommandOptions = {
  /** Called with the running node (tests, embedding). */
  onStarted?: (node: RunningNode) => void;
  /** Stop on SIGINT / SIGTERM (default true). */
  handleSignals?: boolean;
};

/**
 * `vai node start`: the operator node (adapter/).
 *
 * @example
 * await nodeCommand().parseAsync(['start', '--rpc', 'http://127.0.0.1:8545', '--key', '0x…', '--oracle', '0x…', '--models', 'models/digits'], { from: 'user' });
 */
export function nodeCommand(options: NodeCommandOptions = {}): Command {
  const node = new Command('node').description(DESCRIPTIONS.node);
  node
    .command('start')
    .description('Follow the oracle, propose, watch and finalize; serve the external-adapter endpoint')
    .requiredOption('--rpc <url>', 'JSON-RPC endpoint of the chain', process.env.VAI_RPC_URL)
    .option('--chain-id <id>', 'refuse to start unless the RPC is on this chain')
    .addOption(new Option('--key <hex>', 'operator private key (or VAI_PRIVATE_KEY; never logged)').env('VAI_PRIVATE_KEY'))
    .option('--oracle <address>', 'InferenceOracle address')
    .option('--deployment <file>', 'deployment JSON printed by script/Deploy.s.sol (instead of --oracle)')
    .requiredOption('--models <dirs>', 'comma-separated model folders (each with model.json)')
    .option('--roles <roles>', `comma-separated roles: ${ROLES.join(',')}`, ROLES.join(','))
    .option('--prove', 'propose with a ZK proof when the model has a verifier', false)
    .option('--prove-workers', 'leave proving to `vai node prove-worker` processes on the same PostgreSQL --db', false)
    .option('--confirmations <n>', 'blocks before an event is acted on', '2')
    .option('--port <n>', 'HTTP port (0: any free port)', '8080')
    .option('--host <host>', 'HTTP host', '127.0.0.1')
    .option('--db <path|url>', 'job store: a SQLite file, or postgres://… shared by replicas of this key and prove workers', '.vai/node.db')
    .addOption(new Option('--log <format>', 'log format').choices(['pretty', 'json']).default(process.stdout.isTTY ? 'pretty' : 'json'))
    .option('--log-level <level>', 'log level', 'info')
    .option('--poll-interval-ms <ms>', 'chain polling interval', '1000')
    .option('--from-block <n>', 'first block to read when the store has no cursor')
    .option('--tx-stuck-after-ms <ms>', 'replace a transaction not mined after this long', '30000')
    .option('--fee-bump-percent <n>', 'fee increase of a replacement', '20')
    .option('--max-fee-per-gas-gwei <gwei>', 'ceiling on maxFeePerGas')
    .option('--concurrency <n>', 'jobs worked on at once', '64')
    .option('--finalize-batch <n>', 'own matured proposals finalized inside each new proposal (0: never)', '8')
    .option('--batch-wait-blocks <n>', 'blocks a provable request may wait for its batch proof to fill (models with batch set-ups)', '2')
    .option('--block-time-s <s>', "the chain's block time, for the batches' deadline arithmetic", '12')
    .option('--finalize-grace-s <s>', 'how long past its window an own proposal waits for a proposal to carry its finalization', '12')
    .option(
      '--max-callback-gas <gas>',
      'largest callback gas limit of an owed callback this node delivers for requests it did not settle (0: only its own)',
      '500000',
    )
    .addOption(new Option('--unsafe-corrupt-output-for-tests', 'TEST ONLY: propose wrong outputs (needs VAI_UNSAFE_TEST_OPTIONS=1)').hideHelp().default(false))
    // A setting that is wrong (URL, key, port, model folder, chain, oracle) is one line `error: …` and exit 1, like
    // every other verb; the node's own life is logged.
    .action((opts: Record<string, unknown>) =>
      runAction({ json: false }, async () => {
        const config = parseNodeConfig(opts);
        const running = await startNode(config);
        options.onStarted?.(running);
        if (options.handleSignals ?? true) {
          const shutdown = () => void running.stop();
          process.once('SIGINT', shutdown);
          process.once('SIGTERM', shutdown);
        }
        await running.stopped;
      }),
    );
  node
    .command('prove-worker')
    .description('Make the proofs asked for by the replicas of a node sharing a PostgreSQL database (--prove-workers)')
    .requiredOption('--db <url>', "the node's PostgreSQL database (postgres://…)")
    .requiredOption('--models <dirs>', 'comma-separated model folders, each with its circuit (vai zk setup)')
    .option('--concurrency <n>', 'proofs made at once', '1')
    .option('--lease-ms <ms>', "how long a claimed proof stays this worker's (past it, another worker takes it)", '900000')
    .option('--prove-timeout-ms <ms>', 'longest proof', '600000')
    .addOption(new Option('--log <format>', 'log format').choices(['pretty', 'json']).default(process.stdout.isTTY ? 'pretty' : 'json'))
    .option('--log-level <level>', 'log level', 'info')
    .action((opts: { db: string; models: string; concurrency: string; leaseMs: string; proveTimeoutMs: string; log: 'pretty' | 'json'; logLevel: string }) =>
      runAction({ json: false }, async () => {
        const logger = createLogger({ format: opts.log, level: opts.logLevel, secrets: urlSecrets(opts.db) });
        const worker = await startProveWorker({
          db: opts.db,
          models: opts.models
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean),
          logger,
          concurrency: positive('concurrency', opts.concurrency),
          leaseMs: positive('lease-ms', opts.leaseMs),
          proveTimeoutMs: positive('prove-timeout-ms', opts.proveTimeoutMs),
        });
        if (options.handleSignals ?? true) {
          const shutdown = () => void worker.stop();
          process.once('SIGINT', shutdown);
          process.once('SIGTERM', shutdown);
        }
        await worker.stopped;
      }),
    );
  return node;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new NodeConfigError(`[Param: ${name}] expected a positive integer, got ${value}`);
  return n;
}
