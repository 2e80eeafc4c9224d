// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {DisputeGameHandler} from "./DisputeGameHandler.sol";
import {StakeBook} from "../../../src-sol/oracle/StakeBook.sol";

/// @notice The dispute game against a dishonest actor (see {DisputeGameHandler}): whatever Mallory does, the honest
/// operator never loses from the game and Mallory never gains, not even the fees she paid as a requester.
/// @dev `fail-on-revert` is on: every forbidden move expects its revert, so any other revert is a finding.
contract DisputeGameInvariantsTest is OracleFixture {
    DisputeGameHandler internal handler;
    uint256 internal honestStart;
    uint256 internal malloryStart;
    address[8] internal holders;

    function setUp() public override {
        super.setUp();
        handler = new DisputeGameHandler(oracle, registry, consumer, modelId, bareModelId, arbitrator, treasury, owner);
        vm.deal(address(consumer), 1_000_000 ether);
        _stake(handler.honest(), 1_000 ether);
        _stake(handler.mallory(), 50 ether);
        _stake(handler.mallory2(), 50 ether);
        vm.deal(handler.mallory(), 100 ether); // for the fees of her own requests
        honestStart = handler.honestWealth();
        malloryStart = handler.malloryWealth();
        holders = [
            handler.honest(),
            handler.mallory(),
            handler.mallory2(),
            proposer,
            challenger,
            address(consumer),
            treasury,
            arbitrator
        ];

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](19);
        selectors[0] = DisputeGameHandler.request.selector;
        selectors[1] = DisputeGameHandler.request.selector;
        selectors[2] = DisputeGameHandler.honestProposes.selector;
        selectors[3] = DisputeGameHandler.honestProves.selector;
        selectors[4] = DisputeGameHandler.honestChallenges.selector;
        selectors[5] = DisputeGameHandler.honestResolves.selector;
        selectors[6] = DisputeGameHandler.malloryProposesWrong.selector;
        selectors[7] = DisputeGameHandler.malloryProposesWrong.selector;
        selectors[8] = DisputeGameHandler.mallorySelfChallenges.selector;
        selectors[9] = DisputeGameHandler.malloryGriefs.selector;
        selectors[10] = DisputeGameHandler.malloryResolves.selector;
        selectors[11] = DisputeGameHandler.expireDispute.selector;
        selectors[12] = DisputeGameHandler.finalize.selector;
        selectors[13] = DisputeGameHandler.expire.selector;
        selectors[14] = DisputeGameHandler.malloryExpiresEarly.selector;
        selectors[15] = DisputeGameHandler.malloryCopiesProof.selector;
        selectors[16] = DisputeGameHandler.arbitrationOutsideItsRules.selector;
        selectors[17] = DisputeGameHandler.warp.selector;
        selectors[18] = DisputeGameHandler.warp.selector;
        targetSelector(StdInvariant.FuzzSelector(address(handler), selectors));
    }

    /// The honest operator's wealth (ETH, stake, claimable) never falls below where it started.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_honestOperatorNeverLoses() public view {
        assertGe(handler.honestWealth(), honestStart, "honest operator lost");
    }

    /// Mallory's wealth (both keys), counting back the fees she paid as a requester, never rises above where it
    /// started.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_dishonestActorNeverGains() public view {
        assertLe(handler.malloryWealth() + handler.malloryFees(), malloryStart, "dishonest actor gained");
    }

    /// ETH held by the oracle == stakes + claimable balances + fees escrowed by open requests.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_gameEthIsFullyAccounted() public view {
        uint256 sum = handler.escrowOfOpenRequests();
        for (uint256 i = 0; i < holders.length; ++i) {
            StakeBook.Stake memory s = oracle.stakeOf(holders[i]);
            sum += uint256(s.free) + s.locked + s.unbonding + oracle.claimableOf(holders[i]);
        }
        assertEq(address(oracle).balance, sum);
    }

    /// A fixed sequence through Mallory's moves and the honest answers to them, then the invariants.
    function test_game_reachesEveryMove() public {
        uint256 longStep = 3 days;
        handler.request(1, 1, false); // ids[0]
        handler.request(2, 1, true); // ids[1], Mallory's own request
        handler.request(3, 0, false); // ids[2], bare model
        handler.request(4, 1, false); // ids[3]
        handler.request(257, 1, true); // ids[4], Mallory's
        handler.malloryCopiesProof(0, false); // copying the honest proof for ids[0]: refused
        handler.malloryExpiresEarly(0, 1); // expiring ids[0] early: refused
        handler.malloryProposesWrong(0, false, false); // ids[0]
        handler.malloryExpiresEarly(0, 2); // finalizing it early: refused
        handler.mallorySelfChallenges(0, true); // key 2 claims the truth
        handler.malloryExpiresEarly(0, 0); // expiring the dispute early: refused
        handler.malloryCopiesProof(0, true); // settling it with the honest proof: refused
        handler.arbitrationOutsideItsRules(0, false); // the arbitrator on a verifiable model: refused
        handler.arbitrationOutsideItsRules(0, true); // Mallory as arbitrator: refused
        handler.honestResolves(0, true); // the honest operator settles it (resolver's share)
        handler.malloryProposesWrong(1, true, true); // ids[1], her own request
        handler.honestChallenges(1);
        handler.malloryProposesWrong(2, false, false); // ids[2], bare model
        handler.mallorySelfChallenges(2, false); // both claims wrong
        handler.arbitrationOutsideItsRules(2, false); // an unclaimed output: refused
        handler.honestResolves(2, false); // the arbitrator rejects both
        handler.honestProposes(3); // ids[3]
        handler.malloryGriefs(3, true);
        handler.malloryProposesWrong(4, false, false); // ids[4]: the honest watcher challenges before the window closes
        handler.warp(longStep); // the honest operator settles its disputes before they close
        handler.request(258, 1, false); // ids[5]
        handler.honestProves(5);
        handler.request(259, 1, false); // ids[6]
        handler.malloryProposesWrong(6, false, false);
        handler.mallorySelfChallenges(6, true);
        handler.warp(longStep); // nobody settled ids[6]
        handler.expireDispute(6, true); // Mallory expires it: her wrong answer stands, at a loss

        assertGt(handler.blocked(), 6, "forbidden moves tried");
        assertGt(handler.reached("watched"), 0);
        assertGt(handler.reached("honestResolved"), 0);
        assertGt(handler.reached("arbitrated"), 0);
        assertGt(handler.reached("disputeExpired"), 0);
        assertGt(handler.reached("grief"), 0);
        assertGt(handler.reached("proven"), 0);
        invariant_honestOperatorNeverLoses();
        invariant_dishonestActorNeverGains();
        invariant_gameEthIsFullyAccounted();
    }
}
