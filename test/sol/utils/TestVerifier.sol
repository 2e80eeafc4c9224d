// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";

/// @notice TEST ONLY. A stand-in for the generated Groth16 verifiers: it accepts exactly the (input, output) pairs
/// the test marked as proven, with the proof bytes `VALID_PROOF`. It proves nothing and must never be deployed.
contract TestVerifier is IInferenceVerifier {
    bytes public constant VALID_PROOF = "test-proof";

    bytes32 public immutable modelHash;
    mapping(bytes32 pairHash => bool) public proven;

    constructor(bytes32 modelHash_) {
        modelHash = modelHash_;
    }

    function setProven(int256[] calldata input, int256[] calldata output, bool ok) external {
        proven[keccak256(abi.encode(input, output))] = ok;
    }

    /// @notice The proof bytes this verifier accepts from `prover`: bound to the prover, like a real proof whose
    /// public inputs include the prover's address.
    function proofFor(address prover) public pure returns (bytes memory) {
        return abi.encodePacked(VALID_PROOF, prover);
    }

    function verifyInference(int256[] calldata input, int256[] calldata output, address prover, bytes calldata proof)
        external
        view
        returns (bool)
    {
        return keccak256(proof) == keccak256(proofFor(prover)) && proven[keccak256(abi.encode(input, output))];
    }
}
