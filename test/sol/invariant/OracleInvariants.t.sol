// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "../utils/OracleFixture.sol";
import {OracleHandler} from "./OracleHandler.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {RequestState} from "../../../src-sol/types/InferenceTypes.sol";

/// @dev `fail-on-revert` is on: the handler only calls what must succeed and asserts its ghost books inside
/// the calls, so any revert is a finding.
contract OracleInvariantsTest is OracleFixture {
    OracleHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new OracleHandler(oracle, consumer, verifier, modelId, arbitrator, treasury);
        vm.deal(address(consumer), 1_000_000 ether);
        targetContract(address(handler));
        // Every operator starts with enough stake for a few bonds, so proposals and challenges happen early.
        for (uint256 i = 0; i < 3; ++i) {
            handler.deposit(i, 5 ether);
        }
        // The fixture's two staked operators stay outside the handler: their stake is part of the balance.
    }

    /// ETH held == free stakes + locked bonds + unbonding + escrowed fees of open requests + claimable.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_ethIsFullyAccounted() public view {
        uint256 sum = handler.escrowed();
        address[3] memory ops = handler.operatorList();
        for (uint256 i = 0; i < 3; ++i) {
            sum += _held(ops[i]);
        }
        sum += _held(proposer) + _held(challenger);
        sum += oracle.claimableOf(address(consumer)) + oracle.claimableOf(treasury);
        assertEq(address(oracle).balance, sum);
    }

    /// Per operator: what it holds plus what it withdrew == deposits - slashes + earnings. A slashed amount
    /// therefore never comes back out.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_slashedStakeIsNeverWithdrawn() public view {
        address[3] memory ops = handler.operatorList();
        for (uint256 i = 0; i < 3; ++i) {
            address op = ops[i];
            assertEq(
                _held(op) + handler.withdrawn(op),
                handler.deposited(op) + handler.earned(op) - handler.slashed(op),
                "operator books"
            );
        }
    }

    /// A terminal request stays in its first terminal state and got exactly one callback; an open one none.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_terminalStatesAreFinal() public view {
        uint256 n = handler.idCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 id = handler.ids(k);
            RequestState ghost = handler.terminal(id);
            RequestState actual = oracle.requestState(id);
            if (ghost != RequestState.None) {
                assertEq(uint8(actual), uint8(ghost), "terminal state changed");
                assertEq(consumer.callbackCount(id), 1, "one callback per terminal request");
            } else {
                assertTrue(
                    actual == RequestState.Requested || actual == RequestState.Proposed
                        || actual == RequestState.Disputed,
                    "open request in a terminal state"
                );
                assertEq(consumer.callbackCount(id), 0, "callback before the end");
            }
        }
    }

    /// A cached (finalized) result never changes.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_cachedResultsNeverChange() public view {
        uint256 n = handler.cachedKeyCount();
        for (uint256 k = 0; k < n; ++k) {
            bytes32 inputHash = handler.cachedKeys(k);
            (bool found, int256[] memory output) = oracle.cachedResult(modelId, inputHash);
            assertTrue(found);
            assertEq(keccak256(abi.encodePacked(output)), handler.cachedHash(inputHash));
        }
    }

    /// The handler's paths really reach every outcome (so the invariants do not hold vacuously): a fixed
    /// sequence through all of them, then the invariants.
    function test_handler_reachesEveryOutcome() public {
        // Requests 0..3 take their keys' ids, request 4 (wrong length, Failed) a sequence id.
        handler.request(1, 0);
        handler.request(2, 0);
        handler.request(3, 0);
        handler.request(4, 0);
        handler.request(16, 0);
        handler.propose(0, 0, false); // request 0, wrong output by op0
        handler.challenge(0, 1); // request 0 challenged by op1
        handler.resolve(0, 0); // request 0 settled by re-execution
        handler.propose(0, 1, true); // request 1 by op1
        handler.automate(0); // scheduled, window open
        handler.warp(8); // long step: windows close
        handler.automate(0); // request 1 finalized by the upkeep
        handler.expire(0); // request 2 expired
        handler.request(257, 0); // request 5 (an input not seen before)
        handler.propose(5, 2, true); // request 5 by op2
        handler.warp(8); // its window closes
        handler.request(258, 0); // request 6 (another new input)
        handler.proposeAndFinalize(6, 0, true); // request 6 proposed, request 5 finalized in the same call
        assertEq(uint8(handler.terminal(handler.ids(5))), uint8(RequestState.Finalized));
        assertEq(handler.disputesResolved(), 1);
        assertEq(handler.finalizations(), 3);
        assertEq(uint8(handler.terminal(handler.ids(2))), uint8(RequestState.Expired));
        assertEq(uint8(handler.terminal(handler.ids(4))), uint8(RequestState.Failed));
        invariant_ethIsFullyAccounted();
        invariant_slashedStakeIsNeverWithdrawn();
        invariant_terminalStatesAreFinal();
        invariant_cachedResultsNeverChange();
    }

    function _held(address op) internal view returns (uint256) {
        InferenceOracle.Stake memory s = oracle.stakeOf(op);
        return uint256(s.free) + s.locked + s.unbonding;
    }
}
