import { VaiError } from '../../lib/errors.js';
import { InputLengthError, InputRangeError } from '../../lib/semantics/index.js';
import { InferenceError, InferenceMismatchError, ProverError, TimeoutError, UnknownModelError } from '../errors.js';

/** An error of the external-adapter endpoint with its HTTP status (ea-framework-js families). */
export class AdapterError extends VaiError {
  override name = 'AdapterError';
  constructor(
    readonly statusCode: number,
    message: string,
    options: { cause?: unknown; name?: string } = {},
  ) {
    super(message, { cause: options.cause });
    if (options.name) this.name = options.name;
  }
}

/** A bad request parameter: 400, message `[Param: name] reason`. */
export class AdapterInputError extends AdapterError {
  constructor(param: string, reason: string, cause?: unknown) {
    super(400, `[Param: ${param}] ${reason}`, { cause, name: 'AdapterInputError' });
  }
}

/** Maps what the inference service throws to the adapter's status families: input 400, upstream 502, timeout 504. */
export function toAdapterError(err: unknown): AdapterError {
  if (err instanceof AdapterError) return err;
  if (err instanceof UnknownModelError) return new AdapterInputError('model', err.shortMessage, err);
  if (err instanceof InputLengthError || err instanceof InputRangeError) return new AdapterInputError('input', err.shortMessage, err);
  if (err instanceof TimeoutError) return new AdapterError(504, err.shortMessage, { cause: err, name: 'AdapterTimeoutError' });
  if (err instanceof ProverError || err instanceof InferenceError || err instanceof InferenceMismatchError)
    return new AdapterError(502, err.shortMessage, { cause: err, name: 'AdapterUpstreamError' });
  return new AdapterError(500, 'Internal error.', { cause: err, name: 'AdapterInternalError' });
}
