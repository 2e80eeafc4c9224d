// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {console} from "forge-std/console.sol";

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {RequestState} from "../../../src-sol/types/InferenceTypes.sol";
import {GraphStep} from "../../../src-sol/libraries/GraphStep.sol";
import {GraphStepExecutor} from "../../../src-sol/bisection/GraphStepExecutor.sol";
import {GraphGameFixture} from "./GraphGameFixture.sol";

/// @notice A GPT dispute's last step, executed on chain by the model's {GraphStepExecutor}
/// (`executeStepWithWitness`), on the heaviest step of the GPT's real trace: a row of the 64 -> 256 linear layer.
contract GraphExecuteStepTest is GraphGameFixture {
    uint256 internal constant WINNER_SHARE = BOND * 4_000 / 10_000;
    uint256 internal constant RESOLVER_SHARE = BOND * 1_000 / 10_000;
    uint256 internal constant HONEST = type(uint256).max;

    function test_executeStepWithWitness_anHonestProposerWins() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        uint256 moves = _narrow(g);
        IBisection.BisectionGame memory state = bisection().bisectionOf(g.id);
        assertEq(state.lo, s.index, "the game narrows to the step before the first wrong state");
        assertEq(state.executor, address(executor), "the game keeps the registry's executor");
        console.log("moves before the last step", moves);
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionDecided(g.id, proposer, uint32(s.index), false);
        uint256 before = gasleft();
        _execute(g, s, stranger, g.p.output);
        console.log("executeStepWithWitness (heaviest GPT step), execution", before - gasleft());
        assertEq(_free(proposer), STAKE + WINNER_SHARE + FEE, "proposer");
        assertEq(_free(challenger), STAKE - BOND, "challenger");
        assertEq(oracle.claimableOf(stranger), RESOLVER_SHARE, "resolver");
        assertEq(uint8(oracle.requestState(g.id)), uint8(RequestState.Finalized));
        assertEq(uint8(bisection().bisectionOf(g.id).phase), uint8(IBisection.BisectionPhase.None), "game closed");
    }

    function test_executeStepWithWitness_anHonestChallengerWins() public {
        // A wrong post state: the proposer's state after the step is not the executed one.
        Step memory s = _heaviest();
        Game memory g = _game(s.index + 1, HONEST);
        _narrow(g);
        _execute(g, s, challenger, g.c.output);
        assertEq(_free(challenger), STAKE + WINNER_SHARE + FEE, "challenger");
        assertEq(_free(proposer), STAKE - BOND, "proposer");
        (, int256[] memory cached,) = oracle.cachedResult(gptId, g.terms.inputHash);
        assertEq(keccak256(abi.encodePacked(cached)), keccak256(abi.encodePacked(answer)), "the honest answer");
    }

    function test_executeStepWithWitness_rejectsBothWhenBothTracesAreWrong() public {
        Step memory s = _heaviest();
        Game memory g = _game(s.index + 1, s.index + 1);
        _narrow(g);
        vm.expectEmit(address(oracle));
        emit IBisection.BisectionDecided(g.id, address(0), uint32(s.index), false);
        _execute(g, s, stranger, new int256[](0));
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(_free(challenger), STAKE - BOND);
        assertEq(uint8(oracle.requestState(g.id)), uint8(RequestState.Expired));
    }

    function test_executeStepWithWitness_decidesTheFirstWindowStepFromTheRequestInput() public {
        // Step 0 reads state 0, the request input itself.
        Step memory s = _step(_vector("window of token 0"));
        assertEq(s.index, 0);
        Game memory g = _game(HONEST, 1);
        _narrow(g);
        assertEq(keccak256(abi.encodePacked(s.pre)), g.terms.inputHash, "state 0 is the input");
        _execute(g, s, stranger, g.p.output);
        assertEq(_free(proposer), STAKE + WINNER_SHARE + FEE, "proposer");
    }

    function test_executeStepWithWitness_failsForTheRowsOfAnotherRange() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        GraphStep.Witness memory w = abi.decode(s.witness, (GraphStep.Witness));
        (uint256 lo, uint256 hi) = (w.inputs[0].lo, w.inputs[0].hi);
        ++w.inputs[0].lo;
        ++w.inputs[0].hi;
        s.witness = abi.encode(w);
        vm.expectPartialRevert(GraphStep.GraphStepRowsMismatch.selector);
        _execute(g, s, stranger, g.p.output);
        assertEq(hi - lo, 1, "the heaviest step reads one row");
    }

    function test_executeStepWithWitness_failsForATamperedRow() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        GraphStep.Witness memory w = abi.decode(s.witness, (GraphStep.Witness));
        w.inputs[0].values[7] += 1;
        s.witness = abi.encode(w);
        vm.expectPartialRevert(GraphStep.GraphStepRowMismatch.selector);
        _execute(g, s, stranger, g.p.output);
    }

    function test_executeStepWithWitness_failsForATamperedRowHash() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        GraphStep.Witness memory w = abi.decode(s.witness, (GraphStep.Witness));
        w.outputRowHashes[0] = bytes32(uint256(1));
        s.witness = abi.encode(w);
        vm.expectPartialRevert(GraphStep.GraphStepTensorMismatch.selector);
        _execute(g, s, stranger, g.p.output);
    }

    function test_executeStepWithWitness_failsForAnotherStep() public {
        // Another real step, with its own valid proof: not the step at `lo`.
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        Step memory other = _step(_vector("gelu /blocks.0/gelu/Div, first rows"));
        other.pre = s.pre;
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidStep.selector, g.id, s.index));
        _execute(g, other, stranger, g.p.output);
    }

    function test_executeStepWithWitness_failsForAStateThatIsNotTheAgreedOne() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        s.pre[0] += 1;
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionStateMismatch.selector, g.id, _honest(s.index)));
        _execute(g, s, stranger, g.p.output);
    }

    function test_executeStepWithWitness_failsForAWitnessThatIsNotAnEncodedWitness() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        s.witness = hex"0040";
        vm.expectRevert(GraphStepExecutor.GraphStepExecutorMalformedWitness.selector);
        _execute(g, s, stranger, g.p.output);
    }

    function test_executeStep_failsForAModelWithAStepExecutor() public {
        Step memory s = _heaviest();
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionStepNeedsWitness.selector, g.id, address(executor)));
        bisection().executeStep(g.id, g.terms, g.proposal, _weights(s), s.pre, g.p.output);
    }
}
