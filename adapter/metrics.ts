import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_KINDS, JOB_STATES } from './jobs/machine.js';
import type { JobStore } from './store/types.js';

/** The node's Prometheus metrics, on their own registry (several nodes may live in one test process). */
export type NodeMetrics = ReturnType<typeof createMetrics>;

/** `jobStore`: where the `vai_jobs` gauge counts jobs at each scrape (none: the gauge stays empty). */
export function createMetrics(jobStore?: Pick<JobStore, 'countByState'>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vai_node_' });
  const jobs = new Gauge({
    name: 'vai_jobs',
    help: 'Jobs by kind and state',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!jobStore) return;
      this.reset();
      for (const kind of JOB_KINDS) for (const state of JOB_STATES) this.set({ kind, state }, 0);
      for (const { kind, state, count } of await jobStore.countByState()) this.set({ kind, state }, count);
    },
  });
  const inferenceSeconds = new Histogram({
    name: 'vai_inference_seconds',
    help: 'Inference latency',
    labelNames: ['model', 'engine'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  const provingSeconds = new Histogram({
    name: 'vai_proving_seconds',
    help: 'Proof generation latency',
    labelNames: ['model'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const batchProvingSeconds = new Histogram({
    name: 'vai_batch_proving_seconds',
    help: 'Proof generation latency of a batch, by its size K',
    labelNames: ['model', 'size'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'vai_batch_size',
    help: 'Requests proven per batch proof sent (the real ones; the rest of the K slots is padding)',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  const batchWaitBlocks = new Histogram({
    name: 'vai_batch_wait_blocks',
    help: 'Blocks the oldest request of a batch waited for the batch to fill',
    labelNames: ['model'] as const,
    buckets: [0, 1, 2, 3, 5, 10, 20, 50],
    registers: [registry],
  });
  const chainLag = new Gauge({ name: 'vai_chain_lag_blocks', help: 'Chain head minus the last processed block', registers: [registry] });
  const chainHead = new Gauge({ name: 'vai_chain_head_block', help: 'Latest block seen on the RPC', registers: [registry] });
  const bondsAtRisk = new Gauge({
    name: 'vai_bonds_at_risk_wei',
    help: 'Bonds of this operator locked in proposals and challenges not yet settled',
    registers: [registry],
  });
  const transactions = new Counter({
    name: 'vai_transactions_total',
    help: 'Transactions sent, by job kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'vai_http_requests_total',
    help: 'External-adapter requests by status code',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const freeStake = new Gauge({
    name: 'vai_free_stake_wei',
    help: "This operator's free stake in the oracle (what new proposals and challenges can bond), refreshed each poll",
    registers: [registry],
  });
  const operatorBalance = new Gauge({
    name: 'vai_operator_balance_wei',
    help: "The operator key's ETH balance (pays the gas), refreshed each poll",
    registers: [registry],
  });
  const proposalsHeld = new Gauge({
    name: 'vai_proposals_held',
    help: 'Proposals and challenges waiting because the free stake cannot bond them',
    registers: [registry],
  });
  const rpcErrors = new Counter({ name: 'vai_rpc_errors_total', help: 'Failed RPC calls', labelNames: ['loop'] as const, registers: [registry] });
  const bisectionMoves = new Counter({
    name: 'vai_bisection_moves_total',
    help: 'Moves of bisection games sent, by role (proposer, challenger) and call (openBisection, commitTrace, bisect, executeStep, timeoutBisection)',
    labelNames: ['role', 'move'] as const,
    registers: [registry],
  });
  const bisectionMoveSlackSeconds = new Histogram({
    name: 'vai_bisection_move_slack_seconds',
    help: 'Chain time left before the move deadline when a move of a bisection game was sent',
    buckets: [10, 60, 300, 900, 1800, 3600],
    registers: [registry],
  });
  return {
    bisectionMoves,
    bisectionMoveSlackSeconds,
    registry,
    jobs,
    inferenceSeconds,
    provingSeconds,
    batchProvingSeconds,
    batchSize,
    batchWaitBlocks,
    chainLag,
    chainHead,
    bondsAtRisk,
    freeStake,
    operatorBalance,
    proposalsHeld,
    transactions,
    httpRequests,
    rpcErrors,
  };
}
