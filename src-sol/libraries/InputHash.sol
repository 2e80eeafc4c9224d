// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InputHashKind} from "../types/InferenceTypes.sol";
import {RequestWord} from "./RequestWord.sol";

/// @title InputHash
/// @notice The one definition of a request's `inputHash` for each {InputHashKind} (docs/PROTOCOL.md, "Input hashes");
/// everything in the oracle that hashes an input (requests, proofs, re-execution, corrections, the first state of a
/// bisection) goes through {ofCalldata}.
/// @dev The Poseidon commitment of `n` values in `[lo, hi]`:
///  1. pack: each value as `value - lo` in `width = max(1, bitLength(hi - lo))` bits, `perWord = 253 / width` values
///     per field element, lowest bits first: the packing of the circuits' input (lib/zk/layout.ts, `packValues`);
///  2. absorb: `h = n`, then for each group of three words `h = PoseidonT5([h, w0, w1, w2])` (missing words of the
///     last group are zero). `n` in the first state separates inputs of different lengths, whose zero padding could
///     otherwise coincide.
/// PoseidonT5 (four inputs, circomlib's parameters) is the cheapest per absorbed word of poseidon-solidity's libraries
/// (about 18,100 gas a word against 18,800 for T4, 18,500 for T6 and 21,100 for T3). It is called at the address its
/// deterministic deployment gives it on every chain (`poseidon-solidity/deploy/PoseidonT5.js`, through the usual
/// CREATE2 factory): the oracle is too close to EIP-170's size limit to inline it, and a fixed address needs no
/// constructor argument. Without code there the commitment reverts with {InputHashPoseidonMissing}.
library InputHash {
    /// @notice PoseidonT5 of the npm package `poseidon-solidity` at its deterministic address.
    address internal constant POSEIDON_T5 = 0x555333f3f677Ca3930Bf7c56ffc75144c51D9767;
    /// @notice Bits a packed word holds (2^253 is below the BN254 scalar field).
    uint256 internal constant PACK_BITS = 253;
    /// @notice What {ofCalldata} returns for a Poseidon-committed input with a value outside `[lo, hi]`: not a field
    /// element, so no commitment ever equals it (the oracle fails such a request as it fails any out-of-range input).
    bytes32 internal constant OUT_OF_RANGE = bytes32(type(uint256).max);

    /// @notice Thrown when PoseidonT5 is not deployed at {POSEIDON_T5}.
    error InputHashPoseidonMissing(address poseidon);

    /// @notice The `inputHash` of `input` for a model of `kind` whose values lie in `[lo, hi]`.
    function ofCalldata(InputHashKind kind, int256[] calldata input, int256 lo, int256 hi)
        internal
        view
        returns (bytes32)
    {
        if (kind == InputHashKind.Keccak) return RequestWord.hashCalldata(input);
        return poseidonCommitment(input, lo, hi);
    }

    /// @notice The Poseidon commitment of `input` (see the library's notes), or {OUT_OF_RANGE}.
    function poseidonCommitment(int256[] calldata input, int256 lo, int256 hi) internal view returns (bytes32) {
        if (hi < lo) return OUT_OF_RANGE;
        uint256 width = bitLength(uint256(hi - lo));
        if (width == 0) width = 1;
        uint256 perWord = PACK_BITS / width;
        uint256 n = input.length;
        uint256 h = n;
        uint256 k;
        uint256[3] memory words;
        while (k < n) {
            for (uint256 j = 0; j < 3; ++j) {
                uint256 end = n - k > perWord ? k + perWord : n;
                uint256 word;
                unchecked {
                    for (uint256 shift; k < end; ++k) {
                        int256 v = input[k];
                        if (v < lo || v > hi) return OUT_OF_RANGE;
                        word |= uint256(v - lo) << shift;
                        shift += width;
                    }
                }
                words[j] = word;
            }
            h = permute(h, words[0], words[1], words[2]);
        }
        return bytes32(h);
    }

    /// @notice `PoseidonT5.hash([a, b, c, d])`.
    function permute(uint256 a, uint256 b, uint256 c, uint256 d) internal view returns (uint256 out) {
        bool ok;
        uint256 size;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // hash(uint256[4])
            mstore(ptr, shl(224, 0x8709cd8c))
            mstore(add(ptr, 0x04), a)
            mstore(add(ptr, 0x24), b)
            mstore(add(ptr, 0x44), c)
            mstore(add(ptr, 0x64), d)
            ok := staticcall(gas(), POSEIDON_T5, ptr, 0x84, ptr, 0x20)
            size := returndatasize()
            out := mload(ptr)
        }
        // A call to an address without code succeeds and returns nothing.
        if (!ok || size != 32) revert InputHashPoseidonMissing(POSEIDON_T5);
    }

    /// @notice The number of bits of `v` (0 for 0).
    function bitLength(uint256 v) internal pure returns (uint256 n) {
        while (v != 0) {
            v >>= 1;
            ++n;
        }
    }
}
