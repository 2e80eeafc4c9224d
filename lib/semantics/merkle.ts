import { concat, keccak256, ZeroHash } from 'ethers';
import { TraceCommitmentError } from './errors.js';
import type { Hex } from './types.js';

/**
 * Positional binary Merkle trees over 32-byte leaves (docs/SEMANTICS.md, "Trace and step commitments").
 * `k` leaves are padded with zero words to `2^depth` leaves, `depth = ceil(log2(k))` (a single leaf is its own
 * root); an inner node is `keccak256(left ++ right)`. A proof is the list of siblings from the leaf up, exactly
 * `depth` of them; the leaf's index says at each level whether it is the left (bit 0) or the right (bit 1) child.
 */

/** `ceil(log2(count))`: the depth of the tree over `count` leaves (0 for one leaf). */
export function merkleDepth(count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new TraceCommitmentError(`A Merkle tree needs at least one leaf, got ${count}.`);
  let depth = 0;
  while (2 ** depth < count) depth++;
  return depth;
}

function hashPair(left: string, right: string): Hex {
  return keccak256(concat([left, right])) as Hex;
}

/** Every level of the padded tree, leaves first, the root last. */
function levels(leaves: readonly Hex[]): Hex[][] {
  const depth = merkleDepth(leaves.length);
  let level: Hex[] = [...leaves];
  while (level.length < 2 ** depth) level.push(ZeroHash as Hex);
  const all = [level];
  for (let d = 0; d < depth; d++) {
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
    all.push(next);
    level = next;
  }
  return all;
}

/** The root of the tree over `leaves`. */
export function merkleRoot(leaves: readonly Hex[]): Hex {
  const all = levels(leaves);
  return all[all.length - 1]![0]!;
}

/** The siblings of leaf `index`, bottom up. */
export function merkleProof(leaves: readonly Hex[], index: number): Hex[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length)
    throw new TraceCommitmentError(`Leaf ${index} does not exist: the tree has ${leaves.length} leaves.`);
  const all = levels(leaves);
  const proof: Hex[] = [];
  let at = index;
  for (let d = 0; d < all.length - 1; d++) {
    proof.push(all[d]![at ^ 1]!);
    at >>= 1;
  }
  return proof;
}

/** The root that `leaf` at `index` and its `proof` lead to (compare it with the committed root). */
export function merkleRootFromProof(leaf: Hex, index: number, proof: readonly Hex[]): Hex {
  let node: Hex = leaf;
  let at = index;
  for (const sibling of proof) {
    node = at & 1 ? hashPair(sibling, node) : hashPair(node, sibling);
    at >>= 1;
  }
  return node;
}
