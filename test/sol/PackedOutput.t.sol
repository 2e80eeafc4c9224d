// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {PackedOutput} from "../../src-sol/libraries/PackedOutput.sol";
import {ProtocolConstants} from "../../src-sol/libraries/ProtocolConstants.sol";

contract PackedOutputTest is Test {
    mapping(uint256 => PackedOutput.Tail) internal tails;

    function test_maxTailWords_matchesFormula() public pure {
        uint256 expected =
            (ProtocolConstants.MAX_OUTPUT_LENGTH - PackedOutput.HEAD_VALUES + PackedOutput.VALUES_PER_WORD - 1)
                / PackedOutput.VALUES_PER_WORD;
        assertEq(PackedOutput.MAX_TAIL_WORDS, expected);
    }

    function _store(uint256 slot, int256[] memory output) internal returns (uint256 head) {
        head = PackedOutput.head(output);
        PackedOutput.storeTail(tails[slot], output);
    }

    function testFuzz_storeLoad_roundTrip(int64[] memory values, uint256 slot) public {
        vm.assume(values.length > 0 && values.length <= ProtocolConstants.MAX_OUTPUT_LENGTH);
        int256[] memory output = new int256[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            output[i] = values[i];
        }
        assertTrue(PackedOutput.isValid(output, output.length));
        uint256 head = _store(slot, output);
        assertEq(PackedOutput.length(head), values.length, "head records the length");
        assertEq(head >> PackedOutput.HEAD_BITS, 0, "head leaves the top bits to the oracle");
        assertEq(PackedOutput.load(head, tails[slot]), output);
    }

    function test_storeLoad_extremes() public {
        int256[] memory output = new int256[](9);
        for (uint256 i = 0; i < 9; ++i) {
            output[i] = i % 2 == 0 ? int256(type(int64).min) : int256(type(int64).max);
        }
        output[4] = -1;
        output[5] = 0;
        uint256 head = _store(1, output);
        assertEq(PackedOutput.load(head, tails[1]), output);
    }

    function testFuzz_isValid_rejectsValuesBeyondInt64(int256 v) public pure {
        int256[] memory output = new int256[](1);
        output[0] = v;
        bool inRange = v >= type(int64).min && v <= type(int64).max;
        assertEq(PackedOutput.isValid(output, 1), inRange);
    }

    function test_isValid_rejectsWrongOrZeroLength() public pure {
        assertFalse(PackedOutput.isValid(new int256[](2), 3));
        assertFalse(PackedOutput.isValid(new int256[](0), 0));
    }
}
