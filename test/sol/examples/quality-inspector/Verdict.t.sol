// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InspectorFixture} from "./InspectorFixture.sol";
import {QualityInspector} from "../../../../src-sol/examples/QualityInspector.sol";
import {IDisputes} from "../../../../src-sol/interfaces/IDisputes.sol";
import {IInferenceConsumer} from "../../../../src-sol/interfaces/IInferenceConsumer.sol";
import {InferenceError, Proposal, RequestTerms} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice The oracle's answer becomes the item's verdict: by a proof, optimistically, from the cache, or a failure.
contract QualityInspectorVerdictTest is InspectorFixture {
    function test_verdict_aProofAcceptsAMatchingItemAtOnce() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        imageVerifier.setProven(_image(1), _one(int256(uint256(SNEAKER))), true);
        bytes memory proof = imageVerifier.proofFor(proposer);
        vm.expectEmit(address(inspector));
        emit QualityInspector.ItemInspected(ITEM, QualityInspector.Verdict.Accepted, SNEAKER);
        vm.prank(proposer);
        oracle.proposeWithProof(id, t, _image(1), _one(int256(uint256(SNEAKER))), proof);
        QualityInspector.Item memory it = inspector.item(ITEM);
        assertEq(uint8(it.verdict), uint8(QualityInspector.Verdict.Accepted));
        assertEq(it.predictedClass, SNEAKER);
        (uint256 accepted, uint256 rejected) = inspector.stats();
        assertEq(accepted, 1);
        assertEq(rejected, 0);
    }

    function test_verdict_anotherClassIsRejected() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        Proposal memory p = _propose(id, t, _one(int256(uint256(BAG))));
        vm.warp(block.timestamp + t.challengeWindow);
        vm.expectEmit(address(inspector));
        emit QualityInspector.ItemInspected(ITEM, QualityInspector.Verdict.Rejected, BAG);
        oracle.finalize(id, t, p, _one(int256(uint256(BAG))));
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Rejected));
        assertEq(inspector.item(ITEM).predictedClass, BAG);
        (uint256 accepted, uint256 rejected) = inspector.stats();
        assertEq(accepted, 0);
        assertEq(rejected, 1);
    }

    function test_verdict_anOutputOutsideTheClassesIsRejectedAsClass255() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        _proposeAndFinalize(id, t, _one(-1));
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Rejected));
        assertEq(inspector.item(ITEM).predictedClass, 255);
    }

    function test_verdict_theSameImageIsAnsweredFromTheCacheAndRefunded() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        _proveNow(imageVerifier, id, t, _image(1), _one(int256(uint256(SNEAKER))));
        vm.expectEmit(address(inspector));
        emit QualityInspector.ItemInspected(ITEM2, QualityInspector.Verdict.Rejected, SNEAKER);
        vm.prank(station);
        inspector.inspect{value: FEE}(ITEM2, BAG, _image(1));
        assertEq(uint8(inspector.item(ITEM2).verdict), uint8(QualityInspector.Verdict.Rejected));
        assertEq(inspector.refundOf(station), FEE);
    }

    function test_verdict_anExpiredRequestFailsTheItem() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 2);
        vm.warp(uint256(t.deadline) + 1);
        IDisputes(address(oracle)).expire(id, t);
        // Expiry never calls the app: the owed failure callback is delivered afterwards (as anyone may).
        vm.expectEmit(address(inspector));
        emit QualityInspector.InspectionFailed(ITEM, InferenceError.NoProposal);
        oracle.deliverCallback(
            id,
            t.requester,
            t.callbackGasLimit,
            abi.encodeCall(IInferenceConsumer.failInference, (id, InferenceError.NoProposal))
        );
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Failed));
        assertEq(inspector.refundOf(station), FEE);
    }
}
