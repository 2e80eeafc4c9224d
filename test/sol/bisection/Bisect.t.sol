// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {BisectionFixture} from "./BisectionFixture.sol";

/// @notice The moves after the proposer's commitment: turns, narrowing, proofs and deadlines.
contract BisectTest is BisectionFixture {
    /// @notice Whatever the first wrong state of a lying trace, the game ends on the step that produced it, within
    /// ceil(log2(5)) = 3 halving moves (the commitment counts as the first).
    function testFuzz_bisect_findsTheFirstWrongStep(uint256 seed, uint8 lieAt, bool proposerLies) public {
        uint256 k = 1 + uint256(lieAt) % 5;
        Dispute memory d = proposerLies ? _dispute(deepId, seed, k, 9) : _dispute(deepId, seed, 9, k);
        _open(d);
        _commit(d);
        uint256 moves = 1;
        while (bisection().bisectionOf(d.id).phase != IBisection.BisectionPhase.OneStep) {
            _move(d);
            ++moves;
        }
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(g.lo, k - 1, "lo");
        assertEq(g.hi, k, "hi");
        assertEq(g.agreed, d.p.hashes[k - 1], "agreed");
        assertLe(moves, 3, "moves");
    }

    function test_bisect_alternatesTurns() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _open(d);
        _commit(d);
        assertEq(uint8(bisection().bisectionOf(d.id).phase), uint8(IBisection.BisectionPhase.ChallengerToMove));
        _move(d);
        // [0, 2] -> [0, 1]: one step left.
        assertEq(uint8(bisection().bisectionOf(d.id).phase), uint8(IBisection.BisectionPhase.OneStep));

        Dispute memory e = _dispute(deepId, 2, 9, 5);
        _open(e);
        _commit(e); // [2, 5], pending 3
        _move(e); // the challenger agrees at 3: [3, 5], pending 4
        assertEq(uint8(bisection().bisectionOf(e.id).phase), uint8(IBisection.BisectionPhase.ProposerToMove));
        _move(e); // the proposer agrees at 4: [4, 5]
        assertEq(uint8(bisection().bisectionOf(e.id).phase), uint8(IBisection.BisectionPhase.OneStep));
    }

    function test_bisect_failsOutOfTurn() public {
        Dispute memory d = _dispute(deepId, 1, 9, 5);
        _open(d);
        _commit(d);
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) =
            _answer(d.p, bisection().bisectionOf(d.id));
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnauthorizedMover.selector, d.id, proposer));
        vm.prank(proposer);
        bisection().bisect(d.id, atMid, atNext);
    }

    function test_bisect_failsForTheProposerBeforeItCommits() public {
        Dispute memory d = _dispute(deepId, 1, 9, 5);
        _open(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(4))));
        vm.prank(proposer);
        bisection().bisect(d.id, _leaf(d.p, 2), _leaf(d.p, 3));
    }

    /// @notice Equivocation: a state hash that is not the one the mover's root holds at that index never passes.
    function test_bisect_failsForAStateOutsideTheMoversTrace() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _open(d);
        _commit(d); // [2, 5], pending the proposer's state 3
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 3));
        vm.prank(challenger);
        bisection().bisect(d.id, _leaf(d.p, 3), _leaf(d.c, 4));
        // Its own state 3 with the proof of another index fails too.
        IBisection.TraceLeaf memory wrongIndex = _leaf(d.c, 2);
        wrongIndex.stateHash = d.c.hashes[3];
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 3));
        vm.prank(challenger);
        bisection().bisect(d.id, wrongIndex, _leaf(d.c, 4));
    }

    function test_bisect_failsForANextMidpointOutsideTheTrace() public {
        Dispute memory d = _dispute(deepId, 1, 9, 4);
        _open(d);
        _commit(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidLeaf.selector, d.id, 4));
        vm.prank(challenger);
        bisection().bisect(d.id, _leaf(d.c, 3), _leaf(d.p, 4));
    }

    function test_bisect_failsAfterTheDeadline() public {
        Dispute memory d = _dispute(deepId, 1, 9, 5);
        _open(d);
        _commit(d);
        uint256 deadline = block.timestamp + 1 hours;
        vm.warp(deadline + 1);
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) =
            _answer(d.c, bisection().bisectionOf(d.id));
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionOutsideDeadline.selector, d.id, deadline));
        vm.prank(challenger);
        bisection().bisect(d.id, atMid, atNext);
    }

    function test_bisect_failsWhenOneStepRemains() public {
        Dispute memory d = _dispute(deepId, 1, 9, 1);
        _narrow(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(4))));
        vm.prank(challenger);
        bisection().bisect(d.id, _leaf(d.c, 0), _none());
    }
}
