import { inferShape } from './graph-validate.js';
import type { GraphNode, GraphOp, IntGraph } from './graph.js';
import type { OutputKind } from './types.js';

/** A node before its shape is known: the op and what it reads (ids) and, for `reshape`, its target shape. */
export type NodeSpec = GraphOp & { inputs: number[]; name?: string; shape?: number[] };

/**
 * Builds a graph node by node, computing each node's shape from its inputs (so hand-written graphs,
 * tests and the importer cannot declare a wrong one). `add` returns the id of the tensor written.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private readonly shapes: number[][];
  constructor(readonly inputShape: number[]) {
    this.shapes = [inputShape];
  }
  add(spec: NodeSpec): number {
    const draft = { ...spec, name: spec.name ?? `${spec.op}${this.nodes.length}`, shape: spec.shape ?? [] } as GraphNode;
    const shape = inferShape(
      draft,
      spec.inputs.map((id) => this.shapes[id] ?? []),
    );
    this.nodes.push({ ...draft, shape });
    this.shapes.push(shape);
    return this.nodes.length;
  }
  shapeOf(id: number): number[] {
    return this.shapes[id]!;
  }
  build(params: { scaleBits: number; outputKind: OutputKind; inputMin: bigint; inputMax: bigint }): IntGraph {
    return { ...params, inputShape: this.inputShape, nodes: this.nodes };
  }
}
