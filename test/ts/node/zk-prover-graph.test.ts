import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import { ZkProver } from '../../../adapter/inference/zk.js';
import { ProverError } from '../../../adapter/errors.js';
import { HAND_GRAPHS } from '../../../lib/model/hand-graphs.js';
import { graphManifestFromGraph, runGraph } from '../../../lib/semantics/index.js';
import { setupGraph } from '../../../lib/zk/index.js';

const PROVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('the node prover on a graph model', () => {
  const hg = HAND_GRAPHS.find((g) => g.name === 'graph-residual-argmax')!;
  let root: string;
  let model: LoadedModel;
  const prover = new ZkProver();
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vai-node-zk-graph-'));
    const dir = join(root, 'residual');
    await mkdir(dir);
    await writeFile(join(dir, 'model.json'), `${JSON.stringify(graphManifestFromGraph(hg.graph, { name: 'residual' }), null, 1)}\n`);
    model = (await ModelCatalog.load([dir])).models[0]!;
    expect(prover.canProve(model)).toBe(false);
    await setupGraph(dir, hg.graph, { name: 'residual' });
  });
  afterAll(async () => {
    await prover.close();
    await rm(root, { recursive: true, force: true });
  });

  it('proves the output it is about to submit, and refuses another', async () => {
    expect(model.kind).toBe('graph');
    expect(prover.canProve(model)).toBe(true);
    expect(prover.batchSizes(model)).toEqual([]);
    const input = hg.inputs[1]!;
    const output = runGraph(hg.graph, input);
    expect(await prover.prove(model, input, output, PROVER)).toMatch(/^0x[0-9a-f]{512}$/);
    await expect(prover.prove(model, input, [(output[0]! + 1n) % 3n], PROVER)).rejects.toThrow(ProverError);
  });
});
