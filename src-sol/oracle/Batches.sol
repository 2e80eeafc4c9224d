// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {RequestState, Provenance, RequestTerms, Proposal, MaturedProposal} from "../types/InferenceTypes.sol";
import {IBatches} from "../interfaces/IBatches.sol";
import {IBatchInferenceVerifier} from "../interfaces/IBatchInferenceVerifier.sol";
import {IInferenceVerifier} from "../interfaces/IInferenceVerifier.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {Settlement} from "./Settlement.sol";

/// @title Batches
/// @notice Settles many requests in one transaction (see {IBatches}). A batch changes nothing about a request's life
/// cycle: each request of a proof batch is finalized exactly as {IInferenceOracle-proposeWithProof} would (fee to
/// the prover, result cached with provenance `Proof`, consumer called back), and each proposal of an optimistic
/// batch is a proposal of its own, challenged and finalized one by one. What a batch shares is the transaction, one
/// stake write for the bonds and fees, and for proofs the pairing check: one Groth16 verification for K inferences.
/// @dev Batch verifiers are set by the owner per model, verifier version and batch size, in this module's own
/// ERC-7201 namespace: a request takes the model's verifier version into its terms, so it is only ever proven by a
/// batch verifier set for that version (of the same model hash).
abstract contract Batches is Settlement, IBatches {
    /// @custom:storage-location erc7201:vai.storage.Batches
    struct BatchesStorage {
        mapping(
            uint256 modelId => mapping(uint256 version => mapping(uint256 batchSize => IBatchInferenceVerifier))
        ) verifiers;
    }

    /// @dev OpenZeppelin's `OwnableUpgradeable` namespace (erc7201:openzeppelin.storage.Ownable), whose first word is
    /// the owner: read where the oracle keeps it (this module inherits no initializable contract).
    bytes32 private constant OWNABLE_STORAGE_LOCATION =
        0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300;

    // keccak256(abi.encode(uint256(keccak256("vai.storage.Batches")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant BATCHES_STORAGE_LOCATION =
        0xb846fb689bed84ffb0c5e9b4ff023d060bc93d406c2a8ac0a7043dfc5ce66100;

    /// @dev Reverts unless the code runs in the oracle's context (see {BatchModule}).
    function _checkContext() internal view virtual;

    /// @inheritdoc IBatches
    function setBatchVerifier(
        uint256 modelId,
        uint256 verifierVersion,
        uint256 batchSize,
        IBatchInferenceVerifier verifier
    ) external {
        _checkContext();
        _checkOwner();
        IInferenceVerifier single = verifierOf(modelId, verifierVersion);
        if (address(single) == address(0)) revert InferenceOracleNoVerifier(modelId);
        if (
            address(verifier) != address(0)
                && (verifier.batchSize() != batchSize || verifier.modelHash() != single.modelHash())
        ) revert InferenceOracleBatchVerifierMismatch(modelId, address(verifier));
        _getBatches().verifiers[modelId][verifierVersion][batchSize] = verifier;
        emit BatchVerifierSet(modelId, verifierVersion, batchSize, address(verifier));
    }

    /// @inheritdoc IBatches
    function batchVerifierOf(uint256 modelId, uint256 verifierVersion, uint256 batchSize)
        public
        view
        returns (IBatchInferenceVerifier)
    {
        return _getBatches().verifiers[modelId][verifierVersion][batchSize];
    }

    /// @inheritdoc IBatches
    function proposeWithProofBatch(
        BatchProof calldata batch,
        uint256[] calldata requestIds,
        RequestTerms[] calldata terms
    ) external returns (uint256 finalized) {
        _checkContext();
        if (paused()) revert InferenceOraclePaused();
        uint256 n = requestIds.length;
        if (n == 0 || n > batch.batchSize || terms.length != n) {
            revert InferenceOracleBatchLength(n, terms.length, batch.batchSize);
        }
        IBatchInferenceVerifier verifier = batchVerifierOf(batch.modelId, batch.verifierVersion, batch.batchSize);
        if (address(verifier) == address(0)) {
            revert InferenceOracleNoBatchVerifier(batch.modelId, batch.verifierVersion, batch.batchSize);
        }
        (bool valid, bytes32[] memory inputHashes, int256[] memory outputs) =
            verifier.verifyBatch(batch.signals, msg.sender, batch.proof);
        if (!valid || inputHashes.length != batch.batchSize) revert InferenceOracleInvalidBatchProof(batch.modelId);
        uint256 outputLength = outputs.length / inputHashes.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 requestId = requestIds[i];
            uint256 word = _word(requestId);
            if (RequestWord.state(word) != RequestState.Requested || block.timestamp > RequestWord.time(word)) {
                emit BatchItemSkipped(requestId);
                continue;
            }
            RequestTerms memory t = terms[i];
            if (RequestWord.low(word) != RequestWord.commitment(requestId, t, _none())) {
                revert InferenceOracleCommitmentMismatch(requestId);
            }
            if (t.modelId != batch.modelId || t.verifierVersion != batch.verifierVersion) {
                revert InferenceOracleBatchTermsMismatch(requestId);
            }
            if (inputHashes[i] != t.inputHash) revert InferenceOracleInputMismatch(requestId, t.inputHash);
            int256[] memory output = _slot(outputs, i, outputLength);
            _checkOutput(output, t.outputLength);
            // Booked before the consumer is called (which may re-enter: every item reads its word afresh).
            _earn(msg.sender, t.fee);
            _finalize(requestId, t, word, output, Provenance.Proof, true);
            ++finalized;
        }
        emit BatchProven(batch.modelId, msg.sender, finalized, n - finalized);
    }

    /// @inheritdoc IBatches
    function proposeBatch(
        uint256[] calldata requestIds,
        RequestTerms[] calldata terms,
        int256[][] calldata outputs,
        MaturedProposal[] calldata matured
    ) external returns (uint256 proposed, uint256 finalized) {
        _checkContext();
        if (paused()) revert InferenceOraclePaused();
        uint256 n = requestIds.length;
        if (terms.length != n || outputs.length != n) {
            revert InferenceOracleBatchLength(n, terms.length, outputs.length);
        }
        uint256 bonds;
        for (uint256 i = 0; i < n; ++i) {
            uint256 requestId = requestIds[i];
            uint256 word = _word(requestId);
            if (RequestWord.state(word) != RequestState.Requested || block.timestamp > RequestWord.time(word)) {
                emit BatchItemSkipped(requestId);
                continue;
            }
            RequestTerms memory t = terms[i];
            if (RequestWord.low(word) != RequestWord.commitment(requestId, t, _none())) {
                revert InferenceOracleCommitmentMismatch(requestId);
            }
            if (!_accepted(t.accepts, Provenance.Optimistic)) {
                revert InferenceOracleProvenanceNotAccepted(requestId, Provenance.Optimistic);
            }
            int256[] calldata output = outputs[i];
            _checkOutputCalldata(output, t.outputLength);
            bonds += t.bond;
            Proposal memory proposal = Proposal({
                proposer: msg.sender, challenger: address(0), outputHash: RequestWord.hashCalldata(output), claimHash: 0
            });
            _storeOpen(requestId, word, RequestState.Proposed, block.timestamp + t.challengeWindow, t, proposal);
            emit OutputProposed(requestId, msg.sender, output);
            ++proposed;
        }
        // One stake write for every bond; nothing above calls out, and a shortfall reverts the whole batch.
        if (bonds != 0) _lock(msg.sender, SafeCast.toUint96(bonds));
        finalized = _finalizeMatured(matured);
    }

    /// @inheritdoc IBatches
    function finalizeBatch(MaturedProposal[] calldata matured) external returns (uint256 finalized) {
        _checkContext();
        return _finalizeMatured(matured);
    }

    /// @dev Finalizes each matured proposal whose word, output and commitment check out; skips the others.
    function _finalizeMatured(MaturedProposal[] calldata matured) private returns (uint256 finalized) {
        for (uint256 k = 0; k < matured.length; ++k) {
            MaturedProposal calldata m = matured[k];
            uint256 word = _word(m.requestId);
            if (
                RequestWord.state(word) != RequestState.Proposed || block.timestamp < RequestWord.time(word)
                    || RequestWord.hashCalldata(m.output) != m.proposal.outputHash
            ) continue;
            (RequestTerms memory t, Proposal memory p) = (m.terms, m.proposal);
            if (RequestWord.low(word) != RequestWord.commitment(m.requestId, t, p)) continue;
            _release(p.proposer, t.bond, t.fee);
            _finalize(m.requestId, t, word, m.output, Provenance.Optimistic, true);
            ++finalized;
        }
    }

    /// @dev Slot `i` of a slot-major array of `length`-value outputs.
    function _slot(int256[] memory outputs, uint256 i, uint256 length) private pure returns (int256[] memory out) {
        out = new int256[](length);
        uint256 from = i * length;
        for (uint256 j = 0; j < length; ++j) {
            out[j] = outputs[from + j];
        }
    }

    /// @dev Reverts unless the caller is the oracle's owner (as `onlyOwner` would, with OpenZeppelin's error).
    function _checkOwner() private view {
        address owner_;
        assembly ("memory-safe") {
            owner_ := sload(OWNABLE_STORAGE_LOCATION)
        }
        if (msg.sender != owner_) revert OwnableUnauthorizedAccount(msg.sender);
    }

    function _getBatches() private pure returns (BatchesStorage storage $) {
        assembly ("memory-safe") {
            $.slot := BATCHES_STORAGE_LOCATION
        }
    }
}
