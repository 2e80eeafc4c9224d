// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IInferenceVerifier
/// @notice Verifies a zero-knowledge proof that a registered model maps `input` to `output` under the
/// canonical integer semantics (docs/SEMANTICS.md). One verifier is deployed per model: its verifying key
/// binds the model, so a proof made for one model never verifies against another model's verifier.
interface IInferenceVerifier {
    /// @notice The `modelHash` of the model whose circuit this verifier checks.
    function modelHash() external view returns (bytes32);

    /// @notice Returns true when `proof` shows that the model maps `input` to `output` and was made for `prover`.
    /// @dev Must not revert on a malformed or wrong proof: it returns false instead, so the oracle can
    /// turn a bad proof into its own custom error. The prover's address is a public input of the proof, so
    /// a proof copied from the mempool earns the copier nothing.
    /// @param input The quantized input, exactly as hashed into the request's `inputHash`.
    /// @param output The claimed output, exactly as it would be delivered to the consumer.
    /// @param prover The address that submits the proof (the oracle passes `msg.sender`); a proof made for one
    /// prover never verifies for another.
    /// @param proof The ABI-encoded Groth16 proof `(uint256[2] a, uint256[2][2] b, uint256[2] c)`.
    function verifyInference(int256[] calldata input, int256[] calldata output, address prover, bytes calldata proof)
        external
        view
        returns (bool);
}
