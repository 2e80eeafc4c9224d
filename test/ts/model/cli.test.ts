import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnx, node } from '../../../lib/onnx/index.js';
import { vectorFileSchema } from '../../../lib/model/vectors.js';
import { pytorchImageMlp, randomRows, tempDir, toCsv } from './fixtures.js';
import { PROJECT_ROOT } from '../../../lib/project.js';

type Run = { code: number; stdout: string; stderr: string };

function vai(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'vai.js'), ...args], { cwd: PROJECT_ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A failed command: non-zero exit, one `error:` line on stderr. */
function expectFailure(r: Run, pattern: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('vai model (subprocess)', () => {
  let work: string;
  let iris: string;

  beforeAll(async () => {
    work = await tempDir('vai-cli-');
    iris = join(work, 'iris');
    const r = await vai('model', 'train', '--data', 'data/iris.csv', '--out', iris, '--hidden', '8', '--epochs', '30', '--json');
    expect(r.code, r.stderr).toBe(0);
  });

  it('train --json reports the manifest, bounds and training figures', async () => {
    const manifest = JSON.parse(await readFile(join(iris, 'model.json'), 'utf8'));
    const r = await vai('model', 'train', '--data', 'data/iris.csv', '--out', iris, '--hidden', '8', '--epochs', '30', '--json');
    const out = JSON.parse(r.stdout);
    expect(out.modelHash).toBe(manifest.modelHash); // same seed: same model, folder replaced in place
    expect(out.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(out.bounds).toHaveLength(2);
    expect(out.training.testAccuracy).toBeGreaterThan(0.8);
    expect((await readdir(iris)).sort()).toEqual(['model.int.onnx', 'model.json', 'model.onnx']);
  });

  it('run quantizes a float input and reports both engines', async () => {
    const r = await vai('model', 'run', iris, '--input', '[5.1, 3.5, 1.4, 0.2]', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.output).toEqual(['0']);
    expect(out.label).toBe('setosa');
    expect(out.engines).toEqual(['onnxruntime', 'reference']);
    expect(out.inputHash).toMatch(/^0x[0-9a-f]{64}$/);
    const human = await vai('model', 'run', iris, '--input', '[6.7, 3.0, 5.2, 2.3]');
    expect(human.stdout).toMatch(/output +\[2\] \(virginica\)/);
    expect(human.stdout).toMatch(/onnxruntime and reference agree/);
  });

  it('run --int takes quantized integers', async () => {
    const manifest = JSON.parse(await readFile(join(iris, 'model.json'), 'utf8'));
    const S = manifest.scaleBits as number;
    const input = [5.1, 3.5, 1.4, 0.2].map((v) => String(Math.floor(v * 2 ** S + 0.5)));
    const r = await vai('model', 'run', iris, '--int', '--input', JSON.stringify(input), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).output).toEqual(['0']);
  });

  it('run refuses a wrong length, NaN, infinities and out-of-range values', async () => {
    expectFailure(await vai('model', 'run', iris, '--input', '[1, 2, 3]'), /Input has 3 values, the model takes 4/);
    expectFailure(await vai('model', 'run', iris, '--input', '[NaN, 1, 2, 3]'), /not valid JSON/);
    expectFailure(await vai('model', 'run', iris, '--input', '[1e400, 1, 2, 3]'), /value at index 0 is not finite/);
    expectFailure(await vai('model', 'run', iris, '--input', '[100, 1, 1, 1]'), /outside the model's range/);
    expectFailure(await vai('model', 'run', iris, '--int', '--input', '[1.5, 1, 1, 1]'), /array of integers/);
    expectFailure(await vai('model', 'run', iris, '--input', '[1, "x", 1, 1]'), /index 1 is not a number/);
    const json = await vai('model', 'run', iris, '--input', '[1, 2, 3]', '--json');
    expect(JSON.parse(json.stdout).error.name).toBe('InputLengthError');
  });

  it('import refuses malformed, truncated and unsupported ONNX and writes nothing', async () => {
    const csv = join(work, 'calib.csv');
    await writeFile(csv, toCsv(randomRows(20, 64, 0, 16, 1)));
    const garbage = join(work, 'garbage.onnx');
    await writeFile(garbage, 'definitely not protobuf');
    const truncated = join(work, 'truncated.onnx');
    const good = encodeOnnx(pytorchImageMlp());
    await writeFile(truncated, good.subarray(0, good.length - 200));
    const unsupported = join(work, 'unsupported.onnx');
    const m = pytorchImageMlp();
    // Tanh is an integer-graph op now; Erf is supported by neither importer.
    m.graph.nodes[2] = node('Erf', ['/fc1/Gemm_output_0'], ['/relu/Relu_output_0'], [], '/act/Erf');
    await writeFile(unsupported, encodeOnnx(m));
    const out = join(work, 'imported');
    expectFailure(await vai('model', 'import', garbage, '--calibrate', csv, '--out', out), /Cannot read ONNX model/);
    expectFailure(await vai('model', 'import', truncated, '--calibrate', csv, '--out', out), /Cannot read ONNX model/);
    expectFailure(await vai('model', 'import', unsupported, '--calibrate', csv, '--out', out), /Unsupported ONNX op Erf in node "\/act\/Erf"/);
    expectFailure(await vai('model', 'import', join(work, 'missing.onnx'), '--calibrate', csv, '--out', out), /cannot read .*missing.onnx/);
    const good2 = join(work, 'good.onnx');
    await writeFile(good2, good);
    const ok = await vai('model', 'import', good2, '--calibrate', csv, '--out', out, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).inputShape).toEqual([1, 1, 8, 8]);
    expect((await readdir(work)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('train refuses a CSV with a bad row, naming the line, and leaves no folder', async () => {
    const bad = join(work, 'bad.csv');
    await writeFile(bad, 'a,b,label\n1,2,0\n3,4,1\n5,oops,0\n');
    const out = join(work, 'bad-model');
    expectFailure(await vai('model', 'train', '--data', bad, '--out', out), /bad\.csv:4: column 2 is not a finite number: "oops"/);
    expect((await readdir(work)).filter((f) => f.startsWith('bad-model') || f.includes('.tmp-'))).toEqual([]);
  });

  it('eval --json reports accuracy, agreement, logit error and timing', async () => {
    const r = await vai('model', 'eval', iris, '--data', 'data/iris.csv', '--split', 'test', '--timed-rows', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows).toBe(30);
    expect(out.engineAgreement).toBe(1);
    expect(out.integerAccuracy).toBeGreaterThan(0.8);
    expect(out.timing.integerOnnxruntime.singleMicros).toBeGreaterThan(0);
    expect(out.timing.reference.singleMicros).toBeGreaterThan(0);
  });

  it('build makes (or reuses) an example model and refuses unknown names', async () => {
    const r = await vai('model', 'build', 'breast-cancer', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dir).toBe(join(PROJECT_ROOT, '.vai', 'models', 'breast-cancer'));
    expect(out.modelHash).toMatch(/^0x[0-9a-f]{64}$/);
    const bad = await vai('model', 'build', 'mnist');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Allowed choices are digits, breast-cancer/);
  });

  it('vectors writes the shared vector format', async () => {
    const file = join(work, 'vectors.json');
    const r = await vai('model', 'vectors', iris, '--out', file, '--data', 'data/iris.csv', '--rows', '3', '--random', '2');
    expect(r.code, r.stderr).toBe(0);
    const { vectors } = vectorFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(vectors.length).toBe(3 + 2 + 3); // min (= zeros here), max, alternating; random; data rows
  });
});
