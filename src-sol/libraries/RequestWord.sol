// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RequestState, Provenance, RequestTerms, Proposal} from "../types/InferenceTypes.sol";

/// @title RequestWord
/// @notice The one storage word of a request, and the commitment it holds.
/// ```
/// bits 255..252  provenance  of the result a word holds (a keyed word that ended), or of a strong result waiting
///                            for the open request whose word it is (see ResultCache); zero otherwise
/// bits 251..248  state       RequestState
/// bits 247..208  time        deadline / end of challenge window / challenge time / end time (uint40)
/// bits 207..0    low bits    the commitment while open; a PackedOutput head once a result is stored
/// ```
library RequestWord {
    uint256 internal constant PROVENANCE_SHIFT = 252;
    uint256 internal constant STATE_SHIFT = 248;
    uint256 internal constant TIME_SHIFT = 208;
    uint256 internal constant STATE_MASK = 0xF;
    uint256 internal constant TIME_MASK = type(uint40).max;
    uint256 internal constant LOW_MASK = type(uint208).max;
    /// @notice Set in every keyed request id and never in a sequence id.
    uint256 internal constant KEYED_ID_FLAG = 1 << 255;
    /// @dev ABI sizes of the two structs a commitment covers (12 and 4 static words).
    uint256 private constant TERMS_BYTES = 384;
    uint256 private constant PROPOSAL_BYTES = 128;

    function pack(RequestState s, uint256 t, uint256 bits) internal pure returns (uint256) {
        return (uint256(s) << STATE_SHIFT) | (t << TIME_SHIFT) | bits;
    }

    function state(uint256 word) internal pure returns (RequestState) {
        return RequestState((word >> STATE_SHIFT) & STATE_MASK);
    }

    function provenance(uint256 word) internal pure returns (Provenance) {
        return Provenance(word >> PROVENANCE_SHIFT);
    }

    /// @notice `word` with its provenance nibble set to `p`.
    function withProvenance(uint256 word, Provenance p) internal pure returns (uint256) {
        return (word & ~(uint256(0xF) << PROVENANCE_SHIFT)) | (uint256(p) << PROVENANCE_SHIFT);
    }

    function time(uint256 word) internal pure returns (uint256) {
        return (word >> TIME_SHIFT) & TIME_MASK;
    }

    function low(uint256 word) internal pure returns (uint256) {
        return word & LOW_MASK;
    }

    /// @notice Whether a word belongs to a request that has not ended (Requested, Proposed, Disputed).
    function isOpen(uint256 word) internal pure returns (bool) {
        uint256 s = (word >> STATE_SHIFT) & STATE_MASK;
        return s >= uint256(RequestState.Requested) && s <= uint256(RequestState.Disputed);
    }

    /// @notice Whether `requestId` is a keyed id. A request's word exists only under its own id, and a keyed
    /// request's id is always `keyedId` of its own terms, so this is the same test, without hashing.
    function isKeyed(uint256 requestId) internal pure returns (bool) {
        return requestId & KEYED_ID_FLAG != 0;
    }

    /// @notice The id the first open request for `(modelId, inputHash)` takes, whose word is the key's cache entry.
    function keyedId(uint256 modelId, bytes32 inputHash) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(modelId, inputHash))) | KEYED_ID_FLAG;
    }

    /// @dev The low 208 bits of `keccak256(abi.encode(requestId, terms, proposal))`. Every field of both structs is
    /// a static type, so that encoding is the id followed by the structs' memory words, which Solidity keeps
    /// cleaned: they are copied and hashed in place of a field-by-field re-encoding (a fuzz test checks equality).
    function commitment(uint256 requestId, RequestTerms memory terms, Proposal memory proposal)
        internal
        pure
        returns (uint256)
    {
        bytes32 h;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, requestId)
            mcopy(add(ptr, 0x20), terms, TERMS_BYTES)
            mcopy(add(ptr, add(0x20, TERMS_BYTES)), proposal, PROPOSAL_BYTES)
            h := keccak256(ptr, add(0x20, add(TERMS_BYTES, PROPOSAL_BYTES)))
        }
        return uint256(h) & LOW_MASK;
    }

    /// @notice `keccak256(abi.encodePacked(values))` of a calldata array in one copy (Solidity's packed encoding
    /// copies element by element, about 80 gas a value).
    function hashCalldata(int256[] calldata values) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := shl(5, values.length)
            calldatacopy(ptr, values.offset, len)
            h := keccak256(ptr, len)
        }
    }

    /// @notice `keccak256(abi.encodePacked(values))` of a memory array, hashed where it lies.
    function hashMemory(int256[] memory values) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(add(values, 0x20), shl(5, mload(values)))
        }
    }
}
