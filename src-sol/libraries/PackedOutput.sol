// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PackedOutput
/// @notice Stores an output of int64 values (the semantics bound every output to int64) packed into slots.
/// Word 0: bits 0..15 the length (never zero for a stored output, so word 0 == 0 means "absent"), then three
/// values at bits 16, 80 and 144. Word k >= 1: four values at bits 0, 64, 128 and 192. An argmax result or up to
/// three logits therefore cost one storage slot.
library PackedOutput {
    /// @notice Slots of the largest output: 1 + ceil((MAX_OUTPUT_LENGTH - HEAD_VALUES) / VALUES_PER_WORD) (a literal
    /// because Solidity wants one for array lengths; a test checks it against the formula).
    uint256 internal constant MAX_WORDS = 257;

    /// @notice A cache entry: the packed words of one output.
    struct Entry {
        uint256[MAX_WORDS] words;
    }

    uint256 internal constant HEAD_VALUES = 3;
    uint256 internal constant VALUES_PER_WORD = 4;
    uint256 internal constant VALUE_BITS = 64;
    uint256 internal constant LENGTH_BITS = 16;
    uint256 private constant VALUE_MASK = type(uint64).max;
    uint256 private constant LENGTH_MASK = type(uint16).max;

    /// @notice Returns true when every value fits int64 and the length is `expectedLength`.
    function isValid(int256[] memory output, uint256 expectedLength) internal pure returns (bool) {
        if (output.length != expectedLength || output.length == 0) return false;
        for (uint256 i = 0; i < output.length; ++i) {
            int256 v = output[i];
            if (v < type(int64).min || v > type(int64).max) return false;
        }
        return true;
    }

    /// @notice Writes `output` (valid per {isValid}) to `entry`.
    function store(Entry storage entry, int256[] memory output) internal {
        uint256 n = output.length;
        uint256 word = n;
        uint256 i = 0;
        for (; i < n && i < HEAD_VALUES; ++i) {
            word |= _bits(output[i]) << (LENGTH_BITS + i * VALUE_BITS);
        }
        entry.words[0] = word;
        uint256 w = 1;
        while (i < n) {
            word = 0;
            for (uint256 t = 0; t < VALUES_PER_WORD && i < n; ++t) {
                word |= _bits(output[i]) << (t * VALUE_BITS);
                ++i;
            }
            entry.words[w++] = word;
        }
    }

    /// @notice Reads an output whose first word is `head` (non-zero) from `entry`.
    function load(Entry storage entry, uint256 head) internal view returns (int256[] memory output) {
        uint256 n = head & LENGTH_MASK;
        output = new int256[](n);
        uint256 i = 0;
        for (; i < n && i < HEAD_VALUES; ++i) {
            output[i] = _value(head >> (LENGTH_BITS + i * VALUE_BITS));
        }
        uint256 w = 1;
        while (i < n) {
            uint256 word = entry.words[w++];
            for (uint256 t = 0; t < VALUES_PER_WORD && i < n; ++t) {
                output[i] = _value(word >> (t * VALUE_BITS));
                ++i;
            }
        }
    }

    function _bits(int256 v) private pure returns (uint256) {
        return uint256(uint64(int64(v)));
    }

    function _value(uint256 bits) private pure returns (int256) {
        return int256(int64(uint64(bits & VALUE_MASK)));
    }
}
