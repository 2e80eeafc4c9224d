// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {DisputeModule} from "../../../src-sol/oracle/DisputeModule.sol";
import {
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    Proposal
} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Step 4: settling a dispute. Payouts exactly per the split: the winner keeps its bond and gets the fee
/// and WINNER_SHARE (40%) of the losing bond, whoever settles gets RESOLVER_SHARE (10%) of each losing bond, the
/// treasury the rest; if neither claim is the decided output both bonds are slashed and the settler earns the fee.
abstract contract ResolveSteps is OracleSteps {
    /// @dev Settlement moves no ETH: the oracle keeps both stakes and the fee.
    uint256 internal constant HELD = 2 * STAKE + FEE;

    function _assertWon(address winner, address loser, address resolver) internal view {
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        assertEq(_free(winner), STAKE + reward + FEE, "winner: bond back, reward and fee");
        assertEq(_locked(winner), 0);
        assertEq(_free(loser), STAKE - BOND, "loser: bond slashed");
        assertEq(_locked(loser), 0);
        assertEq(oracle.claimableOf(resolver), resolverReward, "resolver share");
        assertEq(oracle.claimableOf(treasury), toTreasury, "treasury: the rest");
        assertEq(reward + resolverReward + toTreasury, BOND);
    }

    function _assertBothSlashed(address resolver, bool resolverEarnsFee) internal view {
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(_free(challenger), STAKE - BOND);
        assertEq(_locked(proposer) + _locked(challenger), 0);
        assertEq(oracle.claimableOf(resolver), 2 * resolverReward + (resolverEarnsFee ? FEE : 0));
        assertEq(oracle.claimableOf(treasury), 2 * (reward + toTreasury));
        assertEq(address(oracle).balance, HELD);
    }

    /// @dev A dispute on the default input where neither the proposal nor the claim is the correct output.
    function _disputedBothWrong()
        internal
        returns (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct)
    {
        correct = _correct(_defaultInput());
        int256[] memory wrong = _wrong(correct);
        Proposal memory p;
        (id, terms, p) = _requestAndPropose(wrong);
        d = _challengeWith(id, terms, p, _hash(_wrong(wrong)));
    }

    function _expectSettled(uint256 id, address winner, address resolver, Provenance p, int256[] memory output)
        internal
    {
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(id, winner, resolver, p, reward, resolverReward, toTreasury);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(id, address(consumer), CALLBACK_GAS, _fulfillData(id, output));
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, output, p, false);
    }

    function _assertFinalizedWith(uint256 id, int256[] memory output, Provenance p) internal view {
        _assertState(id, RequestState.Finalized);
        assertEq(consumer.callbackCount(id), 0, "a settlement never calls the consumer");
        assertTrue(oracle.callbackOwed(id), "the callback is owed");
        _assertCached(_defaultInput(), output, p);
    }
}

contract ResolveWithProofStepTest is ResolveSteps {
    function test_resolveWithProof_slashesWrongProposer() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        _expectSettled(id, challenger, stranger, Provenance.Proof, correct);
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertWon(challenger, proposer, stranger);
        assertEq(address(oracle).balance, HELD, "settlement moves no ETH");
        _assertFinalizedWith(id, correct, Provenance.Proof);
    }

    function test_resolveWithProof_slashesWrongChallenger() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        _expectSettled(id, proposer, stranger, Provenance.Proof, correct);
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertWon(proposer, challenger, stranger);
        _assertFinalizedWith(id, correct, Provenance.Proof);
    }

    function test_resolveWithProof_slashesBothWhenNeitherClaimMatches() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputedBothWrong();
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        // No winner: each losing bond pays the resolver share and the treasury the rest.
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(
            id, address(0), stranger, Provenance.Proof, 0, resolverReward, reward + toTreasury
        );
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertBothSlashed(stranger, true);
        _assertFinalizedWith(id, correct, Provenance.Proof);
    }

    function test_resolveWithProof_theWinnerMayResolve() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(challenger);
        vm.prank(challenger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertWon(challenger, proposer, challenger);
    }

    function test_resolveWithProof_revertsIfProofInvalid() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
    }

    function test_resolveWithProof_revertsIfTheProofWasMadeForAnotherProver() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(challenger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
    }

    function test_resolveWithProof_revertsIfNoVerifier() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, bareModelId));
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, "");
    }

    function test_resolveWithProof_revertsIfInputMismatch() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        _markProven(_input(1, 2), correct);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInputMismatch.selector, id, terms.inputHash)
        );
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _input(1, 2), correct, proof);
    }

    function test_resolveWithProof_revertsIfOutputInvalid() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 3, 2));
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), new int256[](3), proof);
    }

    function test_resolveWithProof_revertsIfNotDisputed() public {
        int256[] memory correct = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(correct);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Disputed)
            )
        );
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, p, _defaultInput(), correct, proof);
    }

    function test_resolveWithProof_acceptsAtTheEndOfTheDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertWon(challenger, proposer, stranger);
    }

    function test_resolveWithProof_revertsAfterTheDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        uint256 disputedAt = block.timestamp;
        vm.warp(disputedAt + DISPUTE_WINDOW + 1);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, id, disputedAt, disputedAt + DISPUTE_WINDOW
            )
        );
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
    }

    function test_resolveWithProof_worksWhilePaused() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.prank(owner);
        oracle.setPaused(true);
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertWon(challenger, proposer, stranger);
    }
}

contract ResolveByReexecutionStepTest is ResolveSteps {
    function test_resolveByReexecution_slashesWrongProposer() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        _expectSettled(id, challenger, stranger, Provenance.Reexecution, correct);
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertWon(challenger, proposer, stranger);
        assertEq(address(oracle).balance, HELD, "settlement moves no ETH");
        _assertFinalizedWith(id, correct, Provenance.Reexecution);
    }

    function test_resolveByReexecution_slashesWrongChallenger() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        _expectSettled(id, proposer, stranger, Provenance.Reexecution, correct);
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertWon(proposer, challenger, stranger);
        _assertFinalizedWith(id, correct, Provenance.Reexecution);
    }

    function test_resolveByReexecution_slashesBothWhenNeitherClaimMatches() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputedBothWrong();
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(
            id, address(0), stranger, Provenance.Reexecution, 0, resolverReward, reward + toTreasury
        );
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertBothSlashed(stranger, true);
        _assertFinalizedWith(id, correct, Provenance.Reexecution);
    }

    function test_resolveByReexecution_revertsIfInputMismatch() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(true);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInputMismatch.selector, id, terms.inputHash)
        );
        disputes().resolveByReexecution(id, terms, d, _input(1, 2));
    }

    function test_resolveByReexecution_revertsIfNotReexecutable() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _bareDisputed(true);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNotReexecutable.selector, bareModelId));
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
    }

    function test_resolveByReexecution_revertsIfNotDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Disputed)
            )
        );
        disputes().resolveByReexecution(id, terms, p, _defaultInput());
    }

    function test_resolveByReexecution_revertsIfProposalTampered() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(true);
        d.claimHash = bytes32(uint256(5));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
    }

    function test_resolveByReexecution_acceptsAtTheEndOfTheDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW);
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertWon(challenger, proposer, stranger);
    }

    function test_resolveByReexecution_revertsAfterTheDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        uint256 disputedAt = block.timestamp;
        vm.warp(disputedAt + DISPUTE_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, id, disputedAt, disputedAt + DISPUTE_WINDOW
            )
        );
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
    }

    function test_resolveByReexecution_keepsTheWindowOfTheRequest() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        uint256 disputedAt = block.timestamp;
        // A shorter window set after the request does not cut this dispute short.
        vm.prank(owner);
        oracle.setWindows(1 hours, 1 hours, UNBONDING_DELAY);
        vm.warp(disputedAt + DISPUTE_WINDOW);
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertWon(challenger, proposer, stranger);
    }

    function test_resolveByReexecution_settlesADuplicateRequest() public {
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        _request(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        Proposal memory p = _propose(id, terms, _wrong(correct));
        Proposal memory d = _challenge(id, terms, p);
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, input);
        _assertState(id, RequestState.Finalized);
        assertEq(oracle.requestWord(id), 0, "a sequence id keeps no word");
        _assertWon(challenger, proposer, stranger);
    }

    function test_slashSplit_matchesTheSharesTheSettlementsPay() public view {
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = DisputeModule(address(oracle)).slashSplit(BOND);
        (uint256 r, uint256 rr, uint256 t) = _split();
        assertEq(reward, r);
        assertEq(resolverReward, rr);
        assertEq(toTreasury, t);
        assertEq(DisputeModule(address(oracle)).WINNER_SHARE_BPS(), 4_000);
        assertEq(DisputeModule(address(oracle)).RESOLVER_SHARE_BPS(), 1_000);
    }
}

contract ResolveByArbitrationStepTest is ResolveSteps {
    function test_resolveByArbitration_choosesTheChallengersClaim() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(
            id, challenger, arbitrator, Provenance.Arbitration, reward, resolverReward, toTreasury
        );
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, correct, Provenance.Arbitration, false);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        _assertWon(challenger, proposer, arbitrator);
        assertEq(address(oracle).balance, HELD, "settlement moves no ETH");
        _assertState(id, RequestState.Finalized);
        (bool found, int256[] memory cached, Provenance p) = _cached(bareModelId, _defaultInput());
        assertTrue(found);
        assertEq(cached, correct);
        assertEq(uint8(p), uint8(Provenance.Arbitration));
    }

    function test_resolveByArbitration_choosesTheProposersClaim() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(true);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        _assertWon(proposer, challenger, arbitrator);
        assertTrue(oracle.callbackOwed(id));
    }

    function test_resolveByArbitration_rejectsBothClaims() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _bareDisputed(true);
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split();
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(
            id, address(0), arbitrator, Provenance.Arbitration, 0, resolverReward, reward + toTreasury
        );
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(
            id, address(consumer), CALLBACK_GAS, _failData(id, InferenceError.ClaimsRejected)
        );
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFailed(id, RequestState.Expired, InferenceError.ClaimsRejected, false);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, new int256[](0));
        _assertState(id, RequestState.Expired);
        _assertBothSlashed(arbitrator, false);
        assertEq(oracle.claimableOf(address(consumer)), FEE, "the fee goes back to the requester");
        (bool found,,) = _cached(bareModelId, _defaultInput());
        assertFalse(found, "no result, nothing cached");
        assertEq(consumer.errors(), 0, "the consumer is owed the call, not called");
    }

    function test_resolveByArbitration_decidesRightAfterTheChallenge() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        _assertState(id, RequestState.Finalized);
    }

    function test_resolveByArbitration_acceptsAtTheEndOfTheArbitrationWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        vm.warp(block.timestamp + ARBITRATION_WINDOW);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        _assertWon(challenger, proposer, arbitrator);
    }

    function test_resolveByArbitration_revertsAfterTheArbitrationWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        uint256 disputedAt = block.timestamp;
        vm.warp(disputedAt + ARBITRATION_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, id, disputedAt, disputedAt + ARBITRATION_WINDOW
            )
        );
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
    }

    function test_resolveByArbitration_revertsIfNotAClaim() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        int256[] memory other = _wrong(_wrong(correct));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNotAClaim.selector, id, _hash(other)));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, other);
    }

    function test_resolveByArbitration_revertsIfTheChosenClaimIsNoValidOutput() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _bareRequest(input);
        Proposal memory p = _propose(id, terms, _bareCorrect(input));
        // The challenger claims an output of the wrong length: the arbitrator cannot choose it.
        int256[] memory bogus = new int256[](2);
        Proposal memory d = _challengeWith(id, terms, p, _hash(bogus));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 2, 1));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, bogus);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, _bareCorrect(input));
        _assertWon(proposer, challenger, arbitrator);
    }

    function test_resolveByArbitration_revertsIfNotArbitrator() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleUnauthorizedArbitrator.selector, stranger));
        vm.prank(stranger);
        disputes().resolveByArbitration(id, terms, d, correct);
    }

    function test_resolveByArbitration_revertsIfAProofOrReexecutionCanDecide() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleArbitrationNotAllowed.selector, id));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleArbitrationNotAllowed.selector, id));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, new int256[](0));
    }

    function test_resolveByArbitration_revertsIfNotDisputed() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _bareRequest(input);
        Proposal memory p = _propose(id, terms, _bareCorrect(input));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Disputed)
            )
        );
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, p, _bareCorrect(input));
    }
}

contract ExpireDisputeStepTest is ResolveSteps {
    function test_expireDispute_proposalStandsAndTheChallengerPays() public {
        // Even a wrong proposal stands when nobody substantiates the challenge in time.
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        int256[] memory proposed = _wrong(correct);
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        _expectSettled(id, proposer, stranger, Provenance.Optimistic, proposed);
        vm.prank(stranger);
        disputes().expireDispute(id, terms, d, proposed);
        _assertWon(proposer, challenger, stranger);
        assertEq(address(oracle).balance, HELD, "settlement moves no ETH");
        _assertFinalizedWith(id, proposed, Provenance.Optimistic);
    }

    function test_expireDispute_revertsAtTheEndOfTheDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        uint256 closesAt = block.timestamp + DISPUTE_WINDOW;
        vm.warp(closesAt);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, id, closesAt + 1, type(uint40).max
            )
        );
        disputes().expireDispute(id, terms, d, correct);
        // At that same second a resolution is still possible.
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertWon(proposer, challenger, stranger);
    }

    function test_expireDispute_usesTheArbitrationWindowForArbitrationModels() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(true);
        uint256 closesAt = block.timestamp + ARBITRATION_WINDOW;
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, id, closesAt + 1, type(uint40).max
            )
        );
        disputes().expireDispute(id, terms, d, correct);
        vm.warp(closesAt + 1);
        vm.prank(stranger);
        disputes().expireDispute(id, terms, d, correct);
        _assertWon(proposer, challenger, stranger);
        (,, Provenance p) = _cached(bareModelId, _defaultInput());
        assertEq(uint8(p), uint8(Provenance.Optimistic));
    }

    function test_expireDispute_revertsIfOutputIsNotTheProposal() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleOutputMismatch.selector, id, d.outputHash));
        disputes().expireDispute(id, terms, d, correct);
    }

    function test_expireDispute_revertsIfNotDisputed() public {
        int256[] memory correct = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(correct);
        vm.warp(block.timestamp + CHALLENGE_WINDOW + DISPUTE_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Disputed)
            )
        );
        disputes().expireDispute(id, terms, p, correct);
    }

    function test_expireDispute_closesTheDisputeForResolutions() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        disputes().expireDispute(id, terms, d, _wrong(correct));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Disputed)
            )
        );
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
    }

    function test_expireDispute_worksWhilePaused() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        vm.prank(owner);
        oracle.setPaused(true);
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        vm.prank(stranger);
        disputes().expireDispute(id, terms, d, correct);
        _assertWon(proposer, challenger, stranger);
    }
}
