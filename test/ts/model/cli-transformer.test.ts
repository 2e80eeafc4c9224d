import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGpt } from '../../../lib/model/gpt/files.js';
import { encodeText, generate } from '../../../lib/model/gpt/generate.js';
import { openSession, ort } from '../../../lib/model/ort.js';
import { PROJECT_ROOT } from '../../../lib/project.js';
import { tempDir } from './fixtures.js';

type Run = { code: number; stdout: string; stderr: string };

function vai(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'vai.js'), ...args], { cwd: PROJECT_ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function expectFailure(r: Run, pattern: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

const ENCODER = join('test', 'fixtures', 'onnx', 'encoder_classifier_opset17.onnx');

describe('vai model with transformers (subprocess)', () => {
  let work: string;
  let lm: string;

  beforeAll(async () => {
    work = await tempDir('vai-cli-lm-');
    lm = join(work, 'gpt');
  });

  it('import takes the GPT as torch.onnx.export wrote it and writes a language model folder', async () => {
    const r = await vai('model', 'import', 'data/gpt/gpt.onnx', '--out', lm, '--generate', '32:6', '--tokenizer', 'data/gpt/tokenizer.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      kind: 'transformer',
      format: 'vai-int-graph/1',
      inputLength: 33,
      outputLength: 6,
      generation: { promptLength: 32, maxTokens: 6 },
    });
    expect(out.nodes.length).toBeGreaterThan(40);
    expect(JSON.parse(await readFile(join(lm, 'model.json'), 'utf8')).tokenizer.context).toBe(64);
  }, 120_000);

  it('run prints the generated text, the same ids as greedy generation in the library, both engines agreeing', async () => {
    const r = await vai('model', 'run', lm, '--prompt', 'Q: Why', '--tokens', '4', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const gpt = await loadGpt();
    const ids = generate(gpt.graph, encodeText(gpt.tokenizer, 'Q: Why'), 4);
    expect(out.output).toEqual([...ids.map(String), '-1', '-1']);
    expect(out.text).toBe(ids.map((i) => gpt.tokenizer.vocab[i]).join(''));
    expect(out.engines).toEqual(['onnxruntime', 'reference']);
    const text = await vai('model', 'run', lm, '--prompt', 'Q: Why', '--tokens', '4');
    expect(text.stdout).toContain(`text        ${JSON.stringify(out.text)}`);
  }, 120_000);

  it('run refuses a request the model would refuse, by what is wrong', async () => {
    expectFailure(await vai('model', 'run', lm, '--prompt', 'Q', '--tokens', '7'), /asks for 7 tokens; the model generates 1 to 6/);
    expectFailure(await vai('model', 'run', lm, '--prompt', 'naïve'), /not in the model's vocabulary/);
    const holey = JSON.stringify([2, -1, 5, ...new Array(30).fill(-1)]);
    expectFailure(await vai('model', 'run', lm, '--input', holey), /after the padding/);
  }, 60_000);

  it('eval --json on held-out text reports the next-token figures; the engines agree on every logit', async () => {
    const r = await vai('model', 'eval', lm, '--data', 'data/gpt/heldout.txt', '--windows', '2', '--timed-rows', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.engineAgreement).toBe(1);
    expect(out.nextToken.positions).toBe(128);
    expect(out.nextToken.top1Agreement).toBeGreaterThanOrEqual(0.97);
    expect(Math.abs(out.nextToken.integerPerplexity / out.nextToken.floatPerplexity - 1)).toBeLessThan(0.03);
    expect(Math.abs(out.integerAccuracy - out.floatAccuracy)).toBeLessThan(0.03);
  }, 120_000);

  it('imports an nn.TransformerEncoderLayer classifier and evaluates it on token-id rows with floatAccuracy, integerAccuracy, engineAgreement', async () => {
    const dir = join(work, 'encoder');
    const imported = await vai('model', 'import', ENCODER, '--out', dir, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ kind: 'transformer', outputLength: 3 });
    // Rows of 16 token ids labelled by the float model itself: the figures then measure what quantization loses.
    const session = await openSession(new Uint8Array(await readFile(join(PROJECT_ROOT, ENCODER))));
    const lines: string[] = [];
    for (let r = 0; r < 24; r++) {
      const ids = Array.from({ length: 16 }, (_, i) => (r * 7 + i * (r + 3)) % 20);
      const f = (await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, 16]) })).logits!.data as Float32Array;
      const label = f.indexOf(Math.max(...f));
      lines.push([...ids, label].join(','));
    }
    await session.release();
    const csv = join(work, 'tokens.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    const r = await vai('model', 'eval', dir, '--data', csv, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.engineAgreement).toBe(1);
    expect(out.floatAccuracy).toBe(1);
    expect(out.integerAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(out.rows).toBe(24);
    expect(out.nextToken).toBeUndefined();
  }, 120_000);

  it('import says which options belong to which kind of model', async () => {
    expectFailure(await vai('model', 'import', join('test', 'fixtures', 'onnx', 'torch_flatten_gemm_opset17.onnx'), '--out', join(work, 'mlp')), /--calibrate/);
    expectFailure(
      await vai(
        'model',
        'import',
        join('test', 'fixtures', 'onnx', 'torch_flatten_gemm_opset17.onnx'),
        '--out',
        join(work, 'mlp'),
        '--calibrate',
        'x.csv',
        '--generate',
        '8:2',
      ),
      /does not take token ids/,
    );
    expectFailure(await vai('model', 'run', join(work, 'encoder'), '--prompt', 'hi'), /not a language model/);
  }, 60_000);
});
