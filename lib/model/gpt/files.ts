/**
 * The committed GPT of issue 13 (data/gpt, trained by script/gpt/train.py): its float ONNX file,
 * tokenizer and held-out text, and its import at a chosen scale.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeOnnx } from '../../onnx/index.js';
import { PROJECT_ROOT } from '../../project.js';
import type { IntGraph } from '../../semantics/index.js';
import { type Tokenizer, tokenizerSchema } from './generate.js';
import { importTransformer } from './import.js';

export const GPT_DIR = join(PROJECT_ROOT, 'data', 'gpt');
export const GPT_FILES = { onnx: 'gpt.onnx', tokenizer: 'tokenizer.json', heldout: 'heldout.txt' } as const;
/** The scale the benchmarks and tests import the committed GPT at. */
export const GPT_SCALE_BITS = 12;

export type LoadedGpt = { onnx: Uint8Array; graph: IntGraph; tokenizer: Tokenizer };

export async function readTokenizer(dir = GPT_DIR): Promise<Tokenizer> {
  return tokenizerSchema.parse(JSON.parse(await readFile(join(dir, GPT_FILES.tokenizer), 'utf8')));
}

export async function readHeldout(dir = GPT_DIR): Promise<string> {
  return readFile(join(dir, GPT_FILES.heldout), 'utf8');
}

/** Reads and imports the committed GPT (the graph's context is the tokenizer's). */
export async function loadGpt(scaleBits = GPT_SCALE_BITS, dir = GPT_DIR): Promise<LoadedGpt> {
  const onnx = new Uint8Array(await readFile(join(dir, GPT_FILES.onnx)));
  const tokenizer = await readTokenizer(dir);
  const { graph } = importTransformer(decodeOnnx(onnx), scaleBits);
  return { onnx, graph, tokenizer };
}
