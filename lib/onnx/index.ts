export { decodeOnnx, decodeTensor, int64ToBigInt } from './decode.js';
export { encodeOnnx, type TensorLayout } from './encode.js';
export { OnnxDecodeError } from './errors.js';
export { AttributeType, DataType } from './proto.js';
export { IR_VERSION, attrFloat, attrInt, attrInts, floatTensor, int64Tensor, node, valueInfo, vaiModel } from './build.js';
export type * from './types.js';
