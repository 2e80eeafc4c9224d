import type { ModelInfo, OracleGateway } from '../chain/oracle.js';
import type { LoadedModel } from '../inference/catalog.js';
import type { InferenceService } from '../inference/service.js';

/** A model this node serves, with the registry's record of it. */
export type ServedModel = { model: LoadedModel; info: ModelInfo };

/** On-chain model id → the served model, through the registry's `modelHash` (cached). */
export class ModelResolver {
  readonly #info = new Map<bigint, Promise<ModelInfo>>();
  constructor(
    readonly oracle: OracleGateway,
    readonly inference: InferenceService,
  ) {}

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
  async served(modelId: bigint): Promise<ServedModel | undefined> {
    const info = await this.info(modelId);
    const model = this.inference.catalog.alias(`id:${modelId}`, info.modelHash);
    return model ? { model, info } : undefined;
  }
}
