// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title HashedBagOfWords
/// @notice The text features of the example text models, computed on chain exactly as `textFeatures` in
/// `lib/apps/text.ts` computes them off chain: every maximal run of ASCII letters is a token, lowercased; each
/// token's 32-bit FNV-1a hash modulo 64 picks its bucket; a bucket's feature is its token count clipped to 3.
/// Every other byte (digits, punctuation, spaces, all bytes of non-ASCII UTF-8 characters) separates tokens.
/// @dev The apps let anyone prove that a request's features do not belong to its published text; honest users
/// never pay for this (a few tens of gas per byte of text).
library HashedBagOfWords {
    /// @notice Number of buckets (the models' input length).
    uint256 internal constant BUCKETS = 64;
    /// @notice Largest count of a bucket.
    uint256 internal constant MAX_COUNT = 3;

    uint32 private constant FNV_OFFSET_BASIS = 0x811c9dc5;
    uint32 private constant FNV_PRIME = 0x01000193;

    /// @notice The clipped bucket counts of `text`.
    function counts(bytes memory text) internal pure returns (uint256[BUCKETS] memory c) {
        uint32 hash = FNV_OFFSET_BASIS;
        bool inToken;
        for (uint256 i = 0; i < text.length; ++i) {
            uint8 ch = uint8(text[i]);
            if (ch >= 0x41 && ch <= 0x5a) ch += 0x20; // A-Z to a-z
            if (ch >= 0x61 && ch <= 0x7a) {
                if (!inToken) {
                    hash = FNV_OFFSET_BASIS;
                    inToken = true;
                }
                unchecked {
                    hash = (hash ^ ch) * FNV_PRIME; // modulo 2^32
                }
            } else if (inToken) {
                _count(c, hash);
                inToken = false;
            }
        }
        if (inToken) _count(c, hash);
    }

    /// @notice The model input for `text`: the counts quantized at the model's scale (`count · 2^scaleBits`).
    function features(bytes memory text, uint8 scaleBits) internal pure returns (int256[] memory x) {
        uint256[BUCKETS] memory c = counts(text);
        x = new int256[](BUCKETS);
        for (uint256 i = 0; i < BUCKETS; ++i) {
            x[i] = int256(c[i] << scaleBits);
        }
    }

    function _count(uint256[BUCKETS] memory c, uint32 hash) private pure {
        uint256 b = hash % BUCKETS;
        if (c[b] < MAX_COUNT) ++c[b];
    }
}
