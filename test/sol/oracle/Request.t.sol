// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {RequestState, InferenceError, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Step 1: a request. Ids, stored record, terms fixed at request time, fee handling, invalid inputs.
contract RequestStepTest is OracleSteps {
    function test_requestInference_storesRequestedAndEmits() public {
        int256[] memory input = _defaultInput();
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        uint256 keyedId = oracle.keyedRequestId(modelId, terms.inputHash);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(keyedId, terms, input);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(id, keyedId, "the first request of a key takes the key's id");
        _assertState(id, RequestState.Requested);
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp + REQUEST_TIMEOUT, "the deadline");
        assertEq(commitment, oracle.commitmentOf(id, terms, Proposal(address(0), address(0), 0, 0)));
        assertEq(address(oracle).balance, 2 * STAKE + FEE, "the fee is escrowed");
        assertEq(oracle.lastRequestId(), 0, "no sequence id used");
        assertFalse(consumer.answeredDuringRequest());
    }

    function test_requestInference_fixesVerifierReexecutionAndDisputeWindowInTheTerms() public {
        int256[] memory input = _defaultInput();
        // A model a proof or re-execution can decide: the dispute window, verifier version 1, re-executable.
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        assertEq(terms.disputeWindow, DISPUTE_WINDOW);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(modelId, terms.inputHash), terms, input);
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        // A model only the arbitrator can decide: the arbitration window, no verifier, not re-executable.
        RequestTerms memory bare = _termsFor(bareModelId, input, 1);
        assertEq(bare.disputeWindow, ARBITRATION_WINDOW);
        assertEq(bare.verifierVersion, 0);
        assertFalse(oracle.modelCopy(bareModelId).reexecutable);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(bareModelId, bare.inputHash), bare, input);
        consumer.request(bareModelId, input, CALLBACK_GAS, FEE);
    }

    function test_requestInference_recordsTheAcceptedProvenances() public {
        int256[] memory input = _defaultInput();
        uint8 accepts = ACCEPT_PROOF | ACCEPT_REEXECUTION;
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.accepts = accepts;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(modelId, terms.inputHash), terms, input);
        uint256 id = consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, accepts);
        (,, uint256 commitment) = oracle.requestRecord(id);
        assertEq(commitment, oracle.commitmentOf(id, terms, Proposal(address(0), address(0), 0, 0)));
    }

    function test_requestInference_creditsExcessValue() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.Credited(address(consumer), 5);
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 5);
        assertEq(oracle.claimableOf(address(consumer)), 5);
    }

    function test_requestInference_zeroFeeModelNeedsNoValue() public {
        vm.prank(owner);
        registry.setFee(modelId, 0);
        uint256 id = consumer.request(modelId, _defaultInput(), CALLBACK_GAS, 0);
        _assertState(id, RequestState.Requested);
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        terms.fee = 0;
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
        _assertState(id, RequestState.Proposed);
    }

    function test_requestInference_revertsIfFeeTooLow() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientFee.selector, FEE - 1, FEE));
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE - 1);
    }

    function test_requestInference_revertsIfModelUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        consumer.request(99, _defaultInput(), CALLBACK_GAS, FEE);
    }

    function test_requestInference_revertsIfModelDeprecated() public {
        vm.prank(owner);
        registry.setDeprecated(modelId, true);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleModelDeprecated.selector, modelId));
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
    }

    function test_requestInference_revertsIfCallbackGasTooHigh() public {
        uint32 limit = oracle.MAX_CALLBACK_GAS_LIMIT() + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleCallbackGasLimitTooHigh.selector, limit, limit - 1)
        );
        consumer.request(modelId, _defaultInput(), limit, FEE);
    }

    function test_requestInference_acceptsTheLargestCallbackGasLimit() public {
        uint32 limit = oracle.MAX_CALLBACK_GAS_LIMIT();
        uint256 id = consumer.request(modelId, _defaultInput(), limit, FEE);
        _assertState(id, RequestState.Requested);
    }

    function test_requestInference_revertsIfPaused() public {
        vm.prank(owner);
        oracle.setPaused(true);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
        vm.prank(owner);
        oracle.setPaused(false);
        uint256 id = consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
        _assertState(id, RequestState.Requested);
    }

    function test_requestInference_revertsIfAcceptsUnservable() public {
        int256[] memory input = _defaultInput();
        // Re-execution and arbitration only settle a disputed proposal, which such a request never gets.
        uint8[4] memory bad =
            [ACCEPT_REEXECUTION, ACCEPT_ARBITRATION, ACCEPT_REEXECUTION | ACCEPT_ARBITRATION, uint8(1)];
        for (uint256 k = 0; k < bad.length; ++k) {
            vm.expectRevert(
                abi.encodeWithSelector(IOracleEvents.InferenceOracleUnservableAccepts.selector, modelId, bad[k])
            );
            consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, bad[k]);
        }
        // Bits beyond the known provenances are malformed, even next to a servable one.
        uint8 unknown = ACCEPT_OPTIMISTIC | uint8(1 << 5);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleUnservableAccepts.selector, modelId, unknown)
        );
        consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, unknown);
        // A proof-only request on a model without a verifier could never be answered.
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleUnservableAccepts.selector, bareModelId, ACCEPT_PROOF)
        );
        consumer.requestAccepting(bareModelId, input, CALLBACK_GAS, FEE, ACCEPT_PROOF);
    }

    function test_requestInference_acceptsProofOnlyWhenTheModelHasAVerifier() public {
        (uint256 id,) = _requestAccepting(_defaultInput(), ACCEPT_PROOF);
        _assertState(id, RequestState.Requested);
        uint256 bare = consumer.requestAccepting(bareModelId, _defaultInput(), CALLBACK_GAS, FEE, ACCEPT_OPTIMISTIC);
        _assertState(bare, RequestState.Requested);
    }

    function test_requestInference_failsAtOnceOnWrongLength() public {
        int256[] memory input = new int256[](3);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFailed(1, RequestState.Failed, InferenceError.InvalidInputLength, true);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(id, 1, "an invalid input takes a sequence id, never the key's id");
        _assertState(id, RequestState.Failed);
        assertEq(consumer.errors(), 1);
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InvalidInputLength));
        assertTrue(consumer.answeredDuringRequest());
        assertEq(oracle.claimableOf(address(consumer)), FEE, "the fee is credited back");
        _assertState(oracle.keyedRequestId(modelId, _hash(input)), RequestState.None);
    }

    function test_requestInference_failsAtOnceOnOutOfRange() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFailed(1, RequestState.Failed, InferenceError.InputOutOfRange, true);
        uint256 id = consumer.request(modelId, _input(0, 1025), CALLBACK_GAS, FEE);
        _assertState(id, RequestState.Failed);
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InputOutOfRange));
        consumer.request(modelId, _input(-1025, 0), CALLBACK_GAS, FEE);
        assertEq(consumer.errors(), 2);
        // The bounds themselves are valid.
        uint256 ok = consumer.request(modelId, _input(-1024, 1024), CALLBACK_GAS, FEE);
        _assertState(ok, RequestState.Requested);
    }

    function test_requestInference_duplicateOfAnOpenKeyTakesASequenceId() public {
        int256[] memory input = _defaultInput();
        (uint256 first,) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        assertEq(first, oracle.keyedRequestId(modelId, _hash(input)));
        assertEq(second, 1, "the next sequence id");
        assertEq(oracle.lastRequestId(), 1);
        _assertState(first, RequestState.Requested);
        _assertState(second, RequestState.Requested);
        (,, uint256 commitment) = oracle.requestRecord(second);
        assertEq(commitment, oracle.commitmentOf(second, t2, Proposal(address(0), address(0), 0, 0)));
    }

    function test_requestInference_afterTheKeyedRequestExpiredTakesASequenceId() public {
        int256[] memory input = _defaultInput();
        (uint256 first, RequestTerms memory t1) = _request(input);
        vm.warp(uint256(t1.deadline) + 1);
        disputes().expire(first, t1);
        (uint256 second,) = _request(input);
        assertEq(second, 1, "the key's word is taken by the expired request");
        _assertState(first, RequestState.Expired);
        _assertState(second, RequestState.Requested);
    }

    function test_requestInference_sameInputOnAnotherModelIsAnotherKey() public {
        int256[] memory input = _defaultInput();
        (uint256 a,) = _request(input);
        (uint256 b,) = _bareRequest(input);
        assertEq(a, oracle.keyedRequestId(modelId, _hash(input)));
        assertEq(b, oracle.keyedRequestId(bareModelId, _hash(input)));
        assertTrue(a != b);
        assertEq(oracle.lastRequestId(), 0);
    }

    function test_keyedRequestId_isTheHashOfModelAndInputWithTheTopBit() public view {
        bytes32 inputHash = _hash(_defaultInput());
        uint256 expected = uint256(keccak256(abi.encode(modelId, inputHash))) | (uint256(1) << 255);
        assertEq(oracle.keyedRequestId(modelId, inputHash), expected);
    }

    function test_requestState_noneForUnknownIds() public view {
        assertEq(uint8(oracle.requestState(0)), uint8(RequestState.None));
        assertEq(uint8(oracle.requestState(1)), uint8(RequestState.None));
        assertEq(uint8(oracle.requestState(oracle.keyedRequestId(modelId, bytes32(0)))), uint8(RequestState.None));
    }

    function test_requestState_finalizedSequenceIdKeepsNoWord() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _finalizeOptimistic(second, t2, output);
        (RequestState state, uint256 time, uint256 commitment) = oracle.requestRecord(second);
        assertEq(uint8(state), uint8(RequestState.Finalized), "an empty word at or below the last sequence id");
        assertEq(time, 0);
        assertEq(commitment, 0);
        assertEq(oracle.requestWord(second), 0);
        _assertState(second + 1, RequestState.None);
    }

    function test_requestInference_providesTheCommitmentThatLaterCallsCheck() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        uint256 word = oracle.requestWord(id);
        (RequestState state, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(uint8(word >> 248) & 0xF, uint8(state));
        assertEq((word >> 208) & type(uint40).max, time);
        assertEq(word & type(uint208).max, commitment);
        assertEq(word >> 252, 0, "no provenance while open and nothing waits");
        assertEq(
            commitment,
            uint256(keccak256(abi.encode(id, terms, Proposal(address(0), address(0), 0, 0)))) & type(uint208).max
        );
    }

    function test_requestInference_escrowsOnlyTheFeeOfAnOpenRequest() public {
        uint256 before = address(oracle).balance;
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 1 ether);
        assertEq(address(oracle).balance, before + FEE + 1 ether);
        assertEq(oracle.claimableOf(address(consumer)), 1 ether);
        // The excess comes back through claim.
        consumer.claimCredit(payable(stranger));
        assertEq(stranger.balance, 1 ether);
        assertEq(address(oracle).balance, before + FEE);
    }

    function test_requestInference_anyoneMayRequestWithoutAConsumer() public {
        int256[] memory input = _defaultInput();
        vm.deal(stranger, FEE);
        vm.prank(stranger);
        uint256 id = oracle.requestInference{value: FEE}(modelId, input, 0, 0);
        _assertState(id, RequestState.Requested);
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.requester = stranger;
        terms.callbackGasLimit = 0;
        (,, uint256 commitment) = oracle.requestRecord(id);
        assertEq(commitment, oracle.commitmentOf(id, terms, Proposal(address(0), address(0), 0, 0)));
    }
}
