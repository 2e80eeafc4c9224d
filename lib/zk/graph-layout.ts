import { compiledGraph, graphHash, graphInputLength, graphOutputShape, type InputHashKind, type IntGraph, size } from '../semantics/index.js';
import { CircuitLayoutError } from './errors.js';
import { type CircuitLayout, committedLayout, packedLayout, PROVER_SIGNALS } from './layout.js';

/**
 * The public layout of a graph's circuit: the same as a chain model's (docs/ZK.md, "What is public"), so the same
 * Solidity wrapper, packing and decoding serve both: [packed output, packed input, prover]. The output range of
 * logits is the last node's static bounds (lib/semantics/graph-bounds.ts), as the manifest records them. With
 * `inputHash: 'poseidon'` the input is private and its commitment public (docs/ZK.md, "Committed input").
 */
export function graphCircuitLayout(graph: IntGraph, inputHash: InputHashKind = 'keccak'): CircuitLayout {
  const c = compiledGraph(graph);
  const input = packedLayout(graphInputLength(graph), graph.inputMin, graph.inputMax, 'input');
  const classes = size(graphOutputShape(graph));
  const last = c.bounds.at(-1);
  if (!last) throw new CircuitLayoutError('The graph has no nodes.');
  const output = graph.outputKind === 'argmax' ? packedLayout(1, 0n, BigInt(classes - 1), 'output') : packedLayout(classes, last.outMin, last.outMax, 'output');
  const layout: CircuitLayout = {
    modelHash: graphHash(graph),
    batch: 1,
    scaleBits: graph.scaleBits,
    outputKind: graph.outputKind,
    input,
    output,
    layers: [],
    nPublic: output.chunks + input.chunks + PROVER_SIGNALS,
  };
  return inputHash === 'poseidon' ? committedLayout(layout) : layout;
}
