// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {console} from "forge-std/console.sol";

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {RequestState, Provenance} from "../../../src-sol/types/InferenceTypes.sol";
import {BisectionFixture} from "./BisectionFixture.sol";

/// @notice The last step executed on chain, and the settlement it decides.
contract ExecuteStepTest is BisectionFixture {
    uint256 internal constant WINNER_SHARE = BOND * 4_000 / 10_000;
    uint256 internal constant RESOLVER_SHARE = BOND * 1_000 / 10_000;

    function test_executeStep_anHonestProposerWins() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionDecided(d.id, proposer, 2, false);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(
            d.id, proposer, stranger, Provenance.Optimistic, WINNER_SHARE, RESOLVER_SHARE, BOND - WINNER_SHARE - RESOLVER_SHARE
        );
        _execute(d, stranger, _output(d.p));
        assertEq(_free(proposer), STAKE + WINNER_SHARE + FEE, "proposer");
        assertEq(_free(challenger), STAKE - BOND, "challenger");
        assertEq(_locked(proposer) + _locked(challenger), 0, "locked");
        assertEq(oracle.claimableOf(stranger), RESOLVER_SHARE, "resolver");
        assertEq(uint8(oracle.requestState(d.id)), uint8(RequestState.Finalized));
        (bool found, int256[] memory cached, Provenance p) = oracle.cachedResult(deepId, d.terms.inputHash);
        assertTrue(found);
        assertEq(keccak256(abi.encodePacked(cached)), d.proposal.outputHash);
        assertEq(uint8(p), uint8(Provenance.Optimistic));
        assertEq(uint8(bisection().bisectionOf(d.id).phase), uint8(IBisection.BisectionPhase.None), "game closed");
    }

    function test_executeStep_anHonestChallengerWins() public {
        Dispute memory d = _dispute(deepId, 1, 4, 9);
        _narrow(d);
        _execute(d, challenger, _output(d.c));
        assertEq(_free(challenger), STAKE + WINNER_SHARE + FEE, "challenger");
        assertEq(_free(proposer), STAKE - BOND, "proposer");
        assertEq(oracle.claimableOf(challenger), RESOLVER_SHARE, "resolver");
        (, int256[] memory cached,) = oracle.cachedResult(deepId, d.terms.inputHash);
        assertEq(keccak256(abi.encodePacked(cached)), d.proposal.claimHash);
    }

    function test_executeStep_slashesBothWhenBothTracesAreWrong() public {
        // Both lie from state 2 (by 1 and by 2): the game ends on step 1, and neither state 2 is right.
        Dispute memory d = _dispute(deepId, 1, 2, 2);
        _narrow(d);
        _execute(d, stranger, new int256[](0));
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(_free(challenger), STAKE - BOND);
        assertEq(oracle.claimableOf(stranger), 2 * RESOLVER_SHARE);
        assertEq(uint8(oracle.requestState(d.id)), uint8(RequestState.Expired));
        assertEq(oracle.claimableOf(address(consumer)), FEE, "fee back");
    }

    function test_executeStep_decidesAOneStepModel() public {
        Dispute memory d = _dispute(oneStepId, 1, 1, 9);
        _narrow(d);
        _execute(d, challenger, _output(d.c));
        assertEq(_free(challenger), STAKE + WINNER_SHARE + FEE);
    }

    function test_executeStep_decidesTheArgmaxStepOfTheDigitsModel() public {
        // The proposer's logits are right but its argmax is not: the last step (layer and argmax) decides.
        Dispute memory d = _dispute(digitsId, 1, 2, 9);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(g.lo, 1);
        _execute(d, challenger, _output(d.c));
        assertEq(_free(challenger), STAKE + WINNER_SHARE + FEE);
    }

    function test_executeStep_failsForAnotherStepsWeights() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(deepId, g.lo + 1);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidStep.selector, d.id, g.lo));
        bisection().executeStep(d.id, d.terms, d.proposal, w, d.p.states[g.lo], _output(d.p));
    }

    function test_executeStep_failsForAStateThatIsNotTheAgreedOne() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(deepId, g.lo);
        int256[] memory pre = d.p.states[g.hi];
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionStateMismatch.selector, d.id, g.agreed));
        bisection().executeStep(d.id, d.terms, d.proposal, w, pre, _output(d.p));
    }

    function test_executeStep_failsForTheLosersOutput() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(deepId, g.lo);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionNotWinnerOutput.selector, d.id, d.proposal.outputHash));
        bisection().executeStep(d.id, d.terms, d.proposal, w, d.p.states[g.lo], _output(d.c));
    }

    function test_executeStep_failsBeforeOneStepRemains() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _open(d);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionUnexpectedPhase.selector, d.id, bytes32(uint256(8))));
        bisection().executeStep(
            d.id, d.terms, d.proposal, _weights(deepId, 0), d.p.states[0], _output(d.p)
        );
    }

    function test_executeStep_failsAfterTheDeadline() public {
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(deepId, g.lo);
        vm.warp(uint256(g.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionOutsideDeadline.selector, d.id, g.deadline));
        bisection().executeStep(d.id, d.terms, d.proposal, w, d.p.states[g.lo], _output(d.p));
    }

    function test_executeStep_failsForAMalformedStepEncoding() public {
        // Governance committed the root over the real encodings, so a malformed one cannot pass the proof; the
        // library itself refuses it too (see TraceStep.t.sol).
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(deepId, g.lo);
        w.encoding[0] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidStep.selector, d.id, g.lo));
        bisection().executeStep(d.id, d.terms, d.proposal, w, d.p.states[g.lo], _output(d.p));
    }

    function test_executeStepWithWitness_failsForAModelWithoutAStepExecutor() public {
        // A chain model's steps run in the built-in executor: there is no witness to give.
        Dispute memory d = _dispute(deepId, 1, 9, 3);
        _narrow(d);
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        assertEq(g.executor, address(0));
        IBisection.StepWeights memory w = _weights(deepId, g.lo);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionNoStepExecutor.selector, d.id));
        bisection().executeStepWithWitness(d.id, d.terms, d.proposal, w, d.p.states[g.lo], "", _output(d.p));
    }

    /// @notice Every transaction of a digits dispute (a lying proposer), against re-executing the whole model.
    function test_gas_digitsDisputeByBisection() public {
        Dispute memory d = _dispute(digitsId, 7, 1, 9);
        uint256 total;
        uint256 before = gasleft();
        _open(d);
        uint256 used = before - gasleft();
        total += used;
        console.log("openBisection", used);
        before = gasleft();
        _commit(d);
        used = before - gasleft();
        total += used;
        console.log("commitTrace", used);
        while (bisection().bisectionOf(d.id).phase != IBisection.BisectionPhase.OneStep) {
            before = gasleft();
            _move(d);
            used = before - gasleft();
            total += used;
            console.log("bisect", used);
        }
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(digitsId, g.lo);
        int256[] memory pre = d.p.states[g.lo];
        int256[] memory output = _output(d.c);
        vm.prank(challenger);
        before = gasleft();
        bisection().executeStep(d.id, d.terms, d.proposal, w, pre, output);
        used = before - gasleft();
        total += used;
        console.log("executeStep (step 0, 64 -> 32)", used);
        console.log("game total", total);
        assertLt(used, 10_000_000);
    }
}
