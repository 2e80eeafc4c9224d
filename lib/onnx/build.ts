import { DataType } from './proto.js';
import type { OnnxAttribute, OnnxDim, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './types.js';

/** Small constructors for writing graphs by hand (the integer graph writer, the float exporter, tests). */

export function node(opType: string, inputs: string[], outputs: string[], attributes: OnnxAttribute[] = [], name: string = outputs[0] ?? opType): OnnxNode {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

export const attrInt = (name: string, value: number | bigint): OnnxAttribute => ({ name, kind: 'int', value: BigInt(value) });
export const attrFloat = (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value });
export const attrInts = (name: string, value: readonly (number | bigint)[]): OnnxAttribute => ({
  name,
  kind: 'ints',
  value: value.map((v) => BigInt(v)),
});

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>, dataType: number = DataType.FLOAT): OnnxTensor {
  return { name, dims, dataType, data: Float64Array.from(values) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<bigint> | readonly bigint[]): OnnxTensor {
  return { name, dims, dataType: DataType.INT64, data: BigInt64Array.from(values as ArrayLike<bigint>) };
}

export function valueInfo(name: string, elemType: number, shape: OnnxDim[]): OnnxValueInfo {
  return { name, elemType, shape };
}

/** ONNX IR version of the files the project writes (onnxruntime 1.30 reads it). */
export const IR_VERSION = 8;

/** A model written by this project: producer `vai`, the default operator set at `opset`. */
export function vaiModel(graph: OnnxGraph, opset: number, producerVersion: string): OnnxModel {
  return { irVersion: IR_VERSION, producerName: 'vai', producerVersion, opsets: [{ domain: '', version: opset }], graph };
}
