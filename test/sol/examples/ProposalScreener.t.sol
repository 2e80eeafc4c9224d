// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {AppFixture} from "./utils/AppFixture.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {ProposalScreener} from "../../../src-sol/examples/ProposalScreener.sol";
import {KeyedInferenceConsumer} from "../../../src-sol/consumer/KeyedInferenceConsumer.sol";
import {HashedBagOfWords} from "../../../src-sol/examples/libraries/HashedBagOfWords.sol";
import {OutputKind, InferenceError, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

contract ProposalScreenerV2 is ProposalScreener {
    constructor(address oracle) ProposalScreener(oracle) {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

contract ProposalScreenerTest is AppFixture {
    ProposalScreener internal screener;
    uint256 internal textModel;
    TestVerifier internal textVerifier;
    address internal dao = makeAddr("dao");

    bytes32 internal constant DESCRIPTION = keccak256("Fund the community garden with 5 ETH from the treasury");

    function setUp() public override {
        super.setUp();
        (textModel, textVerifier) = _registerAppModel("proposals", 64, 1, OutputKind.ArgMax);
        screener = ProposalScreener(
            payable(_proxy(
                    address(new ProposalScreener(address(oracle))),
                    abi.encodeCall(ProposalScreener.initialize, (dao, textModel, APP_CALLBACK_GAS))
                ))
        );
        vm.deal(alice, 10 ether);
        vm.deal(bob, 10 ether);
    }

    /// @dev Bag-of-words counts (0..3) at scale 2^8, a different pattern per `seed`.
    function _features(uint256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](64);
        for (uint256 i = 0; i < 64; ++i) {
            x[i] = int256(((i * 7 + seed) % 4) * 256);
        }
    }

    function _submit(address who, uint256 seed)
        internal
        returns (uint256 proposalId, uint256 id, RequestTerms memory t)
    {
        t = _appTerms(address(screener), textModel, _features(seed), 1, APP_CALLBACK_GAS);
        id = _nextRequestId(textModel, _features(seed));
        vm.prank(who);
        proposalId = screener.submitProposal{value: FEE}(DESCRIPTION, _features(seed));
    }

    function _screening(uint256 proposalId) internal view returns (uint8) {
        return uint8(screener.proposal(proposalId).screening);
    }

    function test_submitProposal_recordsAndIsPending() public {
        (uint256 proposalId, uint256 id,) = _submit(alice, 1);
        assertEq(proposalId, 1);
        assertEq(screener.proposalCount(), 1);
        ProposalScreener.ScreenedProposal memory p = screener.proposal(proposalId);
        assertEq(p.proposer, alice);
        assertEq(p.descriptionHash, DESCRIPTION);
        assertEq(p.featuresHash, keccak256(abi.encodePacked(_features(1))));
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Pending));
        assertEq(screener.pendingRequest(bytes32(proposalId)).requestId, id);
        assertFalse(screener.isCleared(proposalId));
    }

    function test_screening_ordinaryProposalIsCleared() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        Proposal memory p = _propose(id, t, _one(0));
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(screener));
        emit ProposalScreener.ProposalScreened(proposalId, ProposalScreener.Screening.Cleared, false);
        oracle.finalize(id, t, p, _one(0));
        assertTrue(screener.isCleared(proposalId));
    }

    function test_screening_flaggedWithProof() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        _proveNow(textVerifier, id, t, _features(1), _one(1));
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Flagged));
        assertFalse(screener.isCleared(proposalId));
    }

    function test_screening_sameTextIsACacheHit() public {
        (, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        _proposeAndFinalize(id, t, _one(1));
        (uint256 second,,) = _submit(bob, 1);
        assertEq(_screening(second), uint8(ProposalScreener.Screening.Flagged));
        assertEq(screener.refundOf(bob), FEE);
    }

    function test_retryScreening_afterExpiry() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        _expire(id, t);
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Failed));
        assertEq(screener.refundOf(alice), FEE);

        RequestTerms memory t2 = _appTerms(address(screener), textModel, _features(1), 1, APP_CALLBACK_GAS);
        vm.prank(alice);
        uint256 id2 = screener.retryScreening{value: FEE}(proposalId, _features(1));
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Pending));
        _proposeAndFinalize(id2, t2, _one(0));
        assertTrue(screener.isCleared(proposalId));
    }

    function test_retryScreening_reverts() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        // In flight.
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                KeyedInferenceConsumer.KeyedInferenceConsumerRequestPending.selector, bytes32(proposalId), id
            )
        );
        screener.retryScreening{value: FEE}(proposalId, _features(1));
        _expire(id, t);
        // Not the proposer; other features.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ProposalScreener.ProposalScreenerNotProposer.selector, proposalId, bob));
        screener.retryScreening{value: FEE}(proposalId, _features(1));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ProposalScreener.ProposalScreenerFeaturesMismatch.selector, proposalId));
        screener.retryScreening{value: FEE}(proposalId, _features(2));
    }

    function test_retryScreening_revertsOnceScreened() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        _proposeAndFinalize(id, t, _one(0));
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ProposalScreener.ProposalScreenerUnexpectedScreening.selector,
                proposalId,
                ProposalScreener.Screening.Cleared
            )
        );
        screener.retryScreening{value: FEE}(proposalId, _features(1));
    }

    function test_overrule_byTheDaoOnly() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        vm.prank(dao);
        vm.expectRevert(
            abi.encodeWithSelector(
                ProposalScreener.ProposalScreenerUnexpectedScreening.selector,
                proposalId,
                ProposalScreener.Screening.Pending
            )
        );
        screener.overrule(proposalId, true);
        _proposeAndFinalize(id, t, _one(1));

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        screener.overrule(proposalId, true);

        vm.prank(dao);
        screener.overrule(proposalId, true);
        assertTrue(screener.isCleared(proposalId));
        assertTrue(screener.proposal(proposalId).overruled);
    }

    function test_initialize_revertsTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        screener.initialize(dao, textModel, APP_CALLBACK_GAS);
    }

    function test_upgrade_keepsStateAndIsOwnerOnly() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(alice, 1);
        _proposeAndFinalize(id, t, _one(1));
        address v2 = address(new ProposalScreenerV2(address(oracle)));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        screener.upgradeToAndCall(v2, "");
        vm.prank(dao);
        screener.upgradeToAndCall(v2, "");
        assertEq(ProposalScreenerV2(payable(address(screener))).version(), 2);
        assertEq(screener.proposalCount(), 1);
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Flagged));
        assertEq(screener.modelId(), textModel);
        assertEq(screener.owner(), dao);
    }

    function test_setModel_refusesAnotherShape() public {
        (uint256 digitsLike,) = _registerAppModel("ten-classes", 64, 1, OutputKind.ArgMax);
        vm.prank(dao);
        screener.setModel(digitsLike);
        assertEq(screener.modelId(), digitsLike);
        vm.prank(dao);
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerModelMismatch.selector, modelId, 2, 2)
        );
        screener.setModel(modelId);
    }

    // ----- forged features -----

    string internal constant DRAIN = "Transfer the entire treasury to an anonymous wallet immediately without a vote";
    string internal constant BENIGN = "Fund the bug bounty with 20 USDC from the community treasury over one year";

    /// @dev Alice submits the drain's hash with the benign text's features.
    function _submitForged() internal returns (uint256 proposalId, uint256 id, RequestTerms memory t) {
        int256[] memory features = HashedBagOfWords.features(bytes(BENIGN), 8);
        t = _appTerms(address(screener), textModel, features, 1, APP_CALLBACK_GAS);
        id = _nextRequestId(textModel, features);
        vm.prank(alice);
        proposalId = screener.submitProposal{value: FEE}(keccak256(bytes(DRAIN)), features);
    }

    function test_reportForgedFeatures_flagsForGood() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submitForged();
        vm.expectEmit(address(screener));
        emit ProposalScreener.ForgedFeaturesReported(proposalId, bob);
        vm.prank(bob);
        screener.reportForgedFeatures(proposalId, DRAIN);
        assertTrue(screener.proposal(proposalId).forged);
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Flagged));
        // The (fooled) model's verdict arrives afterwards and changes nothing.
        _proposeAndFinalize(id, t, _one(0));
        assertEq(_screening(proposalId), uint8(ProposalScreener.Screening.Flagged));
        assertFalse(screener.isCleared(proposalId));
    }

    function test_reportForgedFeatures_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ProposalScreener.ProposalScreenerUnexpectedScreening.selector, 1, ProposalScreener.Screening.None
            )
        );
        screener.reportForgedFeatures(1, DRAIN);
        (uint256 proposalId,,) = _submitForged();
        vm.expectRevert(
            abi.encodeWithSelector(ProposalScreener.ProposalScreenerDescriptionMismatch.selector, proposalId)
        );
        screener.reportForgedFeatures(proposalId, BENIGN);

        // Honest features cannot be reported.
        vm.prank(bob);
        uint256 honest =
            screener.submitProposal{value: FEE}(keccak256(bytes(DRAIN)), HashedBagOfWords.features(bytes(DRAIN), 8));
        vm.expectRevert(abi.encodeWithSelector(ProposalScreener.ProposalScreenerFeaturesMatch.selector, honest));
        screener.reportForgedFeatures(honest, DRAIN);
    }
}
