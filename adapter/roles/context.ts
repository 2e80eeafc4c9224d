import type { JsonRpcProvider } from 'ethers';
import type { Hex } from '../../lib/semantics/index.js';
import type { ModelInfo, OracleGateway } from '../chain/oracle.js';
import type { TxSender } from '../chain/sender.js';
import type { Role } from '../config.js';
import type { LoadedModel } from '../inference/catalog.js';
import type { InferenceService } from '../inference/service.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';
import type { JobStore } from '../store/types.js';

/** Everything a role needs; built once by the composition root (`adapter/node.ts`). */
export type RoleContext = {
  address: Hex;
  roles: readonly Role[];
  prove: boolean;
  /** Test-only: the proposer lies (config refuses it unless VAI_UNSAFE_TEST_OPTIONS=1). */
  corruptOutput: boolean;
  store: JobStore;
  oracle: OracleGateway;
  sender: TxSender;
  inference: InferenceService;
  provider: JsonRpcProvider;
  logger: Logger;
  metrics: NodeMetrics;
  models: ModelResolver;
  /** Chain time: the timestamp of the latest block the follower saw (undefined before the first poll). */
  chainTime: () => number | undefined;
  /** Gas limits learnt per call shape for fixed-cost calls (see `submit.ts`). */
  gasByShape: Map<string, bigint>;
  /** Longest wait before a time-bound job looks at the chain clock again (chain time can jump). */
  recheckMs: number;
  /** Own matured proposals finalized inside each new proposal (`proposeAndFinalize`); 0 turns it off. */
  finalizeBatch: number;
  /** Seconds past its window an own proposal waits for a new proposal to carry its finalization. */
  finalizeGraceS: number;
  /** Largest gas limit of an owed callback delivered for a request this node did not settle (its own: any). */
  maxCallbackGas: number;
  /** Matured proposals already attached to a proposal in flight (request id -> when, ms), so that concurrent
   * proposals do not all carry the same ones. */
  carried: Map<string, number>;
  /** Disputes this node cannot settle itself and hands to the arbitrator (`output`: the claim to choose, empty to
   * reject both; `closesAt`: chain time after which only `expireDispute` can end it). */
  arbitrationRequests: Map<string, { requestId: string; output: string[]; calldata: Hex; since: number; closesAt: number }>;
};

/** On-chain model id → the served model, through the registry's `modelHash` (cached). */
export class ModelResolver {
  readonly #info = new Map<bigint, Promise<ModelInfo>>();
  constructor(readonly oracle: OracleGateway, readonly inference: InferenceService) {}

  info(modelId: bigint): Promise<ModelInfo> {
    let info = this.#info.get(modelId);
    if (!info) {
      info = this.oracle.model(modelId);
      info.catch(() => this.#info.delete(modelId));
      this.#info.set(modelId, info);
    }
    return info;
  }

  /** The served model for `modelId`, or undefined when this node does not serve it. */
  async served(modelId: bigint): Promise<{ model: LoadedModel; info: ModelInfo } | undefined> {
    const info = await this.info(modelId);
    const model = this.inference.catalog.alias(`id:${modelId}`, info.modelHash);
    return model ? { model, info } : undefined;
  }
}
