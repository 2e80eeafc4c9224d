// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title VerifiableAIConsumer
/// @notice Base for contracts that request verifiable inferences. Upgrade-safe: its only state (the oracle) lives
/// in ERC-7201 namespaced storage, so it can be inherited by UUPS consumers.
/// @dev The callbacks can run inside `_requestInference` itself: on a cache hit `_onInferenceResult` runs before
/// `_requestInference` returns the id, and on an invalid input `_onInferenceError` does. Record whatever state the
/// callback needs before calling `_requestInference`, and never assume an id is pending because it was returned.
/// Refunds (excess value, the fee of a cache hit, of a failed or expired request) are credited to this contract in
/// the oracle; withdraw them with {_claimOracleCredit}.
abstract contract VerifiableAIConsumer is Initializable, IInferenceConsumer {
    /// @custom:storage-location erc7201:vai.storage.VerifiableAIConsumer
    struct VerifiableAIConsumerStorage {
        IInferenceOracle oracle;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.VerifiableAIConsumer")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant VERIFIABLE_AI_CONSUMER_STORAGE_LOCATION =
        0x99f357d316441db35da560abe86002e089af331b6fe5ce496d094f8f7eb47500;

    /// @dev Sets the oracle whose callbacks this contract accepts.
    function __VerifiableAIConsumer_init(address oracle) internal onlyInitializing {
        __VerifiableAIConsumer_init_unchained(oracle);
    }

    function __VerifiableAIConsumer_init_unchained(address oracle) internal onlyInitializing {
        if (oracle == address(0)) revert VerifiableAIConsumerZeroOracle();
        _getVerifiableAIConsumerStorage().oracle = IInferenceOracle(oracle);
    }

    /// @inheritdoc IInferenceConsumer
    function fulfillInference(uint256 requestId, int256[] calldata output) external {
        _checkOracle();
        _onInferenceResult(requestId, output);
    }

    /// @inheritdoc IInferenceConsumer
    function failInference(uint256 requestId, InferenceError code) external {
        _checkOracle();
        _onInferenceError(requestId, code);
    }

    /// @notice The oracle this consumer uses.
    function inferenceOracle() public view returns (IInferenceOracle) {
        return _getVerifiableAIConsumerStorage().oracle;
    }

    /// @dev Requests an inference, paying `fee` from this contract's balance. See the contract notes on callbacks.
    function _requestInference(uint256 modelId, int256[] memory input, uint32 callbackGasLimit, uint256 fee)
        internal
        returns (uint256 requestId)
    {
        return inferenceOracle().requestInference{value: fee}(modelId, input, callbackGasLimit);
    }

    /// @dev Withdraws this contract's refunds from the oracle to `to`.
    function _claimOracleCredit(address payable to) internal {
        inferenceOracle().claim(to);
    }

    /// @dev Called with a finalized result.
    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal virtual;

    /// @dev Called when a request ended without a result.
    function _onInferenceError(uint256 requestId, InferenceError code) internal virtual;

    function _checkOracle() private view {
        if (msg.sender != address(inferenceOracle())) revert VerifiableAIConsumerUnauthorizedOracle(msg.sender);
    }

    function _getVerifiableAIConsumerStorage() private pure returns (VerifiableAIConsumerStorage storage $) {
        assembly ("memory-safe") {
            $.slot := VERIFIABLE_AI_CONSUMER_STORAGE_LOCATION
        }
    }
}
