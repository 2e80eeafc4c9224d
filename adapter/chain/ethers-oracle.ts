import { inputHashKindOf, outputHash } from '../../lib/semantics/index.js';
import type { Interface, JsonRpcProvider, Log } from 'ethers';
import { oracleInterface, toProvenance } from '../../lib/client/oracle-abi.js';
import type { Hex } from '../../lib/semantics/index.js';
import {
  IBatches__factory,
  IBisection__factory,
  IDisputes__factory,
  IModelRegistry__factory,
  InferenceOracle__factory,
  type IModelRegistry,
  type InferenceOracle,
} from '../../typechain/index.js';
import type {
  CallbackDeliveredEvent,
  CallbackPendingEvent,
  DisputeResolvedEvent,
  InferenceFailedEvent,
  InferenceFinalizedEvent,
  InferenceRequestedEvent,
  MaturedProposalStruct,
  OutputProposedEvent,
  ProposalChallengedEvent,
  ProposalStruct,
  RequestTermsStruct,
  RequestTermsStructOutput,
} from '../../typechain/InferenceOracle.js';
import type { DecodedRevert, ModelInfo, OperatorStake, OracleGateway, StepsCommitmentInfo } from './oracle.js';
import { toBisectionPhase, toRequestState as toState, type BisectionGame, type TraceLeaf, type TraceRoot } from '../../lib/protocol/index.js';
import type { OracleEvent } from './types.js';
import type { MaturedProposal, Proposal, RequestState, RequestTerms } from '../../lib/protocol/index.js';

/** The protocol's terms from an event's or a call's decoded struct. */
export function toTerms(t: RequestTermsStructOutput): RequestTerms {
  return {
    requester: t.requester as Hex,
    modelId: t.modelId,
    callbackGasLimit: t.callbackGasLimit,
    fee: t.fee,
    bond: t.bond,
    challengeWindow: t.challengeWindow,
    outputLength: t.outputLength,
    deadline: t.deadline,
    inputHash: t.inputHash as Hex,
    disputeWindow: t.disputeWindow,
    verifierVersion: t.verifierVersion,
    accepts: t.accepts,
  };
}

const termsStruct = (t: RequestTerms): RequestTermsStruct => ({ ...t });
const proposalStruct = (p: Proposal): ProposalStruct => ({ ...p });
const maturedStruct = (m: MaturedProposal): MaturedProposalStruct => ({
  requestId: m.requestId,
  terms: termsStruct(m.terms),
  proposal: proposalStruct(m.proposal),
  output: [...m.output],
});

/** The events the node reads. */
const EVENTS = [
  'InferenceRequested',
  'OutputProposed',
  'ProposalChallenged',
  'DisputeResolved',
  'InferenceFinalized',
  'InferenceFailed',
  'CallbackPending',
  'CallbackDelivered',
  'BisectionMoved',
] as const;

const leafStruct = (l: TraceLeaf) => ({ stateHash: l.stateHash, proof: [...l.proof] });
const rootStruct = (t: TraceRoot) => ({ root: t.root, inputProof: [...t.inputProof], outputProof: [...t.outputProof] });

/**
 * The {@link OracleGateway} over ethers v6 with the typechain types generated from the forge artifacts. Calls are
 * encoded with the oracle's ABI plus the dispute functions' (`IDisputes`), which the proxy answers through its
 * dispute module; reverts are decoded against both.
 */
export class EthersOracleGateway implements OracleGateway {
  readonly address: Hex;
  readonly contract: InferenceOracle;
  /** The core functions (typed). */
  readonly #core = InferenceOracle__factory.createInterface();
  /** The dispute functions (typed). */
  readonly #disputes = IDisputes__factory.createInterface();
  /** The batch functions (typed). */
  readonly #batches = IBatches__factory.createInterface();
  /** The bisection game's functions (typed). */
  readonly #bisection = IBisection__factory.createInterface();
  /** Everything the oracle address answers: events and errors are decoded with it. */
  readonly #iface: Interface = oracleInterface();
  #registry: Promise<IModelRegistry> | undefined;

  constructor(
    address: Hex,
    readonly provider: JsonRpcProvider,
  ) {
    this.address = address;
    this.contract = InferenceOracle__factory.connect(address, provider);
  }

  /** The events the node reads, by topic (ethers recomputes topic hashes on every `parseLog`). */
  readonly #events = new Map(
    EVENTS.map((name) => {
      const fragment = this.#iface.getEvent(name);
      if (!fragment) throw new Error(`the oracle ABI has no event ${name}`);
      return [fragment.topicHash, fragment] as const;
    }),
  );

  decode(log: Log): OracleEvent | undefined {
    const fragment = log.topics[0] ? this.#events.get(log.topics[0]) : undefined;
    if (!fragment) return undefined;
    let parsed: { name: string; args: unknown };
    try {
      parsed = { name: fragment.name, args: this.#iface.decodeEventLog(fragment, log.data, log.topics) };
    } catch {
      return undefined;
    }
    const meta = { blockNumber: log.blockNumber, blockHash: log.blockHash as Hex, logIndex: log.index, txHash: log.transactionHash as Hex };
    switch (parsed.name) {
      case 'InferenceRequested': {
        const a = parsed.args as unknown as InferenceRequestedEvent.OutputObject;
        return { ...meta, type: 'requested', requestId: a.requestId, modelId: a.terms.modelId, terms: toTerms(a.terms), input: [...a.input] };
      }
      case 'OutputProposed': {
        const a = parsed.args as unknown as OutputProposedEvent.OutputObject;
        // The proposal's hash is not emitted (the oracle saves the gas): it is the packed output's keccak.
        return { ...meta, type: 'proposed', requestId: a.requestId, proposer: a.proposer as Hex, outputHash: outputHash(a.output), output: [...a.output] };
      }
      case 'ProposalChallenged': {
        const a = parsed.args as unknown as ProposalChallengedEvent.OutputObject;
        return { ...meta, type: 'challenged', requestId: a.requestId, challenger: a.challenger as Hex, claimHash: a.claimHash as Hex };
      }
      case 'DisputeResolved': {
        const a = parsed.args as unknown as DisputeResolvedEvent.OutputObject;
        return {
          ...meta,
          type: 'resolved',
          requestId: a.requestId,
          winner: a.winner as Hex,
          resolver: a.resolver as Hex,
          provenance: toProvenance(a.provenance),
          reward: a.reward,
          resolverReward: a.resolverReward,
          toTreasury: a.toTreasury,
        };
      }
      case 'InferenceFinalized': {
        const a = parsed.args as unknown as InferenceFinalizedEvent.OutputObject;
        return {
          ...meta,
          type: 'finalized',
          requestId: a.requestId,
          outputHash: outputHash(a.output),
          output: [...a.output],
          provenance: toProvenance(a.provenance),
          callbackSucceeded: a.callbackSucceeded,
        };
      }
      case 'InferenceFailed': {
        const a = parsed.args as unknown as InferenceFailedEvent.OutputObject;
        return { ...meta, type: 'failed', requestId: a.requestId, state: toState(a.state), code: Number(a.code) };
      }
      case 'CallbackPending': {
        const a = parsed.args as unknown as CallbackPendingEvent.OutputObject;
        return { ...meta, type: 'callbackPending', requestId: a.requestId, requester: a.requester as Hex, gasLimit: a.gasLimit, data: a.data as Hex };
      }
      case 'CallbackDelivered': {
        const a = parsed.args as unknown as CallbackDeliveredEvent.OutputObject;
        return { ...meta, type: 'callbackDelivered', requestId: a.requestId };
      }
      case 'BisectionMoved': {
        const a = parsed.args as unknown as { requestId: bigint; mover: string; lo: bigint; hi: bigint; deadline: bigint };
        return { ...meta, type: 'bisectionMoved', requestId: a.requestId, mover: a.mover as Hex, lo: Number(a.lo), hi: Number(a.hi), deadline: a.deadline };
      }
      default:
        return undefined;
    }
  }

  async requestRecord(requestId: bigint): Promise<{ state: RequestState; time: bigint }> {
    const [state, time] = await this.contract.requestRecord(requestId);
    return { state: toState(state), time };
  }

  #addresses(): Promise<IModelRegistry> {
    this.#registry ??= this.contract.addresses().then(([registry]) => IModelRegistry__factory.connect(registry, this.provider));
    this.#registry.catch(() => (this.#registry = undefined));
    return this.#registry;
  }

  async model(modelId: bigint): Promise<ModelInfo> {
    const registry = await this.#addresses();
    const m = await registry.getModel(modelId);
    return {
      modelId,
      modelHash: m.spec.modelHash as Hex,
      verifier: m.spec.verifier as Hex,
      weights: m.weights as Hex,
      deprecated: m.deprecated,
      inputHashKind: inputHashKindOf(m.inputHashKind),
    };
  }

  async registryAddress(): Promise<Hex> {
    return (await (await this.#addresses()).getAddress()) as Hex;
  }

  async registeredModels(): Promise<ModelInfo[]> {
    const registry = await this.#addresses();
    const count = Number(await registry.modelCount());
    const models: ModelInfo[] = [];
    // In slices, so that a large registry does not become one huge JSON-RPC batch.
    for (let first = 1; first <= count; first += 50) {
      const ids = Array.from({ length: Math.min(50, count - first + 1) }, (_, i) => BigInt(first + i));
      models.push(...(await Promise.all(ids.map((id) => this.model(id)))));
    }
    return models;
  }

  async stakeOf(operator: Hex, blockTag?: number): Promise<OperatorStake> {
    const s = await this.contract.stakeOf(operator, blockTag === undefined ? {} : { blockTag });
    return { free: s.free, locked: s.locked };
  }

  async batchVerifierOf(modelId: bigint, verifierVersion: bigint, batchSize: number): Promise<Hex> {
    // Answered by the batch module behind the oracle's fallback.
    const data = this.#batches.encodeFunctionData('batchVerifierOf', [modelId, verifierVersion, batchSize]);
    const [verifier] = this.#batches.decodeFunctionResult('batchVerifierOf', await this.provider.call({ to: this.address, data }));
    return verifier as Hex;
  }

  /** Whether `data` is a call that ends a bisection game (`executeStep[WithWitness]`, `timeoutBisection`) rather than a move. */
  endsGame(data: Hex): boolean {
    const selector = data.slice(0, 10).toLowerCase();
    return (['executeStep', 'executeStepWithWitness', 'timeoutBisection'] as const).some((name) => this.#bisection.getFunction(name).selector === selector);
  }

  async stepsCommitment(modelId: bigint): Promise<StepsCommitmentInfo> {
    const c = await (await this.#addresses()).stepsCommitmentOf(modelId);
    return { root: c.root as Hex, count: Number(c.count), executor: c.executor as Hex };
  }

  async bisection(requestId: bigint): Promise<BisectionGame> {
    // Answered by the bisection module behind the dispute module's fallback.
    const data = this.#bisection.encodeFunctionData('bisectionOf', [requestId]);
    const [g] = this.#bisection.decodeFunctionResult('bisectionOf', await this.provider.call({ to: this.address, data }));
    return {
      phase: toBisectionPhase(g.phase as bigint),
      lo: Number(g.lo),
      hi: Number(g.hi),
      steps: Number(g.steps),
      deadline: g.deadline as bigint,
      proposerRoot: g.proposerRoot as Hex,
      agreed: g.agreed as Hex,
      pending: g.pending as Hex,
      proposerHi: g.proposerHi as Hex,
      challengerHi: g.challengerHi as Hex,
    };
  }

  async arbitrator(): Promise<Hex> {
    // The arbitrator can change (governance): read it each time a dispute needs it.
    const [, , arbitrator] = await this.contract.addresses();
    return arbitrator as Hex;
  }

  decodeRevert(data: string): DecodedRevert | undefined {
    try {
      const parsed = this.#iface.parseError(data);
      return parsed ? { name: parsed.name, args: [...parsed.args] } : undefined;
    } catch {
      return undefined;
    }
  }

  readonly calldata: OracleGateway['calldata'] = {
    propose: (id, terms, output) => this.#core.encodeFunctionData('propose', [id, termsStruct(terms), [...output]]) as Hex,
    proposeAndFinalize: (id, terms, output, matured) =>
      this.#core.encodeFunctionData('proposeAndFinalize', [id, termsStruct(terms), [...output], matured.map(maturedStruct)]) as Hex,
    proposeWithProof: (id, terms, input, output, proof) =>
      this.#core.encodeFunctionData('proposeWithProof', [id, termsStruct(terms), [...input], [...output], proof]) as Hex,
    finalize: (id, terms, proposal, output) =>
      this.#core.encodeFunctionData('finalize', [id, termsStruct(terms), proposalStruct(proposal), [...output]]) as Hex,
    deliverCallback: (id, requester, gasLimit, data) => this.#core.encodeFunctionData('deliverCallback', [id, requester, gasLimit, data]) as Hex,
    challenge: (id, terms, proposal, claimHash) =>
      this.#disputes.encodeFunctionData('challenge', [id, termsStruct(terms), proposalStruct(proposal), claimHash]) as Hex,
    resolveWithProof: (id, terms, proposal, input, output, proof) =>
      this.#disputes.encodeFunctionData('resolveWithProof', [id, termsStruct(terms), proposalStruct(proposal), [...input], [...output], proof]) as Hex,
    resolveByReexecution: (id, terms, proposal, input) =>
      this.#disputes.encodeFunctionData('resolveByReexecution', [id, termsStruct(terms), proposalStruct(proposal), [...input]]) as Hex,
    resolveByArbitration: (id, terms, proposal, output) =>
      this.#disputes.encodeFunctionData('resolveByArbitration', [id, termsStruct(terms), proposalStruct(proposal), [...output]]) as Hex,
    expire: (id, terms) => this.#disputes.encodeFunctionData('expire', [id, termsStruct(terms)]) as Hex,
    expireDispute: (id, terms, proposal, output) =>
      this.#disputes.encodeFunctionData('expireDispute', [id, termsStruct(terms), proposalStruct(proposal), [...output]]) as Hex,
    proposeWithProofBatch: (batch, requests) =>
      this.#batches.encodeFunctionData('proposeWithProofBatch', [
        { modelId: batch.modelId, verifierVersion: batch.verifierVersion, batchSize: batch.batchSize, signals: [...batch.signals], proof: batch.proof },
        requests.map((r) => r.requestId),
        requests.map((r) => termsStruct(r.terms)),
      ]) as Hex,
    proposeBatch: (proposals, matured) =>
      this.#batches.encodeFunctionData('proposeBatch', [
        proposals.map((p) => p.requestId),
        proposals.map((p) => termsStruct(p.terms)),
        proposals.map((p) => [...p.output]),
        matured.map(maturedStruct),
      ]) as Hex,
    finalizeBatch: (matured) => this.#batches.encodeFunctionData('finalizeBatch', [matured.map(maturedStruct)]) as Hex,
    openBisection: (id, terms, proposal, claimedOutput, trace, mid) =>
      this.#bisection.encodeFunctionData('openBisection', [
        id,
        termsStruct(terms),
        proposalStruct(proposal),
        [...claimedOutput],
        rootStruct(trace),
        leafStruct(mid),
      ]) as Hex,
    commitTrace: (id, terms, proposal, trace, atMid, atNext) =>
      this.#bisection.encodeFunctionData('commitTrace', [
        id,
        termsStruct(terms),
        proposalStruct(proposal),
        rootStruct(trace),
        leafStruct(atMid),
        leafStruct(atNext),
      ]) as Hex,
    bisect: (id, atMid, atNext) => this.#bisection.encodeFunctionData('bisect', [id, leafStruct(atMid), leafStruct(atNext)]) as Hex,
    executeStep: (id, terms, proposal, step, pre, output) =>
      this.#bisection.encodeFunctionData('executeStep', [
        id,
        termsStruct(terms),
        proposalStruct(proposal),
        { encoding: step.encoding, proof: [...step.proof] },
        [...pre],
        [...output],
      ]) as Hex,
    executeStepWithWitness: (id, terms, proposal, weights, pre, witness, output) =>
      this.#bisection.encodeFunctionData('executeStepWithWitness', [
        id,
        termsStruct(terms),
        proposalStruct(proposal),
        { encoding: weights.encoding, proof: [...weights.proof] },
        [...pre],
        witness,
        [...output],
      ]) as Hex,
    timeoutBisection: (id, terms, proposal, output) =>
      this.#bisection.encodeFunctionData('timeoutBisection', [id, termsStruct(terms), proposalStruct(proposal), [...output]]) as Hex,
  };
}
