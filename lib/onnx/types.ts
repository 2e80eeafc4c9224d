/** Plain, decoded form of the ONNX structures the project reads and writes (see `proto.ts`). */

/** Tensor data: floats as float64 (exact for float32 and float64 sources), integers as bigint. */
export type OnnxTensorData = Float64Array | BigInt64Array;

export type OnnxTensor = {
  name: string;
  dims: number[];
  /** `TensorProto.DataType` of the stored tensor (FLOAT, DOUBLE, INT64, INT32, …). */
  dataType: number;
  data: OnnxTensorData;
};

export type OnnxAttribute =
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'int'; value: bigint }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'tensor'; value: OnnxTensor }
  | { name: string; kind: 'floats'; value: number[] }
  | { name: string; kind: 'ints'; value: bigint[] }
  | { name: string; kind: 'other'; type: number };

export type OnnxNode = {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
};

/** A dimension: a fixed size, a symbolic name (e.g. `batch`), or unknown. */
export type OnnxDim = number | string | null;

export type OnnxValueInfo = {
  name: string;
  elemType: number;
  shape: OnnxDim[] | null;
};

export type OnnxGraph = {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
};

export type OnnxOpset = { domain: string; version: number };

export type OnnxModel = {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: OnnxOpset[];
  graph: OnnxGraph;
};
