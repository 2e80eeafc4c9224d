// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RequestState, Provenance} from "../types/InferenceTypes.sol";
import {PackedOutput} from "../libraries/PackedOutput.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {RequestBook} from "./RequestBook.sol";

/// @title ResultCache
/// @notice One cached result per `(modelId, inputHash)` key, with how it was settled (its {Provenance}).
/// The entry lives in the key's own request word (see {RequestBook}): the packed output head in the low bits, the
/// provenance in the top nibble, the rest of the output in `tails`.
///
/// Rules, strongest evidence last (docs/PROTOCOL.md, "The cache"):
/// - The first result stored for a key is its entry, whatever its provenance.
/// - A strong result (re-execution or proof) replaces an entry whose output differs, and strengthens the
///   provenance of an entry with the same output; a weak one (optimistic, arbitration) never changes an entry.
/// - A strong result that arrives while the key's own request is still open waits beside it and becomes the entry
///   when that request ends, unless the request ends with a strong result of its own.
abstract contract ResultCache is RequestBook {
    /// @dev A strong result waiting for the open request that holds its key's word.
    struct Waiting {
        uint256 head;
        bytes32 outputHash;
    }

    /// @custom:storage-location erc7201:vai.storage.ResultCache
    struct ResultCacheStorage {
        mapping(uint256 keyedId => PackedOutput.Tail) tails;
        mapping(uint256 keyedId => Waiting) waiting;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.ResultCache")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant RESULT_CACHE_STORAGE_LOCATION =
        0x266f06eb4ed6a9f500c4946925f97bb348f10d5eb8a9f4a155e19ad05dbc5600;

    /// @dev Whether a word holds a result: a keyed request that ended, with a stored output.
    function _hasResult(uint256 word) internal pure returns (bool) {
        return uint8(RequestWord.state(word)) >= uint8(RequestState.Finalized)
            && PackedOutput.length(RequestWord.low(word)) != 0;
    }

    /// @dev Whether `accepts` (a bitmask of provenances, zero for any) includes `p`.
    function _accepted(uint8 accepts, Provenance p) internal pure returns (bool) {
        return accepts == 0 || accepts & (1 << uint8(p)) != 0;
    }

    function _isStrong(Provenance p) internal pure returns (bool) {
        return uint8(p) >= uint8(Provenance.Reexecution);
    }

    /// @dev The output of a word holding a result.
    function _loadResult(uint256 keyedId, uint256 word) internal view returns (int256[] memory) {
        return PackedOutput.load(RequestWord.low(word), _getResultCache().tails[keyedId]);
    }

    /// @dev Finalizes the key's own request: its word becomes the entry, unless a strong result waits and this one
    /// is weak, in which case the waiting result does. The key's own request writing its entry is told by its
    /// `InferenceFinalized`; a waiting result taking the entry over is told by a `CacheUpdated`.
    function _finalizeKeyed(
        uint256 keyedId,
        uint256 oldWord,
        uint256 modelId,
        bytes32 inputHash,
        int256[] memory output,
        Provenance p
    ) internal {
        Provenance waiting = RequestWord.provenance(oldWord);
        if (
            waiting != Provenance.None
                && _takeWaiting(keyedId, RequestState.Finalized, waiting, modelId, inputHash, !_isStrong(p))
        ) {
            return;
        }
        _setWord(keyedId, _entry(RequestState.Finalized, PackedOutput.head(output), p));
        PackedOutput.storeTail(_getResultCache().tails[keyedId], output);
    }

    /// @dev Ends the key's own request without a result of its own: a waiting strong result becomes the entry.
    function _endKeyed(uint256 keyedId, uint256 oldWord, RequestState state, uint256 modelId, bytes32 inputHash)
        internal
    {
        Provenance waiting = RequestWord.provenance(oldWord);
        if (waiting == Provenance.None || !_takeWaiting(keyedId, state, waiting, modelId, inputHash, true)) {
            _setWord(keyedId, RequestWord.pack(state, block.timestamp, 0));
        }
    }

    /// @dev Clears the strong result waiting beside a key's own request; when `use`, it becomes the key's entry
    /// (state `state`) and the call returns true.
    function _takeWaiting(
        uint256 keyedId,
        RequestState state,
        Provenance waiting,
        uint256 modelId,
        bytes32 inputHash,
        bool use
    ) private returns (bool) {
        ResultCacheStorage storage $ = _getResultCache();
        Waiting memory w = $.waiting[keyedId];
        delete $.waiting[keyedId];
        if (!use) return false;
        _setWord(keyedId, _entry(state, w.head, waiting));
        emit CacheUpdated(modelId, inputHash, w.outputHash, waiting, false);
        return true;
    }

    /// @dev Stores a result settled for any request other than the key's own (a duplicate, a correction).
    /// @return changed Whether the entry (or the waiting result) changed.
    function _offerResult(uint256 modelId, bytes32 inputHash, int256[] memory output, Provenance p)
        internal
        returns (bool changed)
    {
        uint256 keyedId = RequestWord.keyedId(modelId, inputHash);
        uint256 word = _word(keyedId);
        bytes32 outputHash = RequestWord.hashMemory(output);
        if (RequestWord.isOpen(word)) {
            if (!_isStrong(p)) return false;
            ResultCacheStorage storage $ = _getResultCache();
            Waiting storage w = $.waiting[keyedId];
            if (w.outputHash == outputHash && uint8(RequestWord.provenance(word)) >= uint8(p)) return false;
            (w.head, w.outputHash) = (PackedOutput.head(output), outputHash);
            PackedOutput.storeTail($.tails[keyedId], output);
            _setWord(keyedId, RequestWord.withProvenance(word, p));
            emit CacheResultWaiting(modelId, inputHash, outputHash, p);
            return true;
        }
        bool replaced = _hasResult(word);
        if (replaced) {
            if (!_isStrong(p)) return false;
            bool same = RequestWord.hashMemory(_loadResult(keyedId, word)) == outputHash;
            if (same && uint8(RequestWord.provenance(word)) >= uint8(p)) return false;
            if (same) {
                _setWord(keyedId, RequestWord.withProvenance(word, p));
                emit CacheUpdated(modelId, inputHash, outputHash, p, true);
                return true;
            }
        } else if (word == 0) {
            // The key never had a request of its own; its word stays free for one.
            return false;
        }
        // An ended word (Finalized, Expired) keeps its state and time; its low bits take the output.
        uint256 kept = word & ~(RequestWord.LOW_MASK | (uint256(0xF) << RequestWord.PROVENANCE_SHIFT));
        _setWord(keyedId, RequestWord.withProvenance(kept | PackedOutput.head(output), p));
        PackedOutput.storeTail(_getResultCache().tails[keyedId], output);
        emit CacheUpdated(modelId, inputHash, outputHash, p, replaced);
        return true;
    }

    /// @dev The strong result waiting for a key's open request (zero hash if none).
    function waitingResultHash(uint256 keyedId) external view returns (bytes32) {
        return _getResultCache().waiting[keyedId].outputHash;
    }

    function _entry(RequestState state, uint256 head, Provenance p) private view returns (uint256) {
        return RequestWord.withProvenance(RequestWord.pack(state, block.timestamp, head), p);
    }

    function _getResultCache() private pure returns (ResultCacheStorage storage $) {
        assembly ("memory-safe") {
            $.slot := RESULT_CACHE_STORAGE_LOCATION
        }
    }
}
