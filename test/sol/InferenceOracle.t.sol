// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "./utils/OracleFixture.sol";
import {MockConsumer} from "./utils/MockConsumer.sol";
import {TestVerifier} from "./utils/TestVerifier.sol";
import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {IInferenceOracle} from "../../src-sol/interfaces/IInferenceOracle.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceConsumer} from "../../src-sol/interfaces/IInferenceConsumer.sol";
import {OutputKind, RequestState, InferenceError, RequestTerms, Proposal, MaturedProposal, Periods} from "../../src-sol/types/InferenceTypes.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

contract InferenceOracleRequestTest is OracleFixture {
    function test_requestInference_storesRequestedAndEmits() public {
        int256[] memory input = _defaultInput();
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        uint256 keyedId = oracle.keyedRequestId(modelId, terms.inputHash);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceRequested(keyedId, modelId, terms, input);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(id, keyedId, "the first request of a key takes the key's id");
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp + REQUEST_TIMEOUT);
        assertEq(commitment, oracle.commitmentOf(id, terms, Proposal(address(0), address(0), bytes32(0))));
        assertEq(address(oracle).balance, 2 * STAKE + FEE);
        assertEq(oracle.lastRequestId(), 0, "no sequence id used");
    }

    function test_requestInference_creditsExcessValue() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 5);
        assertEq(oracle.claimableOf(address(consumer)), 5);
    }

    function test_requestInference_revertsIfFeeTooLow() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInsufficientFee.selector, FEE - 1, FEE));
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE - 1);
    }

    function test_requestInference_revertsIfModelUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        consumer.request(99, _defaultInput(), CALLBACK_GAS, FEE);
    }

    function test_requestInference_revertsIfModelDeprecated() public {
        vm.prank(owner);
        registry.setDeprecated(modelId, true);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleModelDeprecated.selector, modelId));
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
    }

    function test_requestInference_revertsIfCallbackGasTooHigh() public {
        uint32 limit = oracle.MAX_CALLBACK_GAS_LIMIT() + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleCallbackGasLimitTooHigh.selector, limit, limit - 1)
        );
        consumer.request(modelId, _defaultInput(), limit, FEE);
    }

    function test_requestInference_revertsIfPaused() public {
        vm.prank(owner);
        oracle.setPaused(true);
        vm.expectRevert(IInferenceOracle.InferenceOraclePaused.selector);
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
        vm.prank(owner);
        oracle.setPaused(false);
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
    }

    function test_requestInference_failsAtOnceOnWrongLength() public {
        int256[] memory input = new int256[](3);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Failed));
        assertEq(consumer.errors(), 1);
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InvalidInputLength));
        assertTrue(consumer.answeredDuringRequest());
        assertEq(oracle.claimableOf(address(consumer)), FEE);
    }

    function test_requestInference_failsAtOnceOnOutOfRange() public {
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceFailed(1, RequestState.Failed, InferenceError.InputOutOfRange, true);
        uint256 id = consumer.request(modelId, _input(0, 1025), CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Failed));
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InputOutOfRange));
        consumer.request(modelId, _input(-1025, 0), CALLBACK_GAS, FEE);
        assertEq(consumer.errors(), 2);
        // The bounds themselves are valid.
        uint256 ok = consumer.request(modelId, _input(-1024, 1024), CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(ok)), uint8(RequestState.Requested));
    }

    function test_requestInference_cacheHitFinalizesAtOnceWithoutFee() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);

        uint256 balanceBefore = address(consumer).balance;
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.CacheHit(oracle.lastRequestId() + 1, modelId, keccak256(abi.encodePacked(input)), true);
        uint256 id2 = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id2)), uint8(RequestState.Finalized));
        assertTrue(consumer.answeredDuringRequest());
        assertEq(consumer.lastRequestId(), id2);
        assertEq(consumer.lastOutput(), output);
        // The fee sent is credited back in full.
        assertEq(oracle.claimableOf(address(consumer)), FEE);
        assertEq(address(consumer).balance, balanceBefore - FEE);
    }

    function test_requestState_noneForUnknownIds() public view {
        assertEq(uint8(oracle.requestState(0)), uint8(RequestState.None));
        assertEq(uint8(oracle.requestState(1)), uint8(RequestState.None));
    }
}

contract InferenceOracleProposeTest is OracleFixture {
    function test_propose_locksBondAndStoresCommitment() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.OutputProposed(id, proposer, keccak256(abi.encodePacked(output)), output);
        Proposal memory p = _propose(id, terms, output);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Proposed));
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp + CHALLENGE_WINDOW);
        assertEq(commitment, oracle.commitmentOf(id, terms, p));
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(_locked(proposer), BOND);
    }

    function test_propose_revertsIfNotRequested() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms,) = _requestAndPropose(output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(challenger);
        oracle.propose(id, terms, output);
    }

    function test_propose_revertsIfUnknownRequest() public {
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, 7, _stateBit(RequestState.Requested)
            )
        );
        oracle.propose(7, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfTermsTampered() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        terms.fee = 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfDeadlinePassed() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(terms.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleOutsideWindow.selector, id, 0, terms.deadline)
        );
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfOutputLengthWrong() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidOutput.selector, 3, 2));
        vm.prank(proposer);
        oracle.propose(id, terms, new int256[](3));
    }

    function test_propose_revertsIfOutputExceedsInt64() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        int256[] memory output = _input(int256(type(int64).max) + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidOutput.selector, 2, 2));
        vm.prank(proposer);
        oracle.propose(id, terms, output);
    }

    function test_propose_revertsIfStakeTooLow() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleInsufficientStake.selector, stranger, 0, BOND)
        );
        vm.prank(stranger);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }
}

contract InferenceOracleProposeAndFinalizeTest is OracleFixture {
    struct Open {
        uint256 id;
        RequestTerms terms;
        Proposal proposal;
        int256[] output;
    }

    function _proposed(int256 a, int256 b) internal returns (Open memory o) {
        int256[] memory input = _input(a, b);
        o.output = _correct(input);
        (o.id, o.terms) = _request(input);
        o.proposal = _propose(o.id, o.terms, o.output);
    }

    function _one(Open memory o) internal pure returns (MaturedProposal[] memory m) {
        m = new MaturedProposal[](1);
        m[0] = MaturedProposal(o.id, o.terms, o.proposal, o.output);
    }

    function test_proposeAndFinalize_proposesAndFinalizesTheMaturedProposal() public {
        Open memory old = _proposed(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        int256[] memory output = _correct(_input(3, 4));
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceFinalized(old.id, old.proposal.outputHash, old.output, true);
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, output, _one(old));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Proposed));
        assertEq(uint8(oracle.requestState(old.id)), uint8(RequestState.Finalized));
        assertEq(consumer.lastOutput(), old.output);
        assertEq(_locked(proposer), BOND, "the new bond locked, the old one released");
        assertEq(_free(proposer), STAKE - BOND + FEE);
    }

    function test_proposeAndFinalize_skipsWhatIsNotFinalizable() public {
        Open memory open = _proposed(1, 2);
        Open memory challenged = _proposed(5, 6);
        _challenge(challenged.id, challenged.terms, challenged.proposal);
        Open memory done = _proposed(7, 8);
        Open memory mismatched = _proposed(9, 10);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(done.id, done.terms, done.proposal, done.output);
        Open memory tooEarly = _proposed(11, 12);
        vm.warp(block.timestamp + CHALLENGE_WINDOW - 1);

        MaturedProposal[] memory m = new MaturedProposal[](5);
        m[0] = MaturedProposal(challenged.id, challenged.terms, challenged.proposal, challenged.output);
        m[1] = MaturedProposal(done.id, done.terms, done.proposal, done.output);
        m[2] = MaturedProposal(mismatched.id, mismatched.terms, mismatched.proposal, _wrong(mismatched.output));
        m[3] = MaturedProposal(tooEarly.id, tooEarly.terms, tooEarly.proposal, tooEarly.output);
        RequestTerms memory otherTerms = open.terms;
        otherTerms.fee += 1;
        m[4] = MaturedProposal(open.id, otherTerms, open.proposal, open.output);
        uint256 results = consumer.results();

        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), m);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Proposed), "the proposal still goes through");
        assertEq(consumer.results(), results, "nothing finalized");
        assertEq(uint8(oracle.requestState(challenged.id)), uint8(RequestState.Disputed));
        assertEq(uint8(oracle.requestState(mismatched.id)), uint8(RequestState.Proposed));
        assertEq(uint8(oracle.requestState(tooEarly.id)), uint8(RequestState.Proposed));
        assertEq(uint8(oracle.requestState(open.id)), uint8(RequestState.Proposed));
    }

    function test_proposeAndFinalize_revertsWhenPaused() public {
        Open memory old = _proposed(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.prank(owner);
        oracle.setPaused(true);
        vm.expectRevert(IInferenceOracle.InferenceOraclePaused.selector);
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), _one(old));
        // Finalization alone is never paused.
        oracle.finalize(old.id, old.terms, old.proposal, old.output);
        assertEq(uint8(oracle.requestState(old.id)), uint8(RequestState.Finalized));
    }
}

contract InferenceOracleModelSyncTest is OracleFixture {
    function test_registryChanges_refreshTheOraclesCopyAtOnce() public {
        vm.prank(owner);
        registry.setFee(modelId, FEE * 2);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInsufficientFee.selector, FEE, FEE * 2));
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        terms.fee = FEE * 2;
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceRequested(
            oracle.keyedRequestId(modelId, terms.inputHash), modelId, terms, _defaultInput()
        );
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE * 2);
    }

    function test_syncModel_revertsUnlessTheRegistryNamesThisOracle() public {
        vm.prank(owner);
        registry.setOracle(address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleRegistryNotLinked.selector, address(registry), address(0)
            )
        );
        oracle.syncModel(modelId);
    }

    function test_requestInference_copiesAModelRegisteredBeforeTheLink() public {
        vm.startPrank(owner);
        registry.setOracle(address(0));
        uint256 late = registry.registerModel(_spec(smallEncoding, 2, OutputKind.Logits, verifier), smallEncoding);
        registry.setOracle(address(oracle));
        vm.stopPrank();
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.ModelSynced(late);
        uint256 id = consumer.request(late, _defaultInput(), CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
    }

    function test_setOracle_isOwnerOnlyAndEmits() public {
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, address(this)));
        registry.setOracle(address(1));
        vm.expectEmit(address(registry));
        emit IModelRegistry.OracleChanged(address(oracle), address(1));
        vm.prank(owner);
        registry.setOracle(address(1));
        assertEq(registry.oracle(), address(1));
    }
}

contract InferenceOracleFinalizeTest is OracleFixture {
    function test_finalize_paysProposerWritesCacheAndCallsBack() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceFinalized(id, p.outputHash, output, true);
        oracle.finalize(id, terms, p, output);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_free(proposer), STAKE + FEE);
        assertEq(_locked(proposer), 0);
        assertEq(consumer.results(), 1);
        assertEq(consumer.lastOutput(), output);
        (bool found, int256[] memory cached) = oracle.cachedResult(modelId, terms.inputHash);
        assertTrue(found);
        assertEq(cached, output);
    }

    function test_finalize_revertsIfWindowOpen() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        uint256 end = block.timestamp + CHALLENGE_WINDOW;
        vm.warp(end - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleOutsideWindow.selector, id, end, type(uint40).max)
        );
        oracle.finalize(id, terms, p, output);
    }

    function test_finalize_revertsIfOutputDiffers() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleOutputMismatch.selector, id, p.outputHash)
        );
        oracle.finalize(id, terms, p, _wrong(output));
    }

    function test_finalize_revertsIfDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, d, correct);
    }

    function test_finalize_revertsIfAlreadyFinalized() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.finalize(id, terms, p, output);
    }

    function test_finalize_succeedsWhenConsumerReverts() public {
        consumer.setMode(MockConsumer.Mode.Revert);
        _finalizeAndExpectCallback(false);
    }

    function test_finalize_succeedsWhenConsumerBurnsAllGas() public {
        consumer.setMode(MockConsumer.Mode.BurnGas);
        _finalizeAndExpectCallback(false);
    }

    function test_finalize_succeedsWhenConsumerReturnsHugeData() public {
        consumer.setMode(MockConsumer.Mode.ReturnBomb);
        _finalizeAndExpectCallback(false);
    }

    function test_finalize_revertsIfGasTooLowForCallback() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        // Enough for everything but the callback's full gas limit.
        (bool ok, bytes memory ret) =
            address(oracle).call{gas: 150_000}(abi.encodeCall(oracle.finalize, (id, terms, p, output)));
        assertFalse(ok);
        assertEq(bytes4(ret), IInferenceOracle.InferenceOracleInsufficientGasForCallback.selector);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Proposed));
    }

    function test_finalize_firstResultKeepsTheCache() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id1, RequestTerms memory t1) = _request(input);
        (uint256 id2, RequestTerms memory t2) = _request(input);
        Proposal memory p1 = _propose(id1, t1, output);
        Proposal memory p2 = _propose(id2, t2, _wrong(output));
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id1, t1, p1, output);
        oracle.finalize(id2, t2, p2, _wrong(output));
        (, int256[] memory cached) = oracle.cachedResult(modelId, t1.inputHash);
        assertEq(cached, output);
    }

    function _finalizeAndExpectCallback(bool expected) private {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceFinalized(id, p.outputHash, output, expected);
        oracle.finalize{gas: 1_000_000}(id, terms, p, output);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_free(proposer), STAKE + FEE);
    }
}

contract InferenceOracleExpireTest is OracleFixture {
    function test_expire_refundsAndReportsNoProposal() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(terms.deadline + 1);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceFailed(id, RequestState.Expired, InferenceError.NoProposal, true);
        vm.prank(stranger);
        oracle.expire(id, terms);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Expired));
        assertEq(oracle.claimableOf(address(consumer)), FEE);
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.NoProposal));
    }

    function test_expire_revertsBeforeDeadline() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(terms.deadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleOutsideWindow.selector,
                id,
                uint256(terms.deadline) + 1,
                type(uint40).max
            )
        );
        oracle.expire(id, terms);
    }

    function test_expire_revertsIfProposed() public {
        (uint256 id, RequestTerms memory terms,) = _requestAndPropose(_correct(_defaultInput()));
        vm.warp(terms.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        oracle.expire(id, terms);
    }

    function test_expire_revertsIfFailed() public {
        uint256 id = consumer.request(modelId, new int256[](1), CALLBACK_GAS, FEE);
        RequestTerms memory terms = _termsFor(modelId, new int256[](1), 2);
        vm.warp(block.timestamp + REQUEST_TIMEOUT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        oracle.expire(id, terms);
    }
}

contract InferenceOracleChallengeTest is OracleFixture {
    function test_challenge_locksBondAndDisputes() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.ProposalChallenged(id, challenger);
        Proposal memory d = _challenge(id, terms, p);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Disputed));
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp);
        assertEq(commitment, oracle.commitmentOf(id, terms, d));
        assertEq(_locked(challenger), BOND);
        assertEq(_free(challenger), STAKE - BOND);
    }

    function test_challenge_revertsIfWindowClosed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        uint256 end = block.timestamp + CHALLENGE_WINDOW;
        vm.warp(end);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleOutsideWindow.selector, id, 0, end - 1));
        vm.prank(challenger);
        oracle.challenge(id, terms, p);
    }

    function test_challenge_revertsIfSelfChallenge() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleSelfChallenge.selector, proposer));
        vm.prank(proposer);
        oracle.challenge(id, terms, p);
    }

    function test_challenge_revertsIfStakeTooLow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleInsufficientStake.selector, stranger, 0, BOND)
        );
        vm.prank(stranger);
        oracle.challenge(id, terms, p);
    }

    function test_challenge_revertsIfProposalTampered() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        p.outputHash = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(challenger);
        oracle.challenge(id, terms, p);
    }

    function test_challenge_revertsIfAlreadyDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        vm.prank(stranger);
        oracle.challenge(id, terms, d);
    }
}

contract InferenceOracleResolveTest is OracleFixture {
    function test_resolveByReexecution_slashesWrongProposer() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        (uint256 reward, uint256 toTreasury) = oracle.slashSplit(BOND);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.DisputeResolved(id, challenger, proposer, reward, toTreasury);
        vm.prank(stranger);
        oracle.resolveByReexecution(id, terms, d, _defaultInput());
        _assertSettled(id, challenger, proposer, correct);
    }

    function test_resolveByReexecution_slashesWrongChallenger() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        oracle.resolveByReexecution(id, terms, d, _defaultInput());
        _assertSettled(id, proposer, challenger, correct);
    }

    function test_resolveByReexecution_revertsIfInputMismatch() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(true);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleInputMismatch.selector, id, terms.inputHash)
        );
        oracle.resolveByReexecution(id, terms, d, _input(1, 2));
    }

    function test_resolveByReexecution_revertsIfNoWeights() public {
        int256[] memory input = _defaultInput();
        RequestTerms memory terms = _termsFor(bareModelId, input, 1);
        uint256 id = consumer.request(bareModelId, input, CALLBACK_GAS, FEE);
        int256[] memory output = new int256[](1);
        vm.prank(proposer);
        oracle.propose(id, terms, output);
        Proposal memory p = Proposal(proposer, address(0), keccak256(abi.encodePacked(output)));
        Proposal memory d = _challenge(id, terms, p);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNoWeights.selector, bareModelId));
        oracle.resolveByReexecution(id, terms, d, input);
    }

    function test_resolveByReexecution_revertsIfNotDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Disputed)
            )
        );
        oracle.resolveByReexecution(id, terms, p, _defaultInput());
    }

    function test_resolveWithProof_slashesWrongProposer() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        verifier.setProven(_defaultInput(), correct, true);
        oracle.resolveWithProof(id, terms, d, _defaultInput(), correct, verifier.VALID_PROOF());
        _assertSettled(id, challenger, proposer, correct);
    }

    function test_resolveWithProof_slashesWrongChallenger() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        verifier.setProven(_defaultInput(), correct, true);
        oracle.resolveWithProof(id, terms, d, _defaultInput(), correct, verifier.VALID_PROOF());
        _assertSettled(id, proposer, challenger, correct);
    }

    function test_resolveWithProof_revertsIfProofInvalid() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidProof.selector, id));
        oracle.resolveWithProof(id, terms, d, _defaultInput(), correct, "bad");
    }

    function test_resolveWithProof_revertsIfNoVerifier() public {
        vm.prank(owner);
        registry.setVerifier(modelId, TestVerifier(address(0)));
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleNoVerifier.selector, modelId));
        oracle.resolveWithProof(id, terms, d, _defaultInput(), correct, "");
    }

    function test_resolveByArbitration_decidesAfterDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW);
        vm.prank(arbitrator);
        oracle.resolveByArbitration(id, terms, d, correct);
        _assertSettled(id, challenger, proposer, correct);
    }

    function test_resolveByArbitration_revertsIfNotArbitrator() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleUnauthorizedArbitrator.selector, stranger)
        );
        vm.prank(stranger);
        oracle.resolveByArbitration(id, terms, d, correct);
    }

    function test_resolveByArbitration_revertsInsideDisputeWindow() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        uint256 opensAt = block.timestamp + DISPUTE_WINDOW;
        vm.warp(opensAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleOutsideWindow.selector, id, opensAt, opensAt + ARBITRATION_WINDOW
            )
        );
        vm.prank(arbitrator);
        oracle.resolveByArbitration(id, terms, d, correct);
    }

    function test_resolveByArbitration_revertsAfterDeadline() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        uint256 opensAt = block.timestamp + DISPUTE_WINDOW;
        vm.warp(opensAt + ARBITRATION_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleOutsideWindow.selector, id, opensAt, opensAt + ARBITRATION_WINDOW
            )
        );
        vm.prank(arbitrator);
        oracle.resolveByArbitration(id, terms, d, correct);
    }

    function test_expireDispute_unlocksBondsAndRefunds() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        vm.warp(block.timestamp + DISPUTE_WINDOW + ARBITRATION_WINDOW + 1);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.InferenceFailed(id, RequestState.Expired, InferenceError.DisputeUnresolved, true);
        oracle.expireDispute(id, terms, d);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Expired));
        assertEq(_free(proposer), STAKE);
        assertEq(_free(challenger), STAKE);
        assertEq(_locked(proposer) + _locked(challenger), 0);
        assertEq(oracle.claimableOf(address(consumer)), FEE);
    }

    function test_expireDispute_revertsBeforeDeadline() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        uint256 closesAt = block.timestamp + DISPUTE_WINDOW + ARBITRATION_WINDOW;
        vm.warp(closesAt);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleOutsideWindow.selector, id, closesAt + 1, type(uint40).max
            )
        );
        oracle.expireDispute(id, terms, d);
    }

    function _assertSettled(uint256 id, address winner, address loser, int256[] memory output) private view {
        (uint256 reward, uint256 toTreasury) = oracle.slashSplit(BOND);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_free(winner), STAKE + reward + FEE);
        assertEq(_free(loser), STAKE - BOND);
        assertEq(_locked(winner) + _locked(loser), 0);
        assertEq(oracle.claimableOf(treasury), toTreasury);
        assertEq(consumer.lastOutput(), output);
        (, int256[] memory cached) = oracle.cachedResult(modelId, keccak256(abi.encodePacked(_defaultInput())));
        assertEq(cached, output);
    }
}

contract InferenceOracleProofTest is OracleFixture {
    function test_proposeWithProof_finalizesAtOncePayingProver() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        verifier.setProven(input, output, true);
        bytes memory proof = verifier.VALID_PROOF();
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, output, proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_free(stranger), FEE);
        assertEq(consumer.lastOutput(), output);
    }

    function test_proposeWithProof_revertsIfProofInvalid() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        bytes memory proof = verifier.VALID_PROOF();
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidProof.selector, id));
        oracle.proposeWithProof(id, terms, input, _correct(input), proof);
    }

    function test_proposeWithProof_revertsIfInputMismatch() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        bytes memory proof = verifier.VALID_PROOF();
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleInputMismatch.selector, id, terms.inputHash)
        );
        oracle.proposeWithProof(id, terms, _input(0, 0), _correct(input), proof);
    }

    function test_proposeWithProof_revertsIfDeadlinePassed() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        vm.warp(terms.deadline + 1);
        bytes memory proof = verifier.VALID_PROOF();
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleOutsideWindow.selector, id, 0, terms.deadline)
        );
        oracle.proposeWithProof(id, terms, input, _correct(input), proof);
    }
}

contract InferenceOracleStakeTest is OracleFixture {
    function test_depositStake_creditsFreeStake() public {
        vm.deal(stranger, 1 ether);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.StakeDeposited(stranger, 1 ether);
        vm.prank(stranger);
        oracle.depositStake{value: 1 ether}();
        assertEq(_free(stranger), 1 ether);
    }

    function test_depositStake_revertsIfZero() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidAmount.selector, 0));
        oracle.depositStake();
    }

    function test_withdrawStake_afterUnbondingDelay() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(4 ether);
        assertEq(_free(proposer), STAKE - 4 ether);
        uint256 readyAt = block.timestamp + UNBONDING_DELAY;
        vm.warp(readyAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleUnbonding.selector, proposer, 4 ether, readyAt)
        );
        vm.prank(proposer);
        oracle.withdrawStake();
        vm.warp(readyAt);
        uint256 before = proposer.balance;
        vm.prank(proposer);
        oracle.withdrawStake();
        assertEq(proposer.balance, before + 4 ether);
        assertEq(oracle.stakeOf(proposer).unbonding, 0);
    }

    function test_requestWithdrawal_revertsIfMoreThanFree() public {
        (,, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        p;
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleInsufficientStake.selector, proposer, STAKE - BOND, STAKE
            )
        );
        vm.prank(proposer);
        oracle.requestWithdrawal(STAKE);
    }

    function test_requestWithdrawal_revertsIfZero() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidAmount.selector, 0));
        vm.prank(proposer);
        oracle.requestWithdrawal(0);
    }

    function test_withdrawStake_revertsIfNothingUnbonding() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleUnbonding.selector, proposer, 0, 0));
        vm.prank(proposer);
        oracle.withdrawStake();
    }

    function test_claim_paysCreditToChosenAddress() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 7);
        consumer.claimCredit(payable(stranger));
        assertEq(stranger.balance, 7);
        assertEq(oracle.claimableOf(address(consumer)), 0);
    }

    function test_claim_revertsIfNothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleInvalidAmount.selector, 0));
        vm.prank(stranger);
        oracle.claim(payable(stranger));
    }

    function test_claim_revertsIfZeroAddress() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 7);
        vm.expectRevert(IInferenceOracle.InferenceOracleZeroAddress.selector);
        consumer.claimCredit(payable(address(0)));
    }
}

contract InferenceOracleAutomationTest is OracleFixture {
    function test_checkUpkeep_returnsScheduledFinalizableIds() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        (bool needed,) = oracle.checkUpkeep("");
        assertFalse(needed);
        oracle.scheduleFinalization(id, terms, p, output);
        assertTrue(oracle.isScheduled(id));
        (needed,) = oracle.checkUpkeep("");
        assertFalse(needed, "window still open");
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        bytes memory performData;
        (needed, performData) = oracle.checkUpkeep(abi.encode(uint256(0), uint256(10)));
        assertTrue(needed);
        uint256[] memory ids = abi.decode(performData, (uint256[]));
        assertEq(ids.length, 1);
        assertEq(ids[0], id);
        oracle.performUpkeep(performData);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(consumer.lastOutput(), output);
        assertFalse(oracle.isScheduled(id));
        // A second run skips what is no longer finalizable.
        oracle.performUpkeep(performData);
        assertEq(consumer.results(), 1);
    }

    function test_performUpkeep_skipsDisputedRequests() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        oracle.scheduleFinalization(id, terms, p, output);
        _challenge(id, terms, p);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        oracle.performUpkeep(abi.encode(ids));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Disputed));
        (bool needed,) = oracle.checkUpkeep("");
        assertFalse(needed);
    }

    function test_scheduleFinalization_revertsIfOutputDiffers() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleOutputMismatch.selector, id, p.outputHash)
        );
        oracle.scheduleFinalization(id, terms, p, _wrong(output));
    }

    function test_checkUpkeep_boundsTheBatch() public {
        int256[] memory output = _correct(_defaultInput());
        uint256 n = oracle.MAX_UPKEEP_BATCH() + 2;
        _stake(proposer, n * BOND);
        for (uint256 k = 0; k < n; ++k) {
            (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
            oracle.scheduleFinalization(id, terms, p, output);
        }
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (bool needed, bytes memory performData) = oracle.checkUpkeep("");
        assertTrue(needed);
        assertEq(abi.decode(performData, (uint256[])).length, oracle.MAX_UPKEEP_BATCH());
    }
}

contract InferenceOracleAdminTest is OracleFixture {
    function test_initialize_revertsOnImplementation() public {
        InferenceOracle impl = new InferenceOracle();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(owner, IModelRegistry(address(registry)), treasury, arbitrator, _periods());
    }

    function test_implementations_fitTheCodeSizeLimit() public {
        uint256 eip170 = 24_576;
        assertLt(address(new InferenceOracle()).code.length, eip170);
        assertLt(address(registry).code.length, eip170);
        assertLt(ERC1967Utils_implementation(address(registry)).code.length, eip170);
    }

    function ERC1967Utils_implementation(address proxy) internal view returns (address) {
        return
            address(
                uint160(uint256(vm.load(proxy, 0x360894a13ba1a3210667c828492db98dca3e2e076cc3735a920a3ca505d382bc)))
            );
    }

    function test_setWindows_revertsIfUnbondingTooShort() public {
        uint32 tooShort = 7 days + DISPUTE_WINDOW + ARBITRATION_WINDOW;
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleInvalidParameter.selector, bytes32("unbondingDelay"), tooShort
            )
        );
        vm.prank(owner);
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, tooShort);
    }

    function test_setWindows_updatesAndEmits() public {
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.ParameterChanged("disputeWindow", DISPUTE_WINDOW, 2 days);
        vm.prank(owner);
        oracle.setWindows(2 days, 1 days, 11 days);
        Periods memory p = oracle.periods();
        assertEq(p.disputeWindow, 2 days);
        assertEq(p.arbitrationWindow, 1 days);
        assertEq(p.unbondingDelay, 11 days);
    }

    function test_setRequestTimeout_revertsOutOfBounds() public {
        vm.startPrank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleInvalidParameter.selector, bytes32("requestTimeout"), 59
            )
        );
        oracle.setRequestTimeout(59);
        oracle.setRequestTimeout(2 hours);
        vm.stopPrank();
        assertEq(oracle.periods().requestTimeout, 2 hours);
    }

    function test_setTreasury_revertsIfZero() public {
        vm.expectRevert(IInferenceOracle.InferenceOracleZeroAddress.selector);
        vm.prank(owner);
        oracle.setTreasury(address(0));
    }

    function test_setArbitrator_changesArbitrator() public {
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.ArbitratorChanged(arbitrator, stranger);
        vm.prank(owner);
        oracle.setArbitrator(stranger);
        (,, address a) = oracle.addresses();
        assertEq(a, stranger);
    }

    function test_setters_revertIfNotOwner() public {
        bytes memory err = abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(err);
        oracle.setPaused(true);
        vm.expectRevert(err);
        oracle.setTreasury(stranger);
        vm.expectRevert(err);
        oracle.setArbitrator(stranger);
        vm.expectRevert(err);
        oracle.setRequestTimeout(2 hours);
        vm.expectRevert(err);
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, UNBONDING_DELAY);
        vm.stopPrank();
        address impl = address(new InferenceOracle());
        vm.expectRevert(err);
        vm.prank(stranger);
        oracle.upgradeToAndCall(impl, "");
    }

    function test_upgrade_keepsState() public {
        (uint256 id,) = _request(_defaultInput());
        address impl = address(new InferenceOracle());
        vm.prank(owner);
        oracle.upgradeToAndCall(impl, "");
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        assertEq(_free(proposer), STAKE);
    }

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
}

contract InferenceOracleCacheTest is OracleFixture {
    function _finalizeNow(uint256 id, RequestTerms memory terms, int256[] memory output) internal {
        Proposal memory p = _propose(id, terms, output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
    }

    function test_requestInference_duplicateOfAnOpenKeyTakesASequenceId() public {
        int256[] memory input = _defaultInput();
        (uint256 first,) = _request(input);
        (uint256 second,) = _request(input);
        assertEq(first, oracle.keyedRequestId(modelId, keccak256(abi.encodePacked(input))));
        assertEq(second, 1, "the next sequence id");
        assertEq(uint8(oracle.requestState(first)), uint8(RequestState.Requested));
        assertEq(uint8(oracle.requestState(second)), uint8(RequestState.Requested));
    }

    function test_finalize_keyedRequestBecomesTheCacheEntryInPlace() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        _finalizeNow(id, terms, output);
        (RequestState state, uint256 time,) = oracle.requestRecord(id);
        assertEq(uint8(state), uint8(RequestState.Finalized));
        assertEq(time, block.timestamp, "the end time");
        (bool found, int256[] memory cached) = oracle.cachedResult(modelId, terms.inputHash);
        assertTrue(found);
        assertEq(cached, output);
        // The finalized word can be neither proposed on nor finalized again.
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(proposer);
        oracle.propose(id, terms, output);
    }

    function test_finalize_duplicateDoesNotOverwriteAnOpenKeyedRequest() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 first, RequestTerms memory t1) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _finalizeNow(second, t2, output);
        assertEq(uint8(oracle.requestState(second)), uint8(RequestState.Finalized));
        (bool found,) = oracle.cachedResult(modelId, t1.inputHash);
        assertFalse(found, "the open keyed request keeps its word");
        assertEq(uint8(oracle.requestState(first)), uint8(RequestState.Requested));
        _finalizeNow(first, t1, output);
        (found,) = oracle.cachedResult(modelId, t1.inputHash);
        assertTrue(found);
    }

    function test_finalize_duplicateCachesIntoAnExpiredKeyedWord() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 first, RequestTerms memory t1) = _request(input);
        vm.warp(block.timestamp + REQUEST_TIMEOUT + 1);
        oracle.expire(first, t1);
        (uint256 second, RequestTerms memory t2) = _request(input);
        assertTrue(second != first);
        _finalizeNow(second, t2, output);
        (bool found, int256[] memory cached) = oracle.cachedResult(modelId, t1.inputHash);
        assertTrue(found);
        assertEq(cached, output);
        assertEq(uint8(oracle.requestState(first)), uint8(RequestState.Expired), "the expired request stays expired");
        // The next request of the key is a cache hit.
        uint256 third = consumer.request(modelId, input, CALLBACK_GAS, 0);
        assertTrue(consumer.answeredDuringRequest());
        assertEq(uint8(oracle.requestState(third)), uint8(RequestState.Finalized));
    }

    function testFuzz_keyedRequestId_neverASequenceId(uint256 model, bytes32 inputHash) public view {
        assertGt(oracle.keyedRequestId(model, inputHash), type(uint40).max);
    }

    function test_requestInference_cacheHitServedAfterDeprecation() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        vm.prank(owner);
        registry.setDeprecated(modelId, true);
        uint256 id2 = consumer.request(modelId, input, CALLBACK_GAS, 0);
        assertEq(consumer.lastRequestId(), id2);
        assertEq(consumer.lastOutput(), output);
        // A new input for the deprecated model is refused.
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleModelDeprecated.selector, modelId));
        consumer.request(modelId, _input(1, 1), CALLBACK_GAS, FEE);
    }

    function test_cachedResult_absentBeforeFinalization() public {
        (, RequestTerms memory terms,) = _requestAndPropose(_correct(_defaultInput()));
        (bool found, int256[] memory output) = oracle.cachedResult(modelId, terms.inputHash);
        assertFalse(found);
        assertEq(output.length, 0);
    }

    function test_requestInference_cacheHitCallbackFailureStillFinalizes() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        consumer.setMode(MockConsumer.Mode.Revert);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.CacheHit(oracle.lastRequestId() + 1, modelId, terms.inputHash, false);
        uint256 id2 = consumer.request(modelId, input, CALLBACK_GAS, 0);
        assertEq(uint8(oracle.requestState(id2)), uint8(RequestState.Finalized));
    }
}

/// @dev Rejects ETH, to check that failed transfers revert instead of losing funds.
contract RejectingReceiver {
    function stake(InferenceOracle oracle) external payable {
        oracle.depositStake{value: msg.value}();
    }

    function unbond(InferenceOracle oracle, uint256 amount) external {
        oracle.requestWithdrawal(amount);
    }

    function withdraw(InferenceOracle oracle) external {
        oracle.withdrawStake();
    }
}

contract InferenceOracleMoreTest is OracleFixture {
    function test_initialize_revertsOnZeroAddresses() public {
        InferenceOracle impl = new InferenceOracle();
        bytes memory init = abi.encodeCall(
            InferenceOracle.initialize, (owner, IModelRegistry(address(0)), treasury, arbitrator, _periods())
        );
        ERC1967ProxyHelper helper = new ERC1967ProxyHelper();
        vm.expectRevert(IInferenceOracle.InferenceOracleZeroAddress.selector);
        helper.deploy(address(impl), init);
    }

    function test_withdrawStake_revertsIfTransferFails() public {
        RejectingReceiver r = new RejectingReceiver();
        vm.deal(address(this), 1 ether);
        r.stake{value: 1 ether}(oracle);
        r.unbond(oracle, 1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleTransferFailed.selector, address(r), 1 ether)
        );
        r.withdraw(oracle);
        // Nothing was lost: the stake is still unbonding.
        assertEq(oracle.stakeOf(address(r)).unbonding, 1 ether);
    }

    function test_withdrawStake_emitsAndClearsUnbonding() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.StakeWithdrawn(proposer, 1 ether);
        vm.prank(proposer);
        oracle.withdrawStake();
    }

    function test_requestWithdrawal_restartsTheDelay() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY - 1);
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        assertEq(oracle.stakeOf(proposer).readyAt, block.timestamp + UNBONDING_DELAY);
        assertEq(oracle.stakeOf(proposer).unbonding, 2 ether);
    }

    function test_setPaused_emits() public {
        vm.expectEmit(address(oracle));
        emit IInferenceOracle.PausedChanged(true);
        vm.prank(owner);
        oracle.setPaused(true);
        assertTrue(oracle.paused());
    }

    function test_setWindows_revertsOnOutOfBoundsWindow() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleInvalidParameter.selector, bytes32("disputeWindow"), 30 days + 1
            )
        );
        vm.prank(owner);
        oracle.setWindows(30 days + 1, ARBITRATION_WINDOW, 120 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleInvalidParameter.selector, bytes32("unbondingDelay"), 120 days + 1
            )
        );
        vm.prank(owner);
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, 120 days + 1);
    }

    function test_setTreasury_redirectsSlashShare() public {
        vm.prank(owner);
        oracle.setTreasury(stranger);
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        oracle.resolveByReexecution(id, terms, d, _defaultInput());
        (, uint256 toTreasury) = oracle.slashSplit(BOND);
        assertEq(oracle.claimableOf(stranger), toTreasury);
        assertEq(oracle.claimableOf(treasury), 0);
        vm.prank(stranger);
        oracle.claim(payable(stranger));
        assertEq(stranger.balance, toTreasury);
    }

    function test_checkUpkeep_capsTheScanRange() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        oracle.scheduleFinalization(id, terms, p, output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        assertEq(oracle.scheduledCount(), 1);
        // A range that starts after its index finds nothing; a huge count is capped and still finds it.
        (bool needed,) = oracle.checkUpkeep(abi.encode(uint256(1), uint256(10)));
        assertFalse(needed);
        (needed,) = oracle.checkUpkeep(abi.encode(uint256(0), type(uint256).max - 1));
        assertTrue(needed);
        // Out-of-range starts neither overflow nor revert.
        (needed,) = oracle.checkUpkeep(abi.encode(type(uint256).max, type(uint256).max));
        assertFalse(needed);
        (needed,) = oracle.checkUpkeep(abi.encode(uint256(0), uint256(5)));
        assertTrue(needed);
    }

    function test_performUpkeep_skipsUnscheduledAndUnknownIds() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id,,) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        uint256[] memory ids = new uint256[](2);
        ids[0] = id;
        ids[1] = 999;
        oracle.performUpkeep(abi.encode(ids));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Proposed));
    }

    function test_scheduleFinalization_revertsIfNotProposed() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Proposed)
            )
        );
        oracle.scheduleFinalization(id, terms, Proposal(address(0), address(0), 0), new int256[](2));
    }

    function test_requestInference_zeroFeeModelNeedsNoValue() public {
        vm.prank(owner);
        registry.setFee(modelId, 0);
        uint256 id = consumer.request(modelId, _defaultInput(), CALLBACK_GAS, 0);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        // A fee change after the request does not change its terms.
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        terms.fee = 0;
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_finalize_requestTermsSurviveRegistryChanges() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.startPrank(owner);
        registry.setChallengeWindow(modelId, 2 hours);
        registry.setMinBond(modelId, 5 ether);
        vm.stopPrank();
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        assertEq(_free(proposer), STAKE + FEE);
    }
}

contract ERC1967ProxyHelper {
    function deploy(address impl, bytes memory init) external returns (address) {
        return address(new ERC1967Proxy(impl, init));
    }
}
