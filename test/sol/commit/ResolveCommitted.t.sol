// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommittedFixture} from "./CommittedFixture.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {Proposal, Provenance, RequestState, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice A dispute on a Poseidon-committed model settled by a real proof sent without the input, and a cache
/// correction with a proof (sent with the input), which finds the cached entry by the commitment the oracle computes.
contract ResolveCommittedTest is CommittedFixture {
    int256[] internal noInput;

    function _wrong(Case memory c) internal pure returns (int256[] memory w) {
        w = new int256[](1);
        w[0] = (c.output[0] + 1) % 10;
    }

    function test_resolveWithProof_withoutInput_slashesTheWrongProposer() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        Proposal memory p = _propose(id, terms, _wrong(c));
        Proposal memory d = _challengeWith(id, terms, p, keccak256(abi.encodePacked(c.output)));
        vm.prank(c.prover);
        disputes().resolveWithProof(id, terms, d, noInput, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_free(proposer), STAKE - BOND);
        (bool found, int256[] memory cached, Provenance provenance) = oracle.cachedResult(committedId, _commitment(""));
        assertTrue(found);
        assertEq(cached, c.output);
        assertEq(uint8(provenance), uint8(Provenance.Proof));
    }

    function test_resolveWithProof_aProofOfAnotherImageReverts() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request(".other");
        Case memory main = _case(FIXTURE, "");
        Proposal memory p = _propose(id, terms, _wrong(c));
        Proposal memory d = _challengeWith(id, terms, p, keccak256(abi.encodePacked(main.output)));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(main.prover);
        disputes().resolveWithProof(id, terms, d, noInput, main.output, main.proof);
    }

    function test_correctCacheWithProof_keysTheResultByTheCommitment() public {
        // A wrong answer cached optimistically under the commitment, then corrected by a proof sent with the input.
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        int256[] memory wrong = _wrong(c);
        Proposal memory p = _propose(id, terms, wrong);
        vm.warp(block.timestamp + terms.challengeWindow);
        oracle.finalize(id, terms, p, wrong);
        (bool found, int256[] memory cached, Provenance provenance) = oracle.cachedResult(committedId, _commitment(""));
        assertTrue(found);
        assertEq(cached, wrong);
        vm.prank(c.prover);
        disputes().correctCacheWithProof(committedId, c.input, c.output, c.proof);
        (found, cached, provenance) = oracle.cachedResult(committedId, _commitment(""));
        assertTrue(found);
        assertEq(cached, c.output);
        assertEq(uint8(provenance), uint8(Provenance.Proof));
    }
}
