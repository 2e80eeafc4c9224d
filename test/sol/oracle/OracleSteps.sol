// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "../utils/OracleFixture.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {IInferenceConsumer} from "../../../src-sol/interfaces/IInferenceConsumer.sol";
import {
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    Proposal
} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice The oracle fixture plus what the life-cycle step tests share: provenance masks, proofs bound to their
/// prover, the arbitration-only model (`bareModelId`), and one-line ways to bring a request to a given step.
abstract contract OracleSteps is OracleFixture {
    uint8 internal constant ACCEPT_OPTIMISTIC = uint8(1 << uint8(Provenance.Optimistic));
    uint8 internal constant ACCEPT_ARBITRATION = uint8(1 << uint8(Provenance.Arbitration));
    uint8 internal constant ACCEPT_REEXECUTION = uint8(1 << uint8(Provenance.Reexecution));
    uint8 internal constant ACCEPT_PROOF = uint8(1 << uint8(Provenance.Proof));

    // ---------------------------------------------------------------------------------------------------------
    // Small things
    // ---------------------------------------------------------------------------------------------------------

    function _hash(int256[] memory values) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(values));
    }

    function _assertState(uint256 id, RequestState expected) internal view {
        assertEq(uint8(oracle.requestState(id)), uint8(expected), "request state");
    }

    /// @dev The proof bytes the test verifier accepts from `prover` (a proof is bound to its prover).
    function _proof(address prover) internal view returns (bytes memory) {
        return verifier.proofFor(prover);
    }

    function _markProven(int256[] memory input, int256[] memory output) internal {
        verifier.setProven(input, output, true);
    }

    function _fulfillData(uint256 id, int256[] memory output) internal pure returns (bytes memory) {
        return abi.encodeCall(IInferenceConsumer.fulfillInference, (id, output));
    }

    function _failData(uint256 id, InferenceError code) internal pure returns (bytes memory) {
        return abi.encodeCall(IInferenceConsumer.failInference, (id, code));
    }

    function _cached(uint256 model, int256[] memory input)
        internal
        view
        returns (bool found, int256[] memory output, Provenance provenance)
    {
        return oracle.cachedResult(model, _hash(input));
    }

    function _assertCached(int256[] memory input, int256[] memory expected, Provenance p) internal view {
        (bool found, int256[] memory output, Provenance provenance) = _cached(modelId, input);
        assertTrue(found, "cached");
        assertEq(output, expected, "cached output");
        assertEq(uint8(provenance), uint8(p), "cached provenance");
    }

    function _split() internal pure returns (uint256 reward, uint256 resolverReward, uint256 toTreasury) {
        reward = uint256(BOND) * 4_000 / 10_000;
        resolverReward = uint256(BOND) * 1_000 / 10_000;
        toTreasury = BOND - reward - resolverReward;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------------------

    /// @dev A request of `input` on the proof/re-execution model accepting only `accepts`.
    function _requestAccepting(int256[] memory input, uint8 accepts)
        internal
        returns (uint256 id, RequestTerms memory terms)
    {
        terms = _termsFor(modelId, input, 2);
        terms.accepts = accepts;
        id = consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, accepts);
    }

    /// @dev A request on the arbitration-only model (no verifier, no weights).
    function _bareRequest(int256[] memory input) internal returns (uint256 id, RequestTerms memory terms) {
        terms = _termsFor(bareModelId, input, 1);
        id = consumer.request(bareModelId, input, CALLBACK_GAS, FEE);
    }

    function _bareCorrect(int256[] memory input) internal pure returns (int256[] memory) {
        return ModelEncoder.run(ModelEncoder.smallArgMax(), input);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Steps
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Proposes `output`, waits out the challenge window and finalizes.
    function _finalizeOptimistic(uint256 id, RequestTerms memory terms, int256[] memory output)
        internal
        returns (Proposal memory p)
    {
        p = _propose(id, terms, output);
        vm.warp(block.timestamp + terms.challengeWindow);
        oracle.finalize(id, terms, p, output);
    }

    /// @dev Answers a request with a proof made for `prover`.
    function _proveAs(
        address prover,
        uint256 id,
        RequestTerms memory terms,
        int256[] memory input,
        int256[] memory output
    ) internal {
        _markProven(input, output);
        bytes memory proof = _proof(prover);
        vm.prank(prover);
        oracle.proposeWithProof(id, terms, input, output, proof);
    }

    /// @dev A disputed request on the arbitration-only model: the proposer proposes the correct output or not,
    /// the challenger claims the other one.
    function _bareDisputed(bool proposeCorrect)
        internal
        returns (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct)
    {
        int256[] memory input = _defaultInput();
        correct = _bareCorrect(input);
        int256[] memory wrong = _wrong(correct);
        (id, terms) = _bareRequest(input);
        Proposal memory p = _propose(id, terms, proposeCorrect ? correct : wrong);
        d = _challengeWith(id, terms, p, _hash(proposeCorrect ? wrong : correct));
    }
}
