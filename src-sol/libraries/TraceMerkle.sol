// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TraceMerkle
/// @notice Positional binary Merkle trees of docs/SEMANTICS.md ("Trace and step commitments"), the same as
/// `lib/semantics/merkle.ts`: `k` leaves padded with zero words to `2^depth`, `depth = ceil(log2(k))`, an inner node
/// `keccak256(left ++ right)`, a proof the `depth` siblings from the leaf up, the index's bit at each level telling
/// whether the node is the left (0) or the right (1) child. Proofs of any other length are refused, so an inner node
/// can never pass for a leaf.
library TraceMerkle {
    /// @notice Thrown when a proof does not have the tree's depth.
    error TraceMerkleProofLength(uint256 length, uint256 depth);

    /// @notice `ceil(log2(count))` (0 for `count <= 1`).
    function depth(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) ++d;
    }

    /// @notice Whether `leaf` is leaf `index` of the tree over `count` leaves whose root is `root`.
    function verify(bytes32 root, uint256 count, uint256 index, bytes32 leaf, bytes32[] calldata proof)
        internal
        pure
        returns (bool)
    {
        uint256 d = depth(count);
        if (proof.length != d) revert TraceMerkleProofLength(proof.length, d);
        return index < count && rootFrom(leaf, index, proof) == root;
    }

    /// @notice The root `leaf` at `index` leads to with `proof`.
    function rootFrom(bytes32 leaf, uint256 index, bytes32[] calldata proof) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 k = 0; k < proof.length; ++k) {
            bytes32 sibling = proof[k];
            bool right = (index >> k) & 1 == 1;
            assembly ("memory-safe") {
                switch right
                case 0 {
                    mstore(0x00, node)
                    mstore(0x20, sibling)
                }
                default {
                    mstore(0x00, sibling)
                    mstore(0x20, node)
                }
                node := keccak256(0x00, 0x40)
            }
        }
    }
}
