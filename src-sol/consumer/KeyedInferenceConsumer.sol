// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {VerifiableAIConsumer} from "./VerifiableAIConsumer.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {InferenceError, RequestState} from "../types/InferenceTypes.sol";

/// @dev The oracle views this contract needs beyond {IInferenceOracle}: where the model registry is, and the largest
/// callback gas limit a request may ask for.
interface IInferenceOracleSettings {
    function addresses() external view returns (IModelRegistry registry, address treasury, address arbitrator);
    function MAX_CALLBACK_GAS_LIMIT() external view returns (uint32);
}

/// @title KeyedInferenceConsumer
/// @notice Base for upgradeable consumers that keep at most one inference in flight per application-level key (a
/// borrower, a proposal, a post, an item), paid by the caller, with refunds and retries, and whose model and callback
/// gas limit are governed settings.
/// @dev
/// - The caller of a request pays exactly {inferenceFee}. Whenever the oracle does not keep the fee (a cache hit,
///   an invalid input, an expired request, an unresolved dispute) it is credited to that caller, who withdraws it
///   with {claimRefund}. This contract's ETH (plus its credit in the oracle) always covers {totalRefunds}.
/// - The oracle may call back inside {_requestFor} itself (cache hit, invalid input): the key being requested is
///   held in transient storage for the duration of the call, so the callback finds it before the id is known.
/// - A key can be requested again once its last request is terminal in the oracle. That covers a callback that
///   never ran (it ran out of gas): a finalized result then comes back at once, free, from the oracle's cache.
/// - Governance changes the model ({setModel}) and the callback gas limit ({setCallbackGasLimit}); who may do so
///   is the inheriting app's access control, through {_authorizeSettingsChange} (as UUPS's `_authorizeUpgrade`).
/// - Inheriting apps implement {_onResultFor} and {_onErrorFor}; these must not revert (a reverting callback is
///   recorded by the oracle as failed and the app would have to be retried).
abstract contract KeyedInferenceConsumer is VerifiableAIConsumer {
    /// @notice The request in flight for a key.
    /// @param requestId The oracle's id, zero while the request call has not returned.
    /// @param payer Who paid the fee and is refunded if the oracle gives it back.
    /// @param fee The fee paid.
    struct PendingRequest {
        uint256 requestId;
        address payer;
        uint96 fee;
    }

    /// @custom:storage-location erc7201:vai.storage.KeyedInferenceConsumer
    struct KeyedInferenceConsumerStorage {
        uint256 modelId;
        uint32 callbackGasLimit;
        uint256 totalRefunds;
        mapping(bytes32 key => PendingRequest) pending;
        mapping(uint256 requestId => bytes32 key) keyOf;
        mapping(address payer => uint256 amount) refundOf;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.KeyedInferenceConsumer")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant KEYED_INFERENCE_CONSUMER_STORAGE_LOCATION =
        0xd7d27cb7b696a02772c585dfada93109569032d879eaad82afa15da2cf5b8600;

    /// @dev The key whose request call is on the stack (transient: never in storage, upgrade-safe).
    bytes32 private transient _requestingKey;

    /// @notice Thrown when the value sent is not the model's fee.
    error KeyedInferenceConsumerWrongFee(uint256 value, uint256 fee);
    /// @notice Thrown when a key already has a request that is not terminal in the oracle.
    error KeyedInferenceConsumerRequestPending(bytes32 key, uint256 requestId);
    /// @notice Thrown when the caller has no refund to claim.
    error KeyedInferenceConsumerNoRefund(address payer);
    /// @notice Thrown when ETH arrives from anyone but the oracle.
    error KeyedInferenceConsumerUnexpectedTransfer(address from);
    /// @notice Thrown when a model's input or output length is not what the app reads.
    error KeyedInferenceConsumerModelMismatch(uint256 modelId, uint256 inputLength, uint256 outputLength);
    /// @notice Thrown when a model is deprecated in the registry (the oracle takes no new requests for it).
    error KeyedInferenceConsumerModelDeprecated(uint256 modelId);
    /// @notice Thrown when a callback gas limit is zero or above the oracle's maximum.
    error KeyedInferenceConsumerInvalidCallbackGasLimit(uint32 limit, uint32 maxLimit);

    /// @notice Emitted when an inference is requested for `key`.
    event InferenceRequestedFor(bytes32 indexed key, uint256 indexed requestId, address indexed payer);
    /// @notice Emitted when a fee the oracle gave back is credited to its payer.
    event RefundCredited(address indexed payer, uint256 amount);
    /// @notice Emitted when a payer withdraws its refunds.
    event RefundClaimed(address indexed payer, address indexed to, uint256 amount);
    /// @notice Emitted when the model changes.
    event ModelChanged(uint256 oldModelId, uint256 newModelId);
    /// @notice Emitted when the callback gas limit changes.
    event CallbackGasLimitChanged(uint32 oldLimit, uint32 newLimit);

    /// @dev Sets the first model and callback gas limit, with the checks and events of {setModel} and
    /// {setCallbackGasLimit}.
    function __KeyedInferenceConsumer_init(uint256 modelId_, uint32 callbackGasLimit_) internal onlyInitializing {
        __KeyedInferenceConsumer_init_unchained(modelId_, callbackGasLimit_);
    }

    function __KeyedInferenceConsumer_init_unchained(uint256 modelId_, uint32 callbackGasLimit_)
        internal
        onlyInitializing
    {
        _setModel(modelId_);
        _setCallbackGasLimit(callbackGasLimit_);
    }

    /// @notice Only the oracle sends ETH here (refunds pulled by {claimRefund}).
    receive() external payable virtual {
        if (msg.sender != address(inferenceOracle())) revert KeyedInferenceConsumerUnexpectedTransfer(msg.sender);
    }

    /// @notice Withdraws the caller's refunds to `to`.
    ///
    /// Requirements:
    /// - the caller has a refund.
    ///
    /// Emits a {RefundClaimed} event.
    function claimRefund(address payable to) external {
        KeyedInferenceConsumerStorage storage $ = _getKeyedInferenceConsumerStorage();
        uint256 amount = $.refundOf[msg.sender];
        if (amount == 0) revert KeyedInferenceConsumerNoRefund(msg.sender);
        $.refundOf[msg.sender] = 0;
        $.totalRefunds -= amount;
        // Refunds wait in the oracle until someone needs them; pull them all at once.
        if (address(this).balance - _reservedBalance() < amount) _claimOracleCredit(payable(address(this)));
        emit RefundClaimed(msg.sender, to, amount);
        Address.sendValue(to, amount);
    }

    /// @notice Switches to another registered model of the same shape. Requests in flight keep their model.
    ///
    /// Requirements:
    /// - the caller passes {_authorizeSettingsChange};
    /// - the model is registered, not deprecated, and has the input and output lengths the app reads.
    ///
    /// Emits a {ModelChanged} event.
    function setModel(uint256 newModelId) external virtual {
        _authorizeSettingsChange();
        _setModel(newModelId);
    }

    /// @notice Sets the gas the oracle gives this app's callbacks (requests already made keep theirs).
    ///
    /// Requirements:
    /// - the caller passes {_authorizeSettingsChange};
    /// - `newLimit` is not zero and at most the oracle's `MAX_CALLBACK_GAS_LIMIT`.
    ///
    /// Emits a {CallbackGasLimitChanged} event.
    function setCallbackGasLimit(uint32 newLimit) external virtual {
        _authorizeSettingsChange();
        _setCallbackGasLimit(newLimit);
    }

    /// @notice The model this app requests.
    function modelId() public view returns (uint256) {
        return _getKeyedInferenceConsumerStorage().modelId;
    }

    /// @notice The gas the oracle gives this app's callback.
    function callbackGasLimit() public view returns (uint32) {
        return _getKeyedInferenceConsumerStorage().callbackGasLimit;
    }

    /// @notice The fee a request costs now (the model's fee in the registry).
    function inferenceFee() public view returns (uint256) {
        return _registry().modelTerms(modelId()).fee;
    }

    /// @notice The request in flight (or last left unanswered) for `key`; zero if none.
    function pendingRequest(bytes32 key) public view returns (PendingRequest memory) {
        return _getKeyedInferenceConsumerStorage().pending[key];
    }

    /// @notice What `payer` can withdraw with {claimRefund}.
    function refundOf(address payer) external view returns (uint256) {
        return _getKeyedInferenceConsumerStorage().refundOf[payer];
    }

    /// @notice The sum of all unclaimed refunds.
    function totalRefunds() external view returns (uint256) {
        return _getKeyedInferenceConsumerStorage().totalRefunds;
    }

    /// @dev Requests an inference for `key`, paid by the caller's `msg.value` (exactly {inferenceFee}). Record the
    /// state the callback needs before calling: the callback may run before this returns.
    function _requestFor(bytes32 key, int256[] calldata input) internal returns (uint256 requestId) {
        KeyedInferenceConsumerStorage storage $ = _getKeyedInferenceConsumerStorage();
        uint256 fee = inferenceFee();
        if (msg.value != fee) revert KeyedInferenceConsumerWrongFee(msg.value, fee);
        PendingRequest memory previous = $.pending[key];
        if (previous.payer != address(0)) _release(key, previous);

        $.pending[key] = PendingRequest({requestId: 0, payer: msg.sender, fee: uint96(fee)});
        _requestingKey = key;
        requestId = _requestInference($.modelId, input, $.callbackGasLimit, fee);
        _requestingKey = bytes32(0);
        // Still pending unless the callback already ran inside the call.
        if ($.pending[key].payer != address(0)) {
            // Ended inside the call (cache hit, invalid input) although the callback failed: the oracle gave the
            // fee back all the same.
            if (inferenceOracle().requestState(requestId) != RequestState.Requested) {
                _creditRefund(msg.sender, fee);
                $.pending[key].fee = 0;
            }
            $.pending[key].requestId = requestId;
            $.keyOf[requestId] = key;
        }
        emit InferenceRequestedFor(key, requestId, msg.sender);
    }

    /// @dev Called with the result of the request for `key`. Must not revert.
    function _onResultFor(bytes32 key, int256[] calldata output) internal virtual;

    /// @dev Called when the request for `key` ended without a result (its fee is refunded). Must not revert.
    function _onErrorFor(bytes32 key, InferenceError code) internal virtual;

    /// @dev Reverts unless the caller may change the settings ({setModel}, {setCallbackGasLimit}). An app with an
    /// owner writes `function _authorizeSettingsChange() internal override onlyOwner {}`.
    function _authorizeSettingsChange() internal virtual;

    /// @dev The input and output lengths the app reads; {_setModel} refuses other models. `view`, so that an app can
    /// take its shape from an immutable of its implementation (an override may still be `pure`).
    function _modelShape() internal view virtual returns (uint16 inputLength, uint16 outputLength);

    /// @dev The fixed-point scale of a registered model (to quantize inputs computed on chain).
    function _scaleBitsOf(uint256 modelId_) internal view returns (uint8) {
        return _registry().getModel(modelId_).spec.scaleBits;
    }

    /// @dev ETH held by this contract that is not refund money (e.g. a lending pool). Default: none.
    function _reservedBalance() internal view virtual returns (uint256) {
        return 0;
    }

    /// @dev Switches to another registered, not deprecated model of the app's shape (no access check).
    function _setModel(uint256 newModelId) internal {
        IModelRegistry.ModelTerms memory terms = _registry().modelTerms(newModelId);
        (uint16 inputLength, uint16 outputLength) = _modelShape();
        if (terms.inputLength != inputLength || terms.outputLength != outputLength) {
            revert KeyedInferenceConsumerModelMismatch(newModelId, terms.inputLength, terms.outputLength);
        }
        if (terms.deprecated) revert KeyedInferenceConsumerModelDeprecated(newModelId);
        KeyedInferenceConsumerStorage storage $ = _getKeyedInferenceConsumerStorage();
        emit ModelChanged($.modelId, newModelId);
        $.modelId = newModelId;
    }

    /// @dev Sets the gas given to callbacks, within what the oracle accepts at request time (no access check).
    function _setCallbackGasLimit(uint32 newLimit) internal {
        uint32 maxLimit = _oracleSettings().MAX_CALLBACK_GAS_LIMIT();
        if (newLimit == 0 || newLimit > maxLimit) {
            revert KeyedInferenceConsumerInvalidCallbackGasLimit(newLimit, maxLimit);
        }
        KeyedInferenceConsumerStorage storage $ = _getKeyedInferenceConsumerStorage();
        emit CallbackGasLimitChanged($.callbackGasLimit, newLimit);
        $.callbackGasLimit = newLimit;
    }

    /// @inheritdoc VerifiableAIConsumer
    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal override {
        (bytes32 key, PendingRequest memory p, bool duringRequest) = _take(requestId);
        if (p.payer == address(0)) return; // not a request of this contract's bookkeeping
        // Answered inside the request call means answered from the cache: the oracle charged no fee.
        if (duringRequest) _creditRefund(p.payer, p.fee);
        _onResultFor(key, output);
    }

    /// @inheritdoc VerifiableAIConsumer
    function _onInferenceError(uint256 requestId, InferenceError code) internal override {
        (bytes32 key, PendingRequest memory p,) = _take(requestId);
        if (p.payer == address(0)) return;
        _creditRefund(p.payer, p.fee);
        _onErrorFor(key, code);
    }

    /// @dev Finds and clears the pending request a callback is about.
    function _take(uint256 requestId) private returns (bytes32 key, PendingRequest memory p, bool duringRequest) {
        KeyedInferenceConsumerStorage storage $ = _getKeyedInferenceConsumerStorage();
        key = $.keyOf[requestId];
        if (key == bytes32(0)) {
            key = _requestingKey;
            duringRequest = true;
            if (key == bytes32(0) || $.pending[key].requestId != 0) return (key, p, false);
        } else {
            delete $.keyOf[requestId];
        }
        p = $.pending[key];
        delete $.pending[key];
    }

    /// @dev Frees a key whose previous request never called back; reverts while that request can still finish.
    function _release(bytes32 key, PendingRequest memory previous) private {
        RequestState state = inferenceOracle().requestState(previous.requestId);
        if (state != RequestState.Finalized && state != RequestState.Failed && state != RequestState.Expired) {
            revert KeyedInferenceConsumerRequestPending(key, previous.requestId);
        }
        // The oracle gave the fee of a request that ended without a result back to this contract.
        if (state != RequestState.Finalized) _creditRefund(previous.payer, previous.fee);
        delete _getKeyedInferenceConsumerStorage().keyOf[previous.requestId];
    }

    function _creditRefund(address payer, uint256 amount) private {
        if (amount == 0) return;
        KeyedInferenceConsumerStorage storage $ = _getKeyedInferenceConsumerStorage();
        $.refundOf[payer] += amount;
        $.totalRefunds += amount;
        emit RefundCredited(payer, amount);
    }

    function _registry() private view returns (IModelRegistry registry) {
        (registry,,) = _oracleSettings().addresses();
    }

    function _oracleSettings() private view returns (IInferenceOracleSettings) {
        return IInferenceOracleSettings(address(inferenceOracle()));
    }

    function _getKeyedInferenceConsumerStorage() private pure returns (KeyedInferenceConsumerStorage storage $) {
        assembly ("memory-safe") {
            $.slot := KEYED_INFERENCE_CONSUMER_STORAGE_LOCATION
        }
    }
}
