// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {HashedBagOfWords} from "../../../src-sol/examples/libraries/HashedBagOfWords.sol";

/// @notice The Solidity featurizer agrees with `textFeatures` of lib/apps/text.ts (test/vectors/apps.json).
contract HashedBagOfWordsTest is Test {
    function test_counts_matchTheClientLibrary() public view {
        string memory json = vm.readFile("test/vectors/apps.json");
        uint256 n = 10;
        for (uint256 i = 0; i < n; ++i) {
            string memory k = string.concat(".text[", vm.toString(i), "]");
            bytes memory text = bytes(vm.parseJsonString(json, string.concat(k, ".text")));
            uint256[] memory expected = vm.parseJsonUintArray(json, string.concat(k, ".counts"));
            uint256[64] memory got = HashedBagOfWords.counts(text);
            assertEq(expected.length, 64);
            for (uint256 b = 0; b < 64; ++b) {
                assertEq(got[b], expected[b], string.concat("text ", vm.toString(i), " bucket ", vm.toString(b)));
            }
        }
    }

    function test_counts_clipsAndIgnoresCase() public pure {
        // FNV-1a("a") = 0xe40c292c, bucket 0x2c = 44.
        uint256[64] memory c = HashedBagOfWords.counts("a A a, a; a");
        assertEq(c[44], 3);
        c = HashedBagOfWords.counts("A a");
        assertEq(c[44], 2);
        c = HashedBagOfWords.counts("123 !!! \xc3\xa4");
        for (uint256 b = 0; b < 64; ++b) {
            assertEq(c[b], 0);
        }
    }

    function test_features_quantizeAtTheScale() public pure {
        int256[] memory x = HashedBagOfWords.features("a a", 9);
        assertEq(x.length, 64);
        assertEq(x[44], 2 << 9);
    }

    function testFuzz_counts_sumIsTheClippedTokenCount(bytes memory text) public pure {
        uint256[64] memory c = HashedBagOfWords.counts(text);
        uint256 sum;
        for (uint256 b = 0; b < 64; ++b) {
            assertLe(c[b], 3);
            sum += c[b];
        }
        assertLe(sum, text.length);
    }
}
