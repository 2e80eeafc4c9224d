// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Disputes} from "./Disputes.sol";

/// @title DisputeModule
/// @notice The {Disputes} logic deployed on its own and run by the oracle with a delegatecall, on the oracle's
/// storage: it keeps the oracle under the EIP-170 size limit. Every module keeps its state in its own ERC-7201
/// namespace, so both contracts read and write the same records. The oracle's implementation creates its module
/// in its constructor, so an upgrade of the oracle brings its own module. Calls it does not know (the bisection game,
/// `IBisection`) go on to the {BisectionModule} it was created with, again by delegatecall, still on the oracle's
/// storage: the oracle itself needs no code for them.
/// @dev Called directly it would act on its own, empty storage; it refuses to, so nobody mistakes it for the oracle.
contract DisputeModule is Disputes {
    /// @notice Thrown when the module is called directly instead of through the oracle.
    error DisputeModuleNotDelegated();

    /// @notice The bisection module the calls this module does not know are forwarded to.
    address public immutable bisectionModule;

    address private immutable _self;

    /// @param bisectionModule_ The {BisectionModule} of the oracle implementation that creates this module.
    constructor(address bisectionModule_) {
        _self = address(this);
        bisectionModule = bisectionModule_;
    }

    /// @notice {IInferenceOracle-syncModel}, run here: the oracle forwards it (and the first request of a model copied
    /// late) to this module, whose copy of the registry's terms would not fit beside the oracle's other code.
    function syncModel(uint256 modelId) external {
        _checkContext();
        _syncModel(modelId);
    }

    /// @notice {IInferenceOracle-deliverCallback}, run here: the oracle forwards it to this module.
    function deliverCallback(uint256 requestId, address requester, uint32 gasLimit, bytes calldata data) external {
        _checkContext();
        _deliverOwed(requestId, requester, gasLimit, data);
    }

    /// @notice Runs the calls this module does not know (the {IBisection} functions) in the bisection module, on the
    /// oracle's storage.
    fallback() external {
        _checkContext();
        address module = bisectionModule;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    function _checkContext() internal view override {
        if (address(this) == _self) revert DisputeModuleNotDelegated();
    }
}
