import type { Hex } from '../../lib/semantics/index.js';
import type { Proposal, Provenance, RequestState, RequestTerms } from '../../lib/protocol/index.js';
import type { JobKind, JobState } from '../jobs/machine.js';

/** One on-chain action of the node for one request (see `jobs/machine.ts`). */
export type Job = {
  id: number;
  requestId: bigint;
  kind: JobKind;
  state: JobState;
  modelId: Hex;
  input: bigint[] | null;
  /** The output this node computed (or, for `challenge`, the correct output). */
  output: bigint[] | null;
  /** The output claimed by another operator (watcher jobs). */
  claimed: bigint[] | null;
  proof: Hex | null;
  /** Not worked on before this time (ms since the epoch): challenge windows, back-off. */
  notBefore: number;
  attempts: number;
  error: string | null;
  /** The nonce reserved for this job's transaction, once it was signed. */
  nonce: number | null;
  createdAt: number;
  updatedAt: number;
};

export type NewJob = {
  requestId: bigint;
  kind: JobKind;
  modelId: Hex;
  input?: bigint[] | null;
  claimed?: bigint[] | null;
  notBefore?: number;
};

/**
 * Fields a transition or an update may change. `nonce` only to `null`: a `bisect` job's confirmed move frees it for
 * the next move's transaction (its transactions are those of its current nonce).
 */
export type JobPatch = Partial<Pick<Job, 'input' | 'output' | 'claimed' | 'proof' | 'notBefore' | 'attempts' | 'error' | 'modelId'>> & { nonce?: null };

/** A signed transaction of a job. Replacements share the nonce and add a row each. */
export type TxRecord = {
  id: number;
  jobId: number;
  from: Hex;
  nonce: number;
  hash: Hex;
  raw: Hex;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  sentAt: number;
};

export type SignedTx = Omit<TxRecord, 'id' | 'jobId' | 'from' | 'nonce' | 'sentAt'>;

export type BlockCursor = { number: number; hash: Hex };

/**
 * The node's jobs and their state machine (`jobs/machine.ts`). Every method is atomic; the interfaces of the
 * store are async so that a shared database can back replicas (SQLite is the default: `openStore`).
 */
export interface JobStore {
  /** Creates the job unless one exists for (requestId, kind); never creates two. */
  ensureJob(job: NewJob, now?: number): Promise<{ job: Job; created: boolean }>;
  getJob(id: number): Promise<Job | undefined>;
  findJob(requestId: bigint, kind: JobKind): Promise<Job | undefined>;
  /** Non-terminal jobs, not yet submitted, whose `notBefore` has passed; oldest first. */
  dueJobs(now: number, limit: number, exclude?: readonly number[]): Promise<Job[]>;
  /** Jobs whose transaction is out and not yet confirmed. */
  submittedJobs(): Promise<Job[]>;
  /**
   * Moves a job from `from` to `to` (compare-and-set), applying `patch`. Throws
   * {@link InvalidJobTransitionError} if the machine forbids it, and a `JobStoreError` if the job is not in `from`.
   */
  transition(id: number, from: JobState, to: JobState, patch?: JobPatch, now?: number): Promise<Job>;
  /** Changes fields of a job that stays in `state` (retries, back-off). */
  update(id: number, state: JobState, patch: JobPatch, now?: number): Promise<Job>;
  countByState(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>>;
}

/**
 * The node's signed transactions and its nonces. A submission also moves its job to `submitted`: both happen in
 * the same database transaction, which is what makes a job's transaction exist at most once.
 */
export interface TxStore {
  /**
   * Atomically: reserves the job's nonce for `from` (or reuses the one it holds), signs with `sign(nonce)`,
   * records the transaction and moves the job from `state` to `submitted`. A crash leaves either nothing
   * or a submitted job with its signed transaction, never a second nonce for one job.
   */
  submit(id: number, state: JobState, from: Hex, sign: (nonce: number) => SignedTx, now?: number): Promise<{ job: Job; tx: TxRecord }>;
  /**
   * {@link TxStore.submit} for several jobs in one durable transaction (nonces in array order). A job
   * that cannot be submitted (moved by another worker) gets its error in place of a result; the others go on.
   */
  submitMany(
    items: ReadonlyArray<{ id: number; state: JobState; sign: (nonce: number) => SignedTx }>,
    from: Hex,
    now?: number,
  ): Promise<Array<{ job: Job; tx: TxRecord } | { error: Error }>>;
  /** Records a replacement (same nonce, higher fee) of a submitted job's transaction. */
  addReplacement(jobId: number, sign: (nonce: number) => SignedTx, now?: number): Promise<TxRecord>;
  txsOf(jobId: number): Promise<TxRecord[]>;
  /** The next nonce of `from` known to the store (0 if none). */
  nextNonce(from: Hex): Promise<number>;
  /** Raises the next nonce of `from` to at least `atLeast` (the chain's count at start-up). */
  syncNonce(from: Hex, atLeast: number): Promise<number>;
}

/** Block cursors of the followed contracts (one per contract, named). */
export interface CursorStore {
  getCursor(name: string): Promise<BlockCursor | undefined>;
  setCursor(name: string, cursor: BlockCursor): Promise<void>;
  /** The names of the stored block cursors (one per followed contract). */
  cursorNames(): Promise<string[]>;
}

/** What the node has learnt of the oracle's requests and owed callbacks from its events. */
export interface RequestMirror {
  /**
   * Records a request on its first sighting (later sightings change nothing); `requestedAt` is the chain time (s) of
   * its block, for the dashboard's life cycles and latencies.
   */
  saveRequest(record: RequestRecord, requestedAt?: number): Promise<RequestRecord>;
  getRequest(requestId: bigint): Promise<RequestRecord | undefined>;
  recordProposal(requestId: bigint, proposal: Proposal, output: bigint[], proposedAt: number): Promise<void>;
  /** Records a challenge, the challenger's claim (the output hash it says is right) and its chain time (s). */
  recordChallenge(requestId: bigint, challenger: Hex, claimHash: Hex, disputedAt: number): Promise<void>;
  /** Moves the request's remembered state (never back out of a terminal one). */
  setRequestState(requestId: bigint, state: RequestState): Promise<void>;
  /** Records how a request ended (`InferenceFinalized` / `InferenceFailed`) and moves its state like {@link setRequestState}. */
  recordSettlement(requestId: bigint, settlement: Settlement): Promise<void>;
  /** Records the outcome of a request's dispute (`DisputeResolved`). */
  recordResolution(requestId: bigint, resolution: Resolution): Promise<void>;
  /** Requests still `Requested` whose deadline is before `chainTime` (s), oldest first. */
  requestsPastDeadline(chainTime: number, limit: number): Promise<RequestRecord[]>;
  /** Up to `limit` of `proposer`'s unchallenged proposals whose window ends by `chainTime` (s), oldest first. */
  maturedProposals(proposer: Hex, chainTime: number, limit: number): Promise<RequestRecord[]>;
  /** Sum of the bonds `operator` has locked in proposals and challenges that are not settled. */
  bondsAtRisk(operator: Hex): Promise<bigint>;
  /** Records a callback the oracle owes (`CallbackPending`); a second sighting changes nothing but its block. */
  saveCallback(callback: Omit<OwedCallback, 'delivered'>): Promise<void>;
  getCallback(requestId: bigint): Promise<OwedCallback | undefined>;
  /** Marks an owed callback delivered (`CallbackDelivered`), by anyone. */
  markCallbackDelivered(requestId: bigint): Promise<void>;
}

/** How a request ended: its terminal state, the chain time (s) of the block, and the result's provenance if any. */
export type Settlement = { state: Extract<RequestState, 'Finalized' | 'Failed' | 'Expired'>; at: number; provenance?: Provenance };

/** A dispute's outcome (`DisputeResolved`): `winner` is the zero address when both claims were wrong. */
export type Resolution = { winner: Hex; resolver: Hex; provenance: Provenance; reward: bigint; resolverReward: bigint };

/**
 * Read-only queries for the dashboard (`/ui`), over the same database as the other stores: newest-first pages and
 * counts, each served by an index, so that they stay fast on a store with tens of thousands of jobs.
 */
export interface DashboardReader {
  jobCounts(): Promise<Array<{ kind: JobKind; state: JobState; count: number }>>;
  requestCounts(): Promise<Array<{ state: RequestState; count: number }>>;
  /** The newest requests (by their block), each with this node's jobs for it; `state` filters. */
  recentRequests(limit: number, state?: RequestState): Promise<RequestView[]>;
  /** The newest disputes (by their start), settled or not. */
  recentDisputes(limit: number): Promise<RequestView[]>;
  /** The newest jobs in one of `states` (by their last change), e.g. the failed ones. */
  recentJobs(limit: number, states: readonly JobState[]): Promise<JobView[]>;
  /** What `operator` earned and lost, from the mirrored settlements and dispute outcomes. */
  ledger(operator: Hex): Promise<Ledger>;
  /**
   * Per `bucketMs` since `since` (ms, the node's clock): jobs created, jobs confirmed, and the mean reaction (job
   * created -> first transaction sent, ms) and inclusion (sent -> confirmed, ms) of the jobs sent or confirmed then.
   */
  activity(since: number, bucketMs: number): Promise<ActivityBucket[]>;
  /** The watcher's verdicts on others' proposals (its `challenge` jobs): counts, and the newest. */
  verdicts(limit: number): Promise<{ counts: Record<Verdict, number>; recent: VerdictView[] }>;
}

/** A job as the dashboard shows it (no inputs, outputs or proofs), with its latest transaction's hash. */
export type JobView = Pick<Job, 'id' | 'requestId' | 'kind' | 'state' | 'error' | 'attempts' | 'createdAt' | 'updatedAt'> & { txHash: Hex | null };

/** A request's life cycle as mirrored from the events (chain times in s), and this node's jobs for it. */
export type RequestView = {
  requestId: bigint;
  modelId: bigint;
  state: RequestState;
  requestedBlock: number;
  requestedAt: number | null;
  proposedAt: number | null;
  disputedAt: number | null;
  settledAt: number | null;
  provenance: string | null;
  proposer: Hex | null;
  challenger: Hex | null;
  winner: Hex | null;
  resolver: Hex | null;
  fee: bigint;
  bond: bigint;
  jobs: JobView[];
};

/** Earnings and losses of one operator (wei) and its dispute record. */
export type Ledger = {
  /** Fees of requests finalized with its output (undisputed proposals, won disputes, results it produced). */
  fees: bigint;
  /** Winner's shares of the losing bonds, in disputes it won. */
  disputeRewards: bigint;
  /** Resolver rewards, for disputes it settled. */
  resolverRewards: bigint;
  /** Its bonds slashed, in disputes it lost. */
  slashed: bigint;
  disputesWon: number;
  disputesLost: number;
  disputesResolved: number;
};

/** One bucket of {@link DashboardReader.activity}; `start` is the bucket's first ms. */
export type ActivityBucket = { start: number; created: number; confirmed: number; reactionMs: number | null; inclusionMs: number | null };

/** `correct`: the proposal matches the re-execution; `wrong`: it does not; `pending`: not re-executed yet; `none`: ended without a verdict. */
export type Verdict = 'correct' | 'wrong' | 'pending' | 'none';
export type VerdictView = { requestId: bigint; verdict: Verdict; state: JobState; reason: string | null; proposer: Hex | null; updatedAt: number };

/**
 * Leadership among replicas of one node identity that share a database (PostgreSQL). Only the leader follows the
 * chain and submits; its submissions are fenced: each one re-checks, in its own database transaction, that no other
 * replica took over since {@link Leadership.acquire} returned.
 */
export interface Leadership {
  /**
   * Waits (as a standby) until this replica leads `name` (the key's address), then fences the store's submissions
   * with the new epoch. `lost` resolves when the leadership's session is gone (the replica must stop submitting).
   */
  acquire(name: string, holder: string, signal: AbortSignal): Promise<{ epoch: number; lost: Promise<Error> }>;
  /** Gives the leadership up (another replica takes over at once). */
  release(): Promise<void>;
}

/** A proof asked of the prove workers (`vai node prove-worker`), bound to the submitter `prover`. */
export type ProofTask = { jobId: number; modelHash: Hex; input: readonly bigint[]; output: readonly bigint[]; prover: Hex };

export type ProofStatus = { state: 'open' | 'claimed' } | { state: 'done'; proof: Hex } | { state: 'failed'; error: string };

/** Proofs made by separate worker processes that share the database. */
export interface ProofQueue {
  /** Asks for the job's proof (once: asking again changes nothing) and says where it is. */
  requestProof(task: ProofTask, now?: number): Promise<ProofStatus>;
  /** Claims the oldest open proof, or one whose worker's lease ran out, for `leaseMs` (one worker per proof). */
  claimProof(worker: string, leaseMs: number, now?: number): Promise<ProofTask | undefined>;
  /** Writes a claimed proof's result back; false when the claim was lost (lease over, taken by another worker). */
  completeProof(jobId: number, worker: string, result: { proof: Hex } | { error: string }, now?: number): Promise<boolean>;
}

/** The node's store, by concern, over one database (one connection, one transaction discipline). */
export type NodeStores = {
  jobs: JobStore;
  txs: TxStore;
  cursors: CursorStore;
  requests: RequestMirror;
  /** Read-only queries of the dashboard (`/ui`), on either backend. */
  dashboard: DashboardReader;
  /** Replicas (PostgreSQL only): absent when one process owns the store (SQLite). */
  leadership?: Leadership | undefined;
  /** Prove workers (PostgreSQL only). */
  proofs?: ProofQueue | undefined;
  close(): Promise<void>;
};

/** What the node remembers of a request, built from the events (terms and proposal are needed in calldata). */
export type RequestRecord = {
  requestId: bigint;
  modelId: bigint;
  terms: RequestTerms;
  input: bigint[];
  proposal: Proposal | null;
  proposedOutput: bigint[] | null;
  /** Chain time (s) of the block that included the proposal. */
  proposedAt: number | null;
  /** Chain time (s) of the block that included the challenge (the dispute window runs from it). */
  disputedAt: number | null;
  /** The last state learnt from events. */
  state: RequestState;
  requestedBlock: number;
};

/** A consumer callback the oracle owes (`CallbackPending`), delivered with `deliverCallback`. */
export type OwedCallback = {
  requestId: bigint;
  requester: Hex;
  gasLimit: bigint;
  data: Hex;
  /** Block of the `CallbackPending` event. */
  block: number;
  /** A `CallbackDelivered` event was seen. */
  delivered: boolean;
};
