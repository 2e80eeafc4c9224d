// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title VerifiableAIConsumer
/// @notice Base for contracts that request verifiable inferences. Upgrade-safe: its only state, the oracle, is an
/// immutable of the implementation (a proxy reads it from the implementation's code), so it adds nothing to a
/// proxy's storage, and moving to another oracle is an upgrade, under the same governance as any other. Reading it
/// costs no storage access: 2,100 gas less on every request and every callback than a stored address.
/// @dev The callbacks can run inside `_requestInference` itself: on a cache hit `_onInferenceResult` runs before
/// `_requestInference` returns the id, and on an invalid input `_onInferenceError` does. Record whatever state the
/// callback needs before calling `_requestInference`, and never assume an id is pending because it was returned.
/// Refunds (excess value, the fee of a cache hit, of a failed or expired request) are credited to this contract in
/// the oracle; withdraw them with {_claimOracleCredit}.
abstract contract VerifiableAIConsumer is Initializable, IInferenceConsumer {
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IInferenceOracle private immutable _oracle;

    /// @param oracle The oracle whose callbacks this contract accepts.
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(address oracle) {
        if (oracle == address(0)) revert VerifiableAIConsumerZeroOracle();
        _oracle = IInferenceOracle(oracle);
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
        return _oracle;
    }

    /// @dev Requests an inference, paying `fee` from this contract's balance, accepting a result of any
    /// provenance (a cached optimistic answer included). See the contract notes on callbacks.
    function _requestInference(uint256 modelId, int256[] memory input, uint32 callbackGasLimit, uint256 fee)
        internal
        returns (uint256 requestId)
    {
        return inferenceOracle().requestInference{value: fee}(modelId, input, callbackGasLimit, 0);
    }

    /// @dev Requests an inference accepting only the provenances in `accepts`, a bitmask of
    /// `1 << uint8(Provenance)`: for example `1 << uint8(Provenance.Proof)` is answered only by a proven result,
    /// from the cache or a new proof. See docs/PROTOCOL.md, "The cache".
    function _requestInference(
        uint256 modelId,
        int256[] memory input,
        uint32 callbackGasLimit,
        uint256 fee,
        uint8 accepts
    ) internal returns (uint256 requestId) {
        return inferenceOracle().requestInference{value: fee}(modelId, input, callbackGasLimit, accepts);
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
}
