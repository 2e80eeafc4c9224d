import { GraphTraces } from '../../../adapter/roles/graph-traces.js';
import { ensureLanguageModel } from '../../../lib/apps/language-model.js';
import { graphStepCall } from '../../../lib/protocol/index.js';
import {
  encodeGenerationRequest,
  type Generation,
  type GraphTraceCommitment,
  graphStepsCommitment,
  graphTraceCommitment,
  valuesHash,
} from '../../../lib/semantics/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptsMask } from '../../../lib/client/oracle-abi.js';
import { hexlify } from 'ethers';
import { outputHash, stepsCommitment, traceCommitment, type Hex, type InputHashKind } from '../../../lib/semantics/index.js';
import { type BisectionGame, traceClaiming, ZERO_ADDRESS, ZERO_HASH, type Proposal, type RequestTerms } from '../../../lib/protocol/index.js';
import type { OwedCallback, RequestRecord } from '../../../adapter/store/types.js';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import type { JobKind, JobState } from '../../../adapter/jobs/machine.js';
import type { Action, Inference } from '../../../adapter/roles/actions.js';
import type { RoleConfig } from '../../../adapter/roles/context.js';
import { DECISIONS } from '../../../adapter/roles/executor.js';
import type { BatchEntry } from '../../../adapter/roles/state.js';
import type { JobView, OnChainRecord, OracleCalldata } from '../../../adapter/roles/view.js';
import type { Job } from '../../../adapter/store/types.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { toJson } from '../../../lib/protocol/index.js';
import { ME, OTHER, requestTerms } from './helpers/terms.js';

// The roles' decisions, from plain objects: no chain, no store, no model runs.

const CHALLENGER = `0x${'33'.repeat(20)}` as Hex;
const ARBITRATOR = `0x${'44'.repeat(20)}` as Hex;
const WEIGHTS = `0x${'55'.repeat(20)}` as Hex;
const REQUEST_ID = 7n;
const CORRECT = [1n, 0n];
const WRONG = [0n, 1n];
const OTHER_OUTPUT = [5n, 5n];

let model: LoadedModel;
beforeAll(async () => {
  model = (await ModelCatalog.load([writeModelDir(classifier)])).models[0]!;
});

/** Calldata that names the oracle function it stands for (the encoding itself is the gateway's business). */
const tag = (name: string): Hex => `0x${Buffer.from(name).toString('hex')}`;
const nameOf = (data: Hex): string => Buffer.from(data.slice(2), 'hex').toString();
const calldata: OracleCalldata = {
  propose: () => tag('propose'),
  proposeAndFinalize: () => tag('proposeAndFinalize'),
  proposeWithProof: (_id, _terms, input, _output, proof) => tag(`proposeWithProof:${proof}${input.length === 0 ? ':without input' : ''}`),
  challenge: (_id, _terms, _proposal, claimHash) => tag(`challenge:${claimHash}`),
  resolveWithProof: (_id, _terms, _proposal, input, _output, proof) => tag(`resolveWithProof:${proof}${input.length === 0 ? ':without input' : ''}`),
  resolveByReexecution: () => tag('resolveByReexecution'),
  resolveByArbitration: (_id, _terms, _proposal, output) => tag(`resolveByArbitration:${output.join(',')}`),
  finalize: () => tag('finalize'),
  expire: () => tag('expire'),
  expireDispute: () => tag('expireDispute'),
  proposeWithProofBatch: () => tag('proposeWithProofBatch'),
  proposeBatch: () => tag('proposeBatch'),
  finalizeBatch: () => tag('finalizeBatch'),
  deliverCallback: () => tag('deliverCallback'),
  openBisection: (_id, _terms, _proposal, claimed, trace, mid) => tag(`openBisection:${claimed.join(',')}:${trace.root}:${mid.stateHash}`),
  commitTrace: (_id, _terms, _proposal, trace, atMid, atNext) => tag(`commitTrace:${trace.root}:${atMid.stateHash}:${atNext.stateHash}`),
  bisect: (_id, atMid, atNext) => tag(`bisect:${atMid.stateHash}:${atNext.stateHash}`),
  executeStep: (_id, _terms, _proposal, step, pre, output) =>
    tag(`executeStep:${step.encoding.length}:${step.proof.length}:${pre.join(',')}:${output.join(',')}`),
  executeStepWithWitness: (_id, _terms, _proposal, weights, pre, witness, output) =>
    tag(`executeStepWithWitness:${weights.encoding.length}:${weights.proof.length}:${pre.length}:${witness.length}:${output.join(',')}`),
  timeoutBisection: (_id, _terms, _proposal, output) => tag(`timeoutBisection:${output.join(',')}`),
};

const TERMS = requestTerms();

const proposal = (over: Partial<Proposal> = {}): Proposal => ({
  proposer: OTHER,
  challenger: ZERO_ADDRESS,
  outputHash: outputHash(WRONG),
  claimHash: ZERO_HASH,
  ...over,
});
const disputed = (over: Partial<Proposal> = {}): Proposal => proposal({ challenger: CHALLENGER, claimHash: outputHash(CORRECT), ...over });

function request(over: Partial<RequestRecord> = {}, terms: Partial<RequestTerms> = {}): RequestRecord {
  return {
    requestId: REQUEST_ID,
    modelId: 1n,
    terms: { ...TERMS, ...terms },
    input: [10n, 20n, 30n, 40n],
    proposal: null,
    proposedOutput: null,
    proposedAt: null,
    disputedAt: null,
    state: 'Requested',
    requestedBlock: 1,
    ...over,
  };
}

function job(kind: JobKind, state: JobState = 'seen', over: Partial<Job> = {}): Job {
  return {
    id: 1,
    requestId: REQUEST_ID,
    kind,
    state,
    modelId: '0x1',
    input: null,
    output: null,
    claimed: null,
    proof: null,
    notBefore: 0,
    attempts: 0,
    error: null,
    nonce: null,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

/** What the view answers; a read the test does not expect (left undefined) fails the decision. */
type World = {
  request?: RequestRecord;
  callback?: OwedCallback;
  onChain?: OnChainRecord;
  served?: boolean;
  canProve?: boolean;
  weightsOnChain?: boolean;
  arbitrator?: Hex;
  chainTime?: number;
  latestBlockTime?: number;
  matured?: RequestRecord[];
  carried?: string[];
  arbitrationRequested?: boolean;
  /** The stake this node can still bond (default: plenty). */
  freeStake?: bigint;
  /** Batch sizes with a set-up here and a verifier on chain (default: none). */
  batchSizes?: number[];
  batchWaiting?: BatchEntry[];
  inBatch?: boolean;
  chainHead?: number;
  /** Steps in the registry's steps commitment of the model (default 0: none). */
  stepsCount?: number;
  stepExecutor?: Hex;
  stepsRoot?: Hex;
  /** The served model (default: the classifier). */
  servedModel?: LoadedModel;
  /** Generation models' traces (default: none asked). */
  graphTraces?: GraphTraces;
  /** The request's bisection game (read only by the bisect role). */
  game?: BisectionGame;
  /** The served model's input-hash kind (default keccak). */
  inputHashKind?: InputHashKind;
};

function viewOf(world: World): JobView & { reads: string[] } {
  const reads: string[] = [];
  const read = <T>(what: string, value: T | undefined): Promise<T> => {
    reads.push(what);
    return value === undefined ? Promise.reject(new Error(`unexpected read: ${what}`)) : Promise.resolve(value);
  };
  return {
    reads,
    request: async () => {
      reads.push('request');
      return world.request;
    },
    callback: async () => {
      reads.push('callback');
      return world.callback;
    },
    onChain: () => read('onChain', world.onChain),
    served: async () => {
      reads.push('served');
      return world.served === false
        ? undefined
        : {
            model: world.servedModel ?? model,
            info: {
              modelId: 1n,
              modelHash: model.modelHash,
              verifier: ZERO_ADDRESS,
              weights: ZERO_ADDRESS,
              deprecated: false,
              inputHashKind: world.inputHashKind ?? 'keccak',
            },
          };
    },
    canProve: () => world.canProve ?? false,
    model: (modelId) =>
      read(
        'model',
        world.weightsOnChain === undefined
          ? undefined
          : {
              modelId,
              modelHash: model.modelHash,
              verifier: ZERO_ADDRESS,
              weights: world.weightsOnChain ? WEIGHTS : ZERO_ADDRESS,
              deprecated: false,
              inputHashKind: 'keccak',
            },
      ),
    arbitrator: () => read('arbitrator', world.arbitrator),
    stepsCommitment: async () => ({ root: world.stepsRoot ?? ZERO_HASH, count: world.stepsCount ?? 0, executor: world.stepExecutor ?? ZERO_ADDRESS }),
    bisection: () => read('bisection', world.game),
    graphTraces: () => world.graphTraces ?? new GraphTraces(() => Promise.reject(new Error('unexpected graph trace'))),
    chainTime: () => world.chainTime,
    latestBlockTime: async () => {
      reads.push('latestBlockTime');
      return world.latestBlockTime;
    },
    maturedOwnProposals: (_by, _limit) => read('maturedOwnProposals', world.matured),
    carried: () => new Set(world.carried ?? []),
    arbitrationRequested: () => world.arbitrationRequested ?? false,
    freeStake: async () => world.freeStake ?? 10n ** 30n,
    chainHead: () => world.chainHead,
    batchSizes: async () => world.batchSizes ?? [],
    batchWaiting: () => world.batchWaiting ?? [],
    inBatch: () => world.inBatch ?? false,
    batchLandingS: () => 60,
  };
}

const CONFIG: RoleConfig = {
  address: ME,
  roles: ['proposer', 'watcher', 'finalizer'],
  prove: true,
  proveWorkers: false,
  corruptOutput: false,
  recheckMs: 5_000,
  finalizeBatch: 0,
  finalizeGraceS: 0,
  maxCallbackGas: 500_000,
  batchWaitBlocks: 2,
  blockTimeS: 12,
};

function decide(j: Job, view: JobView, opts: { config?: Partial<RoleConfig>; inference?: Inference } = {}): Promise<Action> {
  return DECISIONS[j.kind]({ job: j, view, config: { ...CONFIG, ...opts.config }, calldata, ...(opts.inference ? { inference: opts.inference } : {}) });
}

function sent(action: Action): string {
  if (action.type !== 'send') throw new Error(`expected a send, got ${toJson(action, 0)}`);
  return nameOf(action.calldata);
}

describe('propose', () => {
  it('fails without the request record, skips a model not served and a request that moved on', async () => {
    expect(await decide(job('propose'), viewOf({}))).toEqual({ type: 'fail', reason: 'request record missing' });
    expect(await decide(job('propose'), viewOf({ request: request(), served: false }))).toEqual({ type: 'skip', reason: 'model not served' });
    expect(await decide(job('propose'), viewOf({ request: request({ state: 'Proposed' }) }))).toEqual({ type: 'skip', reason: 'request is Proposed' });
  });

  it('infers, then records the output (corrupted on purpose only in the test mode)', async () => {
    const r = request();
    expect(await decide(job('propose'), viewOf({ request: r }))).toEqual({ type: 'infer', model, input: r.input });
    const inference: Inference = { ok: true, output: [3n, 4n] };
    expect(await decide(job('propose'), viewOf({ request: r }), { inference })).toEqual({ type: 'record', output: [3n, 4n] });
    expect(await decide(job('propose'), viewOf({ request: r }), { inference, config: { corruptOutput: true } })).toEqual({ type: 'record', output: [4n, 4n] });
  });

  it('holds an optimistic proposal the free stake cannot bond (wait with the shortfall), and sends it with its bond once it can', async () => {
    const inferred = job('propose', 'inferred', { output: [1n, 0n] });
    const bond = request().terms.bond;
    const held = await decide(inferred, viewOf({ request: request(), freeStake: bond - 1n }), { config: { prove: false } });
    expect(held).toEqual({ type: 'wait', ms: CONFIG.recheckMs, stake: { bond, free: bond - 1n } });
    const sent = await decide(inferred, viewOf({ request: request(), freeStake: bond }), { config: { prove: false } });
    expect(sent).toMatchObject({ type: 'send', bond });
    // Past the request's deadline there is nothing to hold it for.
    const late = await decide(inferred, viewOf({ request: request(), freeStake: 0n, chainTime: Number(request().terms.deadline) + 1 }), {
      config: { prove: false },
    });
    expect(late).toEqual({ type: 'skip', reason: 'request deadline passed' });
  });

  it('after a failed inference: skipped when the oracle already ended the request, failed otherwise', async () => {
    const inference: Inference = { ok: false, error: new Error('bad model build') };
    expect(await decide(job('propose'), viewOf({ request: request(), onChain: { state: 'Failed', time: 0n } }), { inference })).toEqual({
      type: 'skip',
      reason: 'request is Failed',
    });
    expect(await decide(job('propose'), viewOf({ request: request(), onChain: { state: 'Requested', time: 0n } }), { inference })).toEqual({
      type: 'fail',
      reason: 'bad model build',
    });
  });

  it('proves when proving is on, the terms name a verifier and the model has a circuit; the proof refused falls back to optimistic', async () => {
    const view = viewOf({ request: request({}, { verifierVersion: 1n }), canProve: true });
    const action = await decide(job('propose', 'inferred', { output: CORRECT }), view);
    expect(action).toMatchObject({ type: 'prove', model, output: CORRECT, fallback: 'proofRefused' });
    if (action.type !== 'prove') throw new Error('not a proof');
    expect(nameOf(action.calldata('0xab'))).toBe('proposeWithProof:0xab');
    // A job that was already proving resumes its proof, whatever the configuration says now.
    expect(await decide(job('propose', 'proof_pending', { output: CORRECT }), viewOf({ request: request() }), { config: { prove: false } })).toMatchObject({
      type: 'prove',
    });
  });

  it('proves a model keyed by a Poseidon commitment from the input and sends the proof without it', async () => {
    const view = viewOf({ request: request({}, { verifierVersion: 1n }), canProve: true, inputHashKind: 'poseidon' });
    const action = await decide(job('propose', 'inferred', { output: CORRECT }), view);
    expect(action).toMatchObject({ type: 'prove', model, input: request().input, output: CORRECT });
    if (action.type !== 'prove') throw new Error('not a proof');
    expect(nameOf(action.calldata('0xab'))).toBe('proposeWithProof:0xab:without input');
  });

  it('does not prove without a verifier, without a circuit, with proving off, or after a proof failed: it proposes optimistically', async () => {
    const inferred = job('propose', 'inferred', { output: CORRECT });
    expect(sent(await decide(inferred, viewOf({ request: request(), canProve: true })))).toBe('propose');
    expect(sent(await decide(inferred, viewOf({ request: request({}, { verifierVersion: 1n }), canProve: false })))).toBe('propose');
    expect(sent(await decide(inferred, viewOf({ request: request({}, { verifierVersion: 1n }), canProve: true }), { config: { prove: false } }))).toBe(
      'propose',
    );
    const afterProofFailed = job('propose', 'inferred', { output: CORRECT, error: 'proof failed: prover crashed' });
    expect(sent(await decide(afterProofFailed, viewOf({ request: request({}, { verifierVersion: 1n }), canProve: true })))).toBe('propose');
  });

  describe('batches', () => {
    const provable = (over: Partial<RequestRecord> = {}) => request({ requestedBlock: 10, ...over }, { verifierVersion: 1n, deadline: 100_000n });
    const inferred = job('propose', 'inferred', { output: CORRECT });
    const waiting = (id: bigint, block = 10): BatchEntry => ({
      requestId: id,
      modelId: 1n,
      verifierVersion: 1n,
      deadline: 100_000n,
      seenAtBlock: block,
      terms: provable().terms,
      input: [1n, 2n, 3n, 4n],
      output: CORRECT,
    });
    const world = (over: World = {}): World => ({ request: provable(), canProve: true, batchSizes: [4, 16], chainHead: 10, chainTime: 1_000, ...over });

    it('waits for its batch to fill, offering itself to the pool', async () => {
      const action = await decide(inferred, viewOf(world()));
      expect(action).toMatchObject({ type: 'wait', batch: { requestId: REQUEST_ID, seenAtBlock: 10, output: CORRECT } });
    });

    it('leads the batch once its oldest request waited batchWaitBlocks: the smallest size that holds them, oldest first', async () => {
      const action = await decide(inferred, viewOf(world({ chainHead: 12, batchWaiting: [waiting(8n, 9), waiting(9n, 11)] })));
      expect(action).toMatchObject({ type: 'proveBatch', batchSize: 4, modelId: 1n, verifierVersion: 1n, waitedBlocks: 3 });
      if (action.type !== 'proveBatch') throw new Error('not a batch');
      expect(action.entries.map((e) => e.requestId)).toEqual([8n, REQUEST_ID, 9n]);
    });

    it('leads a batch of the largest size at once, without waiting', async () => {
      const others = [11n, 12n, 13n].map((id) => waiting(id));
      expect(await decide(inferred, viewOf(world({ batchWaiting: others })))).toMatchObject({ type: 'wait' });
      const action = await decide(inferred, viewOf(world({ batchWaiting: others, batchSizes: [1, 4] })));
      expect(action).toMatchObject({ type: 'proveBatch', batchSize: 4, waitedBlocks: 0 });
    });

    it('rides along with a batch in flight, and skips once that batch settled its request', async () => {
      expect(await decide(inferred, viewOf(world({ inBatch: true })))).toEqual({ type: 'wait', ms: 500 });
      expect(await decide(inferred, viewOf(world({ inBatch: true, request: provable({ state: 'Finalized' }) })))).toEqual({
        type: 'skip',
        reason: 'request is Finalized (proven in a batch)',
      });
    });

    it('goes the single way when its deadline is too close to wait, without batch verifiers, or with prove workers', async () => {
      const close = request({ requestedBlock: 10 }, { verifierVersion: 1n, deadline: 1_050n });
      expect(await decide(inferred, viewOf(world({ request: close })))).toMatchObject({ type: 'prove' });
      expect(await decide(inferred, viewOf(world({ batchSizes: [] })))).toMatchObject({ type: 'prove' });
      expect(await decide(inferred, viewOf(world()), { config: { proveWorkers: true } })).toMatchObject({ type: 'prove' });
    });
  });

  it('answers a request that takes only proofs with a proof (no fallback), and skips it when it cannot prove', async () => {
    const proofOnly = request({}, { verifierVersion: 1n, accepts: BigInt(acceptsMask(['Proof'])) });
    expect(await decide(job('propose', 'inferred', { output: CORRECT }), viewOf({ request: proofOnly, canProve: true }))).toMatchObject({
      type: 'prove',
      fallback: 'never',
    });
    const action = await decide(job('propose', 'inferred', { output: CORRECT, error: 'proof failed: x' }), viewOf({ request: proofOnly, canProve: true }));
    expect(action).toMatchObject({ type: 'skip', reason: 'request accepts only results this node cannot give', note: { level: 'warn' } });
  });

  it('carries its own matured proposals that no other proposal carries, and not the request it proposes for', async () => {
    const matured = (id: bigint) =>
      request({ requestId: id, state: 'Proposed', proposal: proposal({ proposer: ME }), proposedOutput: CORRECT, proposedAt: 100 });
    const view = viewOf({
      request: request(),
      chainTime: 1_000,
      matured: [matured(REQUEST_ID), matured(1n), matured(2n), matured(3n), matured(4n)],
      carried: ['2'],
    });
    const action = await decide(job('propose', 'inferred', { output: CORRECT }), view, { config: { finalizeBatch: 2 } });
    expect(sent(action)).toBe('proposeAndFinalize');
    expect(action).toMatchObject({ variableCost: true });
    if (action.type !== 'send') throw new Error('not a send');
    expect(action.carries?.map((m) => m.requestId)).toEqual([1n, 3n]);
    // Nothing matured, or batching off: a plain proposal, and the store is not asked.
    expect(
      sent(
        await decide(job('propose', 'inferred', { output: CORRECT }), viewOf({ request: request(), chainTime: 1_000, matured: [] }), {
          config: { finalizeBatch: 2 },
        }),
      ),
    ).toBe('propose');
    const off = viewOf({ request: request(), chainTime: 1_000 });
    expect(sent(await decide(job('propose', 'inferred', { output: CORRECT }), off))).toBe('propose');
    expect(off.reads).not.toContain('maturedOwnProposals');
  });
});

describe('challenge', () => {
  const proposed = () => request({ state: 'Proposed', proposal: proposal(), proposedOutput: WRONG, proposedAt: 1_000 });

  it('fails without the proposal or the claimed output; infers first', async () => {
    expect(await decide(job('challenge', 'seen'), viewOf({ request: proposed() }))).toEqual({ type: 'fail', reason: 'proposal record missing' });
    expect(await decide(job('challenge', 'seen', { claimed: WRONG }), viewOf({ request: request() }))).toEqual({
      type: 'fail',
      reason: 'proposal record missing',
    });
    expect(await decide(job('challenge', 'seen', { claimed: WRONG }), viewOf({ request: proposed() }))).toMatchObject({ type: 'infer', model });
  });

  it('skips a correct proposal (keeping the output), records a wrong one, retries after a failed inference', async () => {
    const seen = job('challenge', 'seen', { claimed: WRONG });
    expect(await decide(seen, viewOf({ request: proposed() }), { inference: { ok: true, output: WRONG } })).toEqual({
      type: 'skip',
      reason: 'proposal is correct',
      output: WRONG,
    });
    expect(await decide(seen, viewOf({ request: proposed() }), { inference: { ok: true, output: CORRECT } })).toMatchObject({
      type: 'record',
      output: CORRECT,
      note: { level: 'warn', message: 'wrong proposal' },
    });
    const error = new Error('engine down');
    expect(await decide(seen, viewOf({ request: proposed() }), { inference: { ok: false, error } })).toEqual({ type: 'retry', error });
  });

  it('challenges with the correct output as the claim while the window is open', async () => {
    const inferred = job('challenge', 'inferred', { claimed: WRONG, output: CORRECT });
    expect(sent(await decide(inferred, viewOf({ request: proposed(), chainTime: 1_030, onChain: { state: 'Proposed', time: 1_060n } })))).toBe(
      `challenge:${outputHash(CORRECT)}`,
    );
    // Before the follower's first poll the chain's latest block says what time it is.
    const view = viewOf({ request: proposed(), latestBlockTime: 1_030, onChain: { state: 'Proposed', time: 1_060n } });
    expect(sent(await decide(inferred, view))).toBe(`challenge:${outputHash(CORRECT)}`);
    expect(view.reads).toContain('latestBlockTime');
  });

  it('locks its bond with the challenge, and holds it while the free stake cannot bond it', async () => {
    const inferred = job('challenge', 'inferred', { claimed: WRONG, output: CORRECT });
    const open = { request: proposed(), chainTime: 1_030, onChain: { state: 'Proposed', time: 1_060n } } as const;
    const bond = proposed().terms.bond;
    expect(await decide(inferred, viewOf(open))).toMatchObject({ type: 'send', bond });
    expect(await decide(inferred, viewOf({ ...open, freeStake: bond - 1n }))).toEqual({ type: 'wait', ms: CONFIG.recheckMs, stake: { bond, free: bond - 1n } });
  });

  it('skips when the window is over (without asking the chain) or the request moved on', async () => {
    const inferred = job('challenge', 'inferred', { claimed: WRONG, output: CORRECT });
    const late = viewOf({ request: proposed(), chainTime: 1_059 });
    expect(await decide(inferred, late)).toMatchObject({ type: 'skip', reason: 'challenge window over', note: { level: 'warn' } });
    expect(late.reads).not.toContain('onChain');
    expect(await decide(inferred, viewOf({ request: proposed(), chainTime: 1_030, onChain: { state: 'Finalized', time: 0n } }))).toEqual({
      type: 'skip',
      reason: 'request is Finalized',
    });
  });
});

describe('resolve', () => {
  const dispute = (over: Partial<Proposal> = {}, terms: Partial<RequestTerms> = {}) =>
    request({ state: 'Disputed', proposal: disputed(over), proposedOutput: WRONG, proposedAt: 1_000, disputedAt: 1_030 }, terms);
  const open: OnChainRecord = { state: 'Disputed', time: 1_030n };
  const inferred = (over: Partial<Job> = {}) => job('resolve', 'inferred', { output: CORRECT, ...over });

  it('fails without a dispute record; skips a dispute settled or out of its window', async () => {
    expect(await decide(job('resolve'), viewOf({ request: request({ state: 'Proposed', proposal: proposal() }) }))).toEqual({
      type: 'fail',
      reason: 'dispute record missing',
    });
    expect(await decide(job('resolve'), viewOf({ request: dispute(), onChain: { state: 'Finalized', time: 0n } }))).toEqual({
      type: 'skip',
      reason: 'request is Finalized',
    });
    // Open until disputedAt + disputeWindow inclusive; the next block is at least a second later.
    expect(await decide(job('resolve'), viewOf({ request: dispute(), onChain: open, chainTime: 1_030 + 3600 }))).toEqual({
      type: 'skip',
      reason: 'dispute window over: left to expireDispute',
    });
    expect(await decide(job('resolve'), viewOf({ request: dispute(), onChain: open, chainTime: 1_030 + 3599 }))).toMatchObject({ type: 'infer' });
  });

  it('records the correct output, then proves it when the terms name a verifier and the node can prove', async () => {
    expect(await decide(job('resolve'), viewOf({ request: dispute(), onChain: open }), { inference: { ok: true, output: CORRECT } })).toEqual({
      type: 'record',
      output: CORRECT,
    });
    const action = await decide(inferred(), viewOf({ request: dispute({}, { verifierVersion: 1n }), onChain: open, canProve: true }));
    expect(action).toMatchObject({ type: 'prove', output: CORRECT, fallback: 'unlessSettledOrLate' });
    if (action.type !== 'prove') throw new Error('not a proof');
    expect(nameOf(action.calldata('0xcd'))).toBe('resolveWithProof:0xcd');
  });

  it('re-executes on chain when the weights are there (no verifier, or after the proof failed)', async () => {
    expect(sent(await decide(inferred(), viewOf({ request: dispute(), onChain: open, weightsOnChain: true })))).toBe('resolveByReexecution');
    const afterProof = inferred({ error: 'proof failed: prover crashed' });
    expect(sent(await decide(afterProof, viewOf({ request: dispute({}, { verifierVersion: 1n }), onChain: open, canProve: true, weightsOnChain: true })))).toBe(
      'resolveByReexecution',
    );
  });

  it('leaves a dispute to bisect to its parties: steps committed and no weights on chain', async () => {
    expect(await decide(inferred(), viewOf({ request: dispute(), onChain: open, weightsOnChain: false, stepsCount: 2 }))).toEqual({
      type: 'skip',
      reason: 'settled by the bisection game (its parties play it)',
    });
    // Weights on chain and a re-execution well under the cap: re-executed, commitment or not.
    expect(sent(await decide(inferred(), viewOf({ request: dispute(), onChain: open, weightsOnChain: true, stepsCount: 2 })))).toBe('resolveByReexecution');
  });

  it('leaves a dispute only a proof can settle to others when it cannot prove', async () => {
    const action = await decide(inferred(), viewOf({ request: dispute({}, { verifierVersion: 1n }), onChain: open, canProve: false, weightsOnChain: false }));
    expect(action).toMatchObject({ type: 'skip', reason: 'needs a proof this node cannot make', note: { level: 'warn' } });
  });

  it("asks the arbitrator to choose the claim that is the correct output: the challenger's, the proposal, or neither", async () => {
    const arbitration = async (j: Job, p: Partial<Proposal>) =>
      decide(j, viewOf({ request: dispute(p), onChain: open, chainTime: 1_100, weightsOnChain: false }));
    // The challenger claimed the correct output.
    expect(await arbitration(inferred(), {})).toMatchObject({
      type: 'requestArbitration',
      output: CORRECT,
      calldata: tag(`resolveByArbitration:${CORRECT.join(',')}`),
      closesAt: 1_030 + 3600,
    });
    // The proposal was right after all (the challenger lied).
    expect(await arbitration(inferred(), { outputHash: outputHash(CORRECT), claimHash: outputHash(WRONG) })).toMatchObject({
      type: 'requestArbitration',
      output: CORRECT,
    });
    // Both claims are wrong: reject both.
    expect(await arbitration(inferred({ output: OTHER_OUTPUT }), {})).toMatchObject({
      type: 'requestArbitration',
      output: [],
      calldata: tag('resolveByArbitration:'),
    });
  });

  it('once the arbitrator is asked: waits for it (until the window closes, at most a minute), or sends the call when it is the arbitrator', async () => {
    const asked = (arbitrator: Hex, chainTime?: number) =>
      viewOf({
        request: dispute(),
        onChain: open,
        weightsOnChain: false,
        arbitrationRequested: true,
        arbitrator,
        ...(chainTime === undefined ? {} : { chainTime }),
      });
    expect(await decide(inferred(), asked(ARBITRATOR, 1_100))).toEqual({ type: 'wait', ms: 60_000 });
    expect(await decide(inferred(), asked(ARBITRATOR, 1_030 + 3598))).toEqual({ type: 'wait', ms: 3_000 });
    expect(await decide(inferred(), asked(ARBITRATOR))).toEqual({ type: 'wait', ms: 60_000 });
    expect(sent(await decide(inferred(), asked(ME, 1_100)))).toBe(`resolveByArbitration:${CORRECT.join(',')}`);
  });
});

describe('finalize', () => {
  const proposed = (proposer: Hex = OTHER) => request({ state: 'Proposed', proposal: proposal({ proposer }), proposedOutput: WRONG, proposedAt: 1_000 });

  it('waits on chain time until the window has passed, without asking the chain', async () => {
    const view = viewOf({ request: proposed(), chainTime: 1_030 });
    expect(await decide(job('finalize'), view)).toEqual({ type: 'wait', ms: 5_000 });
    expect(view.reads).not.toContain('onChain');
    expect(await decide(job('finalize'), viewOf({ request: proposed(), chainTime: 1_057 }))).toEqual({ type: 'wait', ms: 2_000 });
    expect(await decide(job('finalize'), viewOf({ request: proposed() }))).toEqual({ type: 'wait', ms: 5_000 });
  });

  it('gives its own proposals a grace period for a proposal to carry them', async () => {
    expect(await decide(job('finalize'), viewOf({ request: proposed(ME), chainTime: 1_059 }), { config: { finalizeGraceS: 30 } })).toEqual({
      type: 'wait',
      ms: 5_000,
    });
    expect(
      sent(
        await decide(job('finalize'), viewOf({ request: proposed(OTHER), chainTime: 1_059, onChain: { state: 'Proposed', time: 1_060n } }), {
          config: { finalizeGraceS: 30 },
        }),
      ),
    ).toBe('finalize');
  });

  it('finalizes once the window has passed, and skips what moved on', async () => {
    expect(sent(await decide(job('finalize'), viewOf({ request: proposed(), chainTime: 1_059, onChain: { state: 'Proposed', time: 1_060n } })))).toBe(
      'finalize',
    );
    expect(await decide(job('finalize'), viewOf({ request: proposed(), chainTime: 1_059, onChain: { state: 'Disputed', time: 0n } }))).toEqual({
      type: 'skip',
      reason: 'request is Disputed',
    });
    expect(await decide(job('finalize'), viewOf({ request: { ...proposed(), state: 'Finalized' } }))).toEqual({ type: 'skip', reason: 'request is Finalized' });
    expect(await decide(job('finalize'), viewOf({ request: request() }))).toEqual({ type: 'fail', reason: 'proposal record missing' });
  });
});

describe('expire', () => {
  it('waits for the deadline on chain time, then expires; skips a request that got a proposal', async () => {
    expect(await decide(job('expire'), viewOf({ request: request(), chainTime: 1_999 }))).toEqual({ type: 'wait', ms: 1_000 });
    expect(await decide(job('expire'), viewOf({ request: request() }))).toEqual({ type: 'wait', ms: 5_000 });
    expect(sent(await decide(job('expire'), viewOf({ request: request(), chainTime: 2_000 })))).toBe('expire');
    expect(await decide(job('expire'), viewOf({ request: request({ state: 'Proposed' }) }))).toEqual({ type: 'skip', reason: 'request is Proposed' });
    expect(await decide(job('expire'), viewOf({}))).toEqual({ type: 'fail', reason: 'request record missing' });
  });
});

describe('expireDispute', () => {
  const dispute = () => request({ state: 'Disputed', proposal: disputed(), proposedOutput: WRONG, proposedAt: 1_000, disputedAt: 1_030 });

  it('waits until the dispute window has closed, then ends the dispute unless it was settled', async () => {
    expect(await decide(job('expireDispute'), viewOf({ request: dispute(), chainTime: 1_030 + 3599 }))).toEqual({ type: 'wait', ms: 1_000 });
    expect(
      sent(await decide(job('expireDispute'), viewOf({ request: dispute(), chainTime: 1_030 + 3600, onChain: { state: 'Disputed', time: 1_030n } }))),
    ).toBe('expireDispute');
    expect(await decide(job('expireDispute'), viewOf({ request: dispute(), chainTime: 1_030 + 3600, onChain: { state: 'Finalized', time: 0n } }))).toEqual({
      type: 'skip',
      reason: 'request is Finalized',
    });
    expect(await decide(job('expireDispute'), viewOf({ request: { ...dispute(), state: 'Failed' } }))).toEqual({ type: 'skip', reason: 'request is Failed' });
    expect(await decide(job('expireDispute'), viewOf({ request: request({ state: 'Proposed', proposal: proposal(), proposedOutput: WRONG }) }))).toEqual({
      type: 'fail',
      reason: 'dispute record missing',
    });
  });
});

describe('deliver', () => {
  const callback: OwedCallback = { requestId: REQUEST_ID, requester: OTHER, gasLimit: 100_000n, data: '0xabcd', block: 5, delivered: false };

  it('delivers an owed callback, skips a delivered one, fails without its record', async () => {
    expect(sent(await decide(job('deliver'), viewOf({ callback })))).toBe('deliverCallback');
    expect(await decide(job('deliver'), viewOf({ callback: { ...callback, delivered: true } }))).toEqual({ type: 'skip', reason: 'callback delivered' });
    expect(await decide(job('deliver'), viewOf({}))).toEqual({ type: 'fail', reason: 'callback record missing' });
  });
});

describe('bisect', () => {
  const INPUT = [10n, 20n, 30n, 40n];
  const trace = traceCommitment(classifier, INPUT);
  const right = trace.states[2]!;
  const lie = [1n - right[0]!];
  const lieTrace = traceClaiming(trace, lie);
  const steps = stepsCommitment(classifier);
  const open: OnChainRecord = { state: 'Disputed', time: 1_030n };
  /** A dispute of a wrong proposal by OTHER, challenged by this node (`challenger: ME`) with the right output. */
  const asChallenger = () =>
    request({
      state: 'Disputed',
      input: INPUT,
      proposal: proposal({ challenger: ME, outputHash: outputHash(lie), claimHash: outputHash(right) }),
      proposedOutput: lie,
      proposedAt: 1_000,
      disputedAt: 1_030,
    });
  /** The same dispute from the proposer's side (this node proposed `lie`). */
  const asProposer = () =>
    request({
      state: 'Disputed',
      input: INPUT,
      proposal: proposal({ proposer: ME, challenger: OTHER, outputHash: outputHash(lie), claimHash: outputHash(right) }),
      proposedOutput: lie,
      proposedAt: 1_000,
      disputedAt: 1_030,
    });
  const inferred = () => job('bisect', 'inferred', { output: right, input: INPUT });
  const game = (over: Partial<BisectionGame> = {}): BisectionGame => ({
    phase: 'None',
    lo: 0,
    hi: 2,
    steps: 2,
    deadline: 0n,
    proposerRoot: ZERO_HASH,
    agreed: trace.hashes[0]!,
    pending: ZERO_HASH,
    proposerHi: lieTrace.hashes[2]!,
    challengerHi: trace.hashes[2]!,
    ...over,
  });
  const world = (over: Partial<World> = {}): World => ({
    onChain: open,
    stepsCount: 2,
    stepsRoot: steps.root,
    chainTime: 1_100,
    weightsOnChain: false,
    ...over,
  });

  it('skips disputes it has no side in, models without a steps commitment and settled disputes; infers first', async () => {
    const thirdParty = request({ ...asChallenger(), proposal: proposal({ challenger: CHALLENGER }) });
    expect(await decide(inferred(), viewOf(world({ request: thirdParty })))).toEqual({ type: 'skip', reason: 'not a party to the dispute' });
    expect(await decide(inferred(), viewOf(world({ request: asChallenger(), stepsCount: 0 })))).toEqual({
      type: 'skip',
      reason: 'the model has no steps commitment: no game',
    });
    expect(await decide(inferred(), viewOf(world({ request: asChallenger(), onChain: { state: 'Finalized', time: 0n } })))).toEqual({
      type: 'skip',
      reason: 'dispute over: request is Finalized',
    });
    expect(await decide(job('bisect'), viewOf(world({ request: asChallenger() })))).toMatchObject({ type: 'infer', input: INPUT });
    expect(await decide(job('bisect'), viewOf(world({ request: asChallenger() })), { inference: { ok: true, output: right } })).toEqual({
      type: 'record',
      output: right,
    });
    // The trace must end with the engine's output.
    expect(await decide(job('bisect', 'inferred', { output: lie }), viewOf(world({ request: asChallenger(), game: game() })))).toEqual({
      type: 'fail',
      reason: 'the trace does not end with the inference engine output',
    });
  });

  it('opens the game as the challenger when the model cannot be re-executed, with its trace and its middle state', async () => {
    const action = await decide(inferred(), viewOf(world({ request: asChallenger(), game: game() })));
    expect(sent(action)).toBe(`openBisection:${right.join(',')}:${trace.root}:${trace.hashes[1]}`);
    expect(action).toMatchObject({ move: { role: 'challenger', action: 'openBisection', slackS: 1_030 + 3600 - 1_100 }, note: { level: 'info' } });
    // Re-execution fits: the resolve job settles it.
    expect(await decide(inferred(), viewOf(world({ request: asChallenger(), game: game(), weightsOnChain: true })))).toEqual({
      type: 'skip',
      reason: 'settled by re-execution (the resolve job)',
    });
    // Too late to open.
    expect(await decide(inferred(), viewOf(world({ request: asChallenger(), game: game(), chainTime: 1_030 + 3600 })))).toEqual({
      type: 'skip',
      reason: 'dispute window over: no game opened',
    });
  });

  it('defends as the proposer: waits for the opening, then commits its trace and answers', async () => {
    const proposer = job('bisect', 'inferred', { output: right, input: INPUT });
    // An honest node never defends a proposal that is not its model's output; a cheating one (tests) defends its lie.
    expect(await decide(proposer, viewOf(world({ request: asProposer(), game: game() })))).toMatchObject({
      type: 'skip',
      reason: 'our proposal is not our model output: not defended',
      note: { level: 'error' },
    });
    const cheat = { config: { corruptOutput: true } };
    expect(await decide(proposer, viewOf(world({ request: asProposer(), game: game() })), cheat)).toEqual({ type: 'wait', ms: 5_000 });
    const toMove = game({ phase: 'ProposerToMove', deadline: 1_100n + 3600n, pending: trace.hashes[1]! });
    // It agrees with the challenger's state 1 (its lie is in the last step): the range moves up, one step left.
    expect(sent(await decide(proposer, viewOf(world({ request: asProposer(), game: toMove })), cheat))).toBe(
      `commitTrace:${lieTrace.root}:${trace.hashes[1]}:${ZERO_HASH}`,
    );
  });

  it('executes the last step only when it produces its own state, and waits for the deadline otherwise', async () => {
    const oneStep = game({ phase: 'OneStep', lo: 1, hi: 2, agreed: trace.hashes[1]!, deadline: 1_100n + 3600n });
    const action = await decide(inferred(), viewOf(world({ request: asChallenger(), game: oneStep })));
    const encoding = hexlify(steps.steps[1]!);
    expect(sent(action)).toBe(`executeStep:${encoding.length}:1:${trace.states[1]!.join(',')}:${right.join(',')}`);
    const liar = job('bisect', 'inferred', { output: right, input: INPUT });
    expect(await decide(liar, viewOf(world({ request: asProposer(), game: oneStep })), { config: { corruptOutput: true } })).toEqual({
      type: 'wait',
      ms: 5_000,
    });
    // A registry whose steps root is not the served model's: the step would be refused.
    expect(await decide(inferred(), viewOf(world({ request: asChallenger(), game: oneStep, stepsRoot: ZERO_HASH })))).toMatchObject({ type: 'fail' });
  });

  it('claims a timeout it wins and gives up a game lost on time', async () => {
    const stalled = game({ phase: 'ProposerToMove', deadline: 1_000n, pending: trace.hashes[1]! });
    expect(sent(await decide(inferred(), viewOf(world({ request: asChallenger(), game: stalled }))))).toBe(`timeoutBisection:${right.join(',')}`);
    const liar = job('bisect', 'inferred', { output: right, input: INPUT });
    expect(await decide(liar, viewOf(world({ request: asProposer(), game: stalled })), { config: { corruptOutput: true } })).toMatchObject({
      type: 'skip',
      reason: 'bisection game lost on time',
    });
    // Waiting for the other side: until its deadline, never longer than the recheck period.
    const theirs = game({ phase: 'ProposerToMove', deadline: 1_102n, pending: trace.hashes[1]! });
    expect(await decide(inferred(), viewOf(world({ request: asChallenger(), game: theirs })))).toEqual({ type: 'wait', ms: 3_000 });
  });
});

describe('bisect a generation model', () => {
  // The committed GPT with one generated token keeps the trace short (968 steps); the node computes it in the
  // background (here in line, on this generation), waits meanwhile and keeps it for the game.
  const gen: Generation = { promptLength: 48, maxTokens: 1 };
  let gpt: LoadedModel & { kind: 'graph' };
  let input: bigint[];
  let honest: GraphTraceCommitment;
  let wrong: bigint[];
  let traces: GraphTraces;
  const runs: string[] = [];
  beforeAll(async () => {
    const lm = await ensureLanguageModel();
    const loaded = (await ModelCatalog.load([lm.dir])).models[0]!;
    if (loaded.kind !== 'graph') throw new Error('the GPT is a graph model');
    gpt = { ...loaded, generation: gen };
    input = encodeGenerationRequest(gpt.graph, gen, [5, 17, 40, 2, 33, 61], 1);
    honest = graphTraceCommitment(gpt.graph, gen, input);
    wrong = honest.output.map((v) => v + 1n);
    traces = new GraphTraces(async (job) => {
      runs.push(job.op);
      if (job.op === 'trace') return graphTraceCommitment(gpt.graph, gen, job.input);
      const commitment = graphStepsCommitment(gpt.graph, gen);
      if (job.op === 'stepsRoot') return { root: commitment.root, count: commitment.leaves.length };
      return graphStepCall({ graph: gpt.graph, gen, input: job.input, step: job.step, commitment });
    });
  }, 120_000);
  const steps = () => honest.hashes.length - 1;
  const asChallenger = () =>
    request({
      state: 'Disputed',
      input,
      proposal: proposal({ challenger: ME, outputHash: outputHash(wrong), claimHash: outputHash(honest.output) }),
      proposedOutput: wrong,
      proposedAt: 1_000,
      disputedAt: 1_030,
    });
  const game = (over: Partial<BisectionGame> = {}): BisectionGame => ({
    phase: 'None',
    lo: 0,
    hi: steps(),
    steps: steps(),
    deadline: 0n,
    proposerRoot: ZERO_HASH,
    agreed: honest.hashes[0]!,
    pending: ZERO_HASH,
    proposerHi: valuesHash(wrong),
    challengerHi: honest.hashes[steps()]!,
    ...over,
  });
  const EXECUTOR = `0x${'e5'.repeat(20)}` as Hex;
  const world = (over: Partial<World> = {}): World => ({
    onChain: { state: 'Disputed', time: 1_030n },
    stepsCount: steps(),
    stepsRoot: graphStepsCommitment(gpt.graph, gen).root,
    stepExecutor: EXECUTOR,
    chainTime: 1_100,
    weightsOnChain: false,
    servedModel: gpt,
    graphTraces: traces,
    request: asChallenger(),
    ...over,
  });
  const inferred = () => job('bisect', 'inferred', { output: honest.output, input });
  /** Decides until the background computations are done (each look while computing is a short wait). */
  async function settle(view: JobView, opts: { config?: Partial<RoleConfig> } = {}): Promise<{ action: Action; waits: number }> {
    for (let waits = 0; ; waits++) {
      const action = await decide(inferred(), view, opts);
      if (action.type !== 'wait' || waits > 200) return { action, waits };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('waits for its trace, computed once, then opens the game with it', async () => {
    const { action, waits } = await settle(viewOf(world({ game: game() })));
    expect(waits).toBeGreaterThan(0);
    expect(sent(action)).toBe(`openBisection:${honest.output.join(',')}:${honest.root}:${honest.hashes[Math.floor(steps() / 2)]}`);
    // Kept: the next look answers at once.
    expect(sent(await decide(inferred(), viewOf(world({ game: game() }))))).toBe(sent(action));
    expect(runs.filter((r) => r === 'trace')).toHaveLength(1);
  }, 120_000);

  it('leaves a graph model without a step executor to the resolve job', async () => {
    expect(await decide(inferred(), viewOf(world({ game: game(), stepExecutor: ZERO_ADDRESS })))).toEqual({
      type: 'skip',
      reason: 'no step executor for this model: settled by the resolve job',
    });
  });

  it('executes the last argmax step with its witness, and the cheater waits', async () => {
    const oneStep = game({ phase: 'OneStep', lo: steps() - 1, hi: steps(), agreed: honest.hashes[steps() - 1]!, deadline: 1_100n + 3600n });
    const { action } = await settle(viewOf(world({ game: oneStep })));
    const call = graphStepCall({ graph: gpt.graph, gen, input, step: steps() - 1, commitment: graphStepsCommitment(gpt.graph, gen) });
    expect(sent(action)).toBe(
      `executeStepWithWitness:${call.weights.encoding.length}:${call.weights.proof.length}:${call.pre.length}:${call.witness.length}:${honest.output.join(',')}`,
    );
    const cheater = request({
      ...asChallenger(),
      proposal: proposal({ proposer: ME, challenger: OTHER, outputHash: outputHash(wrong), claimHash: outputHash(honest.output) }),
    });
    expect(await decide(inferred(), viewOf(world({ game: oneStep, request: cheater })), { config: { corruptOutput: true } })).toEqual({
      type: 'wait',
      ms: 5_000,
    });
    // A registry whose steps root is not the served model's: the step would be refused.
    expect(await decide(inferred(), viewOf(world({ game: oneStep, stepsRoot: ZERO_HASH })))).toMatchObject({ type: 'fail' });
  }, 120_000);
});
