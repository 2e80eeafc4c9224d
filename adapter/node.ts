import type { Server } from 'node:http';
import { SigningKey, computeAddress, type JsonRpcProvider } from 'ethers';
import type { Hex } from '../lib/semantics/index.js';
import { EthersOracleGateway } from './chain/ethers-oracle.js';
import { BlockFollower } from './chain/follower.js';
import { createProvider, fetchChainId } from './chain/rpc.js';
import { TxSender } from './chain/sender.js';
import type { OracleEvent } from './chain/types.js';
import { describeConfig, type NodeConfig } from './config.js';
import { NodeConfigError } from './errors.js';
import { createAdapterApp, listen } from './http/server.js';
import { ModelCatalog } from './inference/catalog.js';
import { CrossCheckedEngine, ReferenceEngine, type InferenceEngine } from './inference/engine.js';
import { OnnxEngine, RoutingEngine } from './inference/onnx.js';
import type { Prover } from './inference/prover.js';
import { InferenceService } from './inference/service.js';
import { ZkProver } from './inference/zk.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type NodeMetrics } from './metrics.js';
import type { RoleConfig, RoleContext, RoleState } from './roles/context.js';
import { createEventHandler } from './roles/events.js';
import { ModelResolver } from './roles/model-resolver.js';
import { JobRunner, backoffMs } from './roles/runner.js';
import { CarriedFinalizations } from './roles/state.js';
import { sweepDeadlines } from './roles/sweep.js';
import { openStore } from './store/sqlite/index.js';
import type { NodeStores } from './store/types.js';
import { sleep } from './timeout.js';

export type NodeDeps = {
  logger?: Logger;
  store?: NodeStores;
  engine?: InferenceEngine;
  prover?: Prover;
};

export type RunningNode = {
  address: Hex;
  port: number;
  store: NodeStores;
  metrics: NodeMetrics;
  logger: Logger;
  /** Resolves when the node has stopped. */
  stopped: Promise<void>;
  stop(): Promise<void>;
};

type ChainStatus = { chainId?: bigint; head?: number; headTimestamp?: number; processedTo?: number; lastOkAt?: number; lastError?: string };

/**
 * The composition root: loads the models, opens the store, serves HTTP at once, then connects to the
 * chain (retrying until the RPC answers) and runs three loops until stopped: the block follower
 * (events -> jobs), the job runner (inference, proofs, submissions) and the transaction monitor.
 */
export async function startNode(config: NodeConfig, deps: NodeDeps = {}): Promise<RunningNode> {
  const logger = deps.logger ?? createLogger({ format: config.log, level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'starting node');
  const catalog = await ModelCatalog.load(config.models);
  const store = deps.store ?? openStore(config.db);
  // Request ids repeat across deployments (keyed ids are the inputs' cache keys): one store per oracle.
  const cursor = `oracle:${config.oracle.toLowerCase()}`;
  const foreign = (await store.cursors.cursorNames()).filter((n) => n.startsWith('oracle:') && n !== cursor);
  if (foreign.length > 0) {
    if (!deps.store) await store.close();
    throw new NodeConfigError(`[Param: db] The job store ${config.db} belongs to another oracle (${foreign.join(', ').replaceAll('oracle:', '')}).`, {
      metaMessages: [`Use a new --db for ${config.oracle}: request ids repeat from one deployment to the next.`],
    });
  }
  const metrics = createMetrics(store.jobs);
  const engine = deps.engine ?? new RoutingEngine(new CrossCheckedEngine(new OnnxEngine()), new ReferenceEngine());
  const prover = deps.prover ?? (config.prove ? new ZkProver() : undefined);
  const inference = new InferenceService({
    catalog,
    engine,
    prover,
    metrics,
    inferenceTimeoutMs: config.inferenceTimeoutMs,
    proveTimeoutMs: config.proveTimeoutMs,
  });
  const signingKey = new SigningKey(config.key.reveal());
  const address = computeAddress(signingKey) as Hex;
  const controller = new AbortController();
  const { signal } = controller;
  const status: ChainStatus = {};
  // What the roles keep in memory; the HTTP endpoint lists the arbitration requests on /health.
  const state: RoleState = {
    gasByShape: new Map(),
    carried: new CarriedFinalizations(),
    arbitrationRequests: new Map(),
    chainTime: () => status.headTimestamp,
  };
  const roleConfig: RoleConfig = {
    address,
    roles: config.roles,
    prove: config.prove,
    corruptOutput: config.unsafeCorruptOutputForTests,
    recheckMs: Math.max(1000, config.pollIntervalMs * 2),
    finalizeBatch: config.finalizeBatch,
    finalizeGraceS: config.finalizeBatch > 0 ? config.finalizeGraceS : 0,
    maxCallbackGas: config.maxCallbackGas,
  };

  const app = createAdapterApp({
    inference,
    metrics,
    logger,
    bodyLimit: config.bodyLimit,
    debug: config.logLevel === 'debug' || config.logLevel === 'trace',
    health: () => {
      const fresh = status.lastOkAt !== undefined && Date.now() - status.lastOkAt < Math.max(10_000, config.pollIntervalMs * 5);
      return {
        ok: fresh,
        address,
        oracle: config.oracle,
        roles: config.roles,
        chainId: status.chainId?.toString(),
        head: status.head,
        processedTo: status.processedTo,
        lastError: status.lastError,
        models: catalog.models.map((m) => ({ name: m.name, modelHash: m.modelHash })),
        arbitrationRequests: [...state.arbitrationRequests.values()],
      };
    },
  });
  const { server, port } = await listen(app, config.port, config.host);
  logger.info({ port, address, models: catalog.models.map((m) => m.name) }, 'HTTP endpoint up');

  let provider: JsonRpcProvider | undefined;
  let runner: JobRunner | undefined;
  let txSender: TxSender | undefined;

  const chain = async (): Promise<void> => {
    const chainId = await fetchChainId(config.rpc, Number.MAX_SAFE_INTEGER, signal);
    if (signal.aborted) return;
    status.chainId = chainId;
    provider = createProvider(config.rpc, chainId, { pollingMs: config.pollIntervalMs });
    const sender = new TxSender({
      provider,
      signingKey,
      address,
      chainId,
      stores: store,
      logger,
      metrics,
      confirmations: config.confirmations,
      stuckAfterMs: config.txStuckAfterMs,
      feeBumpPercent: config.feeBumpPercent,
      maxFeePerGas: config.maxFeePerGasGwei ? BigInt(Math.round(config.maxFeePerGasGwei * 1e9)) : undefined,
    });
    txSender = sender;
    await retry('nonce sync', () => sender.init());
    const oracle = new EthersOracleGateway(config.oracle as Hex, provider);
    const ctx: RoleContext = {
      config: roleConfig,
      services: { store, oracle, sender, inference, provider, logger, metrics, models: new ModelResolver(oracle, inference) },
      state,
    };
    if (roleConfig.corruptOutput) logger.warn('TEST MODE: this node proposes corrupted outputs on purpose');
    const jobRunner = new JobRunner(ctx, config.concurrency);
    runner = jobRunner;
    const handleEvents = createEventHandler(ctx);
    const follower = new BlockFollower<OracleEvent>({
      provider,
      cursors: store.cursors,
      logger,
      metrics,
      name: cursor,
      address: config.oracle as Hex,
      confirmations: config.confirmations,
      reorgDepth: config.reorgDepth,
      fromBlock: config.fromBlock ?? 0,
      maxLogRange: config.maxLogRange,
      decode: (log) => oracle.decode(log),
      handle: async (events) => {
        if ((await handleEvents(events)) > 0) jobRunner.wake();
      },
    });

    const followLoop = async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const r = await follower.poll();
          Object.assign(status, { head: r.head, headTimestamp: r.headTimestamp, processedTo: r.processedTo, lastOkAt: Date.now(), lastError: undefined });
          if (failures > 0) logger.info({ head: r.head }, 'RPC back: following again');
          failures = 0;
          metrics.bondsAtRisk.set(Number(await store.requests.bondsAtRisk(address)));
          if (config.roles.includes('finalizer') && (await sweepDeadlines(ctx)) > 0) jobRunner.wake();
          await sleep(config.pollIntervalMs, signal);
        } catch (err) {
          failures++;
          status.lastError = (err as Error).message;
          metrics.rpcErrors.inc({ loop: 'follower' });
          if (failures === 1 || failures % 20 === 0) logger.warn({ err: (err as Error).message, failures }, 'cannot follow the chain, will retry');
          await sleep(backoffMs(failures), signal);
        }
      }
    };
    const txLoop = async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const head = status.head ?? (await provider!.getBlockNumber());
          const outcomes = await sender.poll(head);
          for (const o of outcomes) {
            const log = { job: o.job.id, kind: o.job.kind, request: o.job.requestId.toString(), hash: o.receipt.hash, block: o.receipt.blockNumber };
            if (o.succeeded) logger.info(log, `${o.job.kind} confirmed`);
            else logger.warn(log, `${o.job.kind} reverted`);
          }
          failures = 0;
          await sleep(config.pollIntervalMs, signal);
        } catch (err) {
          failures++;
          metrics.rpcErrors.inc({ loop: 'transactions' });
          if (failures === 1 || failures % 20 === 0) logger.warn({ err: (err as Error).message }, 'cannot check transactions, will retry');
          await sleep(backoffMs(failures), signal);
        }
      }
    };
    logger.info({ chainId: chainId.toString(), oracle: config.oracle, roles: config.roles }, 'following the oracle');
    await Promise.all([followLoop(), txLoop(), jobRunner.run(signal, config.pollIntervalMs)]);
  };

  async function retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (signal.aborted) throw err;
        if (attempt === 1 || attempt % 20 === 0) logger.warn({ err: (err as Error).message, attempt }, `${what} failed, will retry`);
        await sleep(backoffMs(attempt), signal);
      }
    }
  }

  const running = chain().catch((err: unknown) => {
    if (!signal.aborted) logger.fatal({ err }, 'chain loops stopped');
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping node');
      controller.abort();
      await running;
      await runner?.drain();
      await txSender?.flushed();
      await new Promise<void>((resolve) => closeServer(server, resolve));
      provider?.destroy();
      await engine.close?.();
      await prover?.close?.();
      await store.close();
      logger.info('node stopped');
    })());

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  return {
    address,
    port,
    store,
    metrics,
    logger,
    stopped,
    stop: () => stop().then(resolveStopped),
  };
}

function closeServer(server: Server, done: () => void): void {
  server.close(() => done());
  server.closeAllConnections();
}
