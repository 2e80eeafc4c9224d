// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleEvents} from "../interfaces/IOracleEvents.sol";

/// @title CallbackDelivery
/// @notice Calls consumers back, and keeps the callbacks that are owed. Money never waits for a consumer: the
/// paths that settle bonds (dispute resolutions, dispute and request expiry) never call the consumer; they record
/// the callback as owed and anyone delivers it later with {deliverCallback}, paying its gas. The paths whose caller
/// is paid the fee (finalize, a proof, the requester's own cache hit) call back in the same transaction with the
/// full gas limit, and a callback that reverts there is owed too.
/// @dev An owed callback is stored as one hash of `(requester, gasLimit, data)`; the data is in {CallbackPending}.
abstract contract CallbackDelivery is IOracleEvents {
    /// @notice Largest callback gas limit a requester may ask for.
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 5_000_000;
    /// @notice Gas kept back for the CALL itself (cold account access, memory) when checking the 63/64 rule.
    uint256 internal constant CALLBACK_GAS_OVERHEAD = 5_000;
    uint256 internal constant CALL_GAS_DIVISOR = 63;

    /// @custom:storage-location erc7201:vai.storage.CallbackDelivery
    struct CallbackDeliveryStorage {
        mapping(uint256 requestId => bytes32 callHash) owed;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.CallbackDelivery")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CALLBACK_DELIVERY_STORAGE_LOCATION =
        0x8abb81daf3b690618947673a64e5658d4e6456217ccb4a53fb4951168606f900;

    /// @dev Delivers an owed callback; reverts if it fails again (it stays owed).
    function _deliverOwed(uint256 requestId, address requester, uint32 gasLimit, bytes calldata data) internal {
        CallbackDeliveryStorage storage $ = _getCallbackDelivery();
        if ($.owed[requestId] != _callHash(requester, gasLimit, data) || $.owed[requestId] == 0) {
            revert InferenceOracleNoPendingCallback(requestId);
        }
        delete $.owed[requestId];
        if (!_call(requester, gasLimit, data)) revert InferenceOracleCallbackFailed(requestId);
        emit CallbackDelivered(requestId);
    }

    /// @notice Whether a callback is owed for `requestId`.
    function callbackOwed(uint256 requestId) external view returns (bool) {
        return _getCallbackDelivery().owed[requestId] != 0;
    }

    /// @dev Calls the consumer now with its full gas limit; a failed call becomes owed.
    function _callBack(uint256 requestId, address requester, uint32 gasLimit, bytes memory data)
        internal
        returns (bool ok)
    {
        ok = _call(requester, gasLimit, data);
        if (!ok) _owe(requestId, requester, gasLimit, data);
    }

    /// @dev Records a callback as owed, without calling.
    function _owe(uint256 requestId, address requester, uint32 gasLimit, bytes memory data) internal {
        _getCallbackDelivery().owed[requestId] = _callHash(requester, gasLimit, data);
        emit CallbackPending(requestId, requester, gasLimit, data);
    }

    /// @dev Calls the consumer with exactly `gasLimit` gas, copying no return data (no return-data bomb). Reverts
    /// when less than `gasLimit` could be forwarded (the 63/64 rule), so a caller cannot starve the callback.
    function _call(address requester, uint256 gasLimit, bytes memory data) private returns (bool ok) {
        uint256 needed = gasLimit + gasLimit / CALL_GAS_DIVISOR + CALLBACK_GAS_OVERHEAD;
        if (gasleft() < needed) revert InferenceOracleInsufficientGasForCallback(gasleft(), needed);
        assembly ("memory-safe") {
            ok := call(gasLimit, requester, 0, add(data, 0x20), mload(data), 0, 0)
        }
    }

    function _callHash(address requester, uint32 gasLimit, bytes memory data) private pure returns (bytes32) {
        return keccak256(abi.encode(requester, gasLimit, keccak256(data)));
    }

    function _getCallbackDelivery() private pure returns (CallbackDeliveryStorage storage $) {
        assembly ("memory-safe") {
            $.slot := CALLBACK_DELIVERY_STORAGE_LOCATION
        }
    }
}
