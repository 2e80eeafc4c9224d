import type { GraphStepCall } from '../../lib/protocol/index.js';
import type { GraphTraceCommitment, Hex } from '../../lib/semantics/index.js';

/** A request to the graph trace worker (`graph-trace-worker.ts`): the model is read from its folder there. */
export type GraphTraceJob =
  | { id: number; op: 'trace'; dir: string; input: bigint[] }
  | { id: number; op: 'stepsRoot'; dir: string }
  | { id: number; op: 'stepCall'; dir: string; input: bigint[]; step: number };

/** What each operation answers. */
export type GraphTraceResults = {
  trace: GraphTraceCommitment;
  stepsRoot: { root: Hex; count: number };
  stepCall: GraphStepCall;
};

export type GraphTraceReply = { id: number; ok: true; value: GraphTraceResults[GraphTraceJob['op']] } | { id: number; ok: false; error: string };
