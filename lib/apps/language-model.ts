/**
 * The language model of the ProposalTagger app (src-sol/examples/ProposalTagger.sol): the committed GPT
 * (data/gpt) asked for greedy tokens after a title. Its request and answer lengths are the contract's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT_DIR, GPT_FILES, readTokenizer } from '../model/gpt/files.js';
import { decodeIds, encodeText } from '../model/gpt/generate.js';
import { buildTransformerModelDir, DEFAULT_TRANSFORMER_SCALE_BITS } from '../model/gpt/model-dir.js';
import { type GraphModelDir, readAnyModelDir } from '../model/model-dir.js';
import { encodeGenerationRequest, generatedIds } from '../semantics/index.js';
import { EXAMPLE_MODELS_DIR } from './examples.js';

/** ProposalTagger's `PROMPT_LENGTH` and `MAX_TOKENS`: the model's P and N. */
export const TAGGER_GENERATION = { promptLength: 48, maxTokens: 8 } as const;
export const TAGGER_MODEL_NAME = 'gpt';

export type LanguageModelDir = GraphModelDir & { dir: string };

/**
 * Returns the tagger's model folder (`.vai/models/gpt`), importing data/gpt/gpt.onnx first when the folder is
 * missing, unreadable, or was built from another export, scale or generation (a second `npm start` reuses it).
 */
export async function ensureLanguageModel(force = false): Promise<LanguageModelDir> {
  const dir = join(EXAMPLE_MODELS_DIR, TAGGER_MODEL_NAME);
  const floatOnnx = new Uint8Array(await readFile(join(GPT_DIR, GPT_FILES.onnx)));
  if (!force) {
    const cached = await readAnyModelDir(dir).catch(() => null);
    const cachedOnnx = await readFile(join(dir, 'model.onnx')).catch(() => null);
    if (
      cached?.kind === 'graph' &&
      cached.generation?.promptLength === TAGGER_GENERATION.promptLength &&
      cached.generation.maxTokens === TAGGER_GENERATION.maxTokens &&
      cached.manifest.scaleBits === DEFAULT_TRANSFORMER_SCALE_BITS &&
      cachedOnnx !== null &&
      Buffer.from(cachedOnnx).equals(Buffer.from(floatOnnx))
    ) {
      return { ...cached, dir };
    }
  }
  await buildTransformerModelDir({ outDir: dir, name: TAGGER_MODEL_NAME, floatOnnx, generation: TAGGER_GENERATION, tokenizer: await readTokenizer() });
  const built = await readAnyModelDir(dir);
  if (built.kind !== 'graph') throw new Error('unreachable: a transformer folder is a graph model');
  return { ...built, dir };
}

/** The request ProposalTagger's `encodeRequest(title)` builds: all `MAX_TOKENS` tokens asked for. */
export async function taggerRequest(model: GraphModelDir, title: string): Promise<bigint[]> {
  const ids = encodeText(await readTokenizer(), title);
  return encodeGenerationRequest(model.graph, TAGGER_GENERATION, ids, TAGGER_GENERATION.maxTokens);
}

/** The text of an answer (what the contract's `decodeAnswer` gives for an honest one). */
export async function taggerText(output: readonly bigint[]): Promise<string> {
  return decodeIds(await readTokenizer(), generatedIds(output));
}
