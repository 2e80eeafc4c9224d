import { referenceOutput } from '../../lib/model/model-dir.js';
import { InferenceMismatchError } from '../errors.js';
import type { LoadedModel } from './catalog.js';

/** Runs a canonical integer model (chain or graph) on one validated input. */
export interface InferenceEngine {
  readonly name: string;
  run(model: LoadedModel, input: readonly bigint[]): Promise<bigint[]>;
  close?(): Promise<void>;
}

/** The TypeScript reference executor (docs/SEMANTICS.md in code) as an engine, for chain and graph models. */
export class ReferenceEngine implements InferenceEngine {
  readonly name = 'reference';
  async run(model: LoadedModel, input: readonly bigint[]): Promise<bigint[]> {
    return await referenceOutput(model, input);
  }
}

const sameValues = (a: readonly bigint[], b: readonly bigint[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Runs `primary` and checks its output against the reference executor. A disagreement is a broken
 * model build, not a wrong input: it throws {@link InferenceMismatchError} so that nothing is proposed.
 * The reference is cheap for the models the chain can dispute, so every call is checked by default.
 */
export class CrossCheckedEngine implements InferenceEngine {
  readonly name: string;
  readonly #reference = new ReferenceEngine();

  constructor(
    readonly primary: InferenceEngine,
    readonly checkEvery = 1,
  ) {
    this.name = `${primary.name}+reference`;
  }

  #calls = 0;

  async run(model: LoadedModel, input: readonly bigint[]): Promise<bigint[]> {
    const output = await this.primary.run(model, input);
    if (this.#calls++ % this.checkEvery === 0) {
      const expected = await this.#reference.run(model, input);
      if (!sameValues(output, expected))
        throw new InferenceMismatchError(
          model.name,
          this.primary.name,
          `${this.primary.name} gave [${output.join(', ')}], the reference [${expected.join(', ')}].`,
        );
    }
    return output;
  }

  async close(): Promise<void> {
    await this.primary.close?.();
  }
}
