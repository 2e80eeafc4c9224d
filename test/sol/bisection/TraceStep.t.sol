// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {TraceStep} from "../../../src-sol/libraries/TraceStep.sol";
import {TraceMerkle} from "../../../src-sol/libraries/TraceMerkle.sol";
import {IntegerModel} from "../../../src-sol/libraries/IntegerModel.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {TraceBuilder} from "./TraceBuilder.sol";

/// @notice Calls the calldata libraries from a test.
contract TraceLibrariesHarness {
    function step(bytes calldata encoding, int256[] calldata pre) external pure returns (int256[] memory) {
        return TraceStep.execute(encoding, pre);
    }

    function verify(bytes32 root, uint256 count, uint256 index, bytes32 leaf, bytes32[] calldata proof)
        external
        pure
        returns (bool)
    {
        return TraceMerkle.verify(root, count, index, leaf, proof);
    }
}

/// @notice The step executor agrees with the whole-model executor, and the Merkle verifier with the test's trees.
contract TraceStepTest is Test {
    TraceLibrariesHarness internal h = new TraceLibrariesHarness();

    /// @notice Chaining every step of the digits model gives IntegerModel's output, and each step gives the test's
    /// reference state.
    function testFuzz_steps_composeToTheModel(uint256 seed) public view {
        ModelEncoder.Model memory m = ModelEncoder.digits(seed % 3);
        int256[] memory x = new int256[](64);
        for (uint256 i = 0; i < 64; ++i) {
            x[i] = int256(uint256(keccak256(abi.encode(seed, i))) % 4097);
        }
        int256[][] memory expected = TraceBuilder.states(m, x);
        int256[] memory state = x;
        for (uint256 l = 0; l < m.layers.length; ++l) {
            state = h.step(TraceBuilder.stepEncoding(m, l), state);
            assertEq(keccak256(abi.encodePacked(state)), keccak256(abi.encodePacked(expected[l + 1])));
        }
        assertEq(state, IntegerModel.execute(ModelEncoder.encode(m), x));
    }

    function testFuzz_steps_matchTheSmallModelWithNegativeValues(int16 a, int16 b) public view {
        ModelEncoder.Model memory m = ModelEncoder.small();
        int256[] memory x = new int256[](2);
        (x[0], x[1]) = (int256(a) % 1025, int256(b) % 1025);
        int256[] memory state = h.step(TraceBuilder.stepEncoding(m, 0), x);
        state = h.step(TraceBuilder.stepEncoding(m, 1), state);
        assertEq(state, ModelEncoder.run(m, x));
    }

    function test_step_refusesMalformedEncodings() public {
        bytes memory good = TraceBuilder.stepEncoding(ModelEncoder.small(), 0);
        int256[] memory x = new int256[](2);
        _expectMalformed(good, 0, 0x00, 0); // magic
        _expectMalformed(good, 4, 0x00, 4); // scale 0
        _expectMalformed(good, 4, 0x21, 4); // scale 33
        _expectMalformed(good, 5, 0x02, 5); // argmax flag
        _expectMalformed(good, 10, 0x02, 10); // relu flag
        _expectMalformed(good, 11, 0x03, 11); // weight width
        _expectMalformed(good, 12, 0x05, 12); // bias width
        bytes memory longer = bytes.concat(good, hex"00");
        vm.expectRevert(abi.encodeWithSelector(TraceStep.TraceStepLength.selector, longer.length, good.length));
        h.step(longer, x);
        vm.expectRevert(abi.encodeWithSelector(TraceStep.TraceStepLength.selector, 5, 13));
        h.step(hex"5641533108", x);
        vm.expectRevert(abi.encodeWithSelector(TraceStep.TraceStepInputLength.selector, 3, 2));
        h.step(good, new int256[](3));
    }

    function testFuzz_verify_acceptsEveryLeafAndNothingElse(uint8 countSeed, uint8 indexSeed, bytes32 salt) public view {
        uint256 count = 1 + uint256(countSeed) % 20;
        uint256 index = uint256(indexSeed) % count;
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            leaves[i] = keccak256(abi.encode(salt, i));
        }
        bytes32 root = TraceBuilder.root(leaves);
        bytes32[] memory proof = TraceBuilder.proof(leaves, index);
        assertTrue(h.verify(root, count, index, leaves[index], proof));
        assertFalse(h.verify(root, count, index, keccak256("other"), proof));
        if (count > 1) assertFalse(h.verify(root, count, (index + 1) % count, leaves[index], proof));
    }

    function _expectMalformed(bytes memory good, uint256 at, bytes1 value, uint256 offset) private {
        bytes memory bad = bytes.concat(good);
        bad[at] = value;
        vm.expectRevert(abi.encodeWithSelector(TraceStep.TraceStepMalformed.selector, offset));
        h.step(bad, new int256[](2));
    }
}
