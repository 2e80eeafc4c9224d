// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title DigitReader
/// @notice The "consumer in 20 lines" of docs/EXAMPLES.md, kept here so it compiles and is tested. It leaves out
/// what the other examples show: upgradeability, access control, and returning refunds to callers.
contract DigitReader is VerifiableAIConsumer {
    uint256 public immutable modelId;
    /// @notice The digit read, or -1 when the request failed.
    mapping(uint256 requestId => int256 digit) public digitOf;
    mapping(uint256 requestId => bool) public answered;

    event DigitRead(uint256 indexed requestId, int256 digit);

    constructor(address oracle, uint256 digitsModelId) initializer {
        __VerifiableAIConsumer_init(oracle);
        modelId = digitsModelId;
    }

    /// @notice Asks for the digit in an 8×8 image; `msg.value` pays the fee. The answer may arrive in this call.
    function read(int256[] calldata pixels) external payable returns (uint256) {
        return _requestInference(modelId, pixels, 100_000, msg.value);
    }

    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal override {
        (digitOf[requestId], answered[requestId]) = (output[0], true);
        emit DigitRead(requestId, output[0]);
    }

    function _onInferenceError(uint256 requestId, InferenceError) internal override {
        (digitOf[requestId], answered[requestId]) = (-1, true);
    }
}
