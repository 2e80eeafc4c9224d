// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    Proposal
} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Step 5: the end of a request. An unchallenged proposal is finalized after its window; a request nobody
/// answered before its deadline expires.
contract FinalizeStepTest is OracleSteps {
    function test_finalize_paysProposerWritesCacheAndCallsBack() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, output, Provenance.Optimistic, true);
        vm.prank(stranger);
        oracle.finalize(id, terms, p, output);
        _assertState(id, RequestState.Finalized);
        assertEq(_free(proposer), STAKE + FEE, "bond back and the fee");
        assertEq(_locked(proposer), 0);
        assertEq(_free(stranger), 0, "finalizing earns nothing");
        assertEq(consumer.results(), 1);
        assertEq(consumer.lastOutput(), output);
        assertFalse(oracle.callbackOwed(id));
        _assertCached(_defaultInput(), output, Provenance.Optimistic);
        assertEq(address(oracle).balance, 2 * STAKE + FEE, "the fee moved into the proposer's stake");
    }

    function test_finalize_acceptsAtTheEndOfTheWindow() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        _assertState(id, RequestState.Finalized);
    }

    function test_finalize_revertsIfWindowOpen() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        uint256 end = block.timestamp + CHALLENGE_WINDOW;
        vm.warp(end - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleOutsideWindow.selector, id, end, type(uint40).max)
        );
        oracle.finalize(id, terms, p, output);
    }

    function test_finalize_revertsIfOutputDiffers() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleOutputMismatch.selector, id, p.outputHash));
        oracle.finalize(id, terms, p, _wrong(output));
    }

    function test_finalize_revertsIfProposalTampered() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        p.proposer = stranger;
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        oracle.finalize(id, terms, p, output);
    }

    function test_finalize_revertsIfDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, d, correct);
    }

    function test_finalize_revertsIfAlreadyFinalized() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, p, output);
    }

    function test_finalize_revertsIfADuplicateIsFinalizedTwice() public {
        int256[] memory output = _correct(_defaultInput());
        _request(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        Proposal memory p = _finalizeOptimistic(id, terms, output);
        // The sequence id's word is gone: it reads Finalized and nothing can act on it again.
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, p, output);
        assertEq(_free(proposer), STAKE + FEE, "paid once");
    }

    function test_finalize_keepsTheTermsOfTheRequestAfterRegistryChanges() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.startPrank(owner);
        registry.setChallengeWindow(modelId, 2 hours);
        registry.setMinBond(modelId, 5 ether);
        registry.setFee(modelId, 1 ether);
        vm.stopPrank();
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        assertEq(_free(proposer), STAKE + FEE);
    }

    function test_finalize_worksWhilePaused() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.prank(owner);
        oracle.setPaused(true);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        _assertState(id, RequestState.Finalized);
    }

    function test_finalize_keyedRequestBecomesTheCacheEntryInPlace() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        Proposal memory p = _finalizeOptimistic(id, terms, output);
        (RequestState state, uint256 time,) = oracle.requestRecord(id);
        assertEq(uint8(state), uint8(RequestState.Finalized));
        assertEq(time, block.timestamp, "the end time");
        assertEq(oracle.requestWord(id) >> 252, uint256(Provenance.Optimistic), "the entry's provenance");
        _assertCached(input, output, Provenance.Optimistic);
        // The finalized word can be neither proposed on nor finalized again.
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(proposer);
        oracle.propose(id, terms, output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, p, output);
    }
}

contract ExpireStepTest is OracleSteps {
    function test_expire_refundsAndOwesTheCallback() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(uint256(terms.deadline) + 1);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.Credited(address(consumer), FEE);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(
            id, address(consumer), CALLBACK_GAS, _failData(id, InferenceError.NoProposal)
        );
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFailed(id, RequestState.Expired, InferenceError.NoProposal, false);
        vm.prank(stranger);
        disputes().expire(id, terms);
        _assertState(id, RequestState.Expired);
        assertEq(oracle.claimableOf(address(consumer)), FEE, "the fee is credited back");
        assertEq(consumer.errors(), 0, "expiry never calls the consumer");
        assertTrue(oracle.callbackOwed(id));
        (, uint256 time,) = oracle.requestRecord(id);
        assertEq(time, block.timestamp, "the end time");
    }

    function test_expire_revertsAtTheDeadline() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(terms.deadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, id, uint256(terms.deadline) + 1, type(uint40).max
            )
        );
        disputes().expire(id, terms);
    }

    function test_expire_revertsIfProposed() public {
        (uint256 id, RequestTerms memory terms,) = _requestAndPropose(_correct(_defaultInput()));
        vm.warp(uint256(terms.deadline) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        disputes().expire(id, terms);
    }

    function test_expire_revertsIfFailed() public {
        uint256 id = consumer.request(modelId, new int256[](1), CALLBACK_GAS, FEE);
        RequestTerms memory terms = _termsFor(modelId, new int256[](1), 2);
        vm.warp(block.timestamp + REQUEST_TIMEOUT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        disputes().expire(id, terms);
    }

    function test_expire_revertsIfAlreadyExpired() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(uint256(terms.deadline) + 1);
        disputes().expire(id, terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        disputes().expire(id, terms);
        assertEq(oracle.claimableOf(address(consumer)), FEE, "refunded once");
    }

    function test_expire_revertsIfTermsTampered() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(uint256(terms.deadline) + 1);
        terms.fee = 2 * FEE;
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        disputes().expire(id, terms);
    }

    function test_expire_aDuplicateKeepsAWordWithItsState() public {
        _request(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(uint256(terms.deadline) + 1);
        disputes().expire(id, terms);
        (RequestState state, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(uint8(state), uint8(RequestState.Expired));
        assertEq(time, block.timestamp);
        assertEq(commitment, 0);
    }

    function test_expire_keyedWordHoldsNoResult() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        vm.warp(uint256(terms.deadline) + 1);
        disputes().expire(id, terms);
        (bool found,,) = _cached(modelId, input);
        assertFalse(found);
        // The next request of the key is a new request, not a cache hit.
        (uint256 next,) = _request(input);
        _assertState(next, RequestState.Requested);
        assertFalse(consumer.answeredDuringRequest());
    }

    function test_expire_worksWhilePaused() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.prank(owner);
        oracle.setPaused(true);
        vm.warp(uint256(terms.deadline) + 1);
        disputes().expire(id, terms);
        _assertState(id, RequestState.Expired);
    }
}
