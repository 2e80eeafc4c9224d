// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStep} from "../../../src-sol/libraries/GraphStep.sol";
import {GraphStepVectors} from "./GraphStepVectors.sol";

/// @notice Malformed step encodings and witnesses are refused with the executor's custom errors: a wrong magic, kind,
/// scale or token, a truncated or overlong encoding, a state of the wrong length, rows that are not the ones the step
/// reads, a row or a row hash list that does not open to the state. Fuzzed over the header bytes and the lengths.
contract GraphStepMalformedTest is GraphStepVectors {
    bytes internal step;
    int256[] internal pre;
    GraphStep.Witness internal witness;
    uint256 internal layerNorm;

    function setUp() public override {
        super.setUp();
        // The first layer norm step of token 1: one input tensor of rank 3.
        layerNorm = _find("layernorm");
        (bytes memory s, int256[] memory p, GraphStep.Witness memory w) = _decode(_calldata(layerNorm));
        step = s;
        pre = p;
        _store(w);
    }

    function test_wrongMagic_reverts() public {
        bytes memory s = step;
        s[0] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepMalformed.selector, 0));
        runner.execute(s, pre, witness);
    }

    function test_unknownKind_reverts() public {
        bytes memory s = step;
        s[4] = 0x07;
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepMalformed.selector, 4));
        runner.execute(s, pre, witness);
    }

    function test_scaleOutOfRange_reverts() public {
        bytes memory s = step;
        s[5] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepMalformed.selector, 5));
        runner.execute(s, pre, witness);
    }

    function test_stateOfWrongLength_reverts() public {
        int256[] memory p = new int256[](pre.length - 1);
        for (uint256 i = 0; i < p.length; ++i) {
            p[i] = pre[i];
        }
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepStateLength.selector, p.length, pre.length));
        runner.execute(step, p, witness);
    }

    function test_tamperedRow_reverts() public {
        GraphStep.Witness memory w = witness;
        uint256 lo = w.inputs[0].lo;
        w.inputs[0].values[3] += 1;
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepRowMismatch.selector, _inputTensor(), lo));
        runner.execute(step, pre, w);
    }

    function test_tamperedRowHashes_reverts() public {
        GraphStep.Witness memory w = witness;
        w.inputs[0].rowHashes[w.inputs[0].rowHashes.length - 1] = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepTensorMismatch.selector, _inputTensor()));
        runner.execute(step, pre, w);
    }

    function test_otherRows_revert() public {
        GraphStep.Witness memory w = witness;
        uint256 lo = w.inputs[0].lo;
        uint256 hi = w.inputs[0].hi;
        w.inputs[0].lo = lo + 1;
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepRowsMismatch.selector, _inputTensor(), lo, hi));
        runner.execute(step, pre, w);
    }

    function test_missingInput_reverts() public {
        GraphStep.Witness memory w = witness;
        w.inputs = new GraphStep.TensorRows[](0);
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepMalformed.selector, 25));
        runner.execute(step, pre, w);
    }

    function test_overlongEncoding_reverts() public {
        bytes memory s = bytes.concat(step, hex"00");
        vm.expectRevert(abi.encodeWithSelector(GraphStep.GraphStepTruncated.selector, s.length, step.length));
        runner.execute(s, pre, witness);
    }

    /// forge-config: default.fuzz.runs = 64
    function testFuzz_truncatedEncoding_revertsWithACustomError(uint256 cut) public {
        cut = bound(cut, 0, step.length - 1);
        bytes memory s = new bytes(cut);
        for (uint256 i = 0; i < cut; ++i) {
            s[i] = step[i];
        }
        _expectCustomError(s);
    }

    /// forge-config: default.fuzz.runs = 64
    function testFuzz_headerByte_revertsWithACustomError(uint256 at, uint8 value) public {
        // The header and the shapes: 26 bytes, then 1 input of rank 3 (7 + 12 bytes) and the output (1 + 12 bytes).
        at = bound(at, 0, 57);
        vm.assume(uint8(step[at]) != value);
        bytes memory s = step;
        s[at] = bytes1(value);
        // A changed row range or token still names a step the state can open: only a changed field is refused.
        try runner.execute(s, pre, witness) returns (bytes32) {}
        catch (bytes memory reason) {
            _assertCustomError(reason);
        }
    }

    function _expectCustomError(bytes memory s) internal view {
        try runner.execute(s, pre, witness) returns (bytes32) {
            revert("a malformed encoding was executed");
        } catch (bytes memory reason) {
            _assertCustomError(reason);
        }
    }

    function _assertCustomError(bytes memory reason) internal pure {
        bytes4 sel = bytes4(reason);
        assertTrue(
            sel == GraphStep.GraphStepMalformed.selector || sel == GraphStep.GraphStepTruncated.selector
                || sel == GraphStep.GraphStepStateLength.selector || sel == GraphStep.GraphStepTensorMismatch.selector
                || sel == GraphStep.GraphStepRowsMismatch.selector || sel == GraphStep.GraphStepRowMismatch.selector
                || sel == GraphStep.GraphStepUnsupportedOp.selector,
            "not a GraphStep error"
        );
    }

    function _inputTensor() internal view returns (uint256) {
        return uint16(bytes2(bytes.concat(step[26], step[27])));
    }

    function _decode(bytes memory data) internal pure returns (bytes memory, int256[] memory, GraphStep.Witness memory) {
        bytes memory args = new bytes(data.length - 4);
        for (uint256 i = 0; i < args.length; ++i) {
            args[i] = data[i + 4];
        }
        return abi.decode(args, (bytes, int256[], GraphStep.Witness));
    }

    function _store(GraphStep.Witness memory w) internal {
        for (uint256 j = 0; j < w.inputs.length; ++j) {
            witness.inputs.push(w.inputs[j]);
        }
        witness.outputRowHashes = w.outputRowHashes;
        witness.logitsRow = w.logitsRow;
    }
}
