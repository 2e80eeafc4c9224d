// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestState, RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {IOracleEvents} from "./IOracleEvents.sol";

/// @title IRequestBook
/// @notice The oracle's record of each request: one word holding the state, one time and a commitment to the
/// request's terms and proposal (docs/PROTOCOL.md, "One slot per request").
interface IRequestBook is IOracleEvents {
    /// @notice The derived state of a request.
    function requestState(uint256 requestId) external view returns (RequestState);

    /// @notice The commitment a request's record holds for `terms` and `proposal`.
    function commitmentOf(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal)
        external
        pure
        returns (uint256);

    /// @notice The stored record of a request: its state, its time field and its commitment.
    function requestRecord(uint256 requestId)
        external
        view
        returns (RequestState state, uint256 time, uint256 commitment);

    /// @notice The id the first open request for `(modelId, inputHash)` takes, whose word is the key's cache entry.
    function keyedRequestId(uint256 modelId, bytes32 inputHash) external pure returns (uint256);

    /// @notice The last assigned sequence id (sequence ids start at 1).
    function lastRequestId() external view returns (uint256);
}
