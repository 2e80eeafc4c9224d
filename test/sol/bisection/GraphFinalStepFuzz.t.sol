// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {GraphGameFixture} from "./GraphGameFixture.sol";

/// @notice An adversary's last step of a GPT game: whatever it changes in the step's witness, state or encoding, the
/// executed step either reverts or decides for the honest side; it never makes the liar win.
contract GraphFinalStepFuzzTest is GraphGameFixture {
    uint256 internal constant HONEST = type(uint256).max;

    Game internal game;
    Step internal step;
    bool internal proposerHonest;

    function setUp() public override {
        super.setUp();
        // A lighter step than the heaviest keeps the campaign short; the rules are the same for every node step.
        Step memory s = _step(_vector("gelu /blocks.0/gelu/Div, first rows"));
        Game memory g = _game(HONEST, s.index + 1);
        _narrow(g);
        step = s;
        game.id = g.id;
        game.terms = g.terms;
        game.proposal = g.proposal;
        game.p.output = g.p.output;
        game.c.output = g.c.output;
    }

    /// @dev Runs the tampered step; if it does not revert, the honest proposer must be the winner.
    function _tryStep(Step memory s) internal {
        Game memory g = game;
        (bool ok,) = address(oracle).call(
            abi.encodeCall(
                IBisection.executeStepWithWitness,
                (g.id, g.terms, g.proposal, _weights(s), s.pre, s.witness, g.c.output)
            )
        );
        assertFalse(ok, "the liar's output never settles");
        (ok,) = address(oracle).call(
            abi.encodeCall(
                IBisection.executeStepWithWitness,
                (g.id, g.terms, g.proposal, _weights(s), s.pre, s.witness, g.p.output)
            )
        );
        if (ok) assertEq(_free(proposer), STAKE + BOND * 4_000 / 10_000 + FEE, "only the honest side wins");
    }

    function testFuzz_finalStep_aTamperedWitnessNeverMakesTheLiarWin(uint256 at, uint8 xor) public {
        Step memory s = step;
        vm.assume(xor != 0);
        at = bound(at, 0, s.witness.length - 1);
        s.witness[at] = s.witness[at] ^ bytes1(xor);
        _tryStep(s);
    }

    function testFuzz_finalStep_aTamperedStateNeverMakesTheLiarWin(uint256 at, int256 delta) public {
        Step memory s = step;
        vm.assume(delta != 0);
        at = bound(at, 0, s.pre.length - 1);
        unchecked {
            s.pre[at] += delta;
        }
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionStateMismatch.selector, game.id, _honest(s.index)));
        vm.prank(stranger);
        bisection().executeStepWithWitness(game.id, game.terms, game.proposal, _weights(s), s.pre, s.witness, game.p.output);
    }

    function testFuzz_finalStep_aTamperedEncodingNeverMakesTheLiarWin(uint256 at, uint8 xor) public {
        Step memory s = step;
        vm.assume(xor != 0);
        at = bound(at, 0, s.encoding.length - 1);
        s.encoding[at] = s.encoding[at] ^ bytes1(xor);
        vm.expectRevert(abi.encodeWithSelector(IBisection.BisectionInvalidStep.selector, game.id, s.index));
        bisection().executeStepWithWitness(game.id, game.terms, game.proposal, _weights(s), s.pre, s.witness, game.p.output);
    }
}
