import { VaiError } from '../errors.js';

export class InputLengthError extends VaiError {
  override name = 'InputLengthError';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Input has ${actual} values, the model takes ${expected}.`, {
      metaMessages: ['Flatten the input in row-major order (an 8x8 image is 64 values).'],
    });
  }
}

export class InputRangeError extends VaiError {
  override name = 'InputRangeError';
  constructor(
    readonly index: number,
    readonly value: bigint,
    readonly min: bigint,
    readonly max: bigint,
  ) {
    super(`Input value ${value} at index ${index} is outside the model's range [${min}, ${max}].`, {
      metaMessages: ['Quantized inputs are rejected, never clamped: check the scale and the feature ranges.'],
    });
  }
}

export class ModelEncodingError extends VaiError {
  override name = 'ModelEncodingError';
}

export class InvalidModelError extends VaiError {
  override name = 'InvalidModelError';
}

export class ModelBoundsError extends VaiError {
  override name = 'ModelBoundsError';
  constructor(
    readonly layer: number,
    reason: string,
  ) {
    super(`Layer ${layer} cannot be bounded: ${reason}.`, {
      metaMessages: ['Lower the scale (scaleBits) or narrow the declared input range.'],
    });
  }
}

export class QuantizeError extends VaiError {
  override name = 'QuantizeError';
}

export class TraceCommitmentError extends VaiError {
  override name = 'TraceCommitmentError';
}
