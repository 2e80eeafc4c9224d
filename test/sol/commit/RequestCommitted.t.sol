// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommittedFixture} from "./CommittedFixture.sol";
import {InputHash} from "../../../src-sol/libraries/InputHash.sol";
import {InferenceError, RequestState, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice A request for a Poseidon-committed model: the oracle computes the commitment (the one TypeScript computes),
/// keys the request and the cache by it, and fails an out-of-range input as it does for any model.
contract RequestCommittedTest is CommittedFixture {
    function test_request_termsCarryTheCommitmentTypeScriptComputes() public {
        (uint256 id, RequestTerms memory terms, Case memory c) = _request("");
        assertEq(terms.inputHash, _commitment(""));
        assertTrue(terms.inputHash != keccak256(abi.encodePacked(c.input)));
        // The first open request for (model, commitment) takes the key's id, as for keccak models.
        assertEq(id, oracle.keyedRequestId(committedId, terms.inputHash));
    }

    function test_request_differentImagesGetDifferentCommitments() public {
        (, RequestTerms memory a,) = _request("");
        (, RequestTerms memory b,) = _request(".other");
        assertEq(b.inputHash, _commitment(".other"));
        assertTrue(a.inputHash != b.inputHash);
    }

    function test_request_outOfRangeInputFailsWithoutAHash() public {
        Case memory c = _case(FIXTURE, "");
        c.input[783] = 256;
        uint256 id = consumer.request(committedId, c.input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Failed));
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InputOutOfRange));
    }

    function test_request_wrongLengthFails() public {
        int256[] memory input = new int256[](783);
        uint256 id = consumer.request(committedId, input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Failed));
        assertEq(uint8(consumer.lastError()), uint8(InferenceError.InvalidInputLength));
    }

    function test_request_revertsWhenPoseidonIsGone() public {
        Case memory c = _case(FIXTURE, "");
        vm.etch(InputHash.POSEIDON_T5, "");
        vm.expectRevert(abi.encodeWithSelector(InputHash.InputHashPoseidonMissing.selector, InputHash.POSEIDON_T5));
        consumer.request(committedId, c.input, CALLBACK_GAS, FEE);
    }
}
