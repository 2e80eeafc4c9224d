// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBatchInferenceVerifier
/// @notice Verifies one Groth16 proof that a registered model maps `batchSize` inputs to their outputs under the
/// canonical integer semantics (docs/SEMANTICS.md), and decodes what it verified. One verifier is deployed per model
/// and batch size: its verifying key comes from the set-up of that model's batch circuit (docs/ZK.md, "Batches").
/// @dev The public signals are the circuit's own: the batch's outputs packed densely (every value of every slot,
/// slot-major, `value - min` in a fixed width, as many per field element as fit in 253 bits), then the batch's
/// inputs packed the same way, then the prover's address. The caller passes all but the last; the verifier appends
/// `prover`, so a proof copied from the mempool verifies for nobody else. The packed form is what the circuit checks
/// and what is cheapest in calldata; the verifier unpacks it once, into each slot's `inputHash` (what a request
/// commits to) and outputs.
interface IBatchInferenceVerifier {
    /// @notice The `modelHash` of the model whose batch circuit this verifier checks.
    function modelHash() external view returns (bytes32);

    /// @notice How many inferences one proof covers (K).
    function batchSize() external view returns (uint256);

    /// @notice How many packed signals {verifyBatch} takes (the circuit's public signals but the prover).
    function signalCount() external view returns (uint256);

    /// @notice Checks `proof` for the packed `signals` and `prover`; on success decodes the batch.
    /// @dev Must not revert on a malformed or wrong proof: it returns `valid = false` (and empty arrays) instead.
    /// @param signals The packed outputs, then the packed inputs: {signalCount} field elements.
    /// @param prover The address that submits the proof (the oracle passes `msg.sender`).
    /// @param proof The ABI-encoded Groth16 proof `(uint256[2] a, uint256[2][2] b, uint256[2] c)`.
    /// @return valid Whether the proof verifies.
    /// @return inputHashes Per slot, `keccak256(abi.encodePacked(input))` of the input the proof covers.
    /// @return outputs Every slot's output, slot-major (`batchSize * outputLength` values).
    function verifyBatch(uint256[] calldata signals, address prover, bytes calldata proof)
        external
        view
        returns (bool valid, bytes32[] memory inputHashes, int256[] memory outputs);
}
