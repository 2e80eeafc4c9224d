// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";

/// @notice TEST ONLY. A stand-in for the generated Groth16 verifiers: it accepts exactly the (input, output) pairs
/// the test marked as proven, with the proof bytes `VALID_PROOF`, for any prover (the binding of a proof to its
/// prover is tested with the generated verifiers and real proofs, test/sol/OracleProofs.t.sol). It proves nothing and
/// must never be deployed.
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

    function verifyInference(int256[] calldata input, int256[] calldata output, address, bytes calldata proof)
        external
        view
        returns (bool)
    {
        return keccak256(proof) == keccak256(VALID_PROOF) && proven[keccak256(abi.encode(input, output))];
    }
}
