// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBatchInferenceVerifier} from "../../../src-sol/interfaces/IBatchInferenceVerifier.sol";

/// @notice TEST ONLY. A stand-in for the generated batch verifiers: with the proof bytes bound to the prover it
/// "verifies" whatever batch the test set (input hashes and outputs), ignoring the signals. Never deploy it.
contract TestBatchVerifier is IBatchInferenceVerifier {
    bytes public constant VALID_PROOF = "test-batch-proof";

    bytes32 public immutable modelHash;
    uint256 public immutable batchSize;
    bytes32[] internal _inputHashes;
    int256[] internal _outputs;

    constructor(bytes32 modelHash_, uint256 batchSize_) {
        modelHash = modelHash_;
        batchSize = batchSize_;
    }

    /// @notice The batch the next valid proof covers: `inputs[i]` and its output per slot (padded with the last).
    function setBatch(int256[][] calldata inputs, int256[][] calldata outputs) external {
        delete _inputHashes;
        delete _outputs;
        for (uint256 b = 0; b < batchSize; ++b) {
            uint256 i = b < inputs.length ? b : inputs.length - 1;
            _inputHashes.push(keccak256(abi.encodePacked(inputs[i])));
            for (uint256 j = 0; j < outputs[i].length; ++j) {
                _outputs.push(outputs[i][j]);
            }
        }
    }

    function proofFor(address prover) public pure returns (bytes memory) {
        return abi.encodePacked(VALID_PROOF, prover);
    }

    function signalCount() external pure returns (uint256) {
        return 0;
    }

    function verifyBatch(uint256[] calldata, address prover, bytes calldata proof)
        external
        view
        returns (bool valid, bytes32[] memory inputHashes, int256[] memory outputs)
    {
        if (keccak256(proof) != keccak256(proofFor(prover))) return (false, inputHashes, outputs);
        return (true, _inputHashes, _outputs);
    }
}
