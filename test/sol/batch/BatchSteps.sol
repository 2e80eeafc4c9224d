// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "../oracle/OracleSteps.sol";
import {TestBatchVerifier} from "../utils/TestBatchVerifier.sol";
import {IBatches} from "../../../src-sol/interfaces/IBatches.sol";
import {IBatchInferenceVerifier} from "../../../src-sol/interfaces/IBatchInferenceVerifier.sol";
import {RequestTerms, Proposal, MaturedProposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Shared steps of the batch tests: the small logits model with a test batch verifier of 4 set for its
/// verifier version, and requests of distinct inputs.
abstract contract BatchSteps is OracleSteps {
    uint256 internal constant K = 4;
    TestBatchVerifier internal batchVerifier;

    function setUp() public virtual override {
        super.setUp();
        batchVerifier = new TestBatchVerifier(keccak256(smallEncoding), K);
        vm.prank(owner);
        batches().setBatchVerifier(modelId, 1, K, batchVerifier);
    }

    function batches() internal view returns (IBatches) {
        return IBatches(address(oracle));
    }

    /// @dev `n` requests of distinct inputs, with their terms and correct outputs.
    function _requests(uint256 n)
        internal
        returns (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory inputs, int256[][] memory outputs)
    {
        ids = new uint256[](n);
        terms = new RequestTerms[](n);
        inputs = new int256[][](n);
        outputs = new int256[][](n);
        for (uint256 i = 0; i < n; ++i) {
            inputs[i] = _input(int256(100 + i), -int256(50 + 3 * i));
            outputs[i] = _correct(inputs[i]);
            (ids[i], terms[i]) = _request(inputs[i]);
        }
    }

    function _batchProof(address prover) internal view returns (IBatches.BatchProof memory) {
        return IBatches.BatchProof({
            modelId: uint64(modelId),
            verifierVersion: 1,
            batchSize: uint16(K),
            signals: new uint256[](0),
            proof: batchVerifier.proofFor(prover)
        });
    }

    function _proveBatch(address prover, uint256[] memory ids, RequestTerms[] memory terms)
        internal
        returns (uint256 finalized)
    {
        IBatches.BatchProof memory b = _batchProof(prover);
        vm.prank(prover);
        return batches().proposeWithProofBatch(b, ids, terms);
    }

    function _matured(uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory outputs, address by)
        internal
        pure
        returns (MaturedProposal[] memory m)
    {
        m = new MaturedProposal[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            m[i] = MaturedProposal(
                ids[i],
                terms[i],
                Proposal(by, address(0), keccak256(abi.encodePacked(outputs[i])), bytes32(0)),
                outputs[i]
            );
        }
    }

    function _noneMatured() internal pure returns (MaturedProposal[] memory) {
        return new MaturedProposal[](0);
    }

    function _unset() internal pure returns (IBatchInferenceVerifier) {
        return IBatchInferenceVerifier(address(0));
    }
}
