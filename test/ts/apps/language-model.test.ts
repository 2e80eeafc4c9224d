import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureLanguageModel, TAGGER_GENERATION, taggerRequest, taggerText } from '../../../lib/apps/language-model.js';
import { referenceOutput } from '../../../lib/model/model-dir.js';

describe("the ProposalTagger's language model", () => {
  it('is imported once into .vai/models/gpt and reused', async () => {
    const first = await ensureLanguageModel();
    const written = (await stat(join(first.dir, 'model.json'))).mtimeMs;
    const again = await ensureLanguageModel();
    expect((await stat(join(again.dir, 'model.json'))).mtimeMs).toBe(written);
    expect(again.generation).toEqual(TAGGER_GENERATION);
    expect(again.manifest).toMatchObject({ inputLength: 49, outputLength: 8, inputRange: ['-1', '95'] });
  }, 120_000);

  it("builds the contract's request (id = ASCII - 31, newline 0, then -1) and reads its answer back as text", async () => {
    const lm = await ensureLanguageModel();
    const request = await taggerRequest(lm, 'Hi\n~ ');
    expect(request.slice(0, 6)).toEqual([8n, 41n, 74n, 0n, 95n, 1n]);
    expect(request.slice(6).every((v) => v === -1n)).toBe(true);
    const output = await referenceOutput(lm, await taggerRequest(lm, 'Q: Fund the garden?'));
    expect(output).toHaveLength(8);
    expect(await taggerText(output)).toHaveLength(8);
  }, 120_000);
});
