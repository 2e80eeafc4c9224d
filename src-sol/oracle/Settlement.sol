// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceVerifier} from "../interfaces/IInferenceVerifier.sol";
import {ICommittedInferenceVerifier} from "../interfaces/ICommittedInferenceVerifier.sol";
import {RequestState, InferenceError, InputHashKind, Provenance, RequestTerms} from "../types/InferenceTypes.sol";
import {PackedOutput} from "../libraries/PackedOutput.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {ResultCache} from "./ResultCache.sol";
import {StakeBook} from "./StakeBook.sol";
import {CallbackDelivery} from "./CallbackDelivery.sol";

/// @title Settlement
/// @notice How a request ends, shared by the optimistic paths, proofs and disputes: the word and the cache are
/// written first, money is booked by the caller before, and the consumer is called back last (or owed the call).
abstract contract Settlement is ResultCache, StakeBook, CallbackDelivery {
    /// @dev Ends a request as Finalized with `output`, settled with provenance `p`, and caches it. `callNow`: call
    /// the consumer in this transaction (paths whose caller is paid the fee); otherwise the callback is owed.
    function _finalize(
        uint256 requestId,
        RequestTerms memory terms,
        uint256 oldWord,
        int256[] memory output,
        Provenance p,
        bool callNow
    ) internal {
        if (RequestWord.isKeyed(requestId)) {
            _finalizeKeyed(requestId, oldWord, terms.modelId, terms.inputHash, output, p);
        } else {
            _deleteWord(requestId);
            _offerResult(terms.modelId, terms.inputHash, output, p);
        }
        bytes memory data = abi.encodeCall(IInferenceConsumer.fulfillInference, (requestId, output));
        bool ok = _deliver(requestId, terms, data, callNow);
        emit InferenceFinalized(requestId, output, p, ok);
    }

    /// @dev Ends a request without a result; the fee goes back to the requester (claimable).
    function _endWithoutResult(
        uint256 requestId,
        RequestTerms memory terms,
        uint256 oldWord,
        RequestState state,
        InferenceError code,
        bool callNow
    ) internal {
        if (RequestWord.isKeyed(requestId)) {
            _endKeyed(requestId, oldWord, state, terms.modelId, terms.inputHash);
        } else {
            _setWord(requestId, RequestWord.pack(state, block.timestamp, 0));
        }
        _credit(terms.requester, terms.fee);
        bytes memory data = abi.encodeCall(IInferenceConsumer.failInference, (requestId, code));
        bool ok = _deliver(requestId, terms, data, callNow);
        emit InferenceFailed(requestId, state, code, ok);
    }

    function _deliver(uint256 requestId, RequestTerms memory terms, bytes memory data, bool callNow)
        private
        returns (bool)
    {
        if (callNow) return _callBack(requestId, terms.requester, terms.callbackGasLimit, data);
        _owe(requestId, terms.requester, terms.callbackGasLimit, data);
        return false;
    }

    /// @dev Checks a proof of `(input, output)` made for `prover` with a model's verifier `version`.
    function _verifyProof(
        uint256 requestId,
        uint256 modelId,
        uint256 version,
        bytes32 inputHash,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) internal view {
        VerifierEntry storage entry = _getSettings().verifiers[modelId][version];
        (IInferenceVerifier verifier, InputHashKind kind) = (entry.verifier, entry.inputHashKind);
        if (address(verifier) == address(0)) revert InferenceOracleNoVerifier(modelId);
        bool valid;
        if (kind == InputHashKind.Keccak) {
            _checkInputHash(requestId, inputHash, input);
            valid = verifier.verifyInference(input, output, msg.sender, proof);
        } else {
            // A committed model's proof carries the request's commitment: the input need not be sent, and one that
            // is sent must open it.
            if (input.length != 0) _checkInputHash(requestId, modelId, inputHash, input);
            valid = ICommittedInferenceVerifier(address(verifier)).verifyCommittedInference(
                inputHash, output, msg.sender, proof
            );
        }
        if (!valid) revert InferenceOracleInvalidProof(requestId);
    }

    /// @dev Re-executes a model's stored weights on `input`.
    function _reexecute(uint256 requestId, uint256 modelId, bytes32 inputHash, int256[] calldata input)
        internal
        view
        returns (int256[] memory)
    {
        _checkInputHash(requestId, modelId, inputHash, input);
        return _getSettings().registry.execute(modelId, input);
    }

    function _checkInputHash(uint256 requestId, bytes32 inputHash, int256[] calldata input) internal pure {
        if (RequestWord.hashCalldata(input) != inputHash) revert InferenceOracleInputMismatch(requestId, inputHash);
    }

    /// @dev The same check with the model's input-hash kind ({_inputHash}). keccak first, which settles every keccak
    /// model without reading its kind (so their gas is what it was); no input's keccak hash equals a Poseidon
    /// commitment it does not open, short of a keccak preimage.
    function _checkInputHash(uint256 requestId, uint256 modelId, bytes32 inputHash, int256[] calldata input)
        internal
        view
    {
        if (RequestWord.hashCalldata(input) == inputHash) return;
        if (_inputHash(modelId, input) != inputHash) revert InferenceOracleInputMismatch(requestId, inputHash);
    }

    function _checkOutput(int256[] memory output, uint256 expectedLength) internal pure {
        if (!PackedOutput.isValid(output, expectedLength)) {
            revert InferenceOracleInvalidOutput(output.length, expectedLength);
        }
    }

    /// @dev {_checkOutput} of a calldata output, read where it lies (no copy to memory).
    function _checkOutputCalldata(int256[] calldata output, uint256 expectedLength) internal pure {
        uint256 n = output.length;
        bool valid = n == expectedLength && n != 0;
        for (uint256 i = 0; valid && i < n; ++i) {
            int256 v = output[i];
            valid = v >= type(int64).min && v <= type(int64).max;
        }
        if (!valid) revert InferenceOracleInvalidOutput(n, expectedLength);
    }
}
