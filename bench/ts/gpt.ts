// npm run bench:gpt: quality and speed of the committed GPT (data/gpt) under the integer semantics.
// Next-token top-1 agreement between the integer reference and the float model (onnxruntime on the
// exported .onnx) over held-out text with teacher forcing, the perplexity of both, and the speed of
// greedy generation. Writes bench/results/gpt.md. Usage: bench/ts/gpt.ts [scaleBits] [positions].
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { argmax as argmaxFloat, negLogSoftmax as nll } from '../../lib/model/float.js';
import { decodeIds, encodeText, generate, windowLogits } from '../../lib/model/gpt/generate.js';
import { GPT_SCALE_BITS, loadGpt, readHeldout } from '../../lib/model/gpt/files.js';
import { buildTransformerOnnx } from '../../lib/model/gpt/intgraph.js';
import { openSession, ort } from '../../lib/model/ort.js';
import { encodeOnnx } from '../../lib/onnx/index.js';
import { PROJECT_ROOT } from '../../lib/project.js';
import { argmax as argmaxInt, compiledGraph } from '../../lib/semantics/index.js';

const TARGET_AGREEMENT = 0.99;
const TARGET_PERPLEXITY_GAP = 0.03;
const TARGET_INT_ORT_TPS = 50;

const scaleBits = Number(process.argv[2] ?? GPT_SCALE_BITS);
const wanted = Number(process.argv[3] ?? 10_000);
const prompts = Number(process.argv[4] ?? 20);

const { onnx, graph, tokenizer } = await loadGpt(scaleBits);
const T = graph.inputShape.at(-1)!;
const ids = encodeText(tokenizer, await readHeldout());
// Compile (plans and bounds) before anything else uses the graph, to time it alone.
const t0 = Date.now();
compiledGraph(graph);
const compileMs = Date.now() - t0;
const session = await openSession(onnx);
const intSession = await openSession(encodeOnnx(buildTransformerOnnx(graph, 'bench')));

const floatLogits = async (window: readonly number[]): Promise<Float32Array> => {
  const input = new ort.Tensor('int64', BigInt64Array.from(window, BigInt), [1, T]);
  const out = await session.run({ [session.inputNames[0]!]: input });
  return out[session.outputNames[0]!]!.data as Float32Array;
};

/** The integer graph in onnxruntime: `[T][vocab]` logits of a full window. */
const intOrtLogits = async (window: readonly number[]): Promise<bigint[][]> => {
  const out = await intSession.run({ input: new ort.Tensor('int64', BigInt64Array.from(window, BigInt), graph.inputShape) });
  const flat = out.output!.data as BigInt64Array;
  const vocab = flat.length / T;
  return Array.from({ length: T }, (_, t) => Array.from(flat.subarray(t * vocab, (t + 1) * vocab)));
};

let positions = 0;
let ortLogitMismatches = 0;
let ortWindows = 0;
let agree = 0;
let floatNll = 0;
let intNll = 0;
let intMs = 0;
const one = 2 ** scaleBits;
for (let start = 0; positions < wanted && start + T + 1 <= ids.length; start += T) {
  const window = ids.slice(start, start + T);
  const f = await floatLogits(window);
  const t = Date.now();
  const logits = windowLogits(graph, window);
  intMs += Date.now() - t;
  const viaOrt = await intOrtLogits(window);
  ortWindows++;
  logits.forEach((row, p) => {
    if (row.some((v, k) => v !== viaOrt[p]![k])) ortLogitMismatches++;
  });
  const vocab = logits[0]!.length;
  for (let p = 0; p < T && positions < wanted; p++, positions++) {
    const target = ids[start + p + 1]!;
    const fl = f.subarray(p * vocab, (p + 1) * vocab);
    const il = logits[p]!;
    if (argmaxFloat(fl) === argmaxInt(il)) agree++;
    floatNll += nll(fl, target);
    intNll += nll(
      il.map((v) => Number(v) / one),
      target,
    );
  }
}
const agreement = agree / positions;
const floatPpl = Math.exp(floatNll / positions);
const intPpl = Math.exp(intNll / positions);
const gap = intPpl / floatPpl - 1;

// Generation speed: greedy, 32 new tokens from a held-out prompt, full-window recomputation (no cache).
const prompt = ids.slice(0, 16);
const count = 32;
let t = Date.now();
const generated = generate(graph, prompt, count);
const refTps = count / ((Date.now() - t) / 1000);
t = Date.now();
const seq = [...prompt];
for (let n = 0; n < count; n++) {
  const window = seq.slice(-T);
  const f = await floatLogits([...window, ...new Array<number>(T - window.length).fill(0)]);
  const vocab = f.length / T;
  seq.push(argmaxFloat(f.subarray((window.length - 1) * vocab, window.length * vocab)));
}
const floatTps = count / ((Date.now() - t) / 1000);
const floatGenerated = seq.slice(prompt.length);

// The integer graph in onnxruntime: greedy generation speed, and agreement with the reference on
// every generated token of `prompts` held-out prompts × 32 tokens.
const ortGenerate = async (start: readonly number[], n: number): Promise<number[]> => {
  const s = [...start];
  for (let k = 0; k < n; k++) {
    const window = s.slice(-T);
    const logits = await intOrtLogits([...window, ...new Array<number>(T - window.length).fill(0)]);
    s.push(argmaxInt(logits[window.length - 1]!));
  }
  return s.slice(start.length);
};
t = Date.now();
const ortGenerated = await ortGenerate(prompt, count);
const intOrtTps = count / ((Date.now() - t) / 1000);
let tokenDisagreements = ortGenerated.filter((g, i) => g !== generated[i]).length;
let comparedTokens = count;
for (let k = 1; k < prompts; k++) {
  const p = ids.slice(k * 97, k * 97 + 8 + (k % 24));
  const a = await ortGenerate(p, count);
  const b = generate(graph, p, count);
  tokenDisagreements += a.filter((g, i) => g !== b[i]).length;
  comparedTokens += count;
}
const sameTokens = generated.filter((g, i) => g === floatGenerated[i]).length;

const lines = [
  '# GPT (issue 13): integer vs float quality, and speed',
  '',
  `Model: data/gpt/gpt.onnx (${graph.nodes.length} integer nodes, context ${T}, vocabulary ${tokenizer.vocab.length}), scale 2^${scaleBits}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, shared.`,
  '',
  '| figure | value | target |',
  '|---|---|---|',
  `| next-token top-1 agreement, integer vs float (teacher forcing, ${positions.toLocaleString('en-US')} held-out positions) | ${(agreement * 100).toFixed(2)} % | >= ${TARGET_AGREEMENT * 100} % |`,
  `| perplexity, float (onnxruntime) | ${floatPpl.toFixed(4)} | |`,
  `| perplexity, integer (reference) | ${intPpl.toFixed(4)} (${gap >= 0 ? '+' : ''}${(gap * 100).toFixed(2)} %) | within ${TARGET_PERPLEXITY_GAP * 100} % |`,
  `| reference executor, one ${T}-token window | ${(intMs / Math.ceil(positions / T)).toFixed(0)} ms (compile once: ${compileMs} ms) | |`,
  `| greedy generation, reference executor | ${refTps.toFixed(1)} tokens/s | |`,
  `| greedy generation, integer graph in onnxruntime (int64 ops, one thread) | ${intOrtTps.toFixed(1)} tokens/s | >= ${TARGET_INT_ORT_TPS} |`,
  `| greedy generation, float onnxruntime (for comparison) | ${floatTps.toFixed(1)} tokens/s | |`,
  `| integer onnxruntime vs reference: logit rows that differ (teacher forcing, ${ortWindows} windows, ${(ortWindows * T).toLocaleString('en-US')} rows) | ${ortLogitMismatches} | 0 |`,
  `| integer onnxruntime vs reference: generated tokens that differ (${prompts} prompt${prompts === 1 ? '' : 's'} × ${count}) | ${tokenDisagreements} of ${comparedTokens} | 0 |`,
  `| generated tokens equal to the float model's (${count} from a 16-character prompt) | ${sameTokens} / ${count} | |`,
  '',
  `Run: ${new Date().toISOString().slice(0, 16)} UTC, \`npm run bench:gpt -- ${scaleBits} ${wanted} ${prompts}\`. Generation recomputes the whole window per token (no key-value cache). The issue asks for >= 200`,
  'prompts × 32 tokens in the engine agreement; the default here is 20 (pass a larger count as the',
  'third argument): each reference token costs a full-window forward pass in bigint arithmetic.',
  '',
  `Prompt ${JSON.stringify(decodeIds(tokenizer, prompt))} → integer ${JSON.stringify(decodeIds(tokenizer, generated))}, float ${JSON.stringify(decodeIds(tokenizer, floatGenerated))}.`,
  '',
];
const text = lines.join('\n');
console.log(text);
const dir = join(PROJECT_ROOT, 'bench', 'results');
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'gpt.md'), text);
