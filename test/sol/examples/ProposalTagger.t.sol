// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {AppFixture} from "./utils/AppFixture.sol";
import {ProposalTagger} from "../../../src-sol/examples/ProposalTagger.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

contract ProposalTaggerV2 is ProposalTagger {
    constructor(address oracle) ProposalTagger(oracle) {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @notice The DAO proposal tagger: the title becomes the language model's request, the answer its tag.
contract ProposalTaggerTest is AppFixture {
    ProposalTagger internal tagger;
    uint256 internal lm;
    address internal dao = makeAddr("dao");

    string internal constant TITLE = "Q: Fund the garden";

    function setUp() public override {
        super.setUp();
        // A language model as the registry sees it (docs/SEMANTICS.md, "Generation"): 1 + 48 inputs in
        // [-1, 95], 8 outputs, no weights on chain and no verifier (disputes go to arbitration).
        IModelRegistry.ModelSpec memory spec = IModelRegistry.ModelSpec({
            modelHash: keccak256("gpt"),
            inputLength: 49,
            outputLength: 8,
            inputMin: -1,
            inputMax: 95,
            scaleBits: 12,
            outputKind: OutputKind.Logits,
            verifier: IInferenceVerifier(address(0)),
            challengeWindow: CHALLENGE_WINDOW,
            minBond: BOND,
            fee: FEE
        });
        vm.prank(owner);
        lm = registry.registerModel(spec, "");
        tagger = ProposalTagger(
            payable(_proxy(
                    address(new ProposalTagger(address(oracle))),
                    abi.encodeCall(ProposalTagger.initialize, (dao, lm, APP_CALLBACK_GAS))
                ))
        );
        vm.deal(alice, 10 ether);
    }

    /// @dev " the gard" as the model's ids (id = ASCII - 31), then -1.
    function _answer() internal pure returns (int256[] memory out) {
        bytes memory text = " the gar";
        out = new int256[](8);
        for (uint256 i = 0; i < 8; ++i) {
            out[i] = int256(uint256(uint8(text[i]))) - 31;
        }
    }

    function _submit(string memory title) internal returns (uint256 proposalId, uint256 id, RequestTerms memory t) {
        int256[] memory request = tagger.encodeRequest(title);
        t = _appTerms(address(tagger), lm, request, 8, APP_CALLBACK_GAS);
        id = _nextRequestId(lm, request);
        vm.prank(alice);
        proposalId = tagger.submitProposal{value: FEE}(title, request);
    }

    function test_encodeRequest_isTheCountThenTheTitleThenPadding() public view {
        int256[] memory r = tagger.encodeRequest("Hi\n~ ");
        assertEq(r.length, 49);
        assertEq(r[0], 8);
        assertEq(r[1], 41); // 'H' = 72
        assertEq(r[2], 74); // 'i' = 105
        assertEq(r[3], 0); // newline
        assertEq(r[4], 95); // '~'
        assertEq(r[5], 1); // space
        for (uint256 i = 6; i < 49; ++i) {
            assertEq(r[i], -1);
        }
    }

    function test_encodeRequest_refusesWhatTheModelCannotRead() public {
        vm.expectRevert(abi.encodeWithSelector(ProposalTagger.ProposalTaggerTitleLength.selector, 0, 48));
        tagger.encodeRequest("");
        vm.expectRevert(abi.encodeWithSelector(ProposalTagger.ProposalTaggerTitleLength.selector, 49, 48));
        tagger.encodeRequest("0123456789012345678901234567890123456789012345678");
        vm.expectRevert(abi.encodeWithSelector(ProposalTagger.ProposalTaggerUnsupportedCharacter.selector, 2, bytes1(0x09)));
        tagger.encodeRequest("ab\tc");
    }

    function test_submitProposal_taggedOptimistically() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(TITLE);
        assertEq(uint8(tagger.proposal(proposalId).status), uint8(ProposalTagger.TagStatus.Pending));
        Proposal memory p = _propose(id, t, _answer());
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(tagger));
        emit ProposalTagger.ProposalTagged(proposalId, " the gar", false);
        oracle.finalize(id, t, p, _answer());
        ProposalTagger.TaggedProposal memory r = tagger.proposal(proposalId);
        assertEq(uint8(r.status), uint8(ProposalTagger.TagStatus.Tagged));
        assertEq(r.tag, " the gar");
        assertEq(r.title, TITLE);
        assertEq(r.proposer, alice);
    }

    function test_submitProposal_refusesARequestThatIsNotTheTitle() public {
        int256[] memory request = tagger.encodeRequest("Q: Fund the pool");
        vm.prank(alice);
        vm.expectRevert(ProposalTagger.ProposalTaggerRequestMismatch.selector);
        tagger.submitProposal{value: FEE}(TITLE, request);
    }

    function test_decodeAnswer_stopsAtPaddingAndMarksForeignIds() public view {
        int256[] memory out = new int256[](8);
        out[0] = 41;
        out[1] = 0;
        out[2] = 96;
        out[3] = -7;
        out[4] = -1;
        out[5] = 41;
        assertEq(tagger.decodeAnswer(out), "H\n??");
    }

    function test_failure_isRecordedAndRetried() public {
        (uint256 proposalId, uint256 id, RequestTerms memory t) = _submit(TITLE);
        _expire(id, t);
        assertEq(uint8(tagger.proposal(proposalId).status), uint8(ProposalTagger.TagStatus.Failed));
        int256[] memory request = tagger.encodeRequest(TITLE);
        RequestTerms memory t2 = _appTerms(address(tagger), lm, request, 8, APP_CALLBACK_GAS);
        vm.prank(alice);
        uint256 id2 = tagger.retryTagging{value: FEE}(proposalId, request);
        _proposeAndFinalize(id2, t2, _answer());
        assertEq(tagger.proposal(proposalId).tag, " the gar");
    }

    function test_overrule_byTheDaoOnly() public {
        (uint256 proposalId,,) = _submit(TITLE);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        tagger.overrule(proposalId, "treasury");
        vm.prank(dao);
        tagger.overrule(proposalId, "treasury");
        ProposalTagger.TaggedProposal memory r = tagger.proposal(proposalId);
        assertTrue(r.overruled);
        assertEq(r.tag, "treasury");
    }

    function test_upgrade_byTheDaoOnly() public {
        address v2 = address(new ProposalTaggerV2(address(oracle)));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        tagger.upgradeToAndCall(v2, "");
        vm.prank(dao);
        tagger.upgradeToAndCall(v2, "");
        assertEq(ProposalTaggerV2(payable(address(tagger))).version(), 2);
    }
}
