// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {OracleHandler} from "./OracleHandler.sol";
import {StakeBook} from "../../../src-sol/oracle/StakeBook.sol";
import {RequestState} from "../../../src-sol/types/InferenceTypes.sol";

/// @dev `fail-on-revert` is on: the handler only calls what must succeed (or expects the revert it provokes) and
/// asserts its ghost books inside the calls, so any other revert is a finding.
contract OracleInvariantsTest is OracleFixture {
    OracleHandler internal handler;

    function setUp() public override {
        super.setUp();
        TestVerifier verifier2 = new TestVerifier(keccak256(smallEncoding));
        handler = new OracleHandler(
            oracle, registry, consumer, verifier, verifier2, modelId, bareModelId, arbitrator, treasury, owner
        );
        vm.deal(address(consumer), 1_000_000 ether);
        // The fixture's two staked operators stay outside the handler: their stake is part of the books.
        handler.track(proposer, STAKE);
        handler.track(challenger, STAKE);
        // Every operator starts with enough stake for a few bonds, so proposals and challenges happen early.
        for (uint256 i = 0; i < 3; ++i) {
            handler.deposit(i, 5 ether);
        }
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](20);
        selectors[0] = OracleHandler.deposit.selector;
        selectors[1] = OracleHandler.requestWithdrawal.selector;
        selectors[2] = OracleHandler.withdrawStake.selector;
        selectors[3] = OracleHandler.claim.selector;
        selectors[4] = OracleHandler.request.selector;
        selectors[5] = OracleHandler.requestAgain.selector; // duplicates of open requests, cache hits
        selectors[6] = OracleHandler.propose.selector;
        selectors[7] = OracleHandler.proposeAndFinalize.selector;
        selectors[8] = OracleHandler.proposeWithProof.selector;
        selectors[9] = OracleHandler.finalize.selector;
        selectors[10] = OracleHandler.automate.selector;
        selectors[11] = OracleHandler.challenge.selector;
        selectors[12] = OracleHandler.resolve.selector;
        selectors[13] = OracleHandler.expireDispute.selector;
        selectors[14] = OracleHandler.expire.selector;
        selectors[15] = OracleHandler.correctCache.selector;
        selectors[16] = OracleHandler.deliverCallback.selector;
        selectors[17] = OracleHandler.setConsumerReverts.selector;
        selectors[18] = OracleHandler.govern.selector;
        selectors[19] = OracleHandler.warp.selector;
        targetSelector(StdInvariant.FuzzSelector(address(handler), selectors));
    }

    /// ETH held by the oracle == every stake (free, locked, unbonding) + every claimable balance + the fees
    /// escrowed by open requests.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_ethIsFullyAccounted() public view {
        uint256 escrow = handler.escrowOfOpenRequests();
        assertEq(escrow, handler.escrowed(), "escrow books");
        assertEq(address(oracle).balance, _held() + escrow, "ETH held == stakes + claimable + escrow");
    }

    /// Bonds are conserved through every outcome (settlement, neither side right, dispute expiry, rejection):
    /// Σ deposited + fees paid == Σ held + withdrawn + claimed, and every account holds exactly what the protocol's
    /// rules, applied by the handler, say: stake, locked bonds (one per open proposal and challenge), unbonding and
    /// claimable balance.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_bondsAreConserved() public view {
        assertEq(handler.totalIn(), _held() + handler.escrowOfOpenRequests() + handler.totalOut(), "in == held + out");
        uint256 n = handler.accountCount();
        for (uint256 i = 0; i < n; ++i) {
            address a = handler.accounts(i);
            StakeBook.Stake memory s = oracle.stakeOf(a);
            assertEq(uint256(s.free) + s.locked + s.unbonding, handler.expectedStake(a), "stake");
            assertEq(s.locked, handler.expectedLocked(a), "locked");
            assertEq(s.locked, handler.bondsOf(a), "locked == bonds of open proposals and challenges");
            assertEq(s.unbonding, handler.expectedUnbonding(a), "unbonding");
            assertEq(oracle.claimableOf(a), handler.expectedClaimable(a), "claimable");
        }
    }

    /// Every key's cache entry (and the strong result waiting for its open request) is the one the cache rules
    /// give: the first result stored for the key, changed afterwards only by a proof or re-execution that
    /// contradicts it (or strengthens it), never by an optimistic or arbitrated result.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_cacheChangesOnlyByStrongResults() public view {
        uint256 n = handler.keyCount();
        for (uint256 k = 0; k < n; ++k) {
            handler.checkKey(handler.keyIds(k));
        }
    }

    /// Every request is in the state the handler expects; a terminal one reached exactly one terminal state and
    /// its callback was either delivered once or is owed (never both, never neither); an open one has neither, and
    /// its record (time and commitment) is the handler's.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    function invariant_everyRequestEndsOnceWithOneCallback() public view {
        uint256 n = handler.idCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 id = handler.ids(k);
            (RequestState ghost, uint256 time) = handler.ghostState(id);
            (RequestState actual, uint256 recordTime, uint256 commitment) = oracle.requestRecord(id);
            assertEq(uint8(actual), uint8(ghost), "state");
            uint256 delivered = consumer.callbackCount(id);
            bool owed = oracle.callbackOwed(id);
            if (handler.isOpenGhost(id)) {
                assertEq(recordTime, time, "record time");
                assertEq(commitment, handler.ghostCommitment(id), "record commitment");
                assertEq(delivered, 0, "no callback before the end");
                assertFalse(owed, "nothing owed before the end");
            } else {
                assertEq(delivered + (owed ? 1 : 0), 1, "one callback: delivered once or owed");
            }
        }
    }

    /// A fixed sequence through every outcome, then the invariants: the handler's paths really reach them, so the
    /// invariants do not hold vacuously.
    function test_handler_reachesEveryOutcome() public {
        uint256 longStep = 3 days; // a multiple of 8: the warp takes it as it is
        // Requests: seeds 1..4 are distinct inputs of the verifiable model (modelPick 1), then one of the bare one.
        handler.request(1, 1, 0, 0); // ids[0], keyed
        handler.request(2, 1, 0, 0); // ids[1], keyed
        handler.request(3, 1, 0, 0); // ids[2], keyed
        handler.request(4, 1, 0, 0); // ids[3], keyed
        handler.request(1, 0, 0, 0); // ids[4], bare model, keyed
        handler.request(1, 1, 4, 0); // ids[5], a duplicate of ids[0] that accepts only proofs
        handler.request(17, 1, 0, 0); // ids[6], out of range: Failed
        handler.propose(0, 0, false); // ids[0]: wrong output by op0
        handler.challenge(0, 1, 0); // challenged by op1 with the truth
        handler.resolve(0, 0, 2); // settled by re-execution (op2): op1 wins
        handler.propose(1, 1, true); // ids[1]: right output by op1
        handler.challenge(1, 2, 1); // challenged by op2 with a wrong claim
        handler.resolve(1, 1, 3); // settled by proof (stranger): op1 wins
        handler.propose(5, 0, true); // ids[5] refuses an optimistic answer
        handler.proposeWithProof(5, 0); // ids[5]: proven by op0; the entry of ids[0] is strengthened
        handler.propose(2, 0, false); // ids[2]: wrong output by op0
        handler.automate(2); // scheduled, window open
        handler.propose(4, 1, false); // ids[4] (bare): wrong output by op1
        handler.challenge(4, 2, 0); // challenged by op2 with the truth
        handler.resolve(4, 0, 0); // the arbitrator picks op2's claim
        handler.propose(3, 2, true); // ids[3]: right output by op2
        handler.challenge(3, 0, 1); // challenged by op0 with a wrong claim
        handler.warp(longStep); // windows close
        handler.expireDispute(3, 1); // nobody settled ids[3]: op2's proposal stands
        handler.automate(2); // ids[2] finalized by the upkeep: a wrong optimistic entry
        handler.correctCache(2, false, 0); // re-execution replaces it
        handler.correctCache(2, true, 1); // a proof strengthens it
        handler.correctCache(2, true, 1); // nothing left to correct: refused
        handler.request(769, 1, 0, 0); // ids[7]: the input of ids[0], a cache hit
        handler.request(258, 1, 0, 0); // ids[8], a new input
        handler.warp(longStep);
        handler.expire(8); // ids[8] expired
        handler.setConsumerReverts(true);
        handler.request(259, 1, 0, 0); // ids[9]
        handler.propose(9, 0, true);
        handler.warp(longStep);
        handler.request(260, 1, 0, 0); // ids[10]
        handler.proposeAndFinalize(10, 1, true, 9); // ids[10] proposed, ids[9] finalized alongside: callback owed
        handler.setConsumerReverts(false);
        handler.deliverCallback(9);
        handler.govern(0, 0); // the verifier swapped
        handler.govern(1, 12345); // the windows changed
        handler.claim(4); // the consumer's refunds

        assertEq(uint8(oracle.requestState(handler.ids(6))), uint8(RequestState.Failed));
        assertEq(uint8(oracle.requestState(handler.ids(8))), uint8(RequestState.Expired));
        assertEq(uint8(oracle.requestState(handler.ids(9))), uint8(RequestState.Finalized));
        string[15] memory outcomes = [
            "keyedRequest",
            "duplicateRequest",
            "failed",
            "cacheHit",
            "proposed",
            "challenged",
            "reexecuted",
            "resolvedByProof",
            "proven",
            "arbitrated",
            "disputeExpired",
            "automated",
            "expired",
            "finalizedAlongside",
            "delivered"
        ];
        for (uint256 i = 0; i < outcomes.length; ++i) {
            assertGt(handler.reached(bytes32(bytes(outcomes[i]))), 0, outcomes[i]);
        }
        assertGt(handler.reached("replaced"), 0, "replaced");
        invariant_ethIsFullyAccounted();
        invariant_bondsAreConserved();
        invariant_cacheChangesOnlyByStrongResults();
        invariant_everyRequestEndsOnceWithOneCallback();
    }

    /// Duplicates of an open request that end after it with weak results of their own (an unchallenged wrong
    /// answer, an arbitration) leave the key's entry as it was; a proof for a duplicate made while the key's own
    /// request is open waits, and becomes the entry when that request ends without a strong result.
    function test_handler_weakResultsNeverReplaceEntries() public {
        uint256 longStep = 3 days;
        handler.request(1, 1, 0, 0); // ids[0], keyed
        handler.request(1, 1, 0, 0); // ids[1], duplicate
        handler.request(1, 1, 0, 0); // ids[2], duplicate
        handler.proposeWithProof(2, 0); // ids[2] proven while ids[0] is open: the result waits
        handler.propose(0, 0, false); // ids[0]: wrong answer
        handler.propose(1, 1, true); // ids[1]: right answer
        handler.warp(longStep);
        handler.finalize(0); // ids[0] ends weakly: the waiting proof becomes the entry
        handler.finalize(1); // ids[1] (weak, same output): no change
        handler.request(2, 1, 0, 0); // ids[3], keyed
        handler.request(2, 1, 0, 0); // ids[4], duplicate
        handler.propose(3, 0, true); // ids[3]: right answer
        handler.propose(4, 1, false); // ids[4]: wrong answer
        handler.warp(longStep);
        handler.finalize(3); // entry: the right answer, optimistic
        handler.finalize(4); // a contradicting weak result: no change
        handler.request(3, 0, 0, 0); // ids[5], bare model, keyed
        handler.request(3, 0, 0, 0); // ids[6], duplicate
        handler.propose(5, 0, true);
        handler.propose(6, 1, false);
        handler.challenge(6, 2, 0); // challenged with the truth
        handler.resolve(6, 0, 0); // arbitrated while ids[5] is open: weak, ignored
        handler.warp(longStep);
        handler.finalize(5);
        assertGt(handler.reached("waitingAdopted"), 0, "waiting result adopted");
        invariant_cacheChangesOnlyByStrongResults();
        invariant_bondsAreConserved();
        invariant_everyRequestEndsOnceWithOneCallback();
    }

    function _held() internal view returns (uint256 sum) {
        uint256 n = handler.accountCount();
        for (uint256 i = 0; i < n; ++i) {
            address a = handler.accounts(i);
            StakeBook.Stake memory s = oracle.stakeOf(a);
            sum += uint256(s.free) + s.locked + s.unbonding + oracle.claimableOf(a);
        }
    }
}
