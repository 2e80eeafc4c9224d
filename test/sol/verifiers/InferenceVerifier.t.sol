// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ZkFixtures} from "../utils/ZkFixtures.sol";
import {Test, console} from "forge-std/Test.sol";
import {IInferenceVerifier} from "src-sol/interfaces/IInferenceVerifier.sol";
import {TinyVerifier} from "src-sol/verifiers/TinyVerifier.sol";
import {TinyOtherVerifier} from "src-sol/verifiers/TinyOtherVerifier.sol";
import {DigitsVerifier} from "src-sol/verifiers/DigitsVerifier.sol";
import {DigitsTrainedVerifier} from "src-sol/verifiers/DigitsTrainedVerifier.sol";

/// @dev Checks the generated verifiers against real proofs from the TypeScript pipeline
/// (test/sol/fixtures/zk/*.json, written by `npm run zk:fixtures`).
contract InferenceVerifierTest is Test, ZkFixtures {
    IInferenceVerifier internal tiny;
    IInferenceVerifier internal tinyOther;
    IInferenceVerifier internal digits;
    IInferenceVerifier internal digitsTrained;

    function setUp() public {
        tiny = new TinyVerifier();
        tinyOther = new TinyOtherVerifier();
        digits = new DigitsVerifier();
        digitsTrained = new DigitsTrainedVerifier();
    }

    function _copy(int256[] memory xs) internal pure returns (int256[] memory ys) {
        ys = new int256[](xs.length);
        for (uint256 i; i < xs.length; ++i) {
            ys[i] = xs[i];
        }
    }

    function test_modelHash_matchesFixture() public view {
        assertEq(tiny.modelHash(), vm.parseJsonBytes32(_json("tiny"), ".modelHash"));
        assertEq(tinyOther.modelHash(), vm.parseJsonBytes32(_json("tiny-other"), ".modelHash"));
        assertEq(digits.modelHash(), vm.parseJsonBytes32(_json("digits"), ".modelHash"));
        assertEq(digitsTrained.modelHash(), vm.parseJsonBytes32(_json("digits-trained"), ".modelHash"));
        assertTrue(tiny.modelHash() != tinyOther.modelHash());
    }

    function test_verifyInference_acceptsRealProofs() public view {
        string[] memory names = new string[](4);
        names[0] = "tiny";
        names[1] = "tiny-other";
        names[2] = "digits";
        names[3] = "digits-trained";
        IInferenceVerifier[4] memory verifiers = [tiny, tinyOther, digits, digitsTrained];
        for (uint256 i; i < 4; ++i) {
            Case memory a = _case(names[i], "");
            Case memory b = _case(names[i], ".other");
            assertTrue(verifiers[i].verifyInference(a.input, a.output, a.prover, a.proof), names[i]);
            assertTrue(verifiers[i].verifyInference(b.input, b.output, b.prover, b.proof), names[i]);
        }
    }

    function test_verifyInference_bindsTheProver() public {
        // A proof copied from the mempool and submitted by anyone else (the oracle passes msg.sender) is worthless.
        string[4] memory names = ["tiny", "tiny-other", "digits", "digits-trained"];
        IInferenceVerifier[4] memory verifiers = [tiny, tinyOther, digits, digitsTrained];
        address copier = makeAddr("copier");
        for (uint256 i; i < 4; ++i) {
            for (uint256 k; k < 2; ++k) {
                Case memory c = _case(names[i], k == 0 ? "" : ".other");
                assertTrue(c.prover != address(0) && c.prover != copier, "fixture prover");
                assertTrue(verifiers[i].verifyInference(c.input, c.output, c.prover, c.proof), names[i]);
                assertFalse(verifiers[i].verifyInference(c.input, c.output, copier, c.proof), names[i]);
                assertFalse(verifiers[i].verifyInference(c.input, c.output, address(0), c.proof), names[i]);
                // The neighbouring addresses, and the prover's bits shifted: nothing but the exact address passes.
                assertFalse(
                    verifiers[i].verifyInference(c.input, c.output, address(uint160(c.prover) ^ 1), c.proof), names[i]
                );
                assertFalse(
                    verifiers[i].verifyInference(c.input, c.output, address(uint160(c.prover) >> 1), c.proof), names[i]
                );
            }
        }
    }

    function testFuzz_verifyInference_rejectsAnyOtherProver(address other) public view {
        Case memory c = _case("digits-trained", "");
        vm.assume(other != c.prover);
        assertFalse(digitsTrained.verifyInference(c.input, c.output, other, c.proof));
    }

    function test_verifyInference_gas() public view {
        Case memory c = _case("digits", "");
        uint256 before = gasleft();
        bool ok = digits.verifyInference(c.input, c.output, c.prover, c.proof);
        uint256 used = before - gasleft();
        assertTrue(ok);
        console.log("digits verifyInference gas", used);
        c = _case("tiny", "");
        before = gasleft();
        ok = tiny.verifyInference(c.input, c.output, c.prover, c.proof);
        used = before - gasleft();
        assertTrue(ok);
        console.log("tiny verifyInference gas", used);
        c = _case("digits-trained", "");
        before = gasleft();
        ok = digitsTrained.verifyInference(c.input, c.output, c.prover, c.proof);
        used = before - gasleft();
        assertTrue(ok);
        console.log("digitsTrained verifyInference gas", used);
    }

    function test_verifyInference_rejectsWrongOutput() public view {
        Case memory c = _case("digits", "");
        int256[] memory wrong = _copy(c.output);
        wrong[0] = (wrong[0] + 1) % 10;
        assertFalse(digits.verifyInference(c.input, wrong, c.prover, c.proof));

        c = _case("tiny", "");
        for (uint256 j; j < c.output.length; ++j) {
            wrong = _copy(c.output);
            wrong[j] += 1;
            assertFalse(tiny.verifyInference(c.input, wrong, c.prover, c.proof));
            wrong[j] -= 2;
            assertFalse(tiny.verifyInference(c.input, wrong, c.prover, c.proof));
        }
    }

    function test_verifyInference_rejectsAlteredInput() public view {
        Case memory c = _case("tiny", "");
        for (uint256 i; i < c.input.length; ++i) {
            int256[] memory altered = _copy(c.input);
            altered[i] = altered[i] == 0 ? int256(1) : int256(0);
            assertFalse(tiny.verifyInference(altered, c.output, c.prover, c.proof));
        }
        c = _case("digits", "");
        int256[] memory d = _copy(c.input);
        d[63] = d[63] == 4096 ? int256(0) : d[63] + 1;
        assertFalse(digits.verifyInference(d, c.output, c.prover, c.proof));
    }

    function test_verifyInference_rejectsProofForOtherInput() public view {
        Case memory a = _case("tiny", "");
        Case memory b = _case("tiny", ".other");
        assertFalse(tiny.verifyInference(a.input, a.output, b.prover, b.proof));
        assertFalse(tiny.verifyInference(b.input, b.output, a.prover, a.proof));
    }

    function test_verifyInference_rejectsProofOfOtherModel() public view {
        // Same shape and packing, other weights: the two verifiers build the same public signals from the same
        // (input, output) and differ only in their verifying keys, which alone reject the other model's proof.
        Case memory a = _case("tiny", "");
        Case memory b = _case("tiny-other", "");
        assertTrue(tiny.verifyInference(a.input, a.output, a.prover, a.proof));
        assertFalse(tinyOther.verifyInference(a.input, a.output, a.prover, a.proof));
        assertTrue(tinyOther.verifyInference(b.input, b.output, b.prover, b.proof));
        assertFalse(tiny.verifyInference(b.input, b.output, b.prover, b.proof));
        // The two models give other outputs; claiming model B's output with A's proof fails too.
        assertFalse(tinyOther.verifyInference(a.input, b.output, a.prover, a.proof));
        // A digits proof in the tiny verifier: wrong lengths, false.
        Case memory d = _case("digits", "");
        assertFalse(tiny.verifyInference(d.input, d.output, d.prover, d.proof));
        // The trained digits model's proof in the random digits verifier (same input and output lengths).
        Case memory t = _case("digits-trained", "");
        assertFalse(digits.verifyInference(t.input, t.output, t.prover, t.proof));
    }

    function test_verifyInference_rejectsOutOfRangeValues() public view {
        Case memory c = _case("tiny", "");
        int256[] memory bad = _copy(c.input);
        bad[0] = 9; // the range is [-8, 8]
        assertFalse(tiny.verifyInference(bad, c.output, c.prover, c.proof));
        bad[0] = type(int256).min;
        assertFalse(tiny.verifyInference(bad, c.output, c.prover, c.proof));
        bad[0] = type(int256).max;
        assertFalse(tiny.verifyInference(bad, c.output, c.prover, c.proof));
        int256[] memory out = _copy(c.output);
        out[0] = type(int256).min;
        assertFalse(tiny.verifyInference(c.input, out, c.prover, c.proof));
        Case memory d = _case("digits", "");
        out = _copy(d.output);
        out[0] = 10; // argmax over 10 classes
        assertFalse(digits.verifyInference(d.input, out, d.prover, d.proof));
        out[0] = -1;
        assertFalse(digits.verifyInference(d.input, out, d.prover, d.proof));
    }

    function test_verifyInference_rejectsWrongLengths() public view {
        Case memory c = _case("tiny", "");
        assertFalse(tiny.verifyInference(new int256[](2), c.output, c.prover, c.proof));
        assertFalse(tiny.verifyInference(c.input, new int256[](3), c.prover, c.proof));
        assertFalse(tiny.verifyInference(new int256[](0), new int256[](0), c.prover, c.proof));
    }

    function test_verifyInference_rejectsMalformedProofBytes() public view {
        Case memory c = _case("tiny", "");
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, ""));
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, new bytes(255)));
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, bytes.concat(c.proof, hex"00")));
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, new bytes(256)));
        // Coordinates at or above the base field modulus, and points off the curve.
        uint256 q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory cc) =
            abi.decode(c.proof, (uint256[2], uint256[2][2], uint256[2]));
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, abi.encode([a[0] + q, a[1]], b, cc)));
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, abi.encode([a[0], a[1] + 1], b, cc)));
        assertFalse(
            tiny.verifyInference(c.input, c.output, c.prover, abi.encode(a, [[b[0][0], b[0][1] + 1], b[1]], cc))
        );
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, abi.encode(a, b, [cc[0], type(uint256).max])));
        // Every single flipped byte breaks the proof.
        for (uint256 i; i < 256; i += 17) {
            bytes memory p = bytes.concat(c.proof);
            p[i] = bytes1(uint8(p[i]) ^ 0x01);
            assertFalse(tiny.verifyInference(c.input, c.output, c.prover, p));
        }
    }

    function test_verifyInference_revertsWithoutEnoughGas() public {
        Case memory c = _case("digits", "");
        (bool ok, bytes memory ret) = address(digits).call{gas: 150_000}(
            abi.encodeCall(IInferenceVerifier.verifyInference, (c.input, c.output, c.prover, c.proof))
        );
        assertFalse(ok);
        assertEq(bytes4(ret), DigitsVerifier.InferenceVerifierInsufficientGas.selector);
    }

    function test_verifyInference_invalidG2PointCostsBoundedGas() public view {
        Case memory c = _case("tiny", "");
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory cc) =
            abi.decode(c.proof, (uint256[2], uint256[2][2], uint256[2]));
        b[0][1] += 1;
        uint256 before = gasleft();
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, abi.encode(a, b, cc)));
        assertLt(before - gasleft(), 400_000);
    }

    function testFuzz_verifyInference_neverRevertsOnRandomProof(bytes calldata proof) public view {
        Case memory c = _case("tiny", "");
        assertFalse(tiny.verifyInference(c.input, c.output, c.prover, proof));
    }
}
