import { AttributeType, DataType, ModelProtoType } from './proto.js';
import type { OnnxAttribute, OnnxDim, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './types.js';

function encodeTensorData(t: OnnxTensor): Uint8Array {
  const { data, dataType } = t;
  if (dataType === DataType.FLOAT) {
    if (!(data instanceof Float64Array)) throw new TypeError(`tensor "${t.name}": FLOAT needs Float64Array data`);
    return new Uint8Array(Float32Array.from(data).buffer);
  }
  if (dataType === DataType.DOUBLE) {
    if (!(data instanceof Float64Array)) throw new TypeError(`tensor "${t.name}": DOUBLE needs Float64Array data`);
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  if (dataType === DataType.INT64) {
    if (!(data instanceof BigInt64Array)) throw new TypeError(`tensor "${t.name}": INT64 needs BigInt64Array data`);
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  throw new TypeError(`tensor "${t.name}": cannot encode data type ${dataType}`);
}

function tensorMessage(t: OnnxTensor): Record<string, unknown> {
  // Little-endian raw_data, the layout exporters use for initializers (the machine is little-endian,
  // as ONNX requires for raw_data; typed arrays share the host byte order).
  return { name: t.name, dims: t.dims, dataType: t.dataType, rawData: encodeTensorData(t) };
}

function attributeMessage(a: OnnxAttribute): Record<string, unknown> {
  switch (a.kind) {
    case 'float':
      return { name: a.name, type: AttributeType.FLOAT, f: a.value };
    case 'int':
      return { name: a.name, type: AttributeType.INT, i: a.value.toString() };
    case 'string':
      return { name: a.name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name: a.name, type: AttributeType.TENSOR, t: tensorMessage(a.value) };
    case 'floats':
      return { name: a.name, type: AttributeType.FLOATS, floats: a.value };
    case 'ints':
      return { name: a.name, type: AttributeType.INTS, ints: a.value.map((v) => v.toString()) };
    case 'other':
      throw new TypeError(`attribute "${a.name}" of type ${a.type} cannot be encoded`);
  }
}

function dimMessage(d: OnnxDim): Record<string, unknown> {
  if (typeof d === 'number') return { dimValue: d };
  if (typeof d === 'string') return { dimParam: d };
  return {};
}

function valueInfoMessage(v: OnnxValueInfo): Record<string, unknown> {
  const tensorType: Record<string, unknown> = { elemType: v.elemType };
  if (v.shape) tensorType.shape = { dim: v.shape.map(dimMessage) };
  return { name: v.name, type: { tensorType } };
}

function nodeMessage(n: OnnxNode): Record<string, unknown> {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: n.inputs,
    output: n.outputs,
    attribute: n.attributes.map(attributeMessage),
  };
}

/**
 * Serializes a model to `.onnx` bytes. Tensors are written as little-endian `raw_data`.
 *
 * @example
 * const bytes = encodeOnnx(model);
 * await InferenceSession.create(bytes);
 */
export function encodeOnnx(model: OnnxModel): Uint8Array {
  const message = ModelProtoType.fromObject({
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImport: model.opsets.map((o) => ({ domain: o.domain, version: o.version })),
    graph: {
      name: model.graph.name,
      node: model.graph.nodes.map(nodeMessage),
      initializer: model.graph.initializers.map(tensorMessage),
      input: model.graph.inputs.map(valueInfoMessage),
      output: model.graph.outputs.map(valueInfoMessage),
    },
  });
  return ModelProtoType.encode(message).finish();
}
