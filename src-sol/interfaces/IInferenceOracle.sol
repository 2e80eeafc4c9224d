// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Provenance, RequestTerms, Proposal, MaturedProposal} from "../types/InferenceTypes.sol";
import {IRequestBook} from "./IRequestBook.sol";
import {IStakes} from "./IStakes.sol";

/// @title IInferenceOracle
/// @notice Request book for verifiable inference: optimistic proposals with bonds and a challenge window, instant
/// finality with a ZK proof bound to its prover, disputes settled by proof, on-chain re-execution or (for models
/// neither can decide) arbitration between the two claims, and a result cache that records how each result was
/// settled.
/// @dev Per request the oracle stores one slot: the state, one time and a 208-bit hash of the request terms and
/// the proposal. Calls after the request re-supply the terms and the proposal from the events; see
/// docs/PROTOCOL.md. The errors and events are in {IOracleEvents}; the dispute functions in {IDisputes}, which the
/// same address answers.
interface IInferenceOracle is IRequestBook, IStakes {
    // ------------------------------------------------------------------------------------------------------------
    // Requests and proposals
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Requests an inference. Sends at least the model's fee (the excess is credited back, claimable).
    /// @dev May call the consumer back before returning: on a cache hit whose provenance `accepts` allows
    /// (`fulfillInference`, no fee charged) and on an invalid input (`failInference`, fee credited back). The id is
    /// the input's key id (top bit set) for the first open request of `(modelId, input)`, and the next sequence id
    /// otherwise (docs/PROTOCOL.md): never assume ids are consecutive.
    /// The request's `inputHash` is of the model's input-hash kind: keccak256 of the input, or its Poseidon commitment
    /// (computed here, paid by the requester; docs/PROTOCOL.md, "Input hashes").
    /// @param accepts Bitmask of `1 << uint8(Provenance)` this request accepts; zero accepts any.
    function requestInference(uint256 modelId, int256[] calldata input, uint32 callbackGasLimit, uint8 accepts)
        external
        payable
        returns (uint256 requestId);

    /// @notice Copies a model's terms and verifier from the registry, which calls this on every change; anyone may
    /// call it. Reverts unless the registry names this oracle as the one it keeps informed.
    function syncModel(uint256 modelId) external;

    /// @notice Proposes an output, locking `terms.bond` from the caller's free stake.
    function propose(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) external;

    /// @notice Proposes like {propose}, then finalizes each of `matured` like {finalize}, skipping any that is no
    /// longer finalizable.
    function proposeAndFinalize(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata output,
        MaturedProposal[] calldata matured
    ) external;

    /// @notice Proposes an output with a ZK proof made for the caller (the verifier binds the prover's address):
    /// finalized at once with provenance `Proof`, no bond, the fee goes to the caller's stake.
    /// @param input The request's input (it must hash to `terms.inputHash`); empty for a model whose requests are
    /// keyed by a Poseidon commitment (`InputHashKind.Poseidon`), whose proof carries the commitment instead.
    function proposeWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Finalizes an unchallenged proposal after its window.
    function finalize(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    // ------------------------------------------------------------------------------------------------------------
    // Callbacks
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Delivers an owed callback (see {CallbackPending}); anyone may call it, with enough gas for the
    /// requester's gas limit. Reverts if the callback fails again (it stays owed).
    function deliverCallback(uint256 requestId, address requester, uint32 gasLimit, bytes calldata data) external;

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The cached result for `(modelId, inputHash)` and how it was settled, if any (none for a deprecated
    /// model).
    function cachedResult(uint256 modelId, bytes32 inputHash)
        external
        view
        returns (bool found, int256[] memory output, Provenance provenance);
}
