// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {BisectionModule} from "../../../src-sol/oracle/BisectionModule.sol";
import {DisputeModule} from "../../../src-sol/oracle/DisputeModule.sol";
import {TraceMerkle} from "../../../src-sol/libraries/TraceMerkle.sol";
import {RequestState, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {BisectionFixture} from "./BisectionFixture.sol";

/// @notice Opening a game: the challenger's trace, its claimed output, and what a game in progress blocks.
contract OpenBisectionTest is BisectionFixture {
    function test_openBisection_recordsTheChallengersTrace() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionOpened(d.id, challenger, d.c.root, 5, _output(d.c));
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionMoved(d.id, challenger, 0, 5, d.c.hashes[2], uint40(block.timestamp + 1 hours));
        _open(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(uint8(g.phase), uint8(IBisection.BisectionPhase.ProposerToMove));
        assertEq(g.proposer, proposer);
        assertEq(g.challenger, challenger);
        assertEq(g.lo, 0);
        assertEq(g.hi, 5);
        assertEq(g.steps, 5);
        assertEq(g.challengerRoot, d.c.root);
        assertEq(g.proposerRoot, bytes32(0));
        assertEq(g.agreed, d.terms.inputHash);
        assertEq(g.pending, d.c.hashes[2]);
        assertEq(g.deadline, block.timestamp + bisection().MOVE_WINDOW());
    }

    function test_openBisection_failsForAnyoneButTheChallenger() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnauthorizedMover.selector, d.id, proposer));
        vm.prank(proposer);
        bisection().openBisection(d.id, d.terms, d.proposal, _output(d.c), _traceRoot(d.c), _leaf(d.c, 2));
    }

    function test_openBisection_failsWithoutAStepsCommitment() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p, int256[] memory correct) = _disputedBare();
        IBisection.TraceRoot memory trace;
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionNotAvailable.selector, bareModelId));
        vm.prank(challenger);
        bisection().openBisection(id, terms, p, correct, trace, _none());
    }

    function test_openBisection_failsForAnOutputThatIsNotTheClaim() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleOutputMismatch.selector, d.id, d.proposal.claimHash)
        );
        vm.prank(challenger);
        bisection().openBisection(d.id, d.terms, d.proposal, _output(d.p), _traceRoot(d.c), _leaf(d.c, 2));
    }

    function test_openBisection_failsForATraceThatDoesNotEndWithTheClaim() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 5));
        vm.prank(challenger);
        bisection().openBisection(d.id, d.terms, d.proposal, _output(d.c), _traceRoot(d.p), _leaf(d.p, 2));
    }

    function test_openBisection_failsForAMidpointOutsideTheTrace() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        IBisection.TraceLeaf memory mid = _leaf(d.c, 2);
        mid.stateHash = keccak256("not in the trace");
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 2));
        vm.prank(challenger);
        bisection().openBisection(d.id, d.terms, d.proposal, _output(d.c), _traceRoot(d.c), mid);
    }

    function test_openBisection_failsForAProofOfTheWrongLength() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        IBisection.TraceLeaf memory mid = _leaf(d.c, 2);
        mid.proof = new bytes32[](2);
        vm.expectRevert(abi.encodeWithSelector(TraceMerkle.TraceMerkleProofLength.selector, 2, 3));
        vm.prank(challenger);
        bisection().openBisection(d.id, d.terms, d.proposal, _output(d.c), _traceRoot(d.c), mid);
    }

    function test_openBisection_failsAfterTheDisputeWindow() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        uint256 disputedAt = block.timestamp;
        vm.warp(disputedAt + ARBITRATION_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector, d.id, disputedAt, disputedAt + ARBITRATION_WINDOW
            )
        );
        _open(d);
    }

    function test_openBisection_failsTwice() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _open(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(1))));
        _open(d);
    }

    function test_expireDispute_failsWhileAGameIsInProgress() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _open(d);
        vm.warp(block.timestamp + ARBITRATION_WINDOW + 1);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInProgress.selector, d.id));
        disputes().expireDispute(d.id, d.terms, d.proposal, _output(d.p));
    }

    function test_resolveByArbitration_failsWhileAGameIsInProgress() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _open(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInProgress.selector, d.id));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(d.id, d.terms, d.proposal, _output(d.c));
    }

    function test_resolveByReexecution_settlesAndClosesAGameInProgress() public {
        Dispute memory d = _dispute(modelId, 1, 1, 9);
        _open(d);
        disputes().resolveByReexecution(d.id, d.terms, d.proposal, d.c.states[0]);
        assertEq(uint8(oracle.requestState(d.id)), uint8(RequestState.Finalized));
        assertEq(uint8(bisection().bisectionOf(d.id).phase), uint8(IBisection.BisectionPhase.None));
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(4))));
        vm.prank(challenger);
        bisection().bisect(d.id, _leaf(d.c, 1), _none());
    }

    function test_bisectionModule_refusesDirectCalls() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        BisectionModule module = BisectionModule(DisputeModule(oracle.disputeModule()).bisectionModule());
        vm.expectRevert(BisectionModule.BisectionModuleNotDelegated.selector);
        vm.prank(challenger);
        module.openBisection(d.id, d.terms, d.proposal, _output(d.c), _traceRoot(d.c), _leaf(d.c, 2));
    }
}
