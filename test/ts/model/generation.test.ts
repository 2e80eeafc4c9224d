import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import { OnnxEngine } from '../../../adapter/inference/onnx.js';
import { GPT_DIR, GPT_FILES, loadGpt, type LoadedGpt } from '../../../lib/model/gpt/files.js';
import { decodeIds, encodeText, generate } from '../../../lib/model/gpt/generate.js';
import { buildTransformerModelDir } from '../../../lib/model/gpt/model-dir.js';
import { readAnyModelDir, referenceOutput, validateModelInput } from '../../../lib/model/model-dir.js';
import {
  decodeGenerationRequest,
  encodeGenerationRequest,
  GENERATION_PAD,
  generatedIds,
  GenerationInputError,
  generationHash,
  graphHash,
  InputLengthError,
  InputRangeError,
  InvalidGraphError,
  ManifestError,
} from '../../../lib/semantics/index.js';

const GEN = { promptLength: 32, maxTokens: 6 };
let gpt: LoadedGpt;
let dir: string;
let lm: LoadedModel;
const onnx = new OnnxEngine();

beforeAll(async () => {
  gpt = await loadGpt();
  dir = join(mkdtempSync(join(tmpdir(), 'vai-lm-')), 'gpt');
  const floatOnnx = new Uint8Array(await readFile(join(GPT_DIR, GPT_FILES.onnx)));
  await buildTransformerModelDir({ outDir: dir, name: 'gpt', floatOnnx, generation: GEN, tokenizer: gpt.tokenizer });
  lm = (await ModelCatalog.load([dir])).get('gpt');
}, 120_000);
afterAll(() => onnx.close());

describe('generation as an inference', () => {
  it('encodes a request as [n, prompt ids, -1 padding] and refuses what is not one', () => {
    const g = gpt.graph;
    const V = gpt.tokenizer.vocab.length;
    const input = encodeGenerationRequest(g, GEN, [5, 6, 7], 4);
    expect(input).toHaveLength(1 + GEN.promptLength);
    expect(input.slice(0, 4)).toEqual([4n, 5n, 6n, 7n]);
    expect(input.slice(4).every((v) => v === GENERATION_PAD)).toBe(true);
    expect(decodeGenerationRequest(g, GEN, input)).toEqual({ prompt: [5, 6, 7], count: 4 });
    const bad = (edit: (x: bigint[]) => void) => {
      const x = [...input];
      edit(x);
      return () => decodeGenerationRequest(g, GEN, x);
    };
    expect(bad((x) => (x[0] = 0n))).toThrow(GenerationInputError); // no tokens asked for
    expect(bad((x) => (x[0] = BigInt(GEN.maxTokens + 1)))).toThrow(/generates 1 to 6/);
    expect(bad((x) => (x[1] = GENERATION_PAD))).toThrow(/after the padding/); // a hole in the prompt
    expect(bad((x) => x.fill(GENERATION_PAD, 1))).toThrow(/prompt is empty/);
    expect(bad((x) => (x[2] = BigInt(V)))).toThrow(InputRangeError);
    expect(bad((x) => (x[2] = -2n))).toThrow(InputRangeError);
    expect(() => decodeGenerationRequest(g, GEN, input.slice(1))).toThrow(InputLengthError);
    expect(() => encodeGenerationRequest(g, GEN, new Array<number>(GEN.promptLength + 1).fill(1), 1)).toThrow(GenerationInputError);
    expect(() => encodeGenerationRequest(g, { promptLength: 65, maxTokens: 4 }, [1], 1)).toThrow(InvalidGraphError);
  });

  it('is a model of its own: the hash commits to P and N, the registry sees 1 + P inputs in [-1, V - 1] and N outputs', async () => {
    expect(lm.kind).toBe('graph');
    expect(lm.modelHash).toBe(generationHash(gpt.graph, GEN));
    expect(lm.modelHash).not.toBe(graphHash(gpt.graph));
    expect(generationHash(gpt.graph, { ...GEN, maxTokens: 7 })).not.toBe(lm.modelHash);
    expect(lm.manifest).toMatchObject({ inputLength: 33, outputLength: 6, inputRange: ['-1', '95'], generation: GEN });
    // A manifest whose generation was edited is refused: its hash is no longer its own.
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { generation: { maxTokens: number } };
    json.generation.maxTokens = 8;
    const edited = join(mkdtempSync(join(tmpdir(), 'vai-lm-')));
    await writeFile(join(edited, 'model.json'), JSON.stringify(json));
    await expect(readAnyModelDir(edited)).rejects.toThrow(ManifestError);
  });

  it('answers the greedy ids (ties to the lowest id), then -1, the same as step-by-step generation', async () => {
    const prompt = encodeText(gpt.tokenizer, 'Q: What is');
    const input = encodeGenerationRequest(gpt.graph, GEN, prompt, 4);
    validateModelInput(lm, input);
    const output = await referenceOutput(lm, input);
    expect(output).toHaveLength(GEN.maxTokens);
    expect(output.slice(4)).toEqual([GENERATION_PAD, GENERATION_PAD]);
    expect(generatedIds(output)).toEqual(generate(gpt.graph, prompt, 4));
    expect(decodeIds(gpt.tokenizer, generatedIds(output))).toHaveLength(4);
  }, 60_000);

  it('gives the same answer bit for bit in onnxruntime (which runs every window) and the reference executor', async () => {
    expect(OnnxEngine.available(lm)).toBe(true);
    // A one-token prompt and a prompt that fills P (the window sliding past the context: the next test).
    const prompts = [encodeText(gpt.tokenizer, 'A'), encodeText(gpt.tokenizer, 'The quick brown fox jumps over t')];
    for (const prompt of prompts) {
      const input = encodeGenerationRequest(gpt.graph, GEN, prompt, GEN.maxTokens);
      expect(await onnx.run(lm, input)).toEqual(await referenceOutput(lm, input));
    }
  }, 120_000);

  it('slides the window past the context the same way in both engines', async () => {
    const full = { promptLength: 64, maxTokens: 3 };
    const wide = join(mkdtempSync(join(tmpdir(), 'vai-lm-')), 'gpt64');
    await buildTransformerModelDir({ outDir: wide, name: 'gpt64', floatOnnx: gpt.onnx, generation: full });
    const model = (await ModelCatalog.load([wide])).get('gpt64');
    const prompt = Array.from({ length: 64 }, (_, i) => (i * 11) % gpt.tokenizer.vocab.length);
    const input = encodeGenerationRequest(gpt.graph, full, prompt, 3);
    const output = await referenceOutput(model, input);
    expect(generatedIds(output)).toEqual(generate(gpt.graph, prompt, 3));
    expect(await onnx.run(model, input)).toEqual(output);
  }, 120_000);
});
