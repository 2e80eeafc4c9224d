import { VaiError } from '../errors.js';

/** The ONNX graph uses an operator the importer does not translate. */
export class UnsupportedOpError extends VaiError {
  override name = 'UnsupportedOpError';
  readonly opType: string;
  readonly nodeName: string;
  constructor(opType: string, nodeName: string, reason?: string) {
    super(`Unsupported ONNX op ${opType} in node "${nodeName}"${reason ? `: ${reason}` : ''}`, {
      metaMessages: [
        'Supported: Conv (2-D, dilation 1), Gemm, MatMul (by constants), BatchNormalization, Add, Sub, Mul, Div, Relu, LeakyRelu,',
        'Clip, HardSigmoid, HardSwish, Sigmoid, Tanh, MaxPool, AveragePool, GlobalAveragePool, Concat, Flatten, Reshape, Squeeze,',
        'Unsqueeze, Transpose, Pad (zeros), Identity, Dropout, Cast, constant sub-graphs (Shape, Gather, …), and a final',
        'Softmax/LogSoftmax/ArgMax. See docs/MODELS.md.',
      ],
    });
    this.opType = opType;
    this.nodeName = nodeName;
  }
}

/** The ONNX graph is readable but is not a dense MLP the importer can reduce to layers. */
export class OnnxImportError extends VaiError {
  override name = 'OnnxImportError';
  constructor(reason: string) {
    super(`Cannot import ONNX model: ${reason}`);
  }
}

/** No scale satisfies the bounds rule, or an explicit scale fails it. */
export class CalibrationError extends VaiError {
  override name = 'CalibrationError';
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`Cannot quantize model: ${reason}`, options.cause === undefined ? {} : { cause: options.cause });
  }
}

/** onnxruntime and the reference executor gave different outputs: a bug that must never pass silently. */
export class EngineMismatchError extends VaiError {
  override name = 'EngineMismatchError';
  constructor(details: string) {
    super(`onnxruntime and the reference executor disagree: ${details}`, {
      metaMessages: ['This is a bug in the integer graph writer or the runtime; do not use this model for proposals.'],
    });
  }
}

/** A model folder is missing files or holds files that do not match each other. */
export class ModelDirError extends VaiError {
  override name = 'ModelDirError';
  constructor(dir: string, reason: string) {
    super(`Model folder ${dir}: ${reason}`, {
      metaMessages: ['Build it with `vai model train` or `vai model import`.'],
    });
  }
}
