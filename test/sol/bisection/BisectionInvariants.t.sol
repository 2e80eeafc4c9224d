// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {BisectionFixture} from "./BisectionFixture.sol";
import {BisectionHandler} from "./BisectionHandler.sol";

/// @notice Bisection games against a dishonest operator (see {BisectionHandler}): every forbidden move reverts, every
/// dispute that ends, ends with the honest output, and after the run every game can be played to its end with no
/// bond left locked. Fixed seed (foundry.toml), as the other invariant suites; 64 runs of 32 calls in the default
/// profile (every call builds traces and Merkle trees in Solidity), the deep profile's own counts otherwise.
contract BisectionInvariantsTest is BisectionFixture {
    BisectionHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new BisectionHandler(oracle, consumer, deepId, oneStepId, proposer, challenger, FEE);
        vm.deal(address(consumer), 1_000 ether);
        _stake(proposer, 100 ether);
        _stake(challenger, 100 ether);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = BisectionHandler.newDispute.selector;
        selectors[1] = BisectionHandler.newDispute.selector;
        selectors[2] = BisectionHandler.liarOpens.selector;
        selectors[3] = BisectionHandler.honestActs.selector;
        selectors[4] = BisectionHandler.liarMoves.selector;
        selectors[5] = BisectionHandler.liarMoves.selector;
        selectors[6] = BisectionHandler.liarMoves.selector;
        selectors[7] = BisectionHandler.stall.selector;
        targetSelector(StdInvariant.FuzzSelector(address(handler), selectors));
    }

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_forbiddenMovesRevert() public view {
        assertEq(handler.forbiddenSucceeded(), 0);
    }

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_theHonestSideNeverLoses() public view {
        for (uint256 k = 0; k < handler.gameCount(); ++k) {
            (bool ended, bool honestWon) = handler.outcome(k);
            if (ended) assertTrue(honestWon, "an ended dispute has the honest output");
        }
    }

    /// @notice After any run, every game ends (the honest side playing, time passing) with the honest output, and no
    /// bond stays locked.
    function afterInvariant() public {
        handler.settleAll();
        for (uint256 k = 0; k < handler.gameCount(); ++k) {
            (bool ended, bool honestWon) = handler.outcome(k);
            assertTrue(ended && honestWon, "every game ends with the honest output");
        }
        assertEq(_locked(proposer) + _locked(challenger), 0, "no bond locked");
    }
}
