/**
 * The graph trace worker: a generation model's trace (about 48 s for the committed GPT, nearly all of it keccak),
 * its steps commitment (about 32 s) and the last step's call data are computed here, off the node's event loop,
 * so that the node keeps following the chain and sending other transactions meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { type GraphModelDir, readAnyModelDir } from '../../lib/model/model-dir.js';
import { graphStepCall } from '../../lib/protocol/index.js';
import { graphStepsCommitment, graphTraceCommitment } from '../../lib/semantics/index.js';
import type { GraphTraceJob, GraphTraceReply } from './graph-trace-protocol.js';

if (!parentPort) throw new Error('graph-trace-worker must run in a worker thread');
const port = parentPort;

type Generative = GraphModelDir & { generation: NonNullable<GraphModelDir['generation']> };
// Loaded once per folder: the steps commitment is cached on the graph object (graph-steps.ts).
const models = new Map<string, Promise<Generative>>();
function load(dir: string): Promise<Generative> {
  let m = models.get(dir);
  if (!m) {
    m = readAnyModelDir(dir).then((read) => {
      if (read.kind !== 'graph' || !read.generation) throw new Error(`${dir} is not a generation model: it has no graph trace`);
      return read as Generative;
    });
    models.set(dir, m);
  }
  return m;
}

async function run(job: GraphTraceJob): Promise<GraphTraceReply> {
  const m = await load(job.dir);
  switch (job.op) {
    case 'trace':
      return { id: job.id, ok: true, value: graphTraceCommitment(m.graph, m.generation, job.input) };
    case 'stepsRoot': {
      const c = graphStepsCommitment(m.graph, m.generation);
      return { id: job.id, ok: true, value: { root: c.root, count: c.leaves.length } };
    }
    case 'stepCall': {
      const commitment = graphStepsCommitment(m.graph, m.generation);
      return { id: job.id, ok: true, value: graphStepCall({ graph: m.graph, gen: m.generation, input: job.input, step: job.step, commitment }) };
    }
  }
}

port.on('message', (job: GraphTraceJob) => {
  run(job).then(
    (reply) => port.postMessage(reply),
    (err: unknown) => port.postMessage({ id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies GraphTraceReply),
  );
});
