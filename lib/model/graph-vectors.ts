import { hexlify } from 'ethers';
import { encodeGraph, graphHash, type Hex, type IntGraph, runGraph } from '../semantics/index.js';
import type { TestVector } from './vectors.js';

/**
 * One shared vector for an integer graph: the graph by its canonical `VAG1` encoding (decode it to
 * get the graph), an integer input and the reference output, integers as decimal strings. The
 * format is that of `test/vectors/semantics.json`; graph vectors live in `test/vectors/graphs.json`
 * so that readers of chain encodings never meet a graph one.
 */
export function makeGraphVector(name: string, graph: IntGraph, input: readonly bigint[]): TestVector {
  return {
    model: name,
    modelHash: graphHash(graph),
    encoding: hexlify(encodeGraph(graph)) as Hex,
    input: input.map(String),
    output: runGraph(graph, input).map(String),
  };
}

/** Edge inputs of a graph: all minimum, all maximum, zeros (inside the range), alternating. */
export function graphEdgeInputs(graph: IntGraph): bigint[][] {
  const n = graph.inputShape.reduce((a, d) => a * d, 1);
  const { inputMin: lo, inputMax: hi } = graph;
  const rows: bigint[][] = [new Array<bigint>(n).fill(lo), new Array<bigint>(n).fill(hi)];
  if (lo < 0n && hi > 0n) rows.push(new Array<bigint>(n).fill(0n));
  rows.push(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? lo : hi)));
  return rows;
}
