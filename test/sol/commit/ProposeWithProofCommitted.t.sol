// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommittedFixture} from "./CommittedFixture.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {Provenance, RequestState, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice `proposeWithProof` for a Poseidon-committed model, with the real proofs of the fashion-committed fixture:
/// no input in calldata, the verifier takes the request's commitment as one public signal.
contract ProposeWithProofCommittedTest is CommittedFixture {
    int256[] internal noInput;

    function test_proposeWithProof_withoutInput_finalizesDeliversAndCaches() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        uint256 freeBefore = _free(c.prover);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, c.output, Provenance.Proof, true);
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(consumer.lastOutput(), c.output);
        assertEq(_free(c.prover), freeBefore + FEE);
        // Cached under (model, commitment): the same image is answered at its request.
        (bool found, int256[] memory cached, Provenance p) = oracle.cachedResult(committedId, _commitment(""));
        assertTrue(found);
        assertEq(cached, c.output);
        assertEq(uint8(p), uint8(Provenance.Proof));
        uint256 again = consumer.request(committedId, c.input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(again)), uint8(RequestState.Finalized));
        assertTrue(consumer.answeredDuringRequest());
    }

    function test_proposeWithProof_theOtherFixtureCaseToo() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request(".other");
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }

    function test_proposeWithProof_withTheInputThatOpensTheCommitment() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }

    function test_proposeWithProof_revertsOnAnInputThatDoesNotOpenIt() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        Case memory other = _case(FIXTURE, ".other");
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInputMismatch.selector, id, terms.inputHash)
        );
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, other.input, c.output, c.proof);
    }

    function test_proposeWithProof_revertsOnAProofOfAnotherCommitment() public {
        // The request is for the other image; the proof is the main image's (its commitment is another signal).
        (uint256 id, RequestTerms memory terms,) = _request(".other");
        Case memory c = _case(FIXTURE, "");
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
    }

    function test_proposeWithProof_revertsOnAnotherOutput() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        int256[] memory wrong = new int256[](1);
        wrong[0] = (c.output[0] + 1) % 10;
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, wrong, c.proof);
    }

    function test_proposeWithProof_revertsForAnotherProver() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
    }

    function test_proposeWithProof_replayIsRefused() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
        vm.expectRevert();
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
        // A second request for the same image is answered from the cache: there is nothing left to prove.
        uint256 again = consumer.request(committedId, c.input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(again)), uint8(RequestState.Finalized));
    }

    function test_verifier_verifyInferenceCommitsToTheInputItself() public view {
        Case memory c = _case(FIXTURE, "");
        assertTrue(committedVerifier.verifyInference(c.input, c.output, c.prover, c.proof));
        assertTrue(committedVerifier.verifyCommittedInference(_commitment(""), c.output, c.prover, c.proof));
        Case memory other = _case(FIXTURE, ".other");
        assertFalse(committedVerifier.verifyInference(other.input, c.output, c.prover, c.proof));
        // Not a field element: refused before the pairing.
        assertFalse(committedVerifier.verifyCommittedInference(bytes32(type(uint256).max), c.output, c.prover, c.proof));
    }
}
