// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PackedOutput
/// @notice Packs an output of int64 values (the semantics bound every output to int64) into storage words.
/// The head (bits 0..207 of a word the caller owns): bits 0..15 the length (never zero for a stored output, so a
/// zero length means "absent"), then three values at bits 16, 80 and 144. The tail: four values per word at bits
/// 0, 64, 128 and 192. An argmax result or up to three logits therefore live entirely in the head, which the
/// oracle keeps in the top-level word of the request that produced them (its top 48 bits are the oracle's).
library PackedOutput {
    /// @notice Words of the largest tail: ceil((MAX_OUTPUT_LENGTH - HEAD_VALUES) / VALUES_PER_WORD) (a literal
    /// because Solidity wants one for array lengths; a test checks it against the formula).
    uint256 internal constant MAX_TAIL_WORDS = 256;

    /// @notice The words after the head of one output.
    struct Tail {
        uint256[MAX_TAIL_WORDS] words;
    }

    uint256 internal constant HEAD_VALUES = 3;
    uint256 internal constant VALUES_PER_WORD = 4;
    uint256 internal constant VALUE_BITS = 64;
    uint256 internal constant LENGTH_BITS = 16;
    /// @notice Bits of a word the head uses: the length and three values.
    uint256 internal constant HEAD_BITS = LENGTH_BITS + HEAD_VALUES * VALUE_BITS;
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

    /// @notice The head of `output` (valid per {isValid}), in the low {HEAD_BITS} bits.
    function head(int256[] memory output) internal pure returns (uint256 word) {
        uint256 n = output.length;
        word = n;
        for (uint256 i = 0; i < n && i < HEAD_VALUES; ++i) {
            word |= _bits(output[i]) << (LENGTH_BITS + i * VALUE_BITS);
        }
    }

    /// @notice The length recorded in a head (zero: no output).
    function length(uint256 headWord) internal pure returns (uint256) {
        return headWord & LENGTH_MASK;
    }

    /// @notice Writes the values of `output` beyond the head to `tail` (nothing for up to three values).
    function storeTail(Tail storage tail, int256[] memory output) internal {
        uint256 n = output.length;
        uint256 i = HEAD_VALUES;
        uint256 w = 0;
        while (i < n) {
            uint256 word = 0;
            for (uint256 t = 0; t < VALUES_PER_WORD && i < n; ++t) {
                word |= _bits(output[i]) << (t * VALUE_BITS);
                ++i;
            }
            tail.words[w++] = word;
        }
    }

    /// @notice Reads the output whose head is `headWord` (non-zero length) and whose tail is `tail`.
    function load(uint256 headWord, Tail storage tail) internal view returns (int256[] memory output) {
        uint256 n = length(headWord);
        output = new int256[](n);
        uint256 i = 0;
        for (; i < n && i < HEAD_VALUES; ++i) {
            output[i] = _value(headWord >> (LENGTH_BITS + i * VALUE_BITS));
        }
        uint256 w = 0;
        while (i < n) {
            uint256 word = tail.words[w++];
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
