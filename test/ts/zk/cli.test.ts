import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphHash, graphManifestFromGraph, runGraph, runReference } from '../../../lib/semantics/index.js';
import { HAND_GRAPHS } from '../../../lib/model/hand-graphs.js';
import { parseProverFlag } from '../../../commands/zk-actions.js';
import { parseInput } from '../../../lib/protocol/index.js';
import { tinyArgmaxModel, tinyLogitsModel, writeModelDir } from '../../../lib/zk/sample-models.js';
import { PROJECT_ROOT } from '../../../lib/project.js';

/** Anvil's default accounts 1 and 2. */
const PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

function vai(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'vai.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, VAI_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('parseInput (--input)', () => {
  it('takes integers with --int and quantizes real values without it', () => {
    expect(parseInput('[1, "-2", 3]', 4, { integers: true })).toEqual([1n, -2n, 3n]);
    expect(parseInput('[0.5, -0.25, 1]', 4, { integers: false })).toEqual([8n, -4n, 16n]);
  });
  it('names the parameter on bad input', () => {
    expect(() => parseInput('nope', 4, { integers: true })).toThrow(/\[Param: input\]/);
    expect(() => parseInput('{"a":1}', 4, { integers: true })).toThrow(/\[Param: input\]/);
    expect(() => parseInput('[1.5]', 4, { integers: true })).toThrow(/not an integer/);
  });
});

describe('parseProverFlag', () => {
  it('returns the checksummed address and names the parameter otherwise', () => {
    expect(parseProverFlag('0x70997970c51812dc3a010c7d01b50e0d17dc79c8')).toBe(PROVER);
    expect(() => parseProverFlag('0x1234')).toThrow(/^\[Param: prover\] "0x1234" is not an address/);
    expect(() => parseProverFlag('alice')).toThrow(/\[Param: prover\]/);
  });
});

describe('vai zk setup | prove | verify (subprocess)', () => {
  let root: string;
  let dir: string;
  let other: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vai-zk-cli-'));
    dir = join(root, 'tiny');
    other = join(root, 'other');
    await writeModelDir(dir, tinyLogitsModel, 'tiny');
    await writeModelDir(other, tinyArgmaxModel, 'other');
  });

  it('runs the pipeline with --json', async () => {
    const setup = await vai(['zk', 'setup', dir, '--json']);
    expect(setup.code, setup.stderr).toBe(0);
    const s = JSON.parse(setup.stdout) as { ok: boolean; constraints: number; nPublic: number };
    expect(s.ok).toBe(true);
    expect(s.constraints).toBeGreaterThan(0);
    expect(s.nPublic).toBe(3); // one packed output signal, one packed input signal, the prover

    const out = join(root, 'proof.json');
    const prove = await vai(['zk', 'prove', dir, '--input', '[3, -8, 8]', '--int', '--prover', PROVER.toLowerCase(), '--out', out, '--json']);
    expect(prove.code, prove.stderr).toBe(0);
    expect(JSON.parse(prove.stdout)).toMatchObject({ output: runReference(tinyLogitsModel, [3n, -8n, 8n]).map(String), prover: PROVER });
    const file = JSON.parse(await readFile(out, 'utf8')) as { format: string; prover: string; calldata: string };
    expect(file.format).toBe('vai-zk-proof/2');
    expect(file.prover).toBe(PROVER);
    expect(file.calldata).toMatch(/^0x[0-9a-f]{512}$/);

    const verify = await vai(['zk', 'verify', dir, '--proof', out, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, valid: true, prover: PROVER });

    // The proof is worthless to another submitter.
    const copied = await vai(['zk', 'verify', dir, '--proof', out, '--prover', OTHER, '--json']);
    expect(copied.code).toBe(1);
    expect(JSON.parse(copied.stdout)).toMatchObject({ ok: false, valid: false, prover: OTHER });
    const edited = join(root, 'edited.json');
    await writeFile(edited, JSON.stringify({ ...JSON.parse(await readFile(out, 'utf8')), prover: OTHER }));
    expect((await vai(['zk', 'verify', dir, '--proof', edited])).code).toBe(1);

    // Real values are quantized with the model scale (2^2): [0.75, -2, 2] is [3, -8, 8].
    const real = await vai(['zk', 'prove', dir, '--input', '[0.75, -2, 2]', '--prover', PROVER, '--out', join(root, 'real.json')]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/output\s+\[3, 61\]/);

    // A tampered proof file fails with exit code 1.
    const tampered = join(root, 'tampered.json');
    const json = JSON.parse(await readFile(out, 'utf8')) as { output: string[] };
    json.output[0] = String(Number(json.output[0]) + 1);
    await writeFile(tampered, JSON.stringify(json));
    const bad = await vai(['zk', 'verify', dir, '--proof', tampered, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, valid: false });
  });

  it('fails with one line and a non-zero exit code', async () => {
    const outOfRange = await vai(['zk', 'prove', dir, '--input', '[3, -9, 8]', '--int', '--prover', PROVER, '--out', join(root, 'x.json')]);
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr.trim().split('\n')).toHaveLength(1);
    expect(outOfRange.stderr).toMatch(/^error: Input value -9 at index 1 is outside/);

    const noSetup = await vai(['zk', 'prove', other, '--input', '[1, 2, 3]', '--int', '--prover', PROVER, '--json']);
    expect(noSetup.code).toBe(1);
    expect(noSetup.stderr.trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(noSetup.stdout) as { error: { name: string; message: string } };
    expect(doc.error.name).toBe('ZkArtifactError');
    expect(doc.error.message).toMatch(/No ZK set-up .*Run the set-up first: vai zk setup/);

    const noProver = await vai(['zk', 'prove', dir, '--input', '[3, -8, 8]', '--int', '--out', join(root, 'x.json')]);
    expect(noProver.code).toBe(1);
    expect(noProver.stderr).toMatch(/required option '--prover <address>' not specified/);
    const badProver = await vai(['zk', 'prove', dir, '--input', '[3, -8, 8]', '--int', '--prover', '0x12', '--out', join(root, 'x.json')]);
    expect(badProver.code).toBe(1);
    expect(badProver.stderr.trim().split('\n')).toHaveLength(1);
    expect(badProver.stderr).toMatch(/^error: \[Param: prover\] "0x12" is not an address/);

    const missing = await vai(['zk', 'verify', dir, '--proof', join(root, 'missing.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Cannot read proof file/);
  });
});

describe('vai zk setup | prove | verify on a graph model folder (subprocess)', () => {
  const hg = HAND_GRAPHS.find((g) => g.name === 'graph-residual-argmax')!;
  let dir: string;
  beforeAll(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'vai-zk-cli-graph-')), 'residual');
    await mkdir(dir);
    await writeFile(join(dir, 'model.json'), `${JSON.stringify(graphManifestFromGraph(hg.graph, { name: 'residual' }), null, 1)}\n`);
  });

  it('sets up the graph circuit, proves the reference output and verifies it', async () => {
    const setup = await vai(['zk', 'setup', dir, '--json']);
    expect(setup.code, setup.stderr).toBe(0);
    expect(JSON.parse(setup.stdout)).toMatchObject({ ok: true, modelHash: graphHash(hg.graph) });
    const input = hg.inputs[1]!;
    const out = join(dir, 'proof.json');
    const prove = await vai(['zk', 'prove', dir, '--input', JSON.stringify(input.map(Number)), '--int', '--prover', PROVER, '--out', out, '--json']);
    expect(prove.code, prove.stderr).toBe(0);
    expect(JSON.parse(prove.stdout)).toMatchObject({ output: runGraph(hg.graph, input).map(String), prover: PROVER });
    const verify = await vai(['zk', 'verify', dir, '--proof', out, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, valid: true });
    const copied = await vai(['zk', 'verify', dir, '--proof', out, '--prover', OTHER, '--json']);
    expect(copied.code).toBe(1);
    const batch = await vai(['zk', 'prove', dir, '--batch', '4', '--input', '[[1]]', '--int', '--prover', PROVER]);
    expect(batch.code).toBe(1);
    expect(batch.stderr).toMatch(/not available for graph models/);
  });
});
