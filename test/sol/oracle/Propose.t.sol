// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {
    RequestState,
    Provenance,
    RequestTerms,
    Proposal,
    MaturedProposal
} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Step 2: an answer. An optimistic proposal with a bond, the same with finalization of matured proposals
/// in one call, and a proof that finalizes at once.
contract ProposeStepTest is OracleSteps {
    function test_propose_locksBondAndStoresCommitment() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectEmit(address(oracle));
        emit IOracleEvents.OutputProposed(id, proposer, output);
        Proposal memory p = _propose(id, terms, output);
        _assertState(id, RequestState.Proposed);
        (, uint256 time, uint256 commitment) = oracle.requestRecord(id);
        assertEq(time, block.timestamp + CHALLENGE_WINDOW, "the end of the challenge window");
        assertEq(commitment, oracle.commitmentOf(id, terms, p));
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(_locked(proposer), BOND);
        assertEq(consumer.results(), 0, "nothing delivered yet");
    }

    function test_propose_acceptsAtTheDeadline() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(terms.deadline);
        _propose(id, terms, _correct(_defaultInput()));
        _assertState(id, RequestState.Proposed);
    }

    function test_propose_revertsIfDeadlinePassed() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.warp(uint256(terms.deadline) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleOutsideWindow.selector, id, 0, terms.deadline)
        );
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfNotRequested() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms,) = _requestAndPropose(output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(challenger);
        oracle.propose(id, terms, output);
    }

    function test_propose_revertsIfUnknownRequest() public {
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, 7, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(proposer);
        oracle.propose(7, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfRequestFailed() public {
        int256[] memory input = _input(0, 2000);
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfTermsTampered() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        terms.bond = 1;
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfAcceptsLeftOut() public {
        // Flipping the accepted provenances (to allow an optimistic answer) breaks the commitment.
        (uint256 id, RequestTerms memory terms) = _requestAccepting(_defaultInput(), ACCEPT_PROOF);
        terms.accepts = 0;
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfAcceptsExcludesOptimistic() public {
        (uint256 id, RequestTerms memory terms) = _requestAccepting(_defaultInput(), ACCEPT_PROOF | ACCEPT_REEXECUTION);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleProvenanceNotAccepted.selector, id, Provenance.Optimistic
            )
        );
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_allowedWhenAcceptsIncludesOptimistic() public {
        (uint256 id, RequestTerms memory terms) = _requestAccepting(_defaultInput(), ACCEPT_OPTIMISTIC | ACCEPT_PROOF);
        _propose(id, terms, _correct(_defaultInput()));
        _assertState(id, RequestState.Proposed);
    }

    function test_propose_revertsIfOutputLengthWrong() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 3, 2));
        vm.prank(proposer);
        oracle.propose(id, terms, new int256[](3));
    }

    function test_propose_revertsIfOutputExceedsInt64() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        int256[] memory output = _input(int256(type(int64).max) + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 2, 2));
        vm.prank(proposer);
        oracle.propose(id, terms, output);
    }

    function test_propose_revertsIfStakeTooLow() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientStake.selector, stranger, 0, BOND)
        );
        vm.prank(stranger);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_revertsIfPaused() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.prank(owner);
        oracle.setPaused(true);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_propose_keepsTheTermsOfTheRequestAfterRegistryChanges() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.startPrank(owner);
        registry.setMinBond(modelId, 5 ether);
        registry.setChallengeWindow(modelId, 2 hours);
        vm.stopPrank();
        _propose(id, terms, _correct(_defaultInput()));
        assertEq(_locked(proposer), BOND, "the bond of the request's terms");
        (, uint256 time,) = oracle.requestRecord(id);
        assertEq(time, block.timestamp + CHALLENGE_WINDOW, "the window of the request's terms");
    }
}

contract ProposeAndFinalizeStepTest is OracleSteps {
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
        emit IOracleEvents.InferenceFinalized(old.id, old.output, Provenance.Optimistic, true);
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, output, _one(old));
        _assertState(id, RequestState.Proposed);
        _assertState(old.id, RequestState.Finalized);
        assertEq(consumer.lastOutput(), old.output);
        assertEq(_locked(proposer), BOND, "the new bond locked, the old one released");
        assertEq(_free(proposer), STAKE - BOND + FEE);
        _assertCached(_input(1, 2), old.output, Provenance.Optimistic);
    }

    function test_proposeAndFinalize_finalizesAnotherOperatorsProposal() public {
        Open memory old = _proposed(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.prank(challenger);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), _one(old));
        assertEq(_free(proposer), STAKE + FEE, "the fee goes to the proposer, not the finalizer");
        assertEq(_locked(challenger), BOND);
    }

    function test_proposeAndFinalize_finalizesSeveral() public {
        Open memory a = _proposed(1, 2);
        Open memory b = _proposed(5, 6);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        MaturedProposal[] memory m = new MaturedProposal[](2);
        m[0] = MaturedProposal(a.id, a.terms, a.proposal, a.output);
        m[1] = MaturedProposal(b.id, b.terms, b.proposal, b.output);
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), m);
        _assertState(a.id, RequestState.Finalized);
        _assertState(b.id, RequestState.Finalized);
        assertEq(consumer.results(), 2);
        assertEq(_free(proposer), STAKE - BOND + 2 * FEE);
    }

    function test_proposeAndFinalize_finalizesAProposalListedTwiceOnce() public {
        Open memory old = _proposed(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        MaturedProposal[] memory m = new MaturedProposal[](2);
        m[0] = MaturedProposal(old.id, old.terms, old.proposal, old.output);
        m[1] = m[0];
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), m);
        assertEq(consumer.callbackCount(old.id), 1);
        assertEq(_free(proposer), STAKE - BOND + FEE, "paid once");
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
        _assertState(id, RequestState.Proposed);
        assertEq(consumer.results(), results, "nothing finalized");
        _assertState(challenged.id, RequestState.Disputed);
        _assertState(mismatched.id, RequestState.Proposed);
        _assertState(tooEarly.id, RequestState.Proposed);
        _assertState(open.id, RequestState.Proposed);
    }

    function test_proposeAndFinalize_revertsIfTheProposalFails() public {
        Open memory old = _proposed(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientStake.selector, stranger, 0, BOND)
        );
        vm.prank(stranger);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), _one(old));
        _assertState(old.id, RequestState.Proposed);
    }

    function test_proposeAndFinalize_revertsWhenPaused() public {
        Open memory old = _proposed(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (uint256 id, RequestTerms memory terms) = _request(_input(3, 4));
        vm.prank(owner);
        oracle.setPaused(true);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        vm.prank(proposer);
        oracle.proposeAndFinalize(id, terms, _correct(_input(3, 4)), _one(old));
        // Finalization alone is never paused.
        oracle.finalize(old.id, old.terms, old.proposal, old.output);
        _assertState(old.id, RequestState.Finalized);
    }
}

contract ProposeWithProofStepTest is OracleSteps {
    function test_proposeWithProof_finalizesAtOncePayingTheProver() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        _markProven(input, output);
        bytes memory proof = _proof(stranger);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, output, Provenance.Proof, true);
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, output, proof);
        _assertState(id, RequestState.Finalized);
        assertEq(_free(stranger), FEE, "the fee goes to the prover's stake");
        assertEq(_locked(stranger), 0, "no bond");
        assertEq(consumer.lastOutput(), output);
        assertEq(consumer.callbackCount(id), 1, "called back in the same transaction");
        _assertCached(input, output, Provenance.Proof);
    }

    function test_proposeWithProof_worksWhenOnlyProofsAreAccepted() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _requestAccepting(input, ACCEPT_PROOF);
        _proveAs(proposer, id, terms, input, _correct(input));
        _assertState(id, RequestState.Finalized);
    }

    function test_proposeWithProof_acceptsAtTheDeadline() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        vm.warp(terms.deadline);
        _proveAs(stranger, id, terms, input, _correct(input));
        _assertState(id, RequestState.Finalized);
    }

    function test_proposeWithProof_revertsIfDeadlinePassed() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        _markProven(input, _correct(input));
        vm.warp(uint256(terms.deadline) + 1);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleOutsideWindow.selector, id, 0, terms.deadline)
        );
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, _correct(input), proof);
    }

    function test_proposeWithProof_revertsIfProofInvalid() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, _correct(input), proof);
    }

    function test_proposeWithProof_revertsIfTheProofWasMadeForAnotherProver() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        _markProven(input, output);
        // A proof seen in the mempool cannot be replayed by someone else.
        bytes memory proof = _proof(proposer);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, output, proof);
        vm.prank(proposer);
        oracle.proposeWithProof(id, terms, input, output, proof);
        assertEq(_free(proposer), STAKE + FEE);
    }

    function test_proposeWithProof_revertsIfInputMismatch() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        _markProven(_input(0, 0), _correct(_input(0, 0)));
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInputMismatch.selector, id, terms.inputHash)
        );
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, _input(0, 0), _correct(_input(0, 0)), proof);
    }

    function test_proposeWithProof_revertsIfOutputInvalid() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidOutput.selector, 1, 2));
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, new int256[](1), proof);
    }

    function test_proposeWithProof_revertsIfNoVerifier() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _bareRequest(input);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, bareModelId));
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, _bareCorrect(input), "");
    }

    function test_proposeWithProof_revertsIfAlreadyProposed() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms,) = _requestAndPropose(_wrong(output));
        _markProven(input, output);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleUnexpectedRequestState.selector, id, _stateBit(RequestState.Requested)
            )
        );
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, output, proof);
    }

    function test_proposeWithProof_revertsIfPaused() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        _markProven(input, _correct(input));
        vm.prank(owner);
        oracle.setPaused(true);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, _correct(input), proof);
    }

    function test_proposeWithProof_answersADuplicateWithoutTouchingTheOpenKeyedRequest() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 first,) = _request(input);
        (uint256 second, RequestTerms memory t2) = _request(input);
        _proveAs(stranger, second, t2, input, output);
        _assertState(second, RequestState.Finalized);
        _assertState(first, RequestState.Requested);
        assertEq(consumer.resultHash(second), _hash(output));
    }
}
