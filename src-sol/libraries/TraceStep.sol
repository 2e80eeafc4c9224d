// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TraceStep
/// @notice Executes one step of a model's trace from its step encoding (docs/SEMANTICS.md, "Trace and step
/// commitments"), with exactly the arithmetic of {IntegerModel}: `acc[j] = B[j] + sum_i W[j][i] * x[i]` in int256,
/// `y[j] = (acc[j] + 2^(S-1)) >> S` (an arithmetic shift: floor, also for negatives), `max(0, y[j])` when the layer
/// has ReLU, and the argmax (lowest index on ties) when the step is the last one of an argmax model.
/// ```
/// offset  size  field
/// 0       4     magic "VAS1" (0x56415331)
/// 4       1     scaleBits S (1..32)
/// 5       1     argmax: 1 when the step ends with the model's argmax, else 0
/// 6       7     the layer header as in the model encoding: inDim (2), outDim (2), relu (1), wBytes (1), bBytes (1)
/// 13      ...   outDim * inDim weights, row by row, then outDim biases, big-endian two's complement
/// ```
library TraceStep {
    /// @notice Thrown when a step encoding breaks a rule of its format (`offset`: where).
    error TraceStepMalformed(uint256 offset);
    /// @notice Thrown when a step encoding's length is not the one its header announces.
    error TraceStepLength(uint256 length, uint256 expected);
    /// @notice Thrown when the state before the step does not have the layer's `inDim` values.
    error TraceStepInputLength(uint256 length, uint256 inDim);

    bytes4 internal constant MAGIC = 0x56415331; // "VAS1"
    uint256 internal constant HEADER_LENGTH = 13;
    uint256 private constant SCALE_OFFSET = 4;
    uint256 private constant ARGMAX_OFFSET = 5;
    uint256 private constant IN_DIM_OFFSET = 6;
    uint256 private constant OUT_DIM_OFFSET = 8;
    uint256 private constant RELU_OFFSET = 10;
    uint256 private constant W_BYTES_OFFSET = 11;
    uint256 private constant B_BYTES_OFFSET = 12;

    /// @dev The decoded header of a step.
    struct Header {
        uint256 scaleBits;
        bool argmax;
        uint256 inDim;
        uint256 outDim;
        bool relu;
        uint256 wBytes;
        uint256 bBytes;
    }

    /// @notice Runs the step on `pre` (the state before it) and returns the state after it.
    function execute(bytes calldata step, int256[] calldata pre) internal pure returns (int256[] memory post) {
        Header memory h = decode(step);
        if (pre.length != h.inDim) revert TraceStepInputLength(pre.length, h.inDim);
        int256[] memory y = new int256[](h.outDim);
        int256 half = int256(1) << (h.scaleBits - 1);
        uint256 biasStart = HEADER_LENGTH + h.outDim * h.inDim * h.wBytes;
        for (uint256 j = 0; j < h.outDim; ++j) {
            int256 acc = _readInt(step, biasStart + j * h.bBytes, h.bBytes);
            uint256 at = HEADER_LENGTH + j * h.inDim * h.wBytes;
            for (uint256 i = 0; i < h.inDim; ++i) {
                acc += _readInt(step, at, h.wBytes) * pre[i];
                at += h.wBytes;
            }
            int256 v = (acc + half) >> h.scaleBits;
            if (h.relu && v < 0) v = 0;
            y[j] = v;
        }
        if (!h.argmax) return y;
        uint256 best = 0;
        for (uint256 j = 1; j < y.length; ++j) {
            if (y[j] > y[best]) best = j;
        }
        post = new int256[](1);
        post[0] = int256(best);
    }

    /// @notice Decodes and checks a step encoding's header and length.
    function decode(bytes calldata step) internal pure returns (Header memory h) {
        if (step.length < HEADER_LENGTH) revert TraceStepLength(step.length, HEADER_LENGTH);
        if (bytes4(step[0:4]) != MAGIC) revert TraceStepMalformed(0);
        h.scaleBits = uint8(step[SCALE_OFFSET]);
        if (h.scaleBits < 1 || h.scaleBits > 32) revert TraceStepMalformed(SCALE_OFFSET);
        uint8 argmax = uint8(step[ARGMAX_OFFSET]);
        if (argmax > 1) revert TraceStepMalformed(ARGMAX_OFFSET);
        h.argmax = argmax == 1;
        h.inDim = uint16(bytes2(step[IN_DIM_OFFSET:IN_DIM_OFFSET + 2]));
        h.outDim = uint16(bytes2(step[OUT_DIM_OFFSET:OUT_DIM_OFFSET + 2]));
        if (h.inDim == 0) revert TraceStepMalformed(IN_DIM_OFFSET);
        if (h.outDim == 0) revert TraceStepMalformed(OUT_DIM_OFFSET);
        uint8 relu = uint8(step[RELU_OFFSET]);
        if (relu > 1) revert TraceStepMalformed(RELU_OFFSET);
        h.relu = relu == 1;
        h.wBytes = _width(step, W_BYTES_OFFSET);
        h.bBytes = _width(step, B_BYTES_OFFSET);
        uint256 expected = HEADER_LENGTH + h.outDim * (h.inDim * h.wBytes + h.bBytes);
        if (step.length != expected) revert TraceStepLength(step.length, expected);
    }

    function _width(bytes calldata step, uint256 offset) private pure returns (uint256 w) {
        w = uint8(step[offset]);
        if (w != 1 && w != 2 && w != 4 && w != 8) revert TraceStepMalformed(offset);
    }

    /// @dev Big-endian two's-complement integer of `width` bytes at `offset` (inside the checked length).
    function _readInt(bytes calldata step, uint256 offset, uint256 width) private pure returns (int256 v) {
        assembly ("memory-safe") {
            v := sar(sub(256, shl(3, width)), calldataload(add(step.offset, offset)))
        }
    }
}
