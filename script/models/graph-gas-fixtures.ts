// npm run fixtures:graph-gas: writes test/sol/fixtures/graphs/*.json, the graphs the Solidity re-executor is measured
// on (bench/sol/GraphGas.t.sol) and checked bit for bit against: the two LeNet-5 models of data/fashion, imported and
// calibrated as `vai model import … --calibrate --input-scale-bits 0 --scale-bits 8` makes them for the circuit and the
// apps (on the first 100 images), and a family of LeNet-5-shaped CNNs of growing width with seeded weights, to find the
// widest that re-executes within 30M gas: conv 5×5 c channels (pad 2) → avg pool 2 → ReLU → conv 5×5 2c → avg pool 2
// → ReLU → dense 10 as the importer folds it (each conv and its pool one conv 6×6 of stride 2, docs/SEMANTICS.md). Each
// file: `{ "model", "encoding", "input", "output" }` (integers as decimal strings), the input an image of the
// Fashion-MNIST test subset.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsv } from '../../lib/data/csv.js';
import { importOnnxGraph } from '../../lib/model/graph-import.js';
import { calibrateGraph } from '../../lib/model/graph-pipeline.js';
import { makeGraphVector } from '../../lib/model/graph-vectors.js';
import { decodeOnnx } from '../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { GraphBuilder, type IntGraph, quantize } from '../../lib/semantics/index.js';

const OUT = join(PROJECT_ROOT, 'test', 'sol', 'fixtures', 'graphs');
/** Widths of the synthetic CNN family (conv channels c and 2c). */
export const CNN_WIDTHS = [4, 6, 8, 10, 12];
const S = 8;

const fashion = await readCsv(join(PROJECT_ROOT, 'data', 'fashion', 'fashion-mnist-test-1000.csv.gz'));
const image = Array.from(fashion.rows[0]!, (v) => quantize(v, S));
await mkdir(OUT, { recursive: true });

async function write(file: string, name: string, graph: IntGraph, input: bigint[]): Promise<void> {
  const { encoding, output } = makeGraphVector(name, graph, input);
  const body = { model: name, encoding, input: input.map(String), output };
  await writeFile(join(OUT, `${file}.json`), `${JSON.stringify(body)}\n`);
  console.log(`${file}: ${(encoding.length - 2) / 2} bytes, ${graph.nodes.length} nodes, S = ${graph.scaleBits}, output ${output.join(',')}`);
}

for (const name of ['lenet5_avg', 'lenet5_max_res']) {
  const fg = importOnnxGraph(decodeOnnx(new Uint8Array(await readFile(join(PROJECT_ROOT, 'data', 'fashion', `${name}.onnx`)))));
  const { graph } = await calibrateGraph(fg, fashion.rows.slice(0, 100), { outputKind: 'argmax', scaleBits: 8, inputScaleBits: 0 });
  await write(
    name,
    name,
    graph,
    Array.from(fashion.rows[0]!, (v) => quantize(v, 0)),
  );
}

/** Deterministic small weights (a linear congruential sequence): the gas does not depend on their values. */
function weights(count: number, seed: number, spread: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s % (2 * spread + 1)) - spread;
  });
}

for (const c of CNN_WIDTHS) {
  const win = (k: number, pad: number, stride = 1) => ({
    kernel: [k, k] as [number, number],
    stride: [stride, stride] as [number, number],
    pads: [pad, pad, pad, pad] as [number, number, number, number],
  });
  const b = new GraphBuilder([1, 28, 28]);
  let t = b.add({ op: 'conv', inputs: [0], window: win(6, 2, 2), groups: 1, outChannels: c, weights: weights(c * 36, 1, 3), bias: weights(c, 2, 99) });
  t = b.add({ op: 'relu', inputs: [t] });
  t = b.add({
    op: 'conv',
    inputs: [t],
    window: win(6, 0, 2),
    groups: 1,
    outChannels: 2 * c,
    weights: weights(2 * c * c * 36, 3, 3),
    bias: weights(2 * c, 4, 99),
  });
  t = b.add({ op: 'relu', inputs: [t] });
  t = b.add({ op: 'reshape', inputs: [t], shape: [2 * c * 25] });
  b.add({ op: 'dense', inputs: [t], outDim: 10, weights: weights(10 * 2 * c * 25, 5, 3), bias: weights(10, 6, 99) });
  const graph = b.build({ scaleBits: S, outputKind: 'argmax', inputMin: 0n, inputMax: quantize(255, S) });
  await write(`cnn_c${c}`, `cnn_c${c}`, graph, image);
}
