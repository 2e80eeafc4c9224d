import type { JsonRpcProvider, Log } from 'ethers';
import type { Hex } from '../../lib/semantics/index.js';
import {
  IModelRegistry__factory,
  InferenceOracle__factory,
  type IModelRegistry,
  type InferenceOracle,
} from '../../typechain/index.js';
import type {
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
import type { DecodedRevert, ModelInfo, OracleGateway } from './oracle.js';
import { REQUEST_STATES, type MaturedProposal, type OracleEvent, type Proposal, type RequestState, type RequestTerms } from './types.js';

const toState = (v: bigint | number): RequestState => REQUEST_STATES[Number(v)] ?? 'None';

function toTerms(t: RequestTermsStructOutput): RequestTerms {
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

/** The {@link OracleGateway} over ethers v6 with the typechain types generated from the forge artifacts. */
export class EthersOracleGateway implements OracleGateway {
  readonly address: Hex;
  readonly contract: InferenceOracle;
  readonly #iface = InferenceOracle__factory.createInterface();
  #registry: Promise<IModelRegistry> | undefined;
  #periods: Promise<{ disputeWindow: bigint; arbitrationWindow: bigint }> | undefined;

  constructor(address: Hex, readonly provider: JsonRpcProvider) {
    this.address = address;
    this.contract = InferenceOracle__factory.connect(address, provider);
  }

  /** The events the node reads, by topic (ethers recomputes topic hashes on every `parseLog`). */
  readonly #events = new Map(
    (['InferenceRequested', 'OutputProposed', 'ProposalChallenged', 'DisputeResolved', 'InferenceFinalized', 'InferenceFailed'] as const).map((name) => {
      const fragment = this.#iface.getEvent(name);
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
        return { ...meta, type: 'requested', requestId: a.requestId, modelId: a.modelId, terms: toTerms(a.terms), input: [...a.input] };
      }
      case 'OutputProposed': {
        const a = parsed.args as unknown as OutputProposedEvent.OutputObject;
        return { ...meta, type: 'proposed', requestId: a.requestId, proposer: a.proposer as Hex, outputHash: a.outputHash as Hex, output: [...a.output] };
      }
      case 'ProposalChallenged': {
        const a = parsed.args as unknown as ProposalChallengedEvent.OutputObject;
        return { ...meta, type: 'challenged', requestId: a.requestId, challenger: a.challenger as Hex };
      }
      case 'DisputeResolved': {
        const a = parsed.args as unknown as DisputeResolvedEvent.OutputObject;
        return { ...meta, type: 'resolved', requestId: a.requestId, winner: a.winner as Hex, loser: a.loser as Hex };
      }
      case 'InferenceFinalized': {
        const a = parsed.args as unknown as InferenceFinalizedEvent.OutputObject;
        return { ...meta, type: 'finalized', requestId: a.requestId, outputHash: a.outputHash as Hex, output: [...a.output], callbackSucceeded: a.callbackSucceeded };
      }
      case 'InferenceFailed': {
        const a = parsed.args as unknown as InferenceFailedEvent.OutputObject;
        return { ...meta, type: 'failed', requestId: a.requestId, state: toState(a.state), code: Number(a.code) };
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
    return { modelId, modelHash: m.spec.modelHash as Hex, verifier: m.spec.verifier as Hex, weights: m.weights as Hex, deprecated: m.deprecated };
  }

  async arbitrator(): Promise<Hex> {
    // The arbitrator can change (governance): read it each time a dispute needs it.
    const [, , arbitrator] = await this.contract.addresses();
    return arbitrator as Hex;
  }

  periods(): Promise<{ disputeWindow: bigint; arbitrationWindow: bigint }> {
    this.#periods ??= this.contract.periods().then((p) => ({ disputeWindow: p.disputeWindow, arbitrationWindow: p.arbitrationWindow }));
    this.#periods.catch(() => (this.#periods = undefined));
    return this.#periods;
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
    propose: (id, terms, output) => this.#iface.encodeFunctionData('propose', [id, termsStruct(terms), [...output]]) as Hex,
    proposeAndFinalize: (id, terms, output, matured) =>
      this.#iface.encodeFunctionData('proposeAndFinalize', [id, termsStruct(terms), [...output], matured.map(maturedStruct)]) as Hex,
    proposeWithProof: (id, terms, input, output, proof) =>
      this.#iface.encodeFunctionData('proposeWithProof', [id, termsStruct(terms), [...input], [...output], proof]) as Hex,
    challenge: (id, terms, proposal) => this.#iface.encodeFunctionData('challenge', [id, termsStruct(terms), proposalStruct(proposal)]) as Hex,
    resolveWithProof: (id, terms, proposal, input, output, proof) =>
      this.#iface.encodeFunctionData('resolveWithProof', [id, termsStruct(terms), proposalStruct(proposal), [...input], [...output], proof]) as Hex,
    resolveByReexecution: (id, terms, proposal, input) =>
      this.#iface.encodeFunctionData('resolveByReexecution', [id, termsStruct(terms), proposalStruct(proposal), [...input]]) as Hex,
    resolveByArbitration: (id, terms, proposal, output) =>
      this.#iface.encodeFunctionData('resolveByArbitration', [id, termsStruct(terms), proposalStruct(proposal), [...output]]) as Hex,
    finalize: (id, terms, proposal, output) =>
      this.#iface.encodeFunctionData('finalize', [id, termsStruct(terms), proposalStruct(proposal), [...output]]) as Hex,
    expire: (id, terms) => this.#iface.encodeFunctionData('expire', [id, termsStruct(terms)]) as Hex,
  };
}
