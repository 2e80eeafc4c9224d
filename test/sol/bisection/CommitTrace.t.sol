// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {BisectionFixture} from "./BisectionFixture.sol";

/// @notice The proposer's first move: its trace, its answer to the challenger's midpoint, its own next midpoint.
contract CommitTraceTest is BisectionFixture {
    function test_commitTrace_answersTheMidpointAndNarrows() public {
        // An honest proposer against a challenger lying from state 1: they differ at the midpoint 2.
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        vm.expectEmit(address(oracle));
        emit IBisection.TraceCommitted(d.id, proposer, d.p.root);
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionMoved(d.id, proposer, 0, 2, d.p.hashes[1], uint40(block.timestamp + 1 hours));
        _commit(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(uint8(g.phase), uint8(IBisection.BisectionPhase.ChallengerToMove));
        assertEq(g.proposerRoot, d.p.root);
        assertEq(g.lo, 0);
        assertEq(g.hi, 2);
        assertEq(g.pending, d.p.hashes[1]);
    }

    function test_commitTrace_movesUpOnAgreement() public {
        // The challenger lies from state 4: both agree at the midpoint 2.
        Dispute memory d = _dispute(deepId, 1, 9, 4);
        _open(d);
        _commit(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(g.lo, 2);
        assertEq(g.hi, 5);
        assertEq(g.agreed, d.p.hashes[2]);
        assertEq(g.pending, d.p.hashes[3]);
    }

    function test_commitTrace_leavesOneStepForAOneStepModel() public {
        Dispute memory d = _dispute(oneStepId, 1, 9, 1);
        _open(d);
        _commit(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(uint8(g.phase), uint8(IBisection.BisectionPhase.OneStep));
        assertEq(g.lo, 0);
        assertEq(g.hi, 1);
    }

    function test_commitTrace_failsForAnyoneButTheProposer() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) =
            _answer(d.p, bisection().bisectionOf(d.id));
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnauthorizedMover.selector, d.id, stranger));
        vm.prank(stranger);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.p), atMid, atNext);
    }

    function test_commitTrace_failsBeforeTheGameOpens() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(2))));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.p), _leaf(d.p, 2), _leaf(d.p, 1));
    }

    function test_commitTrace_failsTwice() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        _commit(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(2))));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.p), _leaf(d.p, 1), _none());
    }

    function test_commitTrace_failsForASecondTraceLaterInTheGame() public {
        Dispute memory d = _dispute(deepId, 1, 9, 5);
        _open(d);
        _commit(d); // [2, 5]
        _move(d); // the challenger agrees at 3: the proposer's turn again
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionTraceAlreadyCommitted.selector, d.id));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.p), _leaf(d.p, 4), _none());
    }

    function test_commitTrace_failsAfterTheDeadline() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        uint256 deadline = block.timestamp + 1 hours;
        vm.warp(deadline + 1);
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) =
            _answer(d.p, bisection().bisectionOf(d.id));
        IBisection.TraceRoot memory root = _traceRoot(d.p);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionOutsideDeadline.selector, d.id, deadline));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, root, atMid, atNext);
    }

    function test_commitTrace_failsForATraceThatDoesNotEndWithTheProposal() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 5));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.c), _leaf(d.c, 2), _leaf(d.c, 3));
    }

    function test_commitTrace_failsForAnAnswerOutsideTheTrace() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 2));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.p), _leaf(d.c, 2), _leaf(d.p, 1));
    }
}
