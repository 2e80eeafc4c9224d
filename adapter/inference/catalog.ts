import { resolve } from 'node:path';
import { readModelDir, type Hex, type IntModel, type ModelManifest } from '../../lib/semantics/index.js';
import { UnknownModelError } from '../errors.js';

/** A model served by the node: its checked manifest and integer model, and where it lives. */
export type LoadedModel = {
  dir: string;
  name: string;
  modelHash: Hex;
  manifest: ModelManifest;
  model: IntModel;
};

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

  /** Reads and checks every `<dir>/model.json` (the manifest's hash, spec and bounds must be its own). */
  static async load(dirs: readonly string[]): Promise<ModelCatalog> {
    const models = await Promise.all(
      dirs.map(async (dir) => {
        const { manifest, model } = await readModelDir(dir);
        return { dir: resolve(dir), name: manifest.name, modelHash: manifest.modelHash as Hex, manifest, model };
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
