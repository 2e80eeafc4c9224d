// npm run vectors:graphs: writes test/vectors/graphs.json, the shared vectors of the integer graph
// semantics (docs/SEMANTICS.md, "Integer graphs"): every hand graph of lib/model/hand-graphs.ts on its
// edge inputs, then the four CNN import fixtures (test/fixtures/onnx/cnn_*.onnx) quantized at S = 8
// on rows of the digits data. onnxruntime must agree with the reference executor on every vector.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { importOnnxGraph } from '../../lib/model/graph-import.js';
import { buildGraphOnnx } from '../../lib/model/graph-onnx.js';
import { checkGraphAgreement } from '../../lib/model/graph-pipeline.js';
import { quantizeGraph } from '../../lib/model/graph-quantize.js';
import { graphEdgeInputs, makeGraphVector } from '../../lib/model/graph-vectors.js';
import { HAND_GRAPHS } from '../../lib/model/hand-graphs.js';
import { VAI_VERSION } from '../../lib/model/version.js';
import { serializeVectors, type TestVector } from '../../lib/model/vectors.js';
import { decodeOnnx, encodeOnnx } from '../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { quantize } from '../../lib/semantics/index.js';

export const GRAPH_VECTORS_FILE = join(PROJECT_ROOT, 'test', 'vectors', 'graphs.json');
export const FIXTURE_SCALE_BITS = 8;

const vectors: TestVector[] = [];
for (const { name, graph, inputs } of HAND_GRAPHS) {
  const all = [...inputs, ...graphEdgeInputs(graph)];
  await checkGraphAgreement(graph, encodeOnnx(buildGraphOnnx(graph, VAI_VERSION)), all);
  vectors.push(...all.map((input) => makeGraphVector(name, graph, input)));
}
const digits = await readCsv(join(PROJECT_ROOT, 'data', 'digits.csv.gz'));
for (const file of ['cnn_bn_nobias_flatten_opset13', 'cnn_view_residual_tanh_opset11', 'cnn_mixed_ops_opset17', 'cnn_gap_stride_softmax_opset12']) {
  const fg = importOnnxGraph(decodeOnnx(new Uint8Array(await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', `${file}.onnx`)))));
  const S = FIXTURE_SCALE_BITS;
  const graph = quantizeGraph(fg, S, 'argmax', quantize(0, S), quantize(16, S));
  const inputs = [...graphEdgeInputs(graph), ...digits.rows.slice(0, 4).map((r) => Array.from(r, (v) => quantize(v, S)))];
  await checkGraphAgreement(graph, encodeOnnx(buildGraphOnnx(graph, VAI_VERSION)), inputs);
  vectors.push(...inputs.map((input) => makeGraphVector(file, graph, input)));
}
await mkdir(dirname(GRAPH_VECTORS_FILE), { recursive: true });
await writeFile(GRAPH_VECTORS_FILE, serializeVectors(vectors));
console.log(`${vectors.length} vectors written to ${GRAPH_VECTORS_FILE}`);
