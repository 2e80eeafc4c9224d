// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IntegerGraph} from "../../../src-sol/libraries/IntegerGraph.sol";
import {GraphRunner} from "./GraphRunner.sol";

/// @notice Malformed encodings and inputs: every rule a decoder enforces reverts with its custom error, truncation
/// anywhere reverts with {IntegerGraphTruncated}, and no corruption of a valid encoding ends in a panic.
contract IntegerGraphMalformedTest is Test {
    GraphRunner internal runner;
    bytes4 internal constant MAGIC = 0x56414731;
    uint8 internal constant RELU = 6;

    function setUp() public {
        runner = new GraphRunner();
    }

    // ------------------------------------------------------------ small graphs written by hand

    function _header(uint8 s, uint8 kind, int64 lo, int64 hi, uint32 dim) internal pure returns (bytes memory) {
        return abi.encodePacked(MAGIC, s, kind, lo, hi, uint8(1), dim);
    }

    /// @dev `[4]` → relu → `[4]`, inputs in [-100, 100].
    function _relu() internal pure returns (bytes memory) {
        return abi.encodePacked(_header(8, 0, -100, 100, 4), uint16(1), RELU, uint8(1), uint16(0), uint8(1), uint32(4));
    }

    /// @dev `[2]` → dense with one output (`weights`, `bias`: integer arrays) → `[1]`, S = 1, inputs in [−hi, hi].
    function _dense(bytes memory weights, bytes memory bias, int64 hi) internal pure returns (bytes memory) {
        return abi.encodePacked(
            _header(1, 0, -hi, hi, 2), uint16(1), uint8(2), uint8(1), uint16(0), uint8(1), uint32(1), uint32(1), weights, bias
        );
    }

    function _ints2(int8 a, int8 b) internal pure returns (bytes memory) {
        return abi.encodePacked(uint32(2), uint8(1), a, b);
    }

    function _int1(int8 a) internal pure returns (bytes memory) {
        return abi.encodePacked(uint32(1), uint8(1), a);
    }

    function _input(int256 a, int256 b, int256 c, int256 d) internal pure returns (int256[] memory x) {
        x = new int256[](4);
        (x[0], x[1], x[2], x[3]) = (a, b, c, d);
    }

    function _pair(int256 a, int256 b) internal pure returns (int256[] memory x) {
        x = new int256[](2);
        (x[0], x[1]) = (a, b);
    }

    function test_handGraphs_run() public view {
        int256[] memory y = runner.run(_relu(), _input(-3, 0, 5, -1));
        assertEq(y, _input(0, 0, 5, 0));
        // rescale at S = 1: (3·3 − 2·4 + 1 + 1) >> 1 = 1; (−3 − 1 + 1) >> 1 = −2 (floor of −1.5).
        assertEq(runner.run(_dense(_ints2(3, -2), _int1(1), 10), _pair(3, 4))[0], 1);
        assertEq(runner.run(_dense(_ints2(3, -2), _int1(-1), 10), _pair(-1, 0))[0], -2);
    }

    // ------------------------------------------------------------ header

    function test_badMagic_reverts() public {
        bytes memory e = _relu();
        e[3] = 0x32; // "VAG2"
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadMagic.selector, bytes4(0x56414732)));
        runner.validate(e);
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadMagic.selector, bytes4(0x56414931)));
        runner.validate(abi.encodePacked(bytes4(0x56414931), new bytes(40))); // a chain model's "VAI1"
    }

    function test_badScale_reverts() public {
        bytes memory e = _relu();
        e[4] = 0;
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadScale.selector, 0));
        runner.validate(e);
        e[4] = bytes1(uint8(33));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadScale.selector, 33));
        runner.validate(e);
    }

    function test_badOutputKind_reverts() public {
        bytes memory e = _relu();
        e[5] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadOutputKind.selector, 2));
        runner.validate(e);
    }

    function test_emptyInputRange_reverts() public {
        bytes memory e =
            abi.encodePacked(_header(8, 0, 5, 4, 4), uint16(1), RELU, uint8(1), uint16(0), uint8(1), uint32(4));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadInputRange.selector, 5, 4));
        runner.validate(e);
    }

    function test_badShapes_revert() public {
        // Rank 0, rank 5, a zero dimension, more than 2^20 values.
        bytes memory rank0 = abi.encodePacked(MAGIC, uint8(8), uint8(0), int64(0), int64(1), uint8(0), uint16(1));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadShape.selector, 0));
        runner.validate(rank0);
        bytes memory rank5 = abi.encodePacked(MAGIC, uint8(8), uint8(0), int64(0), int64(1), uint8(5), new bytes(20));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadShape.selector, 0));
        runner.validate(rank5);
        bytes memory zero =
            abi.encodePacked(_header(8, 0, 0, 1, 4), uint16(1), RELU, uint8(1), uint16(0), uint8(1), uint32(0));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadShape.selector, 1));
        runner.validate(zero);
        bytes memory big = abi.encodePacked(MAGIC, uint8(8), uint8(0), int64(0), int64(1), uint8(2), uint32(1025), uint32(1024));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadShape.selector, 0));
        runner.validate(big);
    }

    function test_badNodeCount_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadNodeCount.selector, 0));
        runner.validate(abi.encodePacked(_header(8, 0, 0, 1, 4), uint16(0)));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadNodeCount.selector, 257));
        runner.validate(abi.encodePacked(_header(8, 0, 0, 1, 4), uint16(257)));
    }

    // ------------------------------------------------------------ nodes

    function _oneNode(uint8 op, bytes memory rest) internal pure returns (bytes memory) {
        return abi.encodePacked(_header(8, 0, -100, 100, 4), uint16(1), op, rest);
    }

    function test_unknownAndTransformerOps_revert() public {
        bytes memory rest = abi.encodePacked(uint8(1), uint16(0), uint8(1), uint32(4));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphUnsupportedOp.selector, 0, 0));
        runner.validate(_oneNode(0, rest));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphUnsupportedOp.selector, 0, 17));
        runner.validate(_oneNode(17, rest));
        // softmax (35): transformer ops are refused on chain.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphUnsupportedOp.selector, 0, 35));
        runner.validate(_oneNode(35, rest));
    }

    function test_badInputs_revert() public {
        // relu reading tensor 1 (its own output).
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadInputs.selector, 0));
        runner.validate(_oneNode(RELU, abi.encodePacked(uint8(1), uint16(1), uint8(1), uint32(4))));
        // add of one tensor.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadInputs.selector, 0));
        runner.validate(_oneNode(12, abi.encodePacked(uint8(1), uint16(0), uint8(1), uint32(4))));
        // concat of none.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadInputs.selector, 0));
        runner.validate(_oneNode(14, abi.encodePacked(uint8(0), uint8(1), uint32(4), uint8(0))));
    }

    function test_shapeMismatch_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphShapeMismatch.selector, 0));
        runner.validate(_oneNode(RELU, abi.encodePacked(uint8(1), uint16(0), uint8(1), uint32(5))));
        // reshape to another size.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphShapeMismatch.selector, 0));
        runner.validate(_oneNode(15, abi.encodePacked(uint8(1), uint16(0), uint8(2), uint32(2), uint32(3))));
    }

    function test_badParams_revert() public {
        // dense with one weight too few.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadParams.selector, 0));
        runner.validate(_dense(_int1(3), _int1(1), 10));
        // clip with lo > hi.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadParams.selector, 0));
        runner.validate(_oneNode(8, abi.encodePacked(uint8(1), uint16(0), uint8(1), uint32(4), int64(2), int64(1))));
        // transpose of a flat tensor with perm [1].
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadParams.selector, 0));
        runner.validate(_oneNode(16, abi.encodePacked(uint8(1), uint16(0), uint8(1), uint32(4), uint8(1), uint8(1))));
        // max pool of a flat tensor.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadParams.selector, 0));
        runner.validate(
            _oneNode(4, abi.encodePacked(uint8(1), uint16(0), uint8(1), uint32(4), uint16(1), uint16(1), uint16(1), uint16(1), uint64(0)))
        );
    }

    function test_integerArrays_areCanonical() public {
        uint256 widthAt = 27 + 2 + 1 + 1 + 2 + 1 + 4 + 4 + 4; // header, node count, node header, outDim, count
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphBadWidth.selector, widthAt, 3));
        runner.validate(_dense(abi.encodePacked(uint32(2), uint8(3), uint48(0)), _int1(1), 10));
        // 3 and −2 fit one byte: width 2 is not minimal.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphNonMinimalWidth.selector, widthAt + 1));
        runner.validate(_dense(abi.encodePacked(uint32(2), uint8(2), int16(3), int16(-2)), _int1(1), 10));
        // An empty array is canonical at width 1 only.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphNonMinimalWidth.selector, widthAt + 1));
        runner.validate(_dense(abi.encodePacked(uint32(0), uint8(2)), _int1(1), 10));
        // 2^53 is not a safe integer; 2^53 − 1 and −(2^53 − 1) are.
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphUnsafeInteger.selector, widthAt + 1));
        runner.validate(_dense(abi.encodePacked(uint32(2), uint8(8), int64(1 << 53), int64(0)), _int1(1), 10));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphUnsafeInteger.selector, widthAt + 1));
        runner.validate(_dense(abi.encodePacked(uint32(2), uint8(8), int64(0), int64(-(1 << 53))), _int1(1), 10));
        runner.validate(_dense(abi.encodePacked(uint32(2), uint8(8), int64((1 << 53) - 1), int64(-(1 << 53) + 1)), _int1(1), 10));
    }

    function test_trailingBytes_revert() public {
        bytes memory e = abi.encodePacked(_relu(), uint8(0));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphTrailingBytes.selector, e.length - 1, e.length));
        runner.validate(e);
    }

    // ------------------------------------------------------------ inputs and bounds

    function test_inputLength_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphInputLength.selector, 2, 4));
        runner.execute(_relu(), _pair(1, 2));
    }

    function test_inputRange_rejectsNeverClamps() public {
        runner.execute(_relu(), _input(-100, 100, 0, 0));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphInputRange.selector, 1, 101));
        runner.execute(_relu(), _input(0, 101, 0, 0));
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphInputRange.selector, 3, -101));
        runner.execute(_relu(), _input(0, 0, 0, -101));
    }

    function test_overflow_reverts() public {
        // An input of 2^62 (the reference's bounds refuse such a range).
        int64 hi = int64(1 << 62);
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphOverflow.selector, type(uint256).max));
        runner.execute(_dense(_ints2(3, -2), _int1(1), hi), _pair(1 << 62, 0));
        // At S = 1 an accumulator must stay below 2^62 − 1: weight 2^52 times x = 2^9 passes, x = 2^10 reverts.
        bytes memory big = abi.encodePacked(uint32(2), uint8(8), int64(1 << 52), int64(0));
        runner.execute(_dense(big, _int1(0), 1 << 20), _pair(1 << 9, 0)); // acc = 2^61: fine
        vm.expectRevert(abi.encodeWithSelector(IntegerGraph.IntegerGraphOverflow.selector, 0));
        runner.execute(_dense(big, _int1(0), 1 << 20), _pair(1 << 10, 0)); // acc = 2^62
    }

    // ------------------------------------------------------------ fuzz

    function _vector(uint256 index) internal view returns (bytes memory encoding, int256[] memory input) {
        string memory json = vm.readFile("test/vectors/graphs.json");
        string memory key = string.concat(".vectors[", vm.toString(index), "]");
        encoding = vm.parseJsonBytes(json, string.concat(key, ".encoding"));
        string[] memory values = vm.parseJsonStringArray(json, string.concat(key, ".input"));
        input = new int256[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            input[i] = vm.parseInt(values[i]);
        }
    }

    /// @dev Vectors of graph-conv, graph-pool, graph-activations, graph-piecewise, graph-residual-argmax and an
    /// imported CNN (test/vectors/graphs.json).
    function _pick(uint256 which) internal pure returns (uint256) {
        uint256[6] memory picks = [uint256(0), 7, 15, 29, 36, 57];
        return picks[which % 6];
    }

    function testFuzz_truncated_revertsTruncated(uint256 which, uint256 cut) public {
        (bytes memory e, int256[] memory input) = _vector(_pick(which));
        cut = bound(cut, 0, e.length - 1);
        assembly ("memory-safe") {
            mstore(e, cut)
        }
        vm.expectPartialRevert(IntegerGraph.IntegerGraphTruncated.selector);
        runner.execute(e, input);
    }

    function testFuzz_corruptedByte_revertsWithAGraphErrorOrRuns(uint256 which, uint256 at, uint8 value) public view {
        (bytes memory e, int256[] memory input) = _vector(_pick(which));
        at = bound(at, 0, e.length - 1);
        e[at] = bytes1(value);
        try runner.run{gas: 50_000_000}(e, input) returns (int256[] memory) {}
        catch (bytes memory reason) {
            assertTrue(_isGraphError(reason), "a corrupted encoding must revert with an IntegerGraph error");
        }
    }

    function testFuzz_randomBytes_revertWithAGraphError(bytes calldata tail) public view {
        bytes memory e = abi.encodePacked(MAGIC, tail);
        try runner.validate(e) {}
        catch (bytes memory reason) {
            assertTrue(_isGraphError(reason), "random bytes must revert with an IntegerGraph error");
        }
    }

    function _isGraphError(bytes memory reason) internal pure returns (bool) {
        if (reason.length < 4) return false;
        bytes4 s = bytes4(reason);
        return s == IntegerGraph.IntegerGraphTruncated.selector || s == IntegerGraph.IntegerGraphBadMagic.selector
            || s == IntegerGraph.IntegerGraphBadScale.selector || s == IntegerGraph.IntegerGraphBadOutputKind.selector
            || s == IntegerGraph.IntegerGraphBadInputRange.selector || s == IntegerGraph.IntegerGraphBadNodeCount.selector
            || s == IntegerGraph.IntegerGraphBadShape.selector || s == IntegerGraph.IntegerGraphUnsupportedOp.selector
            || s == IntegerGraph.IntegerGraphBadInputs.selector || s == IntegerGraph.IntegerGraphBadParams.selector
            || s == IntegerGraph.IntegerGraphShapeMismatch.selector || s == IntegerGraph.IntegerGraphBadWidth.selector
            || s == IntegerGraph.IntegerGraphNonMinimalWidth.selector || s == IntegerGraph.IntegerGraphUnsafeInteger.selector
            || s == IntegerGraph.IntegerGraphTrailingBytes.selector || s == IntegerGraph.IntegerGraphInputLength.selector
            || s == IntegerGraph.IntegerGraphInputRange.selector || s == IntegerGraph.IntegerGraphOverflow.selector;
    }
}
