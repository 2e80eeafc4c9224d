import { resolve } from 'node:path';
import { type ChainModelDir, type GraphModelDir, readAnyModelDir } from '../../lib/model/model-dir.js';
import type { Hex } from '../../lib/semantics/index.js';
import { UnknownModelError } from '../errors.js';

type Served = { dir: string; name: string; modelHash: Hex };
/** A chain model (`vai-int-model/1`): dense layers whose weights can be stored on chain and re-executed there. */
export type LoadedChainModel = Served & ChainModelDir;
/** A graph model (`vai-int-graph/1`): its weights stay off chain, so its disputes go to arbitration. */
export type LoadedGraphModel = Served & GraphModelDir;
/**
 * A model served by the node: its checked manifest and integer model (`kind` says which), and where it lives.
 * `lib/model/model-dir.ts` validates inputs and computes the reference output for either kind.
 */
export type LoadedModel = LoadedChainModel | LoadedGraphModel;

/**
 * The models a node serves, found by name, `modelHash` or on-chain model id. Model ids that are not the
 * `modelHash` itself are learnt from the registry with {@link ModelCatalog.alias}.
 */
export class ModelCatalog {
  readonly #byKey = new Map<string, LoadedModel>();
  readonly models: readonly LoadedModel[];

  constructor(models: readonly LoadedModel[]) {
    this.models = models;
    for (const m of models) {
      this.#byKey.set(m.modelHash.toLowerCase(), m);
      this.#byKey.set(m.name, m);
    }
  }

  /**
   * Reads and checks every `<dir>/model.json`, chain or graph (the manifest's hash, spec and bounds must be its
   * own; a graph's `model.int.onnx`, when present, must be the one its manifest gives).
   */
  static async load(dirs: readonly string[]): Promise<ModelCatalog> {
    const models = await Promise.all(
      dirs.map(async (dir): Promise<LoadedModel> => {
        const loaded = await readAnyModelDir(dir);
        const served = { dir: resolve(dir), name: loaded.manifest.name, modelHash: loaded.manifest.modelHash as Hex };
        return { ...served, ...loaded };
      }),
    );
    return new ModelCatalog(models);
  }

  /** Makes `key` (an on-chain model id) another name of the model whose hash is `modelHash`. */
  alias(key: string, modelHash: Hex): LoadedModel | undefined {
    const model = this.#byKey.get(modelHash.toLowerCase());
    if (model) this.#byKey.set(key.toLowerCase(), model);
    return model;
  }

  find(key: string): LoadedModel | undefined {
    return this.#byKey.get(key) ?? this.#byKey.get(key.toLowerCase());
  }

  /** Throws {@link UnknownModelError} unless the node serves `key`. */
  get(key: string): LoadedModel {
    const model = this.find(key);
    if (!model) throw new UnknownModelError(key);
    return model;
  }
}
