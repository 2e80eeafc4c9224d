import { OnnxDecodeError } from './errors.js';
import { AttributeType, DataType, ModelProtoType } from './proto.js';
import type { OnnxAttribute, OnnxDim, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxTensorData, OnnxValueInfo } from './types.js';

/** What protobufjs yields for an int64 field: a number, or a `Long` ({ low, high }). */
type Int64Field = number | { low: number; high: number; unsigned?: boolean } | null | undefined;

/** Loose view of a decoded protobufjs message: fields are read defensively. */
type Msg = Record<string, unknown>;

export function int64ToBigInt(v: Int64Field): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? bits : BigInt.asIntN(64, bits);
}

function int64ToNumber(v: Int64Field, what: string): number {
  const b = int64ToBigInt(v);
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new OnnxDecodeError(`${what} ${b} is out of range`);
  }
  return Number(b);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const bytes = (v: unknown): Uint8Array | null => (v instanceof Uint8Array && v.length > 0 ? v : null);

function elementCount(dims: number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}

function decodeRaw(raw: Uint8Array, dataType: number, name: string): OnnxTensorData {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // BOOL (one byte per value) is read as 0/1 integers: the exporter writes masks (Where) as bool constants.
  const width = { [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.BOOL]: 1 }[dataType];
  if (width === undefined) throw new OnnxDecodeError(`tensor "${name}" has unsupported data type ${dataType}`);
  if (raw.byteLength % width !== 0) {
    throw new OnnxDecodeError(`tensor "${name}" raw_data has ${raw.byteLength} bytes, not a multiple of ${width}`);
  }
  const n = raw.byteLength / width;
  if (dataType === DataType.FLOAT || dataType === DataType.DOUBLE) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dataType === DataType.FLOAT ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    }
    return out;
  }
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] =
      dataType === DataType.INT64
        ? view.getBigInt64(i * 8, true)
        : dataType === DataType.BOOL
          ? BigInt(view.getUint8(i) !== 0)
          : BigInt(view.getInt32(i * 4, true));
  }
  return out;
}

export function decodeTensor(m: Msg): OnnxTensor {
  const name = str(m.name);
  const dims = arr(m.dims).map((d) => int64ToNumber(d as Int64Field, `tensor "${name}" dimension`));
  const dataType = typeof m.dataType === 'number' ? m.dataType : 0;
  if (typeof m.dataLocation === 'number' && m.dataLocation === 1) {
    throw new OnnxDecodeError(`tensor "${name}" uses external data, which is not supported`);
  }
  const raw = bytes(m.rawData);
  let data: OnnxTensorData;
  if (raw) data = decodeRaw(raw, dataType, name);
  else if (dataType === DataType.FLOAT) data = Float64Array.from(arr(m.floatData) as number[]);
  else if (dataType === DataType.DOUBLE) data = Float64Array.from(arr(m.doubleData) as number[]);
  else if (dataType === DataType.INT64) data = BigInt64Array.from(arr(m.int64Data).map((v) => int64ToBigInt(v as Int64Field)));
  else if (dataType === DataType.INT32 || dataType === DataType.BOOL) data = BigInt64Array.from(arr(m.int32Data).map((v) => BigInt(v as number)));
  else throw new OnnxDecodeError(`tensor "${name}" has unsupported data type ${dataType}`);
  const expected = elementCount(dims);
  if (data.length !== expected) {
    throw new OnnxDecodeError(`tensor "${name}" holds ${data.length} values but its shape [${dims.join(', ')}] needs ${expected}`);
  }
  return { name, dims, dataType, data };
}

function decodeAttribute(m: Msg): OnnxAttribute {
  const name = str(m.name);
  const type = typeof m.type === 'number' ? m.type : 0;
  switch (type) {
    case AttributeType.FLOAT:
      return { name, kind: 'float', value: typeof m.f === 'number' ? m.f : 0 };
    case AttributeType.INT:
      return { name, kind: 'int', value: int64ToBigInt(m.i as Int64Field) };
    case AttributeType.STRING:
      return { name, kind: 'string', value: new TextDecoder().decode(bytes(m.s) ?? new Uint8Array()) };
    case AttributeType.TENSOR:
      return { name, kind: 'tensor', value: decodeTensor((m.t ?? {}) as Msg) };
    case AttributeType.FLOATS:
      return { name, kind: 'floats', value: arr(m.floats) as number[] };
    case AttributeType.INTS:
      return { name, kind: 'ints', value: arr(m.ints).map((v) => int64ToBigInt(v as Int64Field)) };
    default:
      return { name, kind: 'other', type };
  }
}

function decodeNode(m: Msg, index: number): OnnxNode {
  return {
    name: str(m.name) || `#${index}`,
    opType: str(m.opType),
    domain: str(m.domain),
    inputs: arr(m.input).map(str),
    outputs: arr(m.output).map(str),
    attributes: arr(m.attribute).map((a) => decodeAttribute(a as Msg)),
  };
}

function decodeValueInfo(m: Msg): OnnxValueInfo {
  const tensorType = ((m.type ?? {}) as Msg).tensorType as Msg | undefined;
  const shape = tensorType?.shape as Msg | undefined;
  const dims: OnnxDim[] | null = shape
    ? arr(shape.dim).map((d) => {
        const dm = d as Msg;
        if (typeof dm.dimParam === 'string' && dm.dimParam !== '') return dm.dimParam;
        if (dm.dimValue !== undefined && dm.dimValue !== null) return int64ToNumber(dm.dimValue as Int64Field, 'dimension');
        return null;
      })
    : null;
  return { name: str(m.name), elemType: typeof tensorType?.elemType === 'number' ? tensorType.elemType : 0, shape: dims };
}

function decodeGraph(m: Msg): OnnxGraph {
  return {
    name: str(m.name),
    nodes: arr(m.node).map((n, i) => decodeNode(n as Msg, i)),
    initializers: arr(m.initializer).map((t) => decodeTensor(t as Msg)),
    inputs: arr(m.input).map((v) => decodeValueInfo(v as Msg)),
    outputs: arr(m.output).map((v) => decodeValueInfo(v as Msg)),
  };
}

/** Checks what a truncated or hand-broken file would violate: every value used is defined somewhere. */
function checkGraph(g: OnnxGraph): void {
  if (g.inputs.length === 0) throw new OnnxDecodeError('the graph has no inputs');
  if (g.outputs.length === 0) throw new OnnxDecodeError('the graph has no outputs');
  if (g.nodes.length === 0) throw new OnnxDecodeError('the graph has no nodes');
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name), '']);
  for (const node of g.nodes) {
    if (node.opType === '') throw new OnnxDecodeError(`node "${node.name}" has no op_type`);
    for (const input of node.inputs) {
      if (!defined.has(input)) {
        throw new OnnxDecodeError(`node "${node.name}" (${node.opType}) reads "${input}", which nothing defines`);
      }
    }
    for (const output of node.outputs) defined.add(output);
  }
  for (const out of g.outputs) {
    if (!defined.has(out.name)) throw new OnnxDecodeError(`graph output "${out.name}" is never computed`);
  }
}

/**
 * Decodes the bytes of an `.onnx` file into plain structures and checks that the graph is complete
 * (nodes in topological order, every input defined, tensor sizes matching their shapes).
 *
 * @example
 * const model = decodeOnnx(await readFile('model.onnx'));
 * model.graph.nodes.map((n) => n.opType); // ['Gemm', 'Relu', 'Gemm']
 */
export function decodeOnnx(data: Uint8Array): OnnxModel {
  let m: Msg;
  try {
    m = ModelProtoType.decode(data) as unknown as Msg;
  } catch (cause) {
    throw new OnnxDecodeError(`not a valid protobuf ModelProto (${(cause as Error).message})`, { cause });
  }
  if (!m.graph) throw new OnnxDecodeError('the file has no graph');
  const graph = decodeGraph(m.graph as Msg);
  checkGraph(graph);
  const opsets = arr(m.opsetImport).map((o) => {
    const om = o as Msg;
    return { domain: str(om.domain), version: int64ToNumber(om.version as Int64Field, 'opset version') };
  });
  return {
    irVersion: int64ToNumber(m.irVersion as Int64Field, 'ir_version'),
    producerName: str(m.producerName),
    producerVersion: str(m.producerVersion),
    opsets,
    graph,
  };
}
