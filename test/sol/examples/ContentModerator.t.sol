// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {AppFixture} from "./utils/AppFixture.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {ContentModerator} from "../../../src-sol/examples/ContentModerator.sol";
import {HashedBagOfWords} from "../../../src-sol/examples/libraries/HashedBagOfWords.sol";
import {OutputKind, InferenceError, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";

contract ContentModeratorV2 is ContentModerator {
    constructor(address oracle) ContentModerator(oracle) {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

contract ContentModeratorTest is AppFixture {
    ContentModerator internal moderator;
    uint256 internal rulesV1;
    uint256 internal rulesV2;
    TestVerifier internal rulesVerifier;
    address internal community = makeAddr("community");

    bytes32 internal constant CONTENT = keccak256("ipfs://post");

    function setUp() public override {
        super.setUp();
        (rulesV1, rulesVerifier) = _registerAppModel("moderation-v1", 64, 1, OutputKind.ArgMax);
        (rulesV2,) = _registerAppModel("moderation-v2", 64, 1, OutputKind.ArgMax);
        moderator = ContentModerator(
            payable(_proxy(
                    address(new ContentModerator(address(oracle))),
                    abi.encodeCall(ContentModerator.initialize, (community, rulesV1, APP_CALLBACK_GAS))
                ))
        );
        vm.deal(alice, 10 ether);
        vm.deal(bob, 10 ether);
    }

    function _features(uint256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](64);
        for (uint256 i = 0; i < 64; ++i) {
            x[i] = int256(((i * 5 + seed) % 3) * 256);
        }
    }

    function _publish(address who, uint256 seed) internal returns (uint256 postId, uint256 id, RequestTerms memory t) {
        t = _appTerms(address(moderator), moderator.modelId(), _features(seed), 1, APP_CALLBACK_GAS);
        id = _nextRequestId(t.modelId, _features(seed));
        vm.prank(who);
        postId = moderator.publish{value: FEE}(CONTENT, _features(seed));
    }

    function _status(uint256 postId) internal view returns (uint8) {
        return uint8(moderator.post(postId).status);
    }

    function test_publish_isHiddenUntilModerated() public {
        (uint256 postId, uint256 id, RequestTerms memory t) = _publish(alice, 1);
        assertEq(_status(postId), uint8(ContentModerator.PostStatus.Pending));
        assertFalse(moderator.isVisible(postId));
        assertEq(moderator.post(postId).modelId, rulesV1);
        _proposeAndFinalize(id, t, _one(0));
        assertTrue(moderator.isVisible(postId));
    }

    function test_publish_violationIsHiddenWithProof() public {
        (uint256 postId, uint256 id, RequestTerms memory t) = _publish(alice, 1);
        rulesVerifier.setProven(_features(1), _one(1), true);
        bytes memory proof = rulesVerifier.proofFor(proposer);
        vm.expectEmit(address(moderator));
        emit ContentModerator.PostModerated(postId, ContentModerator.PostStatus.Hidden);
        vm.prank(proposer);
        oracle.proposeWithProof(id, t, _features(1), _one(1), proof);
        assertEq(_status(postId), uint8(ContentModerator.PostStatus.Hidden));
    }

    function test_publish_repostIsACacheHit() public {
        (, uint256 id, RequestTerms memory t) = _publish(alice, 1);
        _proposeAndFinalize(id, t, _one(1));
        (uint256 repost,,) = _publish(bob, 1);
        assertEq(_status(repost), uint8(ContentModerator.PostStatus.Hidden));
        assertEq(moderator.refundOf(bob), FEE);
        uint256 before = bob.balance;
        vm.prank(bob);
        moderator.claimRefund(payable(bob));
        assertEq(bob.balance, before + FEE);
    }

    function test_appeal_reRunsUnderNewRules() public {
        (uint256 postId, uint256 id, RequestTerms memory t) = _publish(alice, 1);
        _proposeAndFinalize(id, t, _one(1));

        // Same rules: refused.
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ContentModerator.ContentModeratorSameRules.selector, postId, rulesV1));
        moderator.appeal{value: FEE}(postId, _features(1));

        vm.prank(community);
        moderator.setModel(rulesV2);
        RequestTerms memory t2 = _appTerms(address(moderator), rulesV2, _features(1), 1, APP_CALLBACK_GAS);
        vm.prank(alice);
        uint256 id2 = moderator.appeal{value: FEE}(postId, _features(1));
        assertEq(_status(postId), uint8(ContentModerator.PostStatus.Pending));
        assertEq(moderator.post(postId).modelId, rulesV2);
        _proposeAndFinalize(id2, t2, _one(0));
        assertTrue(moderator.isVisible(postId));
    }

    function test_appeal_reverts() public {
        (uint256 postId, uint256 id, RequestTerms memory t) = _publish(alice, 1);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ContentModerator.ContentModeratorUnexpectedStatus.selector, postId, ContentModerator.PostStatus.Pending
            )
        );
        moderator.appeal{value: FEE}(postId, _features(1));
        _proposeAndFinalize(id, t, _one(1));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ContentModerator.ContentModeratorNotAuthor.selector, postId, bob));
        moderator.appeal{value: FEE}(postId, _features(1));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ContentModerator.ContentModeratorFeaturesMismatch.selector, postId));
        moderator.appeal{value: FEE}(postId, _features(2));
    }

    function test_retryModeration_afterInvalidInput() public {
        int256[] memory bad = _features(1);
        bad[0] = -1;
        vm.prank(alice);
        vm.expectEmit(address(moderator));
        emit ContentModerator.ModerationFailed(1, InferenceError.InputOutOfRange);
        uint256 postId = moderator.publish{value: FEE}(CONTENT, bad);
        assertEq(_status(postId), uint8(ContentModerator.PostStatus.Failed));
        assertEq(moderator.refundOf(alice), FEE);
        // Retrying the same bad input fails the same way; the fee comes back again.
        vm.prank(alice);
        moderator.retryModeration{value: FEE}(postId, bad);
        assertEq(_status(postId), uint8(ContentModerator.PostStatus.Failed));
        assertEq(moderator.refundOf(alice), 2 * FEE);
    }

    function test_setModel_onlyCommunity() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        moderator.setModel(rulesV2);
    }

    function test_upgrade_keepsState() public {
        (uint256 postId, uint256 id, RequestTerms memory t) = _publish(alice, 1);
        _proposeAndFinalize(id, t, _one(0));
        address v2 = address(new ContentModeratorV2(address(oracle)));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        moderator.upgradeToAndCall(v2, "");
        vm.prank(community);
        moderator.upgradeToAndCall(v2, "");
        assertEq(ContentModeratorV2(payable(address(moderator))).version(), 2);
        assertTrue(moderator.isVisible(postId));
        assertEq(moderator.post(postId).author, alice);
        assertEq(moderator.postCount(), 1);
        assertEq(moderator.modelId(), rulesV1);
    }

    // ----- forged features -----

    function test_reportForgedFeatures_hidesForGood() public {
        string memory scam = "Send me your seed phrase and I will double your ETH";
        int256[] memory benign = HashedBagOfWords.features("Great thread about staking thanks for sharing", 8);
        RequestTerms memory t = _appTerms(address(moderator), rulesV1, benign, 1, APP_CALLBACK_GAS);
        vm.prank(alice);
        uint256 postId = moderator.publish{value: FEE}(keccak256(bytes(scam)), benign);
        uint256 id = moderator.pendingRequest(bytes32(postId)).requestId;

        vm.expectRevert(abi.encodeWithSelector(ContentModerator.ContentModeratorContentMismatch.selector, postId));
        moderator.reportForgedFeatures(postId, "something else");
        vm.prank(bob);
        moderator.reportForgedFeatures(postId, scam);
        assertTrue(moderator.post(postId).forged);
        assertEq(_status(postId), uint8(ContentModerator.PostStatus.Hidden));

        // The fooled model says "allowed": the post stays hidden, and it cannot be appealed.
        _proposeAndFinalize(id, t, _one(0));
        assertFalse(moderator.isVisible(postId));
        vm.prank(community);
        moderator.setModel(rulesV2);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ContentModerator.ContentModeratorForgedFeatures.selector, postId));
        moderator.appeal{value: FEE}(postId, benign);
    }

    function test_reportForgedFeatures_revertsForHonestFeatures() public {
        string memory text = "Meetup in Lisbon next Monday everyone is welcome";
        vm.prank(alice);
        uint256 postId =
            moderator.publish{value: FEE}(keccak256(bytes(text)), HashedBagOfWords.features(bytes(text), 8));
        vm.expectRevert(abi.encodeWithSelector(ContentModerator.ContentModeratorFeaturesMatch.selector, postId));
        moderator.reportForgedFeatures(postId, text);
    }
}
