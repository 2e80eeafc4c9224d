import { VaiError, type VaiErrorOptions } from '../lib/errors.js';

/** Errors of the operator node, grouped by domain; every one extends {@link VaiError}. */
export class NodeConfigError extends VaiError {
  override name = 'NodeConfigError';
}

export class UnsafeOptionError extends VaiError {
  override name = 'UnsafeOptionError';
  constructor(
    readonly option: string,
    readonly envFlag: string,
  ) {
    super(`${option} is a test-only option and is refused here.`, {
      metaMessages: [`It makes the node cheat on purpose. Set ${envFlag}=1 only in a test harness.`],
    });
  }
}

export class JobStoreError extends VaiError {
  override name = 'JobStoreError';
}

/**
 * A replica that no longer leads its key (another took over: the fencing epoch moved) tried to record a
 * submission; nothing was recorded, so nothing is sent.
 */
export class NotLeaderError extends JobStoreError {
  override name = 'NotLeaderError';
}

export class InvalidJobTransitionError extends VaiError {
  override name = 'InvalidJobTransitionError';
  constructor(
    readonly jobId: number,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Job ${jobId} cannot go from ${from} to ${to}.`);
  }
}

export class UnknownModelError extends VaiError {
  override name = 'UnknownModelError';
  constructor(readonly model: string) {
    super(`Model ${model} is not served by this node.`, {
      metaMessages: ['Pass its folder with --models, or use its modelHash, modelId or name.'],
    });
  }
}

export class InferenceError extends VaiError {
  override name = 'InferenceError';
}

export class InferenceMismatchError extends VaiError {
  override name = 'InferenceMismatchError';
  constructor(
    readonly model: string,
    readonly engine: string,
    details: string,
  ) {
    super(`The ${engine} engine disagrees with the reference executor on model ${model}.`, {
      details,
      metaMessages: ['The integer graph does not follow docs/SEMANTICS.md: rebuild the model.'],
    });
  }
}

export class ProverError extends VaiError {
  override name = 'ProverError';
}

export class TimeoutError extends VaiError {
  override name = 'TimeoutError';
  constructor(
    readonly what: string,
    readonly ms: number,
    options: VaiErrorOptions = {},
  ) {
    super(`${what} timed out after ${ms} ms.`, options);
  }
}

export class ChainError extends VaiError {
  override name = 'ChainError';
}

export class TransactionError extends VaiError {
  override name = 'TransactionError';
}

/** A generation model's trace (or its steps commitment, or a step's witness) could not be computed for its game. */
export class GraphTraceError extends VaiError {
  override name = 'GraphTraceError';
}
