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

/** An integer graph breaks a structural rule of the semantics (shapes, parameters, node order). */
export class InvalidGraphError extends VaiError {
  override name = 'InvalidGraphError';
  constructor(
    readonly node: number | null,
    readonly nodeName: string | null,
    reason: string,
  ) {
    super(`Invalid integer graph${node === null ? '' : ` at node ${node}${nodeName ? ` "${nodeName}"` : ''}`}: ${reason}.`);
  }
}

/** A value of an integer graph could reach 2^62 (or a constant is not a safe integer) for inputs in range. */
export class GraphBoundsError extends VaiError {
  override name = 'GraphBoundsError';
  constructor(
    readonly node: number,
    readonly nodeName: string,
    reason: string,
  ) {
    super(`Node ${node} "${nodeName}" cannot be bounded: ${reason}.`, {
      metaMessages: ['Lower the scale (scaleBits) or narrow the declared input range.'],
    });
  }
}

/** A trace or step commitment cannot be built or checked (docs/SEMANTICS.md, "Trace and step commitments"). */
export class TraceCommitmentError extends VaiError {
  override name = 'TraceCommitmentError';
}
