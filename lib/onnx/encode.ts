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

/** How tensor values are stored: `raw` little-endian bytes (what exporters write for weights), or
 * the `typed` repeated fields (`float_data`, `double_data`, `int64_data`) some tools write. */
export type TensorLayout = 'raw' | 'typed';

function typedFields(t: OnnxTensor): Record<string, unknown> {
  if (t.dataType === DataType.FLOAT) return { floatData: Array.from(t.data as Float64Array) };
  if (t.dataType === DataType.DOUBLE) return { doubleData: Array.from(t.data as Float64Array) };
  if (t.dataType === DataType.INT64) return { int64Data: Array.from(t.data as BigInt64Array, String) };
  throw new TypeError(`tensor "${t.name}": cannot encode data type ${t.dataType}`);
}

function tensorMessage(t: OnnxTensor, layout: TensorLayout): Record<string, unknown> {
  // raw_data is little-endian, as ONNX requires; typed arrays use the host order, little-endian on
  // every platform Node supports.
  const data = layout === 'raw' ? { rawData: encodeTensorData(t) } : typedFields(t);
  return { name: t.name, dims: t.dims, dataType: t.dataType, ...data };
}

function attributeMessage(a: OnnxAttribute, layout: TensorLayout): Record<string, unknown> {
  switch (a.kind) {
    case 'float':
      return { name: a.name, type: AttributeType.FLOAT, f: a.value };
    case 'int':
      return { name: a.name, type: AttributeType.INT, i: a.value.toString() };
    case 'string':
      return { name: a.name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name: a.name, type: AttributeType.TENSOR, t: tensorMessage(a.value, layout) };
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

function nodeMessage(n: OnnxNode, layout: TensorLayout): Record<string, unknown> {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: n.inputs,
    output: n.outputs,
    attribute: n.attributes.map((a) => attributeMessage(a, layout)),
  };
}

/**
 * Serializes a model to `.onnx` bytes. Tensors are written as little-endian `raw_data` unless
 * `layout` is `typed`.
 *
 * @example
 * const bytes = encodeOnnx(model);
 * await InferenceSession.create(bytes);
 */
export function encodeOnnx(model: OnnxModel, layout: TensorLayout = 'raw'): Uint8Array {
  const message = ModelProtoType.fromObject({
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImport: model.opsets.map((o) => ({ domain: o.domain, version: o.version })),
    graph: {
      name: model.graph.name,
      node: model.graph.nodes.map((n) => nodeMessage(n, layout)),
      initializer: model.graph.initializers.map((t) => tensorMessage(t, layout)),
      input: model.graph.inputs.map(valueInfoMessage),
      output: model.graph.outputs.map(valueInfoMessage),
    },
  });
  return ModelProtoType.encode(message).finish();
}
