// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceVerifier} from "./IInferenceVerifier.sol";

/// @title ICommittedInferenceVerifier
/// @notice The verifier of a model whose requests are keyed by a Poseidon commitment of the input
/// (`InputHashKind.Poseidon`, docs/PROTOCOL.md, "Input hashes"): its circuit takes the packed input as private signals
/// and outputs their commitment (src-sol/libraries/InputHash.sol), so a proof's public signals are the packed output,
/// the commitment and the prover, whatever the input's size. {IInferenceVerifier-verifyInference} still takes the
/// input itself and commits to it first.
interface ICommittedInferenceVerifier is IInferenceVerifier {
    /// @notice Returns true when `proof` shows that the model maps an input whose commitment is `inputCommitment` to
    /// `output`, and was made for `prover`. Like {IInferenceVerifier-verifyInference}, it returns false, never
    /// reverts, on a malformed or wrong proof.
    /// @param inputCommitment The request's `inputHash`: the Poseidon commitment the oracle computed at request time.
    function verifyCommittedInference(
        bytes32 inputCommitment,
        int256[] calldata output,
        address prover,
        bytes calldata proof
    ) external view returns (bool);
}
