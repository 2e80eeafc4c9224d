// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IntegerModel
/// @notice Decodes the canonical model encoding of docs/SEMANTICS.md (format `VAI1`) and executes it with the
/// canonical integer semantics: exact int256 arithmetic, `rescale(acc) = (acc + 2^(S-1)) >> S` (an arithmetic
/// shift, i.e. floor, also for negatives), ReLU as `max(0, y)`, argmax with the lowest index on ties.
library IntegerModel {
    /// @notice Thrown when the encoding ends before a field it announces.
    error IntegerModelTruncated(uint256 needed, uint256 length);
    /// @notice Thrown when the encoding does not start with "VAI1".
    error IntegerModelBadMagic(bytes4 magic);
    /// @notice Thrown when the scale is outside `1..32`.
    error IntegerModelBadScale(uint8 scaleBits);
    /// @notice Thrown when the output kind is neither 0 (logits) nor 1 (argmax).
    error IntegerModelBadOutputKind(uint8 outputKind);
    /// @notice Thrown when `inputMin > inputMax`.
    error IntegerModelBadInputRange(int64 inputMin, int64 inputMax);
    /// @notice Thrown when the layer count is outside `1..16`.
    error IntegerModelBadLayerCount(uint8 layerCount);
    /// @notice Thrown when a layer has a zero dimension or its `inDim` differs from the previous `outDim`.
    error IntegerModelBadDimensions(uint256 layer, uint256 inDim, uint256 outDim);
    /// @notice Thrown when a layer's relu flag is neither 0 nor 1.
    error IntegerModelBadRelu(uint256 layer, uint8 relu);
    /// @notice Thrown when a weight or bias width is not 1, 2, 4 or 8 bytes.
    error IntegerModelBadWidth(uint256 layer, uint8 width);
    /// @notice Thrown when bytes follow the last layer.
    error IntegerModelTrailingBytes(uint256 consumed, uint256 length);
    /// @notice Thrown when the input has the wrong number of values.
    error IntegerModelInputLength(uint256 length, uint256 expected);
    /// @notice Thrown when the data contract holding an encoding has no code.
    error IntegerModelNoWeights(address pointer);

    bytes4 internal constant MAGIC = 0x56414931; // "VAI1"
    // Header layout (docs/SEMANTICS.md): offsets and widths in bytes.
    uint256 internal constant MAGIC_OFFSET = 0;
    uint256 internal constant MAGIC_WIDTH = 4;
    uint256 internal constant SCALE_OFFSET = 4;
    uint256 internal constant OUTPUT_KIND_OFFSET = 5;
    uint256 internal constant INPUT_MIN_OFFSET = 6;
    uint256 internal constant INPUT_MAX_OFFSET = 14;
    uint256 internal constant INT64_WIDTH = 8;
    uint256 internal constant LAYER_COUNT_OFFSET = 22;
    uint256 internal constant HEADER_LENGTH = 23;
    // Layer header layout, relative to the layer's start.
    uint256 internal constant IN_DIM_OFFSET = 0;
    uint256 internal constant OUT_DIM_OFFSET = 2;
    uint256 internal constant DIM_WIDTH = 2;
    uint256 internal constant RELU_OFFSET = 4;
    uint256 internal constant W_BYTES_OFFSET = 5;
    uint256 internal constant B_BYTES_OFFSET = 6;
    uint256 internal constant LAYER_HEADER_LENGTH = 7;
    uint256 internal constant BYTE = 1;
    uint8 internal constant MAX_LAYERS = 16;
    uint8 internal constant MIN_SCALE_BITS = 1;
    uint8 internal constant MAX_SCALE_BITS = 32;
    uint8 internal constant OUTPUT_LOGITS = 0;
    uint8 internal constant OUTPUT_ARGMAX = 1;

    /// @notice The header of an encoding plus the model's input and output lengths.
    struct Header {
        uint8 scaleBits;
        uint8 outputKind;
        int64 inputMin;
        int64 inputMax;
        uint8 layerCount;
        uint256 inputLength;
        /// Last layer's `outDim` (logits) or 1 (argmax).
        uint256 outputLength;
    }

    /// @dev Position and shape of one layer inside the encoding.
    struct Layer {
        uint256 inDim;
        uint256 outDim;
        bool relu;
        uint256 wBytes;
        uint256 bBytes;
        uint256 weightsOffset;
        uint256 biasOffset;
    }

    /// @notice Copies the encoding stored in an SSTORE2-style data contract (code = 0x00 ++ encoding).
    function load(address pointer) internal view returns (bytes memory blob) {
        uint256 size = pointer.code.length;
        if (size == 0) revert IntegerModelNoWeights(pointer);
        unchecked {
            size -= 1;
        }
        blob = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(blob, 0x20), 1, size)
        }
    }

    /// @notice Checks the whole encoding (every rule of docs/SEMANTICS.md a decoder enforces) and returns its header.
    function validate(bytes memory blob) internal pure returns (Header memory header) {
        header = _header(blob);
        uint256 offset = HEADER_LENGTH;
        uint256 prevOut = header.inputLength;
        for (uint256 l = 0; l < header.layerCount; ++l) {
            (uint256 inDim, uint256 outDim,, uint256 wBytes, uint256 bBytes) = _layerHeader(blob, offset, l, prevOut);
            offset += LAYER_HEADER_LENGTH + outDim * inDim * wBytes + outDim * bBytes;
            _need(blob, offset);
            prevOut = outDim;
        }
        if (offset != blob.length) revert IntegerModelTrailingBytes(offset, blob.length);
        header.outputLength = header.outputKind == OUTPUT_ARGMAX ? 1 : prevOut;
    }

    /// @notice Runs the model on `input` and returns the canonical output.
    /// @dev Validates the encoding as it goes; `input` values are taken as given (the oracle checked the range).
    function execute(bytes memory blob, int256[] memory input) internal pure returns (int256[] memory output) {
        Header memory header = _header(blob);
        if (input.length != header.inputLength) revert IntegerModelInputLength(input.length, header.inputLength);
        uint256 offset = HEADER_LENGTH;
        int256[] memory x = input;
        for (uint256 l = 0; l < header.layerCount; ++l) {
            Layer memory layer;
            (layer.inDim, layer.outDim, layer.relu, layer.wBytes, layer.bBytes) =
                _layerHeader(blob, offset, l, x.length);
            layer.weightsOffset = offset + LAYER_HEADER_LENGTH;
            layer.biasOffset = layer.weightsOffset + layer.outDim * layer.inDim * layer.wBytes;
            offset = layer.biasOffset + layer.outDim * layer.bBytes;
            _need(blob, offset);
            x = _dense(blob, layer, x, header.scaleBits);
        }
        if (offset != blob.length) revert IntegerModelTrailingBytes(offset, blob.length);
        if (header.outputKind == OUTPUT_ARGMAX) {
            uint256 best = 0;
            for (uint256 j = 1; j < x.length; ++j) {
                if (x[j] > x[best]) best = j;
            }
            output = new int256[](1);
            output[0] = int256(best);
        } else {
            output = x;
        }
    }

    /// @dev One dense layer: `y[j] = rescale(B[j] + sum_i W[j][i] * x[i])`, then ReLU if flagged.
    function _dense(bytes memory blob, Layer memory layer, int256[] memory x, uint256 scaleBits)
        private
        pure
        returns (int256[] memory y)
    {
        int256 half = int256(1) << (scaleBits - 1);
        y = new int256[](layer.outDim);
        for (uint256 j = 0; j < layer.outDim; ++j) {
            int256 acc = _readInt(blob, layer.biasOffset + j * layer.bBytes, layer.bBytes);
            uint256 row = layer.weightsOffset + j * layer.inDim * layer.wBytes;
            uint256 wBytes = layer.wBytes;
            for (uint256 i = 0; i < x.length; ++i) {
                acc += _readInt(blob, row + i * wBytes, wBytes) * x[i];
            }
            int256 v = (acc + half) >> scaleBits;
            if (layer.relu && v < 0) v = 0;
            y[j] = v;
        }
    }

    /// @dev Parses and checks the fixed header; `inputLength` is layer 0's `inDim`.
    function _header(bytes memory blob) private pure returns (Header memory header) {
        _need(blob, HEADER_LENGTH + LAYER_HEADER_LENGTH);
        bytes4 magic = bytes4(uint32(_readUint(blob, MAGIC_OFFSET, MAGIC_WIDTH)));
        if (magic != MAGIC) revert IntegerModelBadMagic(magic);
        header.scaleBits = uint8(_readUint(blob, SCALE_OFFSET, BYTE));
        if (header.scaleBits < MIN_SCALE_BITS || header.scaleBits > MAX_SCALE_BITS) {
            revert IntegerModelBadScale(header.scaleBits);
        }
        header.outputKind = uint8(_readUint(blob, OUTPUT_KIND_OFFSET, BYTE));
        if (header.outputKind > OUTPUT_ARGMAX) revert IntegerModelBadOutputKind(header.outputKind);
        header.inputMin = int64(_readInt(blob, INPUT_MIN_OFFSET, INT64_WIDTH));
        header.inputMax = int64(_readInt(blob, INPUT_MAX_OFFSET, INT64_WIDTH));
        if (header.inputMin > header.inputMax) revert IntegerModelBadInputRange(header.inputMin, header.inputMax);
        header.layerCount = uint8(_readUint(blob, LAYER_COUNT_OFFSET, BYTE));
        if (header.layerCount == 0 || header.layerCount > MAX_LAYERS) {
            revert IntegerModelBadLayerCount(header.layerCount);
        }
        header.inputLength = _readUint(blob, HEADER_LENGTH + IN_DIM_OFFSET, DIM_WIDTH);
    }

    /// @dev Parses and checks one layer header at `offset`.
    function _layerHeader(bytes memory blob, uint256 offset, uint256 layer, uint256 expectedIn)
        private
        pure
        returns (uint256 inDim, uint256 outDim, bool relu, uint256 wBytes, uint256 bBytes)
    {
        _need(blob, offset + LAYER_HEADER_LENGTH);
        inDim = _readUint(blob, offset + IN_DIM_OFFSET, DIM_WIDTH);
        outDim = _readUint(blob, offset + OUT_DIM_OFFSET, DIM_WIDTH);
        if (inDim == 0 || outDim == 0 || inDim != expectedIn) revert IntegerModelBadDimensions(layer, inDim, outDim);
        uint8 reluFlag = uint8(_readUint(blob, offset + RELU_OFFSET, BYTE));
        if (reluFlag > 1) revert IntegerModelBadRelu(layer, reluFlag);
        relu = reluFlag == 1;
        wBytes = _width(blob, offset + W_BYTES_OFFSET, layer);
        bBytes = _width(blob, offset + B_BYTES_OFFSET, layer);
    }

    function _width(bytes memory blob, uint256 offset, uint256 layer) private pure returns (uint256 width) {
        width = _readUint(blob, offset, BYTE);
        if (width != 1 && width != 2 && width != 4 && width != 8) revert IntegerModelBadWidth(layer, uint8(width));
    }

    function _need(bytes memory blob, uint256 end) private pure {
        if (end > blob.length) revert IntegerModelTruncated(end, blob.length);
    }

    /// @dev Big-endian unsigned integer of `width` bytes at `offset` (bounds checked by the caller).
    function _readUint(bytes memory blob, uint256 offset, uint256 width) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(sub(256, shl(3, width)), mload(add(add(blob, 0x20), offset)))
        }
    }

    /// @dev Big-endian two's-complement integer of `width` bytes at `offset`, sign-extended.
    function _readInt(bytes memory blob, uint256 offset, uint256 width) private pure returns (int256 v) {
        assembly ("memory-safe") {
            v := sar(sub(256, shl(3, width)), mload(add(add(blob, 0x20), offset)))
        }
    }
}
