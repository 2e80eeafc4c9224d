import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphTraces, type Pending } from '../../../adapter/roles/graph-traces.js';
import { GPT_DIR, GPT_FILES } from '../../../lib/model/gpt/files.js';
import { buildTransformerModelDir } from '../../../lib/model/gpt/model-dir.js';
import { encodeGenerationRequest, type Generation, graphTraceCommitment } from '../../../lib/semantics/index.js';
import type { IntGraph } from '../../../lib/semantics/graph.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { tempDir } from './helpers/node.js';

// The node's graph traces, computed in a worker thread from the model folder: the same trace as in line, kept once
// ready, and a clear failure for a folder that is not a generation model.

const gen: Generation = { promptLength: 48, maxTokens: 1 };
let dir: string;
let graph: IntGraph;
beforeAll(async () => {
  const built = await buildTransformerModelDir({
    outDir: join(tempDir('vai-graph-traces-'), 'gpt-1'),
    name: 'gpt-1',
    floatOnnx: new Uint8Array(await readFile(join(GPT_DIR, GPT_FILES.onnx))),
    generation: gen,
  });
  dir = built.dir;
  graph = built.graph;
}, 180_000);

async function ready<T>(look: () => Pending<T>): Promise<Pending<T>> {
  for (;;) {
    const p = look();
    if (p.state !== 'computing') return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('graph traces in a worker thread', () => {
  it('computes the trace the reference computes in line, once', async () => {
    const traces = new GraphTraces();
    const input = encodeGenerationRequest(graph, gen, [3, 9, 27], 1);
    expect(traces.trace(dir, input)).toEqual({ state: 'computing' });
    const done = await ready(() => traces.trace(dir, input));
    const expected = graphTraceCommitment(graph, gen, input);
    expect(done).toEqual({ state: 'ready', value: expected });
    expect(traces.trace(dir, input)).toBe(done);
  }, 120_000);

  it('fails a folder that is not a generation model, and computes again once forgotten', async () => {
    const traces = new GraphTraces();
    const chain = writeModelDir(classifier);
    const failed = await ready(() => traces.stepsRoot(chain));
    expect(failed).toEqual({ state: 'failed', error: `${chain} is not a generation model: it has no graph trace` });
    traces.forget(failed);
    expect(traces.stepsRoot(chain)).toEqual({ state: 'computing' });
  }, 60_000);
});
