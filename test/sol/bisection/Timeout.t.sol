// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {RequestState} from "../../../src-sol/types/InferenceTypes.sol";
import {BisectionFixture} from "./BisectionFixture.sol";

/// @notice A party that misses its deadline loses; the final step is the challenger's burden.
contract TimeoutTest is BisectionFixture {
    uint256 internal constant WINNER_SHARE = BOND * 4_000 / 10_000;
    uint256 internal constant RESOLVER_SHARE = BOND * 1_000 / 10_000;

    function test_timeoutBisection_aProposerThatNeverCommitsLoses() public {
        Dispute memory d = _dispute(deepId, 1, 3, 9);
        _open(d);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionDecided(d.id, challenger, 0, true);
        vm.prank(stranger);
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.c));
        assertEq(_free(challenger), STAKE + WINNER_SHARE + FEE);
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(oracle.claimableOf(stranger), RESOLVER_SHARE);
        assertEq(uint8(oracle.requestState(d.id)), uint8(RequestState.Finalized));
    }

    function test_timeoutBisection_aStallingChallengerLoses() public {
        Dispute memory d = _dispute(deepId, 1, 9, 5);
        _open(d);
        _commit(d);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.prank(proposer);
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.p));
        assertEq(_free(proposer), STAKE + WINNER_SHARE + FEE);
        assertEq(oracle.claimableOf(proposer), RESOLVER_SHARE);
    }

    function test_timeoutBisection_aStallingProposerLosesLaterToo() public {
        Dispute memory d = _dispute(deepId, 1, 5, 9);
        _open(d);
        _commit(d); // [2, 5]
        _move(d); // the challenger agrees at 3: [3, 5], the proposer's turn
        assertEq(uint8(bisection().bisectionOf(d.id).phase), uint8(IBisection.BisectionPhase.ProposerToMove));
        vm.warp(block.timestamp + 1 hours + 1);
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.c));
        assertEq(_free(challenger), STAKE + WINNER_SHARE + FEE);
    }

    function test_timeoutBisection_anUnexecutedStepLetsTheProposalStand() public {
        Dispute memory d = _dispute(deepId, 1, 3, 9);
        _narrow(d);
        vm.warp(block.timestamp + 1 hours + 1);
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.p));
        assertEq(_free(proposer), STAKE + WINNER_SHARE + FEE);
        assertEq(_free(challenger), STAKE - BOND);
    }

    function test_timeoutBisection_failsBeforeTheDeadline() public {
        Dispute memory d = _dispute(deepId, 1, 3, 9);
        _open(d);
        uint256 deadline = block.timestamp + 1 hours;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionOutsideDeadline.selector, d.id, deadline));
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.c));
    }

    function test_timeoutBisection_failsWithoutAGame() public {
        Dispute memory d = _dispute(deepId, 1, 3, 9);
        vm.expectRevert(
            abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, ~bytes32(uint256(1)))
        );
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.c));
    }

    function test_timeoutBisection_failsForTheLosersOutput() public {
        Dispute memory d = _dispute(deepId, 1, 3, 9);
        _open(d);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionNotWinnerOutput.selector, d.id, d.proposal.claimHash));
        bisection().timeoutBisection(d.id, d.terms, d.proposal, _output(d.p));
    }
}
