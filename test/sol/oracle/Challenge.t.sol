// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {DisputeModule} from "../../../src-sol/oracle/DisputeModule.sol";
import {RequestState, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Step 3: a challenge inside the window, with a bond equal to the proposer's and the output the
/// challenger says is right.
contract ChallengeStepTest is OracleSteps {
    function test_challenge_locksBondAndDisputes() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        bytes32 claim = _hash(_wrong(_correct(_defaultInput())));
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ProposalChallenged(id, challenger, claim);
        Proposal memory d = _challengeWith(id, terms, p, claim);
        _assertState(id, RequestState.Disputed);
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp, "the challenge time");
        assertEq(commitment, oracle.commitmentOf(id, terms, d), "the commitment covers challenger and claim");
        assertEq(_locked(challenger), BOND);
        assertEq(_free(challenger), STAKE - BOND);
        assertEq(_locked(proposer), BOND, "the proposer's bond stays locked");
    }

    function test_challenge_acceptsTheLastSecondOfTheWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.warp(block.timestamp + CHALLENGE_WINDOW - 1);
        _challenge(id, terms, p);
        _assertState(id, RequestState.Disputed);
    }

    function test_challenge_revertsIfWindowClosed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        uint256 end = block.timestamp + CHALLENGE_WINDOW;
        vm.warp(end);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleOutsideWindow.selector, id, 0, end - 1));
        vm.prank(challenger);
        disputes().challenge(id, terms, p, _hash(_wrong(_correct(_defaultInput()))));
    }

    function test_challenge_revertsIfSelfChallenge() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleSelfChallenge.selector, proposer));
        vm.prank(proposer);
        disputes().challenge(id, terms, p, bytes32(uint256(1)));
    }

    function test_challenge_revertsIfClaimEmpty() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidClaim.selector, id, bytes32(0)));
        vm.prank(challenger);
        disputes().challenge(id, terms, p, bytes32(0));
    }

    function test_challenge_revertsIfClaimIsTheProposedOutput() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidClaim.selector, id, p.outputHash));
        vm.prank(challenger);
        disputes().challenge(id, terms, p, p.outputHash);
    }

    function test_challenge_revertsIfStakeTooLow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientStake.selector, stranger, 0, BOND)
        );
        vm.prank(stranger);
        disputes().challenge(id, terms, p, bytes32(uint256(1)));
    }

    function test_challenge_revertsIfProposalTampered() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        p.outputHash = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(challenger);
        disputes().challenge(id, terms, p, bytes32(uint256(2)));
    }

    function test_challenge_revertsIfTermsTampered() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        terms.disputeWindow = 30 days;
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(challenger);
        disputes().challenge(id, terms, p, bytes32(uint256(2)));
    }

    function test_challenge_revertsIfAlreadyDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(true);
        _stake(stranger, STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        vm.prank(stranger);
        disputes().challenge(id, terms, d, bytes32(uint256(3)));
    }

    function test_challenge_revertsIfNotProposed() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        vm.prank(challenger);
        disputes().challenge(id, terms, Proposal(address(0), address(0), 0, 0), bytes32(uint256(3)));
    }

    function test_challenge_revertsIfFinalized() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        Proposal memory p = _finalizeOptimistic(id, terms, output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        vm.prank(challenger);
        disputes().challenge(id, terms, p, bytes32(uint256(3)));
    }

    function test_challenge_stopsFinalization() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        _challenge(id, terms, p);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        // The proposal the proposer knows no longer matches: the commitment now names the challenger.
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, p, output);
    }

    function test_challenge_worksWhilePaused() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.prank(owner);
        oracle.setPaused(true);
        _challenge(id, terms, p);
        _assertState(id, RequestState.Disputed);
    }

    function test_challenge_onTheArbitrationModel() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _bareDisputed(true);
        _assertState(id, RequestState.Disputed);
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp);
        assertEq(commitment, oracle.commitmentOf(id, terms, d));
    }

    function test_challenge_revertsWhenCalledOnTheModuleDirectly() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        DisputeModule module = DisputeModule(oracle.disputeModule());
        vm.expectRevert(DisputeModule.DisputeModuleNotDelegated.selector);
        vm.prank(challenger);
        module.challenge(id, terms, p, bytes32(uint256(1)));
    }
}
