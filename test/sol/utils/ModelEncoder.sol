// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test helper: builds canonical model encodings (docs/SEMANTICS.md) and runs models with a
/// straightforward reference implementation that shares no code with src-sol/libraries/IntegerModel.sol.
library ModelEncoder {
    struct Layer {
        int256[][] weights; // weights[j][i], j < outDim, i < inDim
        int256[] biases;
        bool relu;
    }

    struct Model {
        uint8 scaleBits;
        uint8 outputKind;
        int64 inputMin;
        int64 inputMax;
        Layer[] layers;
    }

    /// @notice The canonical encoding: smallest width per layer for weights and, separately, for biases.
    function encode(Model memory m) internal pure returns (bytes memory out) {
        uint256 size = 23;
        for (uint256 l = 0; l < m.layers.length; ++l) {
            Layer memory L = m.layers[l];
            size += 7 + L.weights.length * L.weights[0].length * widthOf(L.weights) + L.biases.length
                * widthOfRow(L.biases);
        }
        out = new bytes(size);
        uint256 p = 0;
        p = _put(out, p, 0x56414931, 4);
        p = _put(out, p, m.scaleBits, 1);
        p = _put(out, p, m.outputKind, 1);
        p = _putInt(out, p, m.inputMin, 8);
        p = _putInt(out, p, m.inputMax, 8);
        p = _put(out, p, m.layers.length, 1);
        for (uint256 l = 0; l < m.layers.length; ++l) {
            Layer memory L = m.layers[l];
            uint256 wB = widthOf(L.weights);
            uint256 bB = widthOfRow(L.biases);
            p = _put(out, p, L.weights[0].length, 2);
            p = _put(out, p, L.weights.length, 2);
            p = _put(out, p, L.relu ? 1 : 0, 1);
            p = _put(out, p, wB, 1);
            p = _put(out, p, bB, 1);
            for (uint256 j = 0; j < L.weights.length; ++j) {
                for (uint256 i = 0; i < L.weights[j].length; ++i) {
                    p = _putInt(out, p, L.weights[j][i], wB);
                }
            }
            for (uint256 j = 0; j < L.biases.length; ++j) {
                p = _putInt(out, p, L.biases[j], bB);
            }
        }
        require(p == size, "encoder size");
    }

    /// @notice Reference executor: plain loops, floor division written out (no shifts).
    function run(Model memory m, int256[] memory input) internal pure returns (int256[] memory) {
        int256[] memory x = input;
        int256 scale = int256(2) ** m.scaleBits;
        for (uint256 l = 0; l < m.layers.length; ++l) {
            Layer memory L = m.layers[l];
            int256[] memory y = new int256[](L.weights.length);
            for (uint256 j = 0; j < L.weights.length; ++j) {
                int256 acc = L.biases[j];
                for (uint256 i = 0; i < x.length; ++i) {
                    acc += L.weights[j][i] * x[i];
                }
                y[j] = floorDiv(acc + scale / 2, scale);
                if (L.relu && y[j] < 0) y[j] = 0;
            }
            x = y;
        }
        if (m.outputKind == 1) {
            int256[] memory out = new int256[](1);
            int256 best = x[0];
            for (uint256 j = 1; j < x.length; ++j) {
                if (x[j] > best) {
                    best = x[j];
                    out[0] = int256(j);
                }
            }
            return out;
        }
        return x;
    }

    /// @notice Mathematical floor of a / b for b > 0, from truncating division.
    function floorDiv(int256 a, int256 b) internal pure returns (int256 q) {
        q = a / b;
        if (a % b != 0 && a < 0) q -= 1;
    }

    function widthOf(int256[][] memory rows) internal pure returns (uint256 w) {
        w = 1;
        for (uint256 j = 0; j < rows.length; ++j) {
            uint256 r = widthOfRow(rows[j]);
            if (r > w) w = r;
        }
    }

    function widthOfRow(int256[] memory row) internal pure returns (uint256 w) {
        w = 1;
        for (uint256 i = 0; i < row.length; ++i) {
            uint256 v = fits(row[i]);
            if (v > w) w = v;
        }
    }

    function fits(int256 v) internal pure returns (uint256) {
        if (v >= type(int8).min && v <= type(int8).max) return 1;
        if (v >= type(int16).min && v <= type(int16).max) return 2;
        if (v >= type(int32).min && v <= type(int32).max) return 4;
        require(v >= type(int64).min && v <= type(int64).max, "value exceeds int64");
        return 8;
    }

    function _put(bytes memory out, uint256 p, uint256 v, uint256 width) private pure returns (uint256) {
        for (uint256 k = 0; k < width; ++k) {
            out[p + k] = bytes1(uint8(v >> (8 * (width - 1 - k))));
        }
        return p + width;
    }

    function _putInt(bytes memory out, uint256 p, int256 v, uint256 width) private pure returns (uint256) {
        return _put(out, p, uint256(v), width);
    }

    // ----- ready-made models -----

    /// @notice 2 -> 3 (relu) -> 2 logits, S = 8, inputs in [-1024, 1024].
    function small() internal pure returns (Model memory m) {
        m.scaleBits = 8;
        m.outputKind = 0;
        m.inputMin = -1024;
        m.inputMax = 1024;
        m.layers = new Layer[](2);
        int256[][] memory w0 = new int256[][](3);
        w0[0] = _row2(256, -128);
        w0[1] = _row2(64, 32);
        w0[2] = _row2(-300, 500);
        int256[] memory b0 = new int256[](3);
        b0[0] = 1000;
        b0[1] = -2000;
        b0[2] = 65_536;
        m.layers[0] = Layer(w0, b0, true);
        int256[][] memory w1 = new int256[][](2);
        w1[0] = _row3(1, 2, 3);
        w1[1] = _row3(-4, 5, -6);
        int256[] memory b1 = new int256[](2);
        b1[0] = 0;
        b1[1] = 70_000;
        m.layers[1] = Layer(w1, b1, false);
    }

    /// @notice Like {small} with an argmax output.
    function smallArgMax() internal pure returns (Model memory m) {
        m = small();
        m.outputKind = 1;
    }

    /// @notice A dense 64 -> 32 (relu) -> 10 argmax model with pseudo-random int8/int16 weights, S = 8.
    function digits(uint256 seed) internal pure returns (Model memory m) {
        m.scaleBits = 8;
        m.outputKind = 1;
        m.inputMin = 0;
        m.inputMax = 4096;
        m.layers = new Layer[](2);
        m.layers[0] = _randomLayer(seed, 64, 32, true);
        m.layers[1] = _randomLayer(seed + 1, 32, 10, false);
    }

    function _randomLayer(uint256 seed, uint256 inDim, uint256 outDim, bool relu)
        private
        pure
        returns (Layer memory L)
    {
        L.weights = new int256[][](outDim);
        L.biases = new int256[](outDim);
        for (uint256 j = 0; j < outDim; ++j) {
            L.weights[j] = new int256[](inDim);
            for (uint256 i = 0; i < inDim; ++i) {
                L.weights[j][i] = int256(uint256(keccak256(abi.encode(seed, j, i))) % 511) - 255;
            }
            L.biases[j] = int256(uint256(keccak256(abi.encode(seed, j))) % 200_001) - 100_000;
        }
        L.relu = relu;
    }

    function _row2(int256 a, int256 b) private pure returns (int256[] memory r) {
        r = new int256[](2);
        r[0] = a;
        r[1] = b;
    }

    function _row3(int256 a, int256 b, int256 c) private pure returns (int256[] memory r) {
        r = new int256[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }
}
