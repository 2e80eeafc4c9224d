import { validateModelInput } from '../../lib/model/model-dir.js';
import type { Hex } from '../../lib/semantics/index.js';
import { ProverError } from '../errors.js';
import type { NodeMetrics } from '../metrics.js';
import { withTimeout } from '../timeout.js';
import type { LoadedModel, ModelCatalog } from './catalog.js';
import type { InferenceEngine } from './engine.js';
import type { BatchProof, Prover } from './prover.js';

export type InferenceResult = {
  model: LoadedModel;
  output: bigint[];
  modelHash: Hex;
};

export type InferenceServiceOptions = {
  catalog: ModelCatalog;
  engine: InferenceEngine;
  prover?: Prover | undefined;
  metrics?: NodeMetrics | undefined;
  inferenceTimeoutMs: number;
  proveTimeoutMs: number;
};

/** Validation, inference and proving with time limits and metrics: what the roles and the HTTP endpoint call. */
export class InferenceService {
  constructor(readonly options: InferenceServiceOptions) {}

  get catalog(): ModelCatalog {
    return this.options.catalog;
  }

  /**
   * Runs `modelKey` (name, modelHash or known model id) on `input`. Throws `UnknownModelError`,
   * `InputLengthError` / `InputRangeError` for a bad input, `TimeoutError`, `InferenceError`.
   */
  async infer(modelKey: string | LoadedModel, input: readonly bigint[]): Promise<InferenceResult> {
    const model = typeof modelKey === 'string' ? this.catalog.get(modelKey) : modelKey;
    validateModelInput(model, input);
    const { engine, metrics, inferenceTimeoutMs } = this.options;
    const end = metrics?.inferenceSeconds.startTimer({ model: model.name, engine: engine.name });
    const output = await withTimeout(engine.run(model, input), inferenceTimeoutMs, `Inference of ${model.name}`);
    end?.();
    return { model, output, modelHash: model.modelHash };
  }

  canProve(model: LoadedModel): boolean {
    return this.options.prover?.canProve(model) ?? false;
  }

  /**
   * A proof of `output` for `input`, valid only in a transaction from `proverAddress` (the address that
   * submits it); throws {@link ProverError} (or `TimeoutError`) when none can be made.
   */
  async prove(model: LoadedModel, input: readonly bigint[], output: readonly bigint[], proverAddress: Hex): Promise<Hex> {
    const { prover, metrics, proveTimeoutMs } = this.options;
    if (!prover?.canProve(model)) throw new ProverError(`Model ${model.name} has no circuit to prove with.`, { metaMessages: ['Run: vai zk setup.'] });
    const end = metrics?.provingSeconds.startTimer({ model: model.name });
    const proof = await withTimeout(prover.prove(model, input, output, proverAddress), proveTimeoutMs, `Proving ${model.name}`);
    end?.();
    return proof;
  }

  /** The batch sizes this node can prove `model` in (ascending; empty: no batch set-up, or no prover). */
  batchSizes(model: LoadedModel): readonly number[] {
    return this.options.prover?.batchSizes?.(model) ?? [];
  }

  /**
   * One proof of `outputs` for `inputs` with the batch set-up of `batchSize`, valid only in a transaction from
   * `proverAddress`; throws {@link ProverError} (or `TimeoutError`) when none can be made.
   */
  async proveBatch(
    model: LoadedModel,
    inputs: readonly (readonly bigint[])[],
    outputs: readonly (readonly bigint[])[],
    proverAddress: Hex,
    batchSize: number,
  ): Promise<BatchProof> {
    const { prover, metrics, proveTimeoutMs } = this.options;
    if (!prover?.proveBatch || !this.batchSizes(model).includes(batchSize))
      throw new ProverError(`Model ${model.name} has no batch set-up of ${batchSize}.`, { metaMessages: [`Run: vai zk setup --batch ${batchSize}.`] });
    const end = metrics?.batchProvingSeconds.startTimer({ model: model.name, size: String(batchSize) });
    const proof = await withTimeout(prover.proveBatch(model, inputs, outputs, proverAddress, batchSize), proveTimeoutMs, `Proving a batch of ${model.name}`);
    end?.();
    return proof;
  }
}
