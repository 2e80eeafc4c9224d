// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRequestBook} from "../interfaces/IRequestBook.sol";
import {RequestState, RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {OracleSettings} from "./OracleSettings.sol";

/// @title RequestBook
/// @notice One storage word per request ({RequestWord}) and the ids that say where it lives.
/// @dev Request ids come in two kinds. The first open request for a `(modelId, inputHash)` key takes the key's own id
/// ({keyedRequestId}, top bit set): its word is the key's cache entry, so finalizing it writes the result into the
/// same word instead of a fresh slot. Every other request (a cache hit, an invalid input, a duplicate while the
/// key's word is taken) takes the next sequence id, below 2^40; a finalized sequence-id word is deleted, and an id at
/// or below the last sequence id with an empty word is Finalized. The sequence counter lives in the settings' hot
/// word, which every request reads anyway.
abstract contract RequestBook is OracleSettings, IRequestBook {
    /// @custom:storage-location erc7201:vai.storage.RequestBook
    struct RequestBookStorage {
        mapping(uint256 requestId => uint256 word) words;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.RequestBook")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REQUEST_BOOK_STORAGE_LOCATION =
        0xcdfeaa57a13992c1660bfef1f7e5a6fbc13b6cb4fdecca09489f45b8af8b5e00;

    /// @inheritdoc IRequestBook
    function requestState(uint256 requestId) public view returns (RequestState) {
        uint256 word = _getRequestBook().words[requestId];
        if (word == 0) {
            return
                requestId != 0 && requestId <= _getSettings().lastRequestId ? RequestState.Finalized : RequestState.None;
        }
        return RequestWord.state(word);
    }

    /// @inheritdoc IRequestBook
    function requestRecord(uint256 requestId)
        external
        view
        returns (RequestState state, uint256 time, uint256 commitment)
    {
        uint256 word = _getRequestBook().words[requestId];
        return (requestState(requestId), RequestWord.time(word), RequestWord.low(word));
    }

    /// @inheritdoc IRequestBook
    function commitmentOf(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal)
        external
        pure
        returns (uint256)
    {
        return RequestWord.commitment(requestId, terms, proposal);
    }

    /// @inheritdoc IRequestBook
    function keyedRequestId(uint256 modelId, bytes32 inputHash) public pure returns (uint256) {
        return RequestWord.keyedId(modelId, inputHash);
    }

    /// @inheritdoc IRequestBook
    function lastRequestId() external view returns (uint256) {
        return _getSettings().lastRequestId;
    }

    /// @dev Checks the state and the commitment of a request and returns its word.
    function _load(uint256 requestId, RequestState expected, RequestTerms memory terms, Proposal memory proposal)
        internal
        view
        returns (uint256 word)
    {
        word = _getRequestBook().words[requestId];
        if (word == 0 || RequestWord.state(word) != expected) {
            revert InferenceOracleUnexpectedRequestState(requestId, bytes32(uint256(1) << uint8(expected)));
        }
        if (RequestWord.low(word) != RequestWord.commitment(requestId, terms, proposal)) {
            revert InferenceOracleCommitmentMismatch(requestId);
        }
    }

    /// @dev Writes an open request's word, keeping the provenance nibble of a strong result waiting for it.
    function _storeOpen(
        uint256 requestId,
        uint256 oldWord,
        RequestState state,
        uint256 time,
        RequestTerms memory terms,
        Proposal memory proposal
    ) internal {
        uint256 word = RequestWord.pack(state, time, RequestWord.commitment(requestId, terms, proposal));
        _getRequestBook().words[requestId] = RequestWord.withProvenance(word, RequestWord.provenance(oldWord));
    }

    function _nextSequenceId() internal returns (uint256) {
        return ++_getSettings().lastRequestId;
    }

    function _word(uint256 requestId) internal view returns (uint256) {
        return _getRequestBook().words[requestId];
    }

    function _setWord(uint256 requestId, uint256 word) internal {
        _getRequestBook().words[requestId] = word;
    }

    function _deleteWord(uint256 requestId) internal {
        delete _getRequestBook().words[requestId];
    }

    function _none() internal pure returns (Proposal memory) {
        return Proposal(address(0), address(0), bytes32(0), bytes32(0));
    }

    function _getRequestBook() private pure returns (RequestBookStorage storage $) {
        assembly ("memory-safe") {
            $.slot := REQUEST_BOOK_STORAGE_LOCATION
        }
    }
}
