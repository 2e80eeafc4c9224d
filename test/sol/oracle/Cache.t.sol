// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Test.sol";

import {OracleSteps} from "./OracleSteps.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {RequestState, Provenance, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice The result cache: one entry per (model, input) with how it was settled. The first result is the entry;
/// a strong one (re-execution, proof) replaces a contradicting entry or strengthens an equal one; a strong result
/// for a duplicate while the key's own request is open waits beside it.
abstract contract CacheSteps is OracleSteps {
    int256[] internal input;
    int256[] internal right;
    int256[] internal wrong;
    bytes32 internal inputHash;
    uint256 internal keyedId;

    function setUp() public virtual override {
        super.setUp();
        input = _defaultInput();
        right = _correct(input);
        wrong = _wrong(right);
        inputHash = _hash(input);
        keyedId = oracle.keyedRequestId(modelId, inputHash);
    }

    /// @dev Caches `output` optimistically through the key's own request.
    function _cacheOptimistic(int256[] memory output) internal {
        (uint256 id, RequestTerms memory terms) = _request(input);
        assertEq(id, keyedId);
        _finalizeOptimistic(id, terms, output);
    }

    /// @dev Caches the right output through a proof for the key's own request.
    function _cacheProven() internal {
        (uint256 id, RequestTerms memory terms) = _request(input);
        assertEq(id, keyedId);
        _proveAs(stranger, id, terms, input, right);
    }

    function _cacheUpdates(Vm.Log[] memory logs) internal view returns (uint256 n) {
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].emitter == address(oracle) && logs[k].topics[0] == IOracleEvents.CacheUpdated.selector) ++n;
        }
    }

    function _provenanceNibble(uint256 id) internal view returns (uint256) {
        return oracle.requestWord(id) >> 252;
    }
}

contract CacheProvenanceTest is CacheSteps {
    function test_finalize_recordsOptimisticProvenance() public {
        _cacheOptimistic(right);
        _assertCached(input, right, Provenance.Optimistic);
    }

    function test_proposeWithProof_recordsProofProvenance() public {
        _cacheProven();
        _assertCached(input, right, Provenance.Proof);
    }

    function test_resolveByReexecution_recordsReexecutionProvenance() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        disputes().resolveByReexecution(id, terms, d, input);
        _assertCached(input, right, Provenance.Reexecution);
    }

    function test_resolveByArbitration_recordsArbitrationProvenance() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        (bool found, int256[] memory output, Provenance p) = _cached(bareModelId, input);
        assertTrue(found);
        assertEq(output, correct);
        assertEq(uint8(p), uint8(Provenance.Arbitration));
    }

    function test_cachedResult_absentBeforeFinalization() public {
        _requestAndPropose(right);
        (bool found, int256[] memory output, Provenance p) = _cached(modelId, input);
        assertFalse(found);
        assertEq(output.length, 0);
        assertEq(uint8(p), uint8(Provenance.None));
    }
}

contract CacheHitTest is CacheSteps {
    function test_requestInference_cacheHitFinalizesAtOnceWithoutFee() public {
        _cacheOptimistic(right);
        uint256 balanceBefore = address(consumer).balance;
        uint256 expectedId = oracle.lastRequestId() + 1;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheHit(expectedId, modelId, inputHash, true);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(id, expectedId, "a cache hit takes a sequence id");
        _assertState(id, RequestState.Finalized);
        assertTrue(consumer.answeredDuringRequest());
        assertEq(consumer.lastRequestId(), id);
        assertEq(consumer.lastOutput(), right);
        assertEq(oracle.claimableOf(address(consumer)), FEE, "the fee sent is credited back in full");
        assertEq(address(consumer).balance, balanceBefore - FEE);
        assertFalse(oracle.callbackOwed(id));
    }

    function test_requestInference_cacheHitCallbackFailureIsOwed() public {
        _cacheOptimistic(right);
        consumer.setMode(MockConsumer.Mode.Revert);
        uint256 expectedId = oracle.lastRequestId() + 1;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(expectedId, address(consumer), CALLBACK_GAS, _fulfillData(expectedId, right));
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheHit(expectedId, modelId, inputHash, false);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, 0);
        _assertState(id, RequestState.Finalized);
        assertTrue(oracle.callbackOwed(id));
    }

    function test_requestInference_cacheHitOnlyForAnAcceptedProvenance() public {
        _cacheOptimistic(right);
        // A proof-only request is not answered by an optimistic entry: it becomes a new request.
        (uint256 id,) = _requestAccepting(input, ACCEPT_PROOF);
        assertEq(id, 1);
        _assertState(id, RequestState.Requested);
        assertFalse(consumer.answeredDuringRequest());
        assertEq(oracle.claimableOf(address(consumer)), 0, "the fee is escrowed");
        // Neither is one that accepts re-execution and arbitration only besides proofs.
        (uint256 id2,) = _requestAccepting(input, ACCEPT_PROOF | ACCEPT_REEXECUTION | ACCEPT_ARBITRATION);
        _assertState(id2, RequestState.Requested);
        // A request that names Optimistic is.
        (uint256 hit,) = _requestAccepting(input, ACCEPT_OPTIMISTIC | ACCEPT_PROOF);
        assertTrue(consumer.answeredDuringRequest());
        _assertState(hit, RequestState.Finalized);
    }

    function test_requestInference_acceptsMaskIsExact() public {
        _cacheProven();
        // Zero accepts anything, the proof bit accepts a proven entry.
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertTrue(consumer.answeredDuringRequest());
        consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, ACCEPT_PROOF);
        assertTrue(consumer.answeredDuringRequest());
        // A request naming only Optimistic asked for exactly that: a proven entry is not one.
        (uint256 id,) = _requestAccepting(input, ACCEPT_OPTIMISTIC);
        assertFalse(consumer.answeredDuringRequest());
        _assertState(id, RequestState.Requested);
    }

    function test_requestInference_deprecatedModelIsNotServedFromTheCache() public {
        _cacheOptimistic(right);
        vm.prank(owner);
        registry.setDeprecated(modelId, true);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleModelDeprecated.selector, modelId));
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        (bool found, int256[] memory output,) = _cached(modelId, input);
        assertFalse(found, "the view hides it too");
        assertEq(output.length, 0);
        // Restored, the entry is served again: it was never deleted.
        vm.prank(owner);
        registry.setDeprecated(modelId, false);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertTrue(consumer.answeredDuringRequest());
        _assertState(id, RequestState.Finalized);
    }

    function test_requestInference_cacheHitStillChecksPauseAndGasLimit() public {
        _cacheOptimistic(right);
        uint32 limit = oracle.MAX_CALLBACK_GAS_LIMIT() + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleCallbackGasLimitTooHigh.selector, limit, limit - 1)
        );
        consumer.request(modelId, input, limit, 0);
        vm.prank(owner);
        oracle.setPaused(true);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        consumer.request(modelId, input, CALLBACK_GAS, 0);
    }
}

contract CacheRulesTest is CacheSteps {
    function test_finalize_firstResultKeepsTheCache() public {
        (uint256 id1, RequestTerms memory t1) = _request(input);
        (uint256 id2, RequestTerms memory t2) = _request(input);
        Proposal memory p1 = _propose(id1, t1, right);
        Proposal memory p2 = _propose(id2, t2, wrong);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id1, t1, p1, right);
        vm.recordLogs();
        oracle.finalize(id2, t2, p2, wrong);
        assertEq(_cacheUpdates(vm.getRecordedLogs()), 0, "a weak result never changes an entry");
        _assertCached(input, right, Provenance.Optimistic);
    }

    function test_finalize_duplicateDoesNotOverwriteAnOpenKeyedRequest() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _finalizeOptimistic(second, t2, wrong);
        _assertState(second, RequestState.Finalized);
        (bool found,,) = _cached(modelId, input);
        assertFalse(found, "the open keyed request keeps its word");
        assertEq(oracle.waitingResultHash(first), 0, "a weak result does not wait");
        assertEq(_provenanceNibble(first), 0);
        _assertState(first, RequestState.Requested);
        _finalizeOptimistic(first, t1, right);
        _assertCached(input, right, Provenance.Optimistic);
    }

    function test_finalize_duplicateCachesIntoAnExpiredKeyedWord() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        vm.warp(uint256(t1.deadline) + 1);
        disputes().expire(first, t1);
        (uint256 second, RequestTerms memory t2) = _request(input);
        assertTrue(second != first);
        Proposal memory p = _propose(second, t2, right);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Optimistic, false);
        oracle.finalize(second, t2, p, right);
        _assertCached(input, right, Provenance.Optimistic);
        _assertState(first, RequestState.Expired);
        // The next request of the key is a cache hit.
        uint256 third = consumer.request(modelId, input, CALLBACK_GAS, 0);
        assertTrue(consumer.answeredDuringRequest());
        _assertState(third, RequestState.Finalized);
    }

    function test_proposeWithProof_replacesAContradictingEntry() public {
        _cacheOptimistic(wrong);
        (uint256 id, RequestTerms memory terms) = _requestAccepting(input, ACCEPT_PROOF);
        (RequestState stateBefore, uint256 timeBefore,) = oracle.requestRecord(keyedId);
        vm.warp(block.timestamp + 10);
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Proof, true);
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, right, proof);
        _assertCached(input, right, Provenance.Proof);
        (RequestState stateAfter, uint256 timeAfter,) = oracle.requestRecord(keyedId);
        assertEq(uint8(stateAfter), uint8(stateBefore), "the keyed word keeps its state");
        assertEq(timeAfter, timeBefore, "and its end time");
    }

    function test_resolveByReexecution_ofADuplicateReplacesAContradictingEntry() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _finalizeOptimistic(first, t1, wrong);
        Proposal memory p = _propose(second, t2, wrong);
        Proposal memory d = _challengeWith(second, t2, p, _hash(right));
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Reexecution, true);
        disputes().resolveByReexecution(second, t2, d, input);
        _assertCached(input, right, Provenance.Reexecution);
    }

    function test_proposeWithProof_strengthensAnEqualEntry() public {
        _cacheOptimistic(right);
        (uint256 id, RequestTerms memory terms) = _requestAccepting(input, ACCEPT_PROOF);
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Proof, true);
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, right, proof);
        _assertCached(input, right, Provenance.Proof);
        // Now a proof-only request is a cache hit.
        consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, ACCEPT_PROOF);
        assertTrue(consumer.answeredDuringRequest());
    }

    function test_resolveByReexecution_doesNotWeakenAProvenEntry() public {
        _cacheProven();
        // Only a request that excludes proofs misses the proven entry and can be disputed.
        (uint256 id, RequestTerms memory terms) = _requestAccepting(input, ACCEPT_OPTIMISTIC);
        Proposal memory p = _propose(id, terms, right);
        Proposal memory d = _challengeWith(id, terms, p, _hash(wrong));
        vm.recordLogs();
        disputes().resolveByReexecution(id, terms, d, input);
        assertEq(_cacheUpdates(vm.getRecordedLogs()), 0);
        _assertCached(input, right, Provenance.Proof);
    }

    function test_proposeWithProof_ofADuplicateWaitsBesideTheOpenKeyedRequest() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        vm.recordLogs();
        _proveAs(stranger, second, t2, input, right);
        assertEq(_cacheUpdates(vm.getRecordedLogs()), 0, "no entry yet");
        (bool found,,) = _cached(modelId, input);
        assertFalse(found, "the key's word is the open request's");
        assertEq(oracle.waitingResultHash(first), _hash(right));
        assertEq(_provenanceNibble(first), uint256(Provenance.Proof));
        _assertState(first, RequestState.Requested);
        // The waiting result does not disturb the open request: it is proposed and finalized as usual, and its
        // consumer gets its own (here wrong) answer; the cache keeps the proven one.
        _finalizeOptimistic(first, t1, wrong);
        assertEq(consumer.resultHash(first), _hash(wrong));
        _assertCached(input, right, Provenance.Proof);
        assertEq(oracle.waitingResultHash(first), 0, "no longer waiting");
    }

    function test_expire_waitingResultBecomesTheEntry() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _proveAs(stranger, second, t2, input, right);
        vm.warp(uint256(t1.deadline) + 1);
        disputes().expire(first, t1);
        _assertState(first, RequestState.Expired);
        _assertCached(input, right, Provenance.Proof);
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertTrue(consumer.answeredDuringRequest());
    }

    function test_resolveByArbitration_rejectingBothCachesNothing() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _bareDisputed(true);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, new int256[](0));
        (bool found,,) = _cached(bareModelId, input);
        assertFalse(found);
        assertEq(oracle.requestWord(id) >> 252, 0);
    }

    function test_finalizeKeyed_endingStrongKeepsItsOwnResult() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _proveAs(stranger, second, t2, input, right);
        Proposal memory p = _propose(first, t1, wrong);
        Proposal memory d = _challengeWith(first, t1, p, _hash(right));
        disputes().resolveByReexecution(first, t1, d, input);
        _assertCached(input, right, Provenance.Reexecution);
        assertEq(oracle.waitingResultHash(first), 0);
    }

    function test_correctCacheByReexecution_waitsBesideTheOpenKeyedRequest() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        disputes().correctCacheByReexecution(modelId, input);
        assertEq(oracle.waitingResultHash(first), _hash(right));
        assertEq(_provenanceNibble(first), uint256(Provenance.Reexecution));
        // The same result again changes nothing.
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleNothingToCorrect.selector, modelId, inputHash)
        );
        disputes().correctCacheByReexecution(modelId, input);
        // The request keeps working on its commitment; the nibble survives the proposal and the challenge.
        Proposal memory p = _propose(first, t1, wrong);
        assertEq(_provenanceNibble(first), uint256(Provenance.Reexecution));
        Proposal memory d = _challengeWith(first, t1, p, _hash(right));
        assertEq(_provenanceNibble(first), uint256(Provenance.Reexecution));
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        disputes().expireDispute(first, t1, d, wrong);
        _assertCached(input, right, Provenance.Reexecution);
    }
}

contract CacheCorrectionTest is CacheSteps {
    function test_correctCacheWithProof_replacesAContradictingEntry() public {
        _cacheOptimistic(wrong);
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Proof, true);
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
        _assertCached(input, right, Provenance.Proof);
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(consumer.lastOutput(), right, "later requests get the corrected output");
    }

    function test_correctCacheWithProof_strengthensAnEqualEntry() public {
        _cacheOptimistic(right);
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Proof, true);
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
        _assertCached(input, right, Provenance.Proof);
    }

    function test_correctCacheWithProof_revertsIfNothingToCorrect() public {
        _cacheProven();
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleNothingToCorrect.selector, modelId, inputHash)
        );
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
    }

    function test_correctCacheWithProof_revertsIfTheKeyWasNeverRequested() public {
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleNothingToCorrect.selector, modelId, inputHash)
        );
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
        // The key's word stays free for its first request.
        (uint256 id,) = _request(input);
        assertEq(id, keyedId);
    }

    function test_correctCacheWithProof_revertsIfProofInvalid() public {
        _cacheOptimistic(wrong);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, 0));
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
    }

    function test_correctCacheWithProof_revertsIfTheProofWasMadeForAnotherProver() public {
        _cacheOptimistic(wrong);
        _markProven(input, right);
        bytes memory proof = _proof(proposer);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, 0));
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
    }

    function test_correctCacheWithProof_revertsIfNoVerifier() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, bareModelId));
        disputes().correctCacheWithProof(bareModelId, input, _bareCorrect(input), "");
    }

    function test_correctCacheWithProof_revertsIfOutputInvalid() public {
        _cacheOptimistic(wrong);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 1, 2));
        disputes().correctCacheWithProof(modelId, input, new int256[](1), "");
    }

    function test_correctCacheByReexecution_replacesAContradictingEntry() public {
        _cacheOptimistic(wrong);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Reexecution, true);
        vm.prank(stranger);
        disputes().correctCacheByReexecution(modelId, input);
        _assertCached(input, right, Provenance.Reexecution);
    }

    function test_correctCacheByReexecution_strengthensAnEqualEntry() public {
        _cacheOptimistic(right);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Reexecution, true);
        disputes().correctCacheByReexecution(modelId, input);
        _assertCached(input, right, Provenance.Reexecution);
        // A proof strengthens it further.
        _markProven(input, right);
        bytes memory proof = _proof(stranger);
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, right, proof);
        _assertCached(input, right, Provenance.Proof);
    }

    function test_correctCacheByReexecution_revertsIfNothingToCorrect() public {
        _cacheProven();
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleNothingToCorrect.selector, modelId, inputHash)
        );
        disputes().correctCacheByReexecution(modelId, input);
    }

    function test_correctCacheByReexecution_revertsIfNotReexecutable() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNotReexecutable.selector, bareModelId));
        disputes().correctCacheByReexecution(bareModelId, input);
    }

    function test_correctCacheByReexecution_fillsAnExpiredKeyedWord() public {
        (uint256 first, RequestTerms memory t1) = _request(input);
        vm.warp(uint256(t1.deadline) + 1);
        disputes().expire(first, t1);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, inputHash, _hash(right), Provenance.Reexecution, false);
        disputes().correctCacheByReexecution(modelId, input);
        _assertCached(input, right, Provenance.Reexecution);
        _assertState(first, RequestState.Expired);
    }

    function test_correctCache_worksWhilePaused() public {
        _cacheOptimistic(wrong);
        vm.prank(owner);
        oracle.setPaused(true);
        disputes().correctCacheByReexecution(modelId, input);
        _assertCached(input, right, Provenance.Reexecution);
    }
}
