import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SigningKey, computeAddress, type JsonRpcProvider } from 'ethers';
import { VAI_VERSION } from '../lib/model/version.js';
import type { Hex } from '../lib/semantics/index.js';
import { EthersOracleGateway } from './chain/ethers-oracle.js';
import { BlockFollower } from './chain/follower.js';
import { createProvider, fetchChainId } from './chain/rpc.js';
import { TxSender } from './chain/sender.js';
import type { OracleEvent } from './chain/types.js';
import { describeConfig, type NodeConfig } from './config.js';
import { NodeConfigError } from './errors.js';
import { createAdapterApp, listen } from './http/server.js';
import { ModelCatalog, type LoadedModel } from './inference/catalog.js';
import { CrossCheckedEngine, ReferenceEngine, type InferenceEngine } from './inference/engine.js';
import { OnnxEngine, RoutingEngine } from './inference/onnx.js';
import type { Prover } from './inference/prover.js';
import { InferenceService } from './inference/service.js';
import { ZkProver } from './inference/zk.js';
import { createLogger, type Logger } from './log.js';
import { redactUrl, scrubber, urlSecrets } from './redact.js';
import { createMetrics, type NodeMetrics } from './metrics.js';
import type { RoleConfig, RoleContext, RoleState } from './roles/context.js';
import { createEventHandler } from './roles/events.js';
import { ModelResolver } from './roles/model-resolver.js';
import { JobRunner, backoffMs, minedRevertVerdict } from './roles/runner.js';
import { formatRevert, isRevert, revertData } from './roles/submit.js';
import { BatchPool, BondLedger, CarriedFinalizations } from './roles/state.js';
import { GraphTraces } from './roles/graph-traces.js';
import { sweepDeadlines } from './roles/sweep.js';
import { startupChecks } from './startup.js';
import { openNodeStore } from './store/open.js';
import type { Job, NodeStores } from './store/types.js';
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

type ChainStatus = {
  chainId?: bigint;
  head?: number;
  headTimestamp?: number;
  processedTo?: number;
  lastOkAt?: number;
  /** Replicas (PostgreSQL): whether this one leads its key or stands by. */
  replica?: 'leader' | 'standby';
  /** The last RPC failure of a loop (scrubbed of the URL's secrets), until the follower's next good poll. */
  lastError?: string;
  lastErrorAt?: string;
  lastErrorLoop?: string;
  /** The operator's stake, balance and bonds at risk (wei), refreshed every poll, for the dashboard. */
  freeStake?: bigint;
  lockedStake?: bigint;
  balance?: bigint;
  bondsAtRisk?: bigint;
};

/**
 * The composition root: loads the models, opens the store, checks the chain (the RPC answers, the chain id, the
 * oracle has code and answers its views, every served model is registered with its hash: a failed check throws one
 * line), serves HTTP, then runs three loops until stopped: the block follower (events -> jobs), the job runner
 * (inference, proofs, submissions) and the transaction monitor.
 */
export async function startNode(config: NodeConfig, deps: NodeDeps = {}): Promise<RunningNode> {
  const secrets = urlSecrets(config.rpc);
  const logger = deps.logger ?? createLogger({ format: config.log, level: config.logLevel, secrets });
  // Error messages from the RPC client may quote the URL: they pass through this before reaching /health or a log.
  const scrub = scrubber(secrets);
  logger.info({ version: VAI_VERSION, config: describeConfig(config) }, 'starting node');
  const catalog = await loadCatalog(config.models);
  const store = deps.store ?? (await openNodeStore(config.db));
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
    chainHead: () => status.head,
    bonds: new BondLedger(() => status.head),
    batches: new BatchPool(),
    graphTraces: new GraphTraces(),
  };
  // On-chain model ids the endpoint is asked for, through the registry (set once the chain is checked).
  let resolveModelId: ((modelId: bigint) => Promise<LoadedModel | undefined>) | undefined;
  const roleConfig: RoleConfig = {
    address,
    roles: config.roles,
    prove: config.prove,
    proveWorkers: config.proveWorkers,
    corruptOutput: config.unsafeCorruptOutputForTests,
    recheckMs: Math.max(1000, config.pollIntervalMs * 2),
    finalizeBatch: config.finalizeBatch,
    finalizeGraceS: config.finalizeBatch > 0 ? config.finalizeGraceS : 0,
    batchWaitBlocks: config.batchWaitBlocks,
    blockTimeS: config.blockTimeS,
    maxCallbackGas: config.maxCallbackGas,
  };

  const fresh = () => status.lastOkAt !== undefined && Date.now() - status.lastOkAt < Math.max(10_000, config.pollIntervalMs * 5);
  const app = createAdapterApp({
    inference,
    metrics,
    logger,
    bodyLimit: config.bodyLimit,
    debug: config.logLevel === 'debug' || config.logLevel === 'trace',
    resolveModelId: (id) => resolveModelId?.(id) ?? Promise.resolve(undefined),
    dashboard: {
      reader: store.dashboard,
      // Public facts only (no key, no RPC URL); the answers pass through the scrubber too, which also knows the key.
      scrub: scrubber([...secrets, config.key.reveal(), config.key.reveal().replace(/^0x/, '')]),
      status: () => ({
        ok: fresh(),
        version: VAI_VERSION,
        address,
        oracle: config.oracle,
        chainId: status.chainId?.toString(),
        roles: config.roles,
        models: catalog.models.map((m) => m.name),
        head: status.head,
        processedTo: status.processedTo,
        lastError: status.lastError,
        freeStake: status.freeStake,
        lockedStake: status.lockedStake,
        balance: status.balance,
        bondsAtRisk: status.bondsAtRisk,
        proposalsHeld: state.bonds.held,
        arbitrationRequests: state.arbitrationRequests.size,
      }),
    },
    health: () => {
      return {
        // A standby replica does not follow the chain: it is healthy while it waits to take over.
        ok: fresh() || status.replica === 'standby',
        replica: status.replica,
        address,
        oracle: config.oracle,
        roles: config.roles,
        chainId: status.chainId?.toString(),
        head: status.head,
        processedTo: status.processedTo,
        lastError: status.lastError,
        lastErrorAt: status.lastError ? status.lastErrorAt : undefined,
        lastErrorLoop: status.lastError ? status.lastErrorLoop : undefined,
        proposalsHeld: state.bonds.held,
        models: catalog.models.map((m) => ({ name: m.name, modelHash: m.modelHash })),
        arbitrationRequests: [...state.arbitrationRequests.values()],
      };
    },
  });
  // Start-up checks: before anything runs, so that a wrong setting is one line and exit 1, not a node that idles.
  let provider: JsonRpcProvider | undefined;
  let server: Server | undefined;
  let port: number;
  let chainId: bigint;
  let oracle: EthersOracleGateway;
  try {
    // The port first: it is the cheapest check, and the endpoint answers (503 on /health) while the chain is checked.
    ({ server, port } = await listen(app, config.port, config.host).catch((err: unknown) => {
      throw listenError(err, config.host, config.port);
    }));
    chainId = await fetchChainId(config.rpc, config.startupTimeoutMs);
    status.chainId = chainId;
    provider = createProvider(config.rpc, chainId, { pollingMs: config.pollIntervalMs });
    oracle = new EthersOracleGateway(config.oracle as Hex, provider);
    const facts = await startupChecks({ provider, oracle, chainId, expectedChainId: config.chainId, catalog, address });
    logger.info(
      {
        version: VAI_VERSION,
        chainId: chainId.toString(),
        rpc: redactUrl(config.rpc),
        oracle: config.oracle,
        registry: facts.registry,
        address,
        freeStake: facts.stake.free.toString(),
        models: facts.models,
      },
      'start-up checks passed',
    );
    for (const m of facts.models.filter((m) => m.deprecated))
      logger.warn({ model: m.name, modelIds: m.modelIds }, 'served model is deprecated in the registry');
    if (config.roles.includes('proposer') && facts.stake.free === 0n)
      logger.warn({ address }, 'no free stake: proposals wait until the key stakes (depositStake)');
  } catch (err) {
    if (server) await new Promise<void>((resolve) => closeServer(server!, resolve));
    provider?.destroy();
    await engine.close?.();
    await prover?.close?.();
    if (!deps.store) await store.close();
    throw err;
  }
  logger.info({ port, address, models: catalog.models.map((m) => m.name) }, 'HTTP endpoint up');
  const rpc = provider;
  const models = new ModelResolver(oracle, inference);
  resolveModelId = async (id) => (await models.served(id))?.model;

  let runner: JobRunner | undefined;
  let txSender: TxSender | undefined;

  /** The chain loops, until `signal` (the node stops, or this replica lost its leadership). */
  const chain = async (signal: AbortSignal): Promise<void> => {
    const sender = new TxSender({
      provider: rpc,
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
      explainRevert: async (job, call, blockNumber) => {
        // Replayed on the state at the end of its block: what made it revert (a competitor's call in the same or an
        // earlier block) is there.
        try {
          await rpc.call({ from: address, to: call.to, data: call.data, blockTag: blockNumber });
        } catch (err) {
          if (!isRevert(err)) throw err;
          const raw = revertData(err);
          const revert = raw ? oracle.decodeRevert(raw) : undefined;
          return { reason: revert ? formatRevert(revert) : 'no reason', verdict: minedRevertVerdict(job.kind, revert) };
        }
        return { reason: 'no reason (the call succeeds when replayed)', verdict: 'failed' };
      },
      // A bisection game's move is one transaction of its job: the job plays on until a call that ends the game.
      continues: (job, data) => job.kind === 'bisect' && !oracle.endsGame(data),
    });
    txSender = sender;
    await retry('nonce sync', () => sender.init(), signal);
    const ctx: RoleContext = { config: roleConfig, services: { store, oracle, sender, inference, provider: rpc, logger, metrics, models }, state };
    if (roleConfig.corruptOutput) logger.warn('TEST MODE: this node proposes corrupted outputs on purpose');
    // Proposals sent by an earlier run and not settled still hold their bonds (the chain may not show them yet).
    const resumed = await store.jobs.submittedJobs();
    await countBondsInFlight(resumed);
    const jobRunner = new JobRunner(ctx, config.concurrency);
    runner = jobRunner;
    const handleEvents = createEventHandler(ctx);
    const fromBlock = config.fromBlock ?? 0;
    const follower = new BlockFollower<OracleEvent>({
      provider: rpc,
      cursors: store.cursors,
      logger,
      metrics,
      name: cursor,
      address: config.oracle as Hex,
      confirmations: config.confirmations,
      reorgDepth: config.reorgDepth,
      fromBlock,
      maxLogRange: config.maxLogRange,
      decode: (log) => oracle.decode(log),
      handle: async (events) => {
        if ((await handleEvents(events)) > 0) jobRunner.wake();
      },
    });

    const fail = (loop: 'follower' | 'transactions', err: unknown) => {
      const message = scrub((err as Error).message ?? String(err)).split('\n')[0]!;
      Object.assign(status, { lastError: message, lastErrorAt: new Date().toISOString(), lastErrorLoop: loop });
      metrics.rpcErrors.inc({ loop });
      return message;
    };
    const stored = await store.cursors.getCursor(cursor);
    const catchUp = { from: stored ? stored.number + 1 : fromBlock, started: Date.now(), done: false };
    const followLoop = async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const r = await follower.poll();
          Object.assign(status, { head: r.head, headTimestamp: r.headTimestamp, processedTo: r.processedTo, lastOkAt: Date.now(), lastError: undefined });
          if (!catchUp.done) {
            // One pass reads every confirmed block past the cursor: the first pass that succeeds is the catch-up.
            catchUp.done = true;
            logger.info(
              {
                from: catchUp.from,
                to: r.processedTo,
                blocks: Math.max(0, r.processedTo - catchUp.from + 1),
                events: r.events,
                head: r.head,
                ms: Date.now() - catchUp.started,
              },
              'caught up with the chain',
            );
          }
          if (failures > 0) logger.info({ head: r.head }, 'RPC back: following again');
          failures = 0;
          const bondsAtRisk = await store.requests.bondsAtRisk(address);
          metrics.bondsAtRisk.set(Number(bondsAtRisk));
          const [stake, balance] = await Promise.all([oracle.stakeOf(address), rpc.getBalance(address)]);
          metrics.freeStake.set(Number(stake.free));
          metrics.operatorBalance.set(Number(balance));
          Object.assign(status, { freeStake: stake.free, lockedStake: stake.locked, balance, bondsAtRisk });
          metrics.proposalsHeld.set(state.bonds.held);
          if (config.roles.includes('finalizer') && (await sweepDeadlines(ctx)) > 0) jobRunner.wake();
          await sleep(config.pollIntervalMs, signal);
        } catch (err) {
          failures++;
          const message = fail('follower', err);
          if (failures === 1 || failures % 20 === 0) logger.warn({ err: message, failures }, 'cannot follow the chain, will retry');
          await sleep(backoffMs(failures), signal);
        }
      }
    };
    const txLoop = async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const head = status.head ?? (await rpc.getBlockNumber());
          const outcomes = await sender.poll(head);
          for (const o of outcomes) {
            const log = { job: o.job.id, kind: o.job.kind, request: o.job.requestId.toString(), hash: o.receipt.hash, block: o.receipt.blockNumber };
            if (o.succeeded && o.job.state === 'inferred') logger.info(log, 'bisection move confirmed: the game goes on');
            else if (o.succeeded) logger.info(log, `${o.job.kind} confirmed`);
            else if (o.revert?.verdict === 'skipped') logger.info({ ...log, revert: o.revert.reason }, `${o.job.kind} lost the race: someone else acted first`);
            else logger.warn({ ...log, revert: o.revert?.reason ?? 'unknown' }, `${o.job.kind} reverted`);
          }
          await countBondsInFlight(await store.jobs.submittedJobs());
          failures = 0;
          await sleep(config.pollIntervalMs, signal);
        } catch (err) {
          failures++;
          const message = fail('transactions', err);
          if (failures === 1 || failures % 20 === 0) logger.warn({ err: message }, 'cannot check transactions, will retry');
          await sleep(backoffMs(failures), signal);
        }
      }
    };
    logger.info(
      {
        version: VAI_VERSION,
        chainId: chainId.toString(),
        oracle: config.oracle,
        roles: config.roles,
        cursor: stored?.number ?? null,
        startBlock: catchUp.from,
        resumedTransactions: resumed.length,
      },
      'following the oracle',
    );
    await Promise.all([followLoop(), txLoop(), jobRunner.run(signal, config.pollIntervalMs)]);
  };

  /** The bonds of own proposals and challenges still submitted (the ledger drops settled ones, keeps those being sent). */
  async function countBondsInFlight(submitted: readonly Job[]): Promise<void> {
    const proposals = submitted.filter((j) => j.kind === 'propose' || j.kind === 'challenge');
    for (const j of proposals) {
      const request = await store.requests.getRequest(j.requestId);
      if (request) state.bonds.add(j.requestId.toString(), request.terms.bond, { head: undefined });
    }
    state.bonds.retain(new Set(proposals.map((j) => j.requestId.toString())));
  }

  async function retry<T>(what: string, fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
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

  /**
   * Replicas on PostgreSQL: only the leader of the key runs the chain loops; the others stand by until its session
   * ends, then one takes over (resuming from the stored cursor, jobs and nonces). A replica that loses its
   * leadership stops its loops (its submissions already fail: they are fenced) and stands by again.
   */
  const lead = async (): Promise<void> => {
    const leadership = store.leadership;
    if (!leadership) return chain(signal);
    const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    while (!signal.aborted) {
      status.replica = 'standby';
      logger.info({ holder }, 'standing by: waiting to lead this key');
      const standbySince = Date.now();
      const term = await leadership.acquire(address.toLowerCase(), holder, signal);
      status.replica = 'leader';
      logger.info({ holder, epoch: term.epoch, waitedMs: Date.now() - standbySince }, 'leading: this replica follows the chain and submits');
      const stepDown = new AbortController();
      const onStop = () => stepDown.abort();
      signal.addEventListener('abort', onStop, { once: true });
      void term.lost.then((err) => {
        if (signal.aborted) return;
        logger.error({ err: err.message, epoch: term.epoch }, 'leadership lost: stopping the chain loops');
        stepDown.abort();
      });
      await chain(stepDown.signal).catch((err: unknown) => {
        if (!stepDown.signal.aborted) throw err;
      });
      signal.removeEventListener('abort', onStop);
      await runner?.drain();
      await leadership.release();
    }
  };

  const running = lead().catch((err: unknown) => {
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

/** The served models, or a one-line `[Param: models]` error naming the folder that cannot be read. */
async function loadCatalog(dirs: readonly string[]): Promise<ModelCatalog> {
  try {
    return await ModelCatalog.load(dirs);
  } catch (err) {
    const reason = (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;
    throw new NodeConfigError(`[Param: models] Cannot load the models (${dirs.join(', ')}): ${reason.split('\n')[0]}`, {
      cause: err,
      metaMessages: ['Each folder needs the model.json written by vai model import or vai model train.'],
    });
  }
}

/** A listen failure as a setting's error (port in use, no such address). */
function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new NodeConfigError(`[Param: port] Port ${port} on ${host} is in use.`, {
      cause: err,
      metaMessages: ['Stop what listens there, or pass another --port (0: any free port).'],
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') {
    return new NodeConfigError(`[Param: ${code === 'EACCES' ? 'port' : 'host'}] Cannot listen on ${host}:${port} (${code}).`, {
      cause: err,
      metaMessages: ['Pass a local address with --host and a free port above 1023 with --port.'],
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
