import type { JsonRpcProvider } from 'ethers';
import { GraphTraces } from '../../../adapter/roles/graph-traces.js';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hex } from '../../../lib/semantics/index.js';
import type { DecodedRevert, OracleGateway } from '../../../adapter/chain/oracle.js';
import type { TxSender } from '../../../adapter/chain/sender.js';
import { type BisectionGame, ZERO_ADDRESS, ZERO_HASH } from '../../../lib/protocol/index.js';
import { outputHash, stepsCommitment, traceCommitment } from '../../../lib/semantics/index.js';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import type { InferenceService } from '../../../adapter/inference/service.js';
import { createMetrics } from '../../../adapter/metrics.js';
import type { RoleContext } from '../../../adapter/roles/context.js';
import { runJob } from '../../../adapter/roles/executor.js';
import type { ModelResolver } from '../../../adapter/roles/model-resolver.js';
import { BatchPool, BondLedger, CarriedFinalizations } from '../../../adapter/roles/state.js';
import { ActionReverted } from '../../../adapter/roles/submit.js';
import { openStore } from '../../../adapter/store/sqlite/index.js';
import type { Job, NodeStores } from '../../../adapter/store/types.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { ME, OTHER, requestTerms } from './helpers/terms.js';

// The executor with the real store (in memory) and stand-ins for the chain, the sender and the models: the
// proof-or-fallback policy, written once for the roles that prove.

const ORACLE = `0x${'99'.repeat(20)}` as Hex;
const OUTPUT = [1n, 0n];
const TERMS = requestTerms({ verifierVersion: 1n });

let model: LoadedModel;
beforeAll(async () => {
  model = (await ModelCatalog.load([writeModelDir(classifier)])).models[0]!;
});

const opened: NodeStores[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** A stand-in for a service: only what the executor calls is there (the rest is not reached). */
const standIn = <T>(impl: Partial<T>): T => impl as T;

type World = {
  prove?: () => Promise<Hex>;
  revert?: (data: Hex) => DecodedRevert | undefined;
  /** Batch set-ups here (with a verifier on chain each); none: no batches. */
  batchSizes?: number[];
  proveBatch?: () => Promise<Hex>;
  /** What inference returns (default OUTPUT). */
  output?: bigint[];
  /** The model's steps commitment and the request's game (the bisect role's reads). */
  steps?: { root: Hex; count: number };
  game?: BisectionGame;
};

function setUp(world: World) {
  const store = openStore(':memory:');
  opened.push(store);
  const sent: string[] = [];
  const name = (data: string) => Buffer.from(data.slice(2), 'hex').toString();
  const tag = (n: string): Hex => `0x${Buffer.from(n).toString('hex')}`;
  const oracle = standIn<OracleGateway>({
    address: ORACLE,
    requestRecord: async () => ({ state: 'Disputed', time: 1_000n }),
    model: async () => ({ modelId: 1n, modelHash: model.modelHash, verifier: ZERO_ADDRESS, weights: ZERO_ADDRESS, deprecated: false, inputHashKind: 'keccak' }),
    decodeRevert: (raw) => world.revert?.(raw as Hex),
    stakeOf: async () => ({ free: 10n ** 30n, locked: 0n }),
    batchVerifierOf: async () => `0x${'77'.repeat(20)}` as Hex,
    stepsCommitment: async () => ({ executor: ZERO_ADDRESS, ...(world.steps ?? { root: ZERO_HASH, count: 0 }) }),
    bisection: async () => {
      if (!world.game) throw new Error('no game in this world');
      return world.game;
    },
    calldata: standIn<OracleGateway['calldata']>({
      openBisection: (_id, _terms, _proposal, claimed, trace) => tag(`openBisection:${claimed.join(',')}:${trace.root}`),
      proposeWithProofBatch: (batch, requests) => tag(`proposeWithProofBatch:${batch.batchSize}:${requests.map((r) => r.requestId).join(',')}`),
      propose: () => tag('propose'),
      proposeWithProof: () => tag('proposeWithProof'),
      resolveWithProof: () => tag('resolveWithProof'),
    }),
  });
  const reverting = async (tx: { data: Hex }) => {
    const revert = world.revert?.(tx.data);
    if (revert) throw Object.assign(new Error('execution reverted'), { code: 'CALL_EXCEPTION', data: tx.data });
    return 100_000n;
  };
  const provider = standIn<JsonRpcProvider>({
    estimateGas: reverting,
    call: async (tx) => {
      await reverting(tx as { data: Hex });
      return '0x';
    },
  });
  const sender = standIn<TxSender>({
    address: ME,
    send: async (job, state, tx) => {
      sent.push(name(tx.data));
      return (
        await store.txs.submit(job.id, state, ME, (nonce) => ({
          hash: `0x${nonce.toString(16).padStart(64, '0')}`,
          raw: '0x',
          maxFeePerGas: 1n,
          maxPriorityFeePerGas: 1n,
        }))
      ).tx;
    },
  });
  const inference = standIn<InferenceService>({
    infer: async () => ({ model, output: world.output ?? OUTPUT, modelHash: model.modelHash }),
    canProve: () => true,
    prove: async () => (world.prove ? world.prove() : '0xabcdef'),
    batchSizes: () => world.batchSizes ?? [],
    proveBatch: async (_model, _inputs, _outputs, _prover, batchSize) => ({
      batchSize,
      signals: [1n, 2n],
      proof: world.proveBatch ? await world.proveBatch() : '0xbatc',
    }),
  });
  const models = standIn<ModelResolver>({
    served: async () => ({
      model,
      info: { modelId: 1n, modelHash: model.modelHash, verifier: ZERO_ADDRESS, weights: ZERO_ADDRESS, deprecated: false, inputHashKind: 'keccak' },
    }),
  });
  const ctx: RoleContext = {
    config: {
      address: ME,
      roles: ['proposer', 'watcher', 'finalizer'],
      prove: true,
      proveWorkers: false,
      corruptOutput: false,
      recheckMs: 1000,
      finalizeBatch: 0,
      finalizeGraceS: 0,
      maxCallbackGas: 0,
      batchWaitBlocks: 0,
      blockTimeS: 1,
    },
    services: { store, oracle, sender, inference, provider, logger: pino({ level: 'silent' }), metrics: createMetrics(), models },
    state: {
      gasByShape: new Map(),
      carried: new CarriedFinalizations(),
      arbitrationRequests: new Map(),
      chainTime: () => 1_100,
      chainHead: () => 5,
      bonds: new BondLedger(),
      batches: new BatchPool(),
      graphTraces: new GraphTraces(),
    },
  };
  return { ctx, store, sent, name };
}

async function requestFor(store: NodeStores, disputed: boolean): Promise<void> {
  await store.requests.saveRequest({
    requestId: 7n,
    modelId: 1n,
    terms: TERMS,
    input: [1n, 2n, 3n, 4n],
    proposal: null,
    proposedOutput: null,
    proposedAt: null,
    disputedAt: null,
    state: 'Requested',
    requestedBlock: 1,
  });
  if (!disputed) return;
  await store.requests.recordProposal(
    7n,
    { proposer: OTHER, challenger: ZERO_ADDRESS, outputHash: `0x${'12'.repeat(32)}`, claimHash: ZERO_HASH },
    [0n, 1n],
    1_000,
  );
  await store.requests.recordChallenge(7n, ME, `0x${'34'.repeat(32)}`, 1_000);
}

async function jobOf(store: NodeStores, kind: 'propose' | 'resolve' | 'bisect'): Promise<Job> {
  return (await store.jobs.ensureJob({ requestId: 7n, kind, modelId: '0x1' })).job;
}

describe('executor', () => {
  it('proposes with a proof in one run: seen -> inferred -> proof_pending -> submitted, the proof kept', async () => {
    const { ctx, store, sent } = setUp({});
    await requestFor(store, false);
    const job = await jobOf(store, 'propose');
    await runJob(ctx, job);
    expect(sent).toEqual(['proposeWithProof']);
    expect(await store.jobs.getJob(job.id)).toMatchObject({ state: 'submitted', output: OUTPUT, proof: '0xabcdef', error: null });
  });

  it('falls back to an optimistic proposal when no proof can be made, or when the oracle refuses it', async () => {
    const noProof = setUp({ prove: () => Promise.reject(new Error('prover crashed')) });
    await requestFor(noProof.store, false);
    const a = await jobOf(noProof.store, 'propose');
    await runJob(noProof.ctx, a);
    expect(noProof.sent).toEqual(['propose']);
    expect(await noProof.store.jobs.getJob(a.id)).toMatchObject({ state: 'submitted', error: 'proof failed: prover crashed' });

    const refused = setUp({ revert: (data) => (noProof.name(data) === 'proposeWithProof' ? { name: 'InferenceOracleInvalidProof', args: [] } : undefined) });
    await requestFor(refused.store, false);
    const b = await jobOf(refused.store, 'propose');
    await runJob(refused.ctx, b);
    expect(refused.sent).toEqual(['propose']);
    expect(await refused.store.jobs.getJob(b.id)).toMatchObject({ state: 'submitted', error: 'proof refused: reverted with InferenceOracleInvalidProof' });
  });

  it('proves a request with a batch set-up in a batch: one proposeWithProofBatch, the request claimed by it', async () => {
    const { ctx, store, sent } = setUp({ batchSizes: [4, 16] });
    await requestFor(store, false);
    const job = await jobOf(store, 'propose');
    await runJob(ctx, job);
    // Waited its batchWaitBlocks (0): the smallest batch that holds it, padded.
    expect(sent).toEqual(['proposeWithProofBatch:4:7']);
    expect(await store.jobs.getJob(job.id)).toMatchObject({ state: 'submitted', output: OUTPUT, error: null });
    expect(ctx.state.batches.inFlight('7')).toBe(true);
  });

  it('gives a batch that cannot be proven back: the request is proven alone, and its group for a while', async () => {
    const { ctx, store, sent } = setUp({ batchSizes: [4], proveBatch: () => Promise.reject(new Error('batch prover crashed')) });
    await requestFor(store, false);
    const job = await jobOf(store, 'propose');
    await runJob(ctx, job);
    expect(sent).toEqual(['proposeWithProof']);
    expect(ctx.state.batches.inFlight('7')).toBe(false);
    expect(ctx.state.batches.isBroken(1n, 1n)).toBe(true);
  });

  it('gives a batch the oracle refuses back the same way', async () => {
    const { ctx, store, sent, name } = setUp({
      batchSizes: [4],
      revert: (data) => (name(data).startsWith('proposeWithProofBatch') ? { name: 'InferenceOracleInvalidBatchProof', args: [1n] } : undefined),
    });
    await requestFor(store, false);
    const job = await jobOf(store, 'propose');
    await runJob(ctx, job);
    expect(sent).toEqual(['proposeWithProof']);
    expect(ctx.state.batches.isBroken(1n, 1n)).toBe(true);
  });

  it('hands a resolution that is too late to the runner, keeping the job and its proof as they are', async () => {
    const { ctx, store, sent } = setUp({ revert: () => ({ name: 'InferenceOracleOutsideWindow', args: [] }) });
    await requestFor(store, true);
    const job = await jobOf(store, 'resolve');
    await expect(runJob(ctx, job)).rejects.toBeInstanceOf(ActionReverted);
    expect(sent).toEqual([]);
    expect(await store.jobs.getJob(job.id)).toMatchObject({ state: 'proof_pending', proof: '0xabcdef', error: null });
  });

  it('opens a bisection game in one run (seen -> inferred -> submitted) and counts the move', async () => {
    const input = [1n, 2n, 3n, 4n];
    const trace = traceCommitment(classifier, input);
    const right = trace.states[2]!;
    const commitment = stepsCommitment(classifier);
    const game: BisectionGame = {
      phase: 'None',
      lo: 0,
      hi: 2,
      steps: 2,
      deadline: 0n,
      proposerRoot: ZERO_HASH,
      agreed: trace.hashes[0]!,
      pending: ZERO_HASH,
      proposerHi: `0x${'12'.repeat(32)}`,
      challengerHi: trace.hashes[2]!,
    };
    const { ctx, store, sent } = setUp({ output: right, steps: { root: commitment.root, count: 2 }, game });
    // No verifier in the terms: no proof settles it, and the model has no weights on chain.
    await store.requests.saveRequest({
      requestId: 7n,
      modelId: 1n,
      terms: requestTerms(),
      input,
      proposal: null,
      proposedOutput: null,
      proposedAt: null,
      disputedAt: null,
      state: 'Requested',
      requestedBlock: 1,
    });
    await store.requests.recordProposal(
      7n,
      { proposer: OTHER, challenger: ZERO_ADDRESS, outputHash: game.proposerHi, claimHash: ZERO_HASH },
      [1n - right[0]!],
      1_000,
    );
    // This node challenged with the model's output as its claim.
    await store.requests.recordChallenge(7n, ME, outputHash(right), 1_000);
    const job = await jobOf(store, 'bisect');
    await runJob(ctx, job);
    expect(sent).toEqual([`openBisection:${right.join(',')}:${trace.root}`]);
    expect(await store.jobs.getJob(job.id)).toMatchObject({ state: 'submitted', output: right });
    const metric = await ctx.services.metrics.bisectionMoves.get();
    expect(metric.values).toEqual([{ labels: { role: 'challenger', move: 'openBisection' }, value: 1 }]);
  });
});
