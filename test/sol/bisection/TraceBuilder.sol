// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ModelEncoder} from "../utils/ModelEncoder.sol";

/// @notice Test helper: execution traces, their Merkle trees and the step encodings of docs/SEMANTICS.md ("Trace and
/// step commitments"), written out plainly (floor division, explicit padding), sharing no code with
/// src-sol/libraries/TraceMerkle.sol or TraceStep.sol.
library TraceBuilder {
    /// @notice One party's trace: its states, their hashes and its root.
    struct Side {
        int256[][] states;
        bytes32[] hashes;
        bytes32 root;
    }

    function side(int256[][] memory s) internal pure returns (Side memory t) {
        t.states = s;
        t.hashes = hashes(s);
        t.root = root(t.hashes);
    }

    /// @notice The `n + 1` states of a model on `input`: the input, each layer's output, the model's output last.
    function states(ModelEncoder.Model memory m, int256[] memory input) internal pure returns (int256[][] memory s) {
        uint256 n = m.layers.length;
        s = new int256[][](n + 1);
        s[0] = input;
        for (uint256 l = 0; l < n; ++l) {
            s[l + 1] = step(m, l, s[l]);
        }
    }

    /// @notice Step `l` on `x`: the dense layer, its ReLU, and the argmax for the last step of an argmax model.
    function step(ModelEncoder.Model memory m, uint256 l, int256[] memory x) internal pure returns (int256[] memory) {
        int256 scale = int256(2) ** m.scaleBits;
        ModelEncoder.Layer memory layer = m.layers[l];
        int256[] memory y = new int256[](layer.weights.length);
        for (uint256 j = 0; j < y.length; ++j) {
            int256 acc = layer.biases[j];
            for (uint256 i = 0; i < x.length; ++i) {
                acc += layer.weights[j][i] * x[i];
            }
            y[j] = ModelEncoder.floorDiv(acc + scale / 2, scale);
            if (layer.relu && y[j] < 0) y[j] = 0;
        }
        if (l + 1 < m.layers.length || m.outputKind == 0) return y;
        int256[] memory out = new int256[](1);
        for (uint256 j = 1; j < y.length; ++j) {
            if (y[j] > y[uint256(out[0])]) out[0] = int256(j);
        }
        return out;
    }

    function hashes(int256[][] memory s) internal pure returns (bytes32[] memory h) {
        h = new bytes32[](s.length);
        for (uint256 i = 0; i < s.length; ++i) {
            h[i] = keccak256(abi.encodePacked(s[i]));
        }
    }

    /// @notice The padded tree's levels, leaves first.
    function levels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory all) {
        uint256 width = 1;
        uint256 depth = 0;
        while (width < leaves.length) {
            width *= 2;
            ++depth;
        }
        all = new bytes32[][](depth + 1);
        all[0] = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            all[0][i] = leaves[i];
        }
        for (uint256 d = 1; d <= depth; ++d) {
            width /= 2;
            all[d] = new bytes32[](width);
            for (uint256 i = 0; i < width; ++i) {
                all[d][i] = keccak256(abi.encodePacked(all[d - 1][2 * i], all[d - 1][2 * i + 1]));
            }
        }
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[][] memory all = levels(leaves);
        return all[all.length - 1][0];
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory p) {
        bytes32[][] memory all = levels(leaves);
        p = new bytes32[](all.length - 1);
        for (uint256 d = 0; d + 1 < all.length; ++d) {
            p[d] = all[d][index ^ 1];
            index /= 2;
        }
    }

    /// @notice Step `l`'s encoding: "VAS1", the scale, the argmax flag, the layer's bytes of the model encoding.
    function stepEncoding(ModelEncoder.Model memory m, uint256 l) internal pure returns (bytes memory) {
        bytes memory model = ModelEncoder.encode(m);
        uint256 at = 23;
        for (uint256 k = 0; k <= l; ++k) {
            ModelEncoder.Layer memory layer = m.layers[k];
            uint256 size = 7
                + layer.weights.length * (layer.weights[0].length * uint8(model[at + 5]) + uint8(model[at + 6]));
            if (k == l) {
                bytes memory slice = new bytes(size);
                for (uint256 i = 0; i < size; ++i) {
                    slice[i] = model[at + i];
                }
                bool argmax = m.outputKind == 1 && l + 1 == m.layers.length;
                return abi.encodePacked(bytes4(0x56415331), m.scaleBits, uint8(argmax ? 1 : 0), slice);
            }
            at += size;
        }
        revert("no such step");
    }

    function stepLeaves(ModelEncoder.Model memory m) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](m.layers.length);
        for (uint256 l = 0; l < leaves.length; ++l) {
            leaves[l] = keccak256(stepEncoding(m, l));
        }
    }

    /// @notice A lying trace: honest up to state `from - 1`, every later state changed (the argmax index moved on).
    function lie(ModelEncoder.Model memory m, int256[][] memory honest, uint256 from, int256 by)
        internal
        pure
        returns (int256[][] memory s)
    {
        uint256 n = honest.length - 1;
        s = new int256[][](n + 1);
        for (uint256 l = 0; l <= n; ++l) {
            s[l] = new int256[](honest[l].length);
            for (uint256 i = 0; i < honest[l].length; ++i) {
                s[l][i] = honest[l][i];
            }
            if (l < from) continue;
            if (l == n && m.outputKind == 1) {
                uint256 classes = m.layers[n - 1].weights.length;
                s[l][0] = int256((uint256(s[l][0]) + uint256(by)) % classes);
            } else {
                s[l][0] += by;
            }
        }
    }
}

/// @notice The models of the bisection tests.
library BisectionModels {
    /// @notice 2 -> 4 -> 4 -> 4 -> 4 -> 3 logits: 5 steps, 6 states (padded to 8 leaves).
    function deep() internal pure returns (ModelEncoder.Model memory m) {
        m.scaleBits = 8;
        m.outputKind = 0;
        m.inputMin = -1024;
        m.inputMax = 1024;
        m.layers = new ModelEncoder.Layer[](5);
        m.layers[0] = layer(10, 2, 4, true);
        m.layers[1] = layer(11, 4, 4, true);
        m.layers[2] = layer(12, 4, 4, true);
        m.layers[3] = layer(13, 4, 4, true);
        m.layers[4] = layer(14, 4, 3, false);
    }

    /// @notice 2 -> 3 logits: one step.
    function oneStep() internal pure returns (ModelEncoder.Model memory m) {
        m.scaleBits = 8;
        m.outputKind = 0;
        m.inputMin = -1024;
        m.inputMax = 1024;
        m.layers = new ModelEncoder.Layer[](1);
        m.layers[0] = layer(20, 2, 3, false);
    }

    function layer(uint256 seed, uint256 inDim, uint256 outDim, bool relu)
        internal
        pure
        returns (ModelEncoder.Layer memory l)
    {
        l.weights = new int256[][](outDim);
        l.biases = new int256[](outDim);
        for (uint256 j = 0; j < outDim; ++j) {
            l.weights[j] = new int256[](inDim);
            for (uint256 i = 0; i < inDim; ++i) {
                l.weights[j][i] = int256(uint256(keccak256(abi.encode(seed, j, i))) % 401) - 200;
            }
            l.biases[j] = int256(uint256(keccak256(abi.encode(seed, j))) % 40_001) - 20_000;
        }
        l.relu = relu;
    }
}
