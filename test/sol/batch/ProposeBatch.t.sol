// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatchSteps} from "./BatchSteps.sol";
import {IBatches} from "../../../src-sol/interfaces/IBatches.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {
    RequestState,
    RequestTerms,
    Proposal,
    Provenance,
    MaturedProposal
} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice `proposeBatch` and `finalizeBatch`: optimistic proposals of many requests in one transaction, one bond
/// each, every proposal challengeable on its own; matured proposals finalized together.
contract ProposeBatchTest is BatchSteps {
    function _proposeBatch(uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory outputs)
        internal
        returns (uint256 proposed)
    {
        vm.prank(proposer);
        (proposed,) = batches().proposeBatch(ids, terms, outputs, _noneMatured());
    }

    function test_proposesEach_locksOneBondPerRequest() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(3);
        uint256 freeBefore = _free(proposer);
        for (uint256 i = 0; i < 3; ++i) {
            vm.expectEmit(address(oracle));
            emit IOracleEvents.OutputProposed(ids[i], proposer, outputs[i]);
        }
        assertEq(_proposeBatch(ids, terms, outputs), 3);
        for (uint256 i = 0; i < 3; ++i) {
            _assertState(ids[i], RequestState.Proposed);
        }
        assertEq(_locked(proposer), 3 * BOND, "three bonds locked");
        assertEq(_free(proposer), freeBefore - 3 * BOND);
    }

    function test_eachProposalIsChallengedAlone() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        outputs[1] = _wrong(outputs[1]);
        _proposeBatch(ids, terms, outputs);
        Proposal memory p = Proposal(proposer, address(0), _hash(outputs[1]), bytes32(0));
        _challenge(ids[1], terms[1], p);
        _assertState(ids[0], RequestState.Proposed);
        _assertState(ids[1], RequestState.Disputed);
    }

    function test_skipsRequestsNoLongerOpen() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        _propose(ids[0], terms[0], outputs[0]);
        vm.expectEmit(address(oracle));
        emit IBatches.BatchItemSkipped(ids[0]);
        assertEq(_proposeBatch(ids, terms, outputs), 1);
        assertEq(_locked(proposer), 2 * BOND, "one bond each, the skipped one not twice");
    }

    function test_revertsOnAShortStake_wholeBatch() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        _stake(stranger, BOND);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientStake.selector, stranger, BOND, 2 * BOND)
        );
        batches().proposeBatch(ids, terms, outputs, _noneMatured());
    }

    function test_revertsOnAnInvalidOutput() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        outputs[1] = new int256[](1);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 1, 2));
        batches().proposeBatch(ids, terms, outputs, _noneMatured());
    }

    function test_revertsOnMismatchedLengths() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        int256[][] memory one = new int256[][](1);
        one[0] = outputs[0];
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IBatches.InferenceOracleBatchLength.selector, 2, 2, 1));
        batches().proposeBatch(ids, terms, one, _noneMatured());
    }

    function test_finalizesMaturedAlongside() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        _proposeBatch(ids, terms, outputs);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        MaturedProposal[] memory m = _matured(ids, terms, outputs, proposer);
        (uint256[] memory next, RequestTerms[] memory nextTerms,, int256[][] memory nextOutputs) = _fresh(2);
        vm.prank(proposer);
        (uint256 proposed, uint256 finalized) = batches().proposeBatch(next, nextTerms, nextOutputs, m);
        assertEq(proposed, 2);
        assertEq(finalized, 2);
        _assertState(ids[0], RequestState.Finalized);
        _assertState(ids[1], RequestState.Finalized);
        assertEq(_locked(proposer), 2 * BOND, "old bonds released, new ones locked");
    }

    function test_finalizeBatch_skipsUnmaturedAndMismatched() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs) =
            _requests(3);
        _proposeBatch(ids, terms, outputs);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        MaturedProposal[] memory m = _matured(ids, terms, outputs, proposer);
        m[1].output = _wrong(outputs[1]);
        m[2].terms.fee += 1;
        uint256 freeBefore = _free(proposer);
        assertEq(batches().finalizeBatch(m), 1);
        _assertState(ids[0], RequestState.Finalized);
        _assertState(ids[1], RequestState.Proposed);
        _assertState(ids[2], RequestState.Proposed);
        _assertCached(inputs[0], outputs[0], Provenance.Optimistic);
        assertEq(_free(proposer), freeBefore + BOND + FEE);
    }

    function test_finalizeBatch_beforeTheWindowEndsFinalizesNothing() public {
        (uint256[] memory ids, RequestTerms[] memory terms,, int256[][] memory outputs) = _requests(2);
        _proposeBatch(ids, terms, outputs);
        assertEq(batches().finalizeBatch(_matured(ids, terms, outputs, proposer)), 0);
    }

    /// @dev Requests of inputs other than {_requests}'.
    function _fresh(uint256 n)
        internal
        returns (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs)
    {
        ids = new uint256[](n);
        terms = new RequestTerms[](n);
        inputs = new int256[][](n);
        outputs = new int256[][](n);
        for (uint256 i = 0; i < n; ++i) {
            inputs[i] = _input(int256(500 + i), int256(7 * i));
            outputs[i] = _correct(inputs[i]);
            (ids[i], terms[i]) = _request(inputs[i]);
        }
    }
}
