// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @notice Reads the digit in an 8×8 image with a registered digits model. The answer may arrive inside `read`.
/// @dev Deployed directly, not behind a proxy (the apps beside it show the upgradeable pattern).
/// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
contract DigitReader is VerifiableAIConsumer {
    uint256 public immutable modelId;
    mapping(uint256 requestId => int256 digit) public digitOf; // -1 when the request failed
    mapping(uint256 requestId => bool) public answered;

    constructor(address oracle, uint256 digitsModelId) VerifiableAIConsumer(oracle) {
        modelId = digitsModelId;
    }

    function read(int256[] calldata pixels) external payable returns (uint256 requestId) {
        return _requestInference(modelId, pixels, 100_000, msg.value);
    }

    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal override {
        (digitOf[requestId], answered[requestId]) = (output[0], true);
    }

    function _onInferenceError(uint256 requestId, InferenceError) internal override {
        (digitOf[requestId], answered[requestId]) = (-1, true);
    }
}
