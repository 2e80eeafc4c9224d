// npm run vectors:build: writes test/vectors/semantics.json, the shared vectors that the TypeScript,
// circuit and forge tests check: the hand-checkable models of lib/model/hand-models.ts, then the
// digits example model on edge inputs and rows of the digits data. onnxruntime must agree on all.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { encodeOnnx } from '../../lib/onnx/index.js';
import { EXAMPLE_MODELS, ensureExampleModel } from '../../lib/apps/examples.js';
import { HAND_MODELS } from '../../lib/model/hand-models.js';
import { buildIntegerOnnx } from '../../lib/model/intgraph.js';
import { checkAgreement } from '../../lib/model/pipeline.js';
import { VAI_VERSION } from '../../lib/model/version.js';
import { dirVectors, edgeInputs, makeVector, serializeVectors, type TestVector } from '../../lib/model/vectors.js';
import { PROJECT_ROOT } from '../../lib/project.js';

export const VECTORS_FILE = join(PROJECT_ROOT, 'test', 'vectors', 'semantics.json');

const vectors: TestVector[] = [];
for (const { name, model, inputs } of HAND_MODELS) {
  const all = [...inputs, ...edgeInputs(model, 2, 7)];
  await checkAgreement(model, encodeOnnx(buildIntegerOnnx(model, VAI_VERSION)), all);
  vectors.push(...all.map((input) => makeVector(name, model, input)));
}
const digits = await ensureExampleModel('digits');
const data = await readCsv(join(PROJECT_ROOT, EXAMPLE_MODELS.digits.data));
vectors.push(...(await dirVectors(digits.dir, { random: 1, rows: data.rows.slice(0, 6) })));
await mkdir(dirname(VECTORS_FILE), { recursive: true });
await writeFile(VECTORS_FILE, serializeVectors(vectors));
console.log(`${vectors.length} vectors written to ${VECTORS_FILE}`);
