// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InferenceError} from "../types/InferenceTypes.sol";

/// @title IInferenceConsumer
/// @notice The callbacks the oracle makes to a requester. Both may run inside `requestInference` itself (cache hit
/// or invalid input), so a consumer must not assume the request id is known before its callback runs.
interface IInferenceConsumer {
    /// @notice Thrown when a callback does not come from the consumer's oracle.
    error VerifiableAIConsumerUnauthorizedOracle(address caller);
    /// @notice Thrown when the oracle address given at initialization is zero.
    error VerifiableAIConsumerZeroOracle();

    /// @notice Delivers a finalized result.
    function fulfillInference(uint256 requestId, int256[] calldata output) external;

    /// @notice Reports that a request ended without a result.
    function failInference(uint256 requestId, InferenceError code) external;
}
