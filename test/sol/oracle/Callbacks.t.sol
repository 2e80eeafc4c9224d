// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {VerifiableAIConsumer} from "../../../src-sol/consumer/VerifiableAIConsumer.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IInferenceConsumer} from "../../../src-sol/interfaces/IInferenceConsumer.sol";
import {
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    Proposal
} from "../../../src-sol/types/InferenceTypes.sol";

/// @dev Records the gas it was given when called back.
contract GasProbeConsumer is VerifiableAIConsumer {
    uint256 public gasAtCallback;

    constructor(address oracle) VerifiableAIConsumer(oracle) {}

    receive() external payable {}

    function request(uint256 modelId, int256[] calldata input, uint32 gasLimit, uint256 fee)
        external
        returns (uint256)
    {
        return _requestInference(modelId, input, gasLimit, fee);
    }

    function _onInferenceResult(uint256, int256[] calldata) internal override {
        gasAtCallback = gasleft();
    }

    function _onInferenceError(uint256, InferenceError) internal override {
        gasAtCallback = gasleft();
    }
}

/// @notice Callbacks: the paths whose caller is paid call back at once with the full gas limit (or revert); a
/// failed callback and every callback of a settlement or expiry are owed, and anyone delivers them.
contract CallbacksTest is OracleSteps {
    uint32 internal constant BIG_GAS = 2_000_000;

    // ---------------------------------------------------------------------------------------------------------
    // Synchronous callbacks
    // ---------------------------------------------------------------------------------------------------------

    function test_finalize_callsBackInTheSameTransaction() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        _finalizeOptimistic(id, terms, output);
        assertEq(consumer.callbackCount(id), 1);
        assertFalse(oracle.callbackOwed(id));
    }

    function test_finalize_consumerRevertsAndTheCallbackIsOwed() public {
        consumer.setMode(MockConsumer.Mode.Revert);
        _finalizeAndExpectOwed();
    }

    function test_finalize_consumerBurningAllGasIsOwed() public {
        consumer.setMode(MockConsumer.Mode.BurnGas);
        _finalizeAndExpectOwed();
    }

    function test_finalize_consumerReturningHugeDataIsOwed() public {
        consumer.setMode(MockConsumer.Mode.ReturnBomb);
        _finalizeAndExpectOwed();
    }

    function test_requestInference_invalidInputCallsBackAtOnce() public {
        uint256 id = consumer.request(modelId, new int256[](1), CALLBACK_GAS, FEE);
        assertTrue(consumer.answeredDuringRequest());
        assertFalse(oracle.callbackOwed(id));
    }

    function test_requestInference_invalidInputWithFailingConsumerIsOwed() public {
        consumer.setMode(MockConsumer.Mode.Revert);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(
            1, address(consumer), CALLBACK_GAS, _failData(1, InferenceError.InvalidInputLength)
        );
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFailed(1, RequestState.Failed, InferenceError.InvalidInputLength, false);
        uint256 id = consumer.request(modelId, new int256[](1), CALLBACK_GAS, FEE);
        assertTrue(oracle.callbackOwed(id));
        consumer.setMode(MockConsumer.Mode.Record);
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _failData(id, InferenceError.InvalidInputLength));
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InvalidInputLength));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The 63/64 rule on the synchronous paths
    // ---------------------------------------------------------------------------------------------------------

    function test_finalize_revertsIfGasTooLowForTheCallback() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p, int256[] memory output) = _proposedWithGas(BIG_GAS);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        // Enough for everything but the callback's full gas limit.
        (bool ok, bytes memory ret) =
            address(oracle).call{gas: BIG_GAS / 2}(abi.encodeCall(oracle.finalize, (id, terms, p, output)));
        assertFalse(ok);
        assertEq(bytes4(ret), IOracleEvents.InferenceOracleInsufficientGasForCallback.selector);
        _assertState(id, RequestState.Proposed);
        assertFalse(oracle.callbackOwed(id), "never recorded as owed");
        // With enough gas it goes through.
        oracle.finalize(id, terms, p, output);
        assertEq(consumer.callbackCount(id), 1);
    }

    function test_proposeWithProof_revertsIfGasTooLowForTheCallback() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.callbackGasLimit = BIG_GAS;
        uint256 id = consumer.request(modelId, input, BIG_GAS, FEE);
        _markProven(input, output);
        bytes memory call = abi.encodeCall(oracle.proposeWithProof, (id, terms, input, output, _proof(stranger)));
        vm.prank(stranger);
        (bool ok, bytes memory ret) = address(oracle).call{gas: BIG_GAS / 2}(call);
        assertFalse(ok);
        assertEq(bytes4(ret), IOracleEvents.InferenceOracleInsufficientGasForCallback.selector);
        _assertState(id, RequestState.Requested);
    }

    function test_requestInference_cacheHitRevertsIfGasTooLowForTheCallback() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        _finalizeOptimistic(id, terms, _correct(input));
        uint256 last = oracle.lastRequestId();
        try consumer.request{gas: BIG_GAS / 2}(modelId, input, BIG_GAS, 0) {
            fail();
        } catch (bytes memory ret) {
            assertEq(bytes4(ret), IOracleEvents.InferenceOracleInsufficientGasForCallback.selector);
        }
        assertEq(oracle.lastRequestId(), last, "nothing happened");
    }

    function test_requestInference_invalidInputRevertsIfGasTooLowForTheCallback() public {
        try consumer.request{gas: BIG_GAS / 2}(modelId, new int256[](1), BIG_GAS, FEE) {
            fail();
        } catch (bytes memory ret) {
            assertEq(bytes4(ret), IOracleEvents.InferenceOracleInsufficientGasForCallback.selector);
        }
        assertEq(oracle.lastRequestId(), 0);
    }

    /// The least gas with which finalize succeeds still gives the consumer its full gas limit; one unit less
    /// and finalize reverts rather than starve the callback.
    function test_finalize_givesTheConsumerItsFullGasLimit() public {
        GasProbeConsumer probe = new GasProbeConsumer(address(oracle));
        vm.deal(address(probe), 1 ether);
        uint32 limit = 300_000;
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.requester = address(probe);
        terms.callbackGasLimit = limit;
        uint256 id = probe.request(modelId, input, limit, FEE);
        Proposal memory p = _propose(id, terms, output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        bytes memory call = abi.encodeCall(oracle.finalize, (id, terms, p, output));

        uint256 lo = limit; // fails for sure
        uint256 hi = 2 * uint256(limit); // succeeds for sure
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            uint256 snap = vm.snapshotState();
            (bool ok,) = address(oracle).call{gas: mid}(call);
            vm.revertToState(snap);
            if (ok) hi = mid;
            else lo = mid;
        }
        uint256 snapshot = vm.snapshotState();
        (bool below, bytes memory ret) = address(oracle).call{gas: lo}(call);
        assertFalse(below);
        assertEq(bytes4(ret), IOracleEvents.InferenceOracleInsufficientGasForCallback.selector, "refused, not starved");
        vm.revertToState(snapshot);
        (bool ok2,) = address(oracle).call{gas: hi}(call);
        assertTrue(ok2);
        assertFalse(oracle.callbackOwed(id), "the callback ran");
        assertGe(probe.gasAtCallback(), uint256(limit) - 1_000, "with its full gas limit");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Owed callbacks
    // ---------------------------------------------------------------------------------------------------------

    function test_resolveByReexecution_owesTheCallback() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(id, address(consumer), CALLBACK_GAS, _fulfillData(id, correct));
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        assertEq(consumer.callbackCount(id), 0);
        assertTrue(oracle.callbackOwed(id));
    }

    function test_deliverCallback_byAnyoneAfterASettlement() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackDelivered(id);
        vm.prank(stranger);
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _fulfillData(id, correct));
        assertEq(consumer.callbackCount(id), 1);
        assertEq(consumer.lastOutput(), correct);
        assertFalse(oracle.callbackOwed(id));
        // Delivered once only.
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _fulfillData(id, correct));
    }

    function test_deliverCallback_afterExpiry() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(uint256(terms.deadline) + 1);
        disputes().expire(id, terms);
        vm.prank(stranger);
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _failData(id, InferenceError.NoProposal));
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.NoProposal));
        assertEq(consumer.lastRequestId(), id);
    }

    function test_deliverCallback_afterTheArbitratorRejectsBothClaims() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _bareDisputed(true);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, new int256[](0));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _failData(id, InferenceError.ClaimsRejected));
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.ClaimsRejected));
    }

    function test_deliverCallback_afterExpireDispute() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        disputes().expireDispute(id, terms, d, correct);
        assertTrue(oracle.callbackOwed(id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _fulfillData(id, correct));
        assertEq(consumer.resultHash(id), _hash(correct));
    }

    function test_deliverCallback_failingConsumerStaysOwed() public {
        (uint256 id, bytes memory data) = _owedFulfill();
        consumer.setMode(MockConsumer.Mode.Revert);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCallbackFailed.selector, id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, data);
        assertTrue(oracle.callbackOwed(id), "still owed");
        consumer.setMode(MockConsumer.Mode.BurnGas);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCallbackFailed.selector, id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, data);
        assertTrue(oracle.callbackOwed(id), "still owed");
        // Once the consumer works again, anyone delivers it.
        consumer.setMode(MockConsumer.Mode.Record);
        vm.prank(stranger);
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, data);
        assertEq(consumer.callbackCount(id), 1);
        assertFalse(oracle.callbackOwed(id));
    }

    function test_deliverCallback_revertsOnWrongData() public {
        (uint256 id, bytes memory data) = _owedFulfill();
        bytes memory other = _fulfillData(id, _wrong(_correct(_defaultInput())));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, other);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id));
        oracle.deliverCallback(id, stranger, CALLBACK_GAS, data);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS - 1, data);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id + 1));
        oracle.deliverCallback(id + 1, address(consumer), CALLBACK_GAS, data);
        assertTrue(oracle.callbackOwed(id));
        assertEq(consumer.callbackCount(id), 0);
    }

    function test_deliverCallback_revertsIfNothingOwed() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        _finalizeOptimistic(id, terms, output);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id));
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, _fulfillData(id, output));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, 0));
        oracle.deliverCallback(0, address(0), 0, "");
    }

    function test_deliverCallback_revertsIfGasTooLow() public {
        (uint256 id, bytes memory data) = _owedFulfill();
        (bool ok, bytes memory ret) = address(oracle).call{gas: CALLBACK_GAS / 2}(
            abi.encodeCall(oracle.deliverCallback, (id, address(consumer), CALLBACK_GAS, data))
        );
        assertFalse(ok);
        assertEq(bytes4(ret), IOracleEvents.InferenceOracleInsufficientGasForCallback.selector);
        assertTrue(oracle.callbackOwed(id), "still owed");
    }

    function test_deliverCallback_worksWhilePaused() public {
        (uint256 id, bytes memory data) = _owedFulfill();
        vm.prank(owner);
        oracle.setPaused(true);
        oracle.deliverCallback(id, address(consumer), CALLBACK_GAS, data);
        assertEq(consumer.callbackCount(id), 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The consumer base
    // ---------------------------------------------------------------------------------------------------------

    function test_consumer_rejectsCallbacksFromOthers() public {
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceConsumer.VerifiableAIConsumerUnauthorizedOracle.selector, stranger)
        );
        vm.prank(stranger);
        consumer.fulfillInference(1, new int256[](1));
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceConsumer.VerifiableAIConsumerUnauthorizedOracle.selector, stranger)
        );
        vm.prank(stranger);
        consumer.failInference(1, InferenceError.NoProposal);
    }

    function test_consumer_revertsOnZeroOracle() public {
        vm.expectRevert(IInferenceConsumer.VerifiableAIConsumerZeroOracle.selector);
        new MockConsumer(address(0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    function _finalizeAndExpectOwed() private {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.CallbackPending(id, address(consumer), CALLBACK_GAS, _fulfillData(id, output));
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, output, Provenance.Optimistic, false);
        oracle.finalize{gas: 1_000_000}(id, terms, p, output);
        _assertState(id, RequestState.Finalized);
        assertEq(_free(proposer), STAKE + FEE, "the proposer is paid whatever the consumer does");
        assertTrue(oracle.callbackOwed(id));
    }

    function _proposedWithGas(uint32 gasLimit)
        private
        returns (uint256 id, RequestTerms memory terms, Proposal memory p, int256[] memory output)
    {
        int256[] memory input = _defaultInput();
        output = _correct(input);
        terms = _termsFor(modelId, input, 2);
        terms.callbackGasLimit = gasLimit;
        id = consumer.request(modelId, input, gasLimit, FEE);
        p = _propose(id, terms, output);
    }

    /// @dev A settled request whose fulfillInference callback is owed.
    function _owedFulfill() private returns (uint256 id, bytes memory data) {
        RequestTerms memory terms;
        Proposal memory d;
        int256[] memory correct;
        (id, terms, d, correct) = _disputed(false);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        data = _fulfillData(id, correct);
    }
}
