// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatchSteps} from "./BatchSteps.sol";
import {IBatches} from "../../../src-sol/interfaces/IBatches.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {RequestState, RequestTerms, Provenance} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice `proposeWithProofBatch`: one proof finalizes every open request of its batch, like K single proofs.
contract ProposeWithProofBatchTest is BatchSteps {
    function test_finalizesEveryRequest_paysEachFee_cachesWithProofProvenance() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(K);
        batchVerifier.setBatch(inputs, outputs);
        uint256 freeBefore = _free(stranger);
        for (uint256 i = 0; i < K; ++i) {
            vm.expectEmit(address(oracle));
            emit IOracleEvents.InferenceFinalized(ids[i], outputs[i], Provenance.Proof, true);
        }
        vm.expectEmit(address(oracle));
        emit IBatches.BatchProven(modelId, stranger, K, 0);
        assertEq(_proveBatch(stranger, ids, terms), K);
        for (uint256 i = 0; i < K; ++i) {
            _assertState(ids[i], RequestState.Finalized);
            _assertCached(inputs[i], outputs[i], Provenance.Proof);
            assertEq(consumer.resultHash(ids[i]), _hash(outputs[i]), "delivered");
        }
        assertEq(_free(stranger), freeBefore + K * FEE, "every fee earned");
    }

    function test_partialBatch_paddingSlotsIgnored() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(K - 1);
        batchVerifier.setBatch(inputs, outputs);
        assertEq(_proveBatch(stranger, ids, terms), K - 1);
        for (uint256 i = 0; i < K - 1; ++i) {
            _assertState(ids[i], RequestState.Finalized);
        }
    }

    function test_skipsRequestsNoLongerOpen() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(K);
        batchVerifier.setBatch(inputs, outputs);
        // Request 1 was proposed optimistically, request 2 proven on its own meanwhile.
        _propose(ids[1], terms[1], outputs[1]);
        _proveAs(challenger, ids[2], terms[2], inputs[2], outputs[2]);
        vm.expectEmit(address(oracle));
        emit IBatches.BatchItemSkipped(ids[1]);
        vm.expectEmit(address(oracle));
        emit IBatches.BatchItemSkipped(ids[2]);
        uint256 freeBefore = _free(stranger);
        assertEq(_proveBatch(stranger, ids, terms), K - 2);
        _assertState(ids[0], RequestState.Finalized);
        _assertState(ids[1], RequestState.Proposed);
        _assertState(ids[3], RequestState.Finalized);
        assertEq(_free(stranger), freeBefore + 2 * FEE, "only the finalized requests' fees");
    }

    function test_skipsRequestsPastTheirDeadline() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(2);
        batchVerifier.setBatch(inputs, outputs);
        vm.warp(terms[0].deadline + 1);
        assertEq(_proveBatch(stranger, ids, terms), 0);
        _assertState(ids[0], RequestState.Requested);
    }

    function test_duplicateIdsFinalizeOnce() public {
        (uint256[] memory one, RequestTerms[] memory t, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(1);
        uint256[] memory ids = new uint256[](2);
        RequestTerms[] memory terms = new RequestTerms[](2);
        (ids[0], ids[1], terms[0], terms[1]) = (one[0], one[0], t[0], t[0]);
        batchVerifier.setBatch(inputs, outputs);
        assertEq(_proveBatch(stranger, ids, terms), 1);
    }

    function test_revertsOnAProofMadeForAnotherProver() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(2);
        batchVerifier.setBatch(inputs, outputs);
        IBatches.BatchProof memory b = _batchProof(proposer);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IBatches.InferenceOracleInvalidBatchProof.selector, modelId));
        batches().proposeWithProofBatch(b, ids, terms);
    }

    function test_revertsWhenASlotProvesAnotherInput() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(2);
        (inputs[0], inputs[1]) = (inputs[1], inputs[0]);
        batchVerifier.setBatch(inputs, outputs);
        IBatches.BatchProof memory b = _batchProof(stranger);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInputMismatch.selector, ids[0], terms[0].inputHash)
        );
        batches().proposeWithProofBatch(b, ids, terms);
    }

    function test_revertsOnWrongTerms() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(2);
        batchVerifier.setBatch(inputs, outputs);
        terms[1].fee += 1;
        IBatches.BatchProof memory b = _batchProof(stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, ids[1]));
        batches().proposeWithProofBatch(b, ids, terms);
    }

    function test_revertsWithoutABatchVerifierOfThatSize() public {
        (uint256[] memory ids, RequestTerms[] memory terms,,) = _requests(1);
        IBatches.BatchProof memory b = _batchProof(stranger);
        b.batchSize = 16;
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IBatches.InferenceOracleNoBatchVerifier.selector, modelId, 1, 16));
        batches().proposeWithProofBatch(b, ids, terms);
    }

    function test_revertsOnMoreRequestsThanSlots() public {
        (uint256[] memory ids, RequestTerms[] memory terms,,) = _requests(K + 1);
        IBatches.BatchProof memory b = _batchProof(stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IBatches.InferenceOracleBatchLength.selector, K + 1, K + 1, K));
        batches().proposeWithProofBatch(b, ids, terms);
    }

    function test_revertsWhenPaused() public {
        (uint256[] memory ids, RequestTerms[] memory terms,,) = _requests(1);
        vm.prank(owner);
        oracle.setPaused(true);
        IBatches.BatchProof memory b = _batchProof(stranger);
        vm.prank(stranger);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        batches().proposeWithProofBatch(b, ids, terms);
    }
}
