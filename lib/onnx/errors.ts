import { VaiError } from '../errors.js';

/** The bytes are not a readable ONNX model (not protobuf, truncated, or structurally broken). */
export class OnnxDecodeError extends VaiError {
  override name = 'OnnxDecodeError';
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`Cannot read ONNX model: ${reason}`, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      metaMessages: ['Check that the file is a complete .onnx model (not truncated, not external-data).'],
    });
  }
}
