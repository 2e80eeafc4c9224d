// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "../utils/OracleFixture.sol";
import {IBatches} from "../../../src-sol/interfaces/IBatches.sol";
import {IBatchInferenceVerifier} from "../../../src-sol/interfaces/IBatchInferenceVerifier.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {OutputKind, RequestState, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";
import {DigitsTrainedVerifier} from "../../../src-sol/verifiers/DigitsTrainedVerifier.sol";
import {DigitsTrainedBatch1Verifier} from "../../../src-sol/verifiers/DigitsTrainedBatch1Verifier.sol";
import {DigitsTrainedBatch4Verifier} from "../../../src-sol/verifiers/DigitsTrainedBatch4Verifier.sol";

/// @notice The generated batch verifiers of the trained digits model with their committed real proofs
/// (test/sol/fixtures/zk/digits-trained-batch<K>.json, `npm run zk:batch-fixtures`): decoding, prover binding,
/// tampered signals, and a whole batch finalized through the oracle.
contract BatchProofsTest is OracleFixture {
    struct Fixture {
        int256[][] inputs;
        int256[][] outputs;
        address prover;
        uint256[] signals;
        bytes proof;
    }

    uint256 internal digitsId;
    IBatchInferenceVerifier internal batch1;
    IBatchInferenceVerifier internal batch4;

    function setUp() public override {
        super.setUp();
        DigitsTrainedVerifier single = new DigitsTrainedVerifier();
        batch1 = new DigitsTrainedBatch1Verifier();
        batch4 = new DigitsTrainedBatch4Verifier();
        vm.startPrank(owner);
        digitsId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: single.modelHash(),
                inputLength: 64,
                outputLength: 1,
                inputMin: 0,
                inputMax: 131_072,
                scaleBits: 13,
                outputKind: OutputKind.ArgMax,
                verifier: single,
                challengeWindow: CHALLENGE_WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            ""
        );
        IBatches(address(oracle)).setBatchVerifier(digitsId, 1, 1, batch1);
        IBatches(address(oracle)).setBatchVerifier(digitsId, 1, 4, batch4);
        vm.stopPrank();
    }

    function _fixture(uint256 k) internal view returns (Fixture memory f) {
        string memory json = vm.readFile(
            string.concat(vm.projectRoot(), "/test/sol/fixtures/zk/digits-trained-batch", vm.toString(k), ".json")
        );
        f.inputs = new int256[][](k);
        f.outputs = new int256[][](k);
        for (uint256 i = 0; i < k; ++i) {
            f.inputs[i] = vm.parseJsonIntArray(json, string.concat(".inputs[", vm.toString(i), "]"));
            f.outputs[i] = vm.parseJsonIntArray(json, string.concat(".outputs[", vm.toString(i), "]"));
        }
        f.prover = vm.parseJsonAddress(json, ".prover");
        f.signals = vm.parseJsonUintArray(json, ".signals");
        f.proof = vm.parseJsonBytes(json, ".proof");
    }

    function test_verifier_decodesTheBatch() public view {
        Fixture memory f = _fixture(4);
        assertEq(batch4.batchSize(), 4);
        assertEq(batch4.signalCount(), f.signals.length);
        (bool valid, bytes32[] memory hashes, int256[] memory outputs) =
            batch4.verifyBatch(f.signals, f.prover, f.proof);
        assertTrue(valid);
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(hashes[i], keccak256(abi.encodePacked(f.inputs[i])), "input hash");
            assertEq(outputs[i], f.outputs[i][0], "output");
        }
    }

    function test_verifier_refusesAnotherProver() public view {
        Fixture memory f = _fixture(4);
        (bool valid,,) = batch4.verifyBatch(f.signals, stranger, f.proof);
        assertFalse(valid);
    }

    function test_verifier_refusesATamperedSignal() public view {
        Fixture memory f = _fixture(4);
        f.signals[f.signals.length - 1] ^= 1;
        (bool valid,,) = batch4.verifyBatch(f.signals, f.prover, f.proof);
        assertFalse(valid);
        f.signals[0] ^= 1; // an output
        (valid,,) = batch4.verifyBatch(f.signals, f.prover, f.proof);
        assertFalse(valid);
    }

    function test_verifier_refusesMalformedInputs() public view {
        Fixture memory f = _fixture(4);
        uint256[] memory short = new uint256[](f.signals.length - 1);
        (bool valid,,) = batch4.verifyBatch(short, f.prover, f.proof);
        assertFalse(valid);
        (valid,,) = batch4.verifyBatch(f.signals, f.prover, hex"00");
        assertFalse(valid);
        (valid,,) = batch4.verifyBatch(f.signals, f.prover, new bytes(256));
        assertFalse(valid);
    }

    function test_verifier_batchOfOne() public view {
        Fixture memory f = _fixture(1);
        (bool valid, bytes32[] memory hashes,) = batch1.verifyBatch(f.signals, f.prover, f.proof);
        assertTrue(valid);
        assertEq(hashes[0], keccak256(abi.encodePacked(f.inputs[0])));
    }

    function test_oracle_finalizesTheWholeBatchWithOneProof() public {
        Fixture memory f = _fixture(4);
        _stake(f.prover, STAKE);
        uint256[] memory ids = new uint256[](4);
        RequestTerms[] memory terms = new RequestTerms[](4);
        for (uint256 i = 0; i < 4; ++i) {
            terms[i] = _termsFor(digitsId, f.inputs[i], 1);
            ids[i] = consumer.request(digitsId, f.inputs[i], CALLBACK_GAS, FEE);
        }
        IBatches.BatchProof memory b = IBatches.BatchProof(uint64(digitsId), 1, 4, f.signals, f.proof);
        vm.prank(f.prover);
        assertEq(IBatches(address(oracle)).proposeWithProofBatch(b, ids, terms), 4);
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(uint8(oracle.requestState(ids[i])), uint8(RequestState.Finalized));
            assertEq(consumer.resultHash(ids[i]), keccak256(abi.encodePacked(f.outputs[i])));
        }
    }

    function test_oracle_refusesTheProofFromACopier() public {
        Fixture memory f = _fixture(4);
        uint256[] memory ids = new uint256[](1);
        RequestTerms[] memory terms = new RequestTerms[](1);
        terms[0] = _termsFor(digitsId, f.inputs[0], 1);
        ids[0] = consumer.request(digitsId, f.inputs[0], CALLBACK_GAS, FEE);
        IBatches.BatchProof memory b = IBatches.BatchProof(uint64(digitsId), 1, 4, f.signals, f.proof);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IBatches.InferenceOracleInvalidBatchProof.selector, digitsId));
        IBatches(address(oracle)).proposeWithProofBatch(b, ids, terms);
    }
}
