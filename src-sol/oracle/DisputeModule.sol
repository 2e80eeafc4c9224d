// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Disputes} from "./Disputes.sol";

/// @title DisputeModule
/// @notice The {Disputes} logic deployed on its own and run by the oracle with a delegatecall, on the oracle's
/// storage: it keeps the oracle under the EIP-170 size limit. Every module keeps its state in its own ERC-7201
/// namespace, so both contracts read and write the same records. The oracle's implementation creates its module
/// in its constructor, so an upgrade of the oracle brings its own module.
/// @dev Called directly it would act on its own, empty storage; it refuses to, so nobody mistakes it for the oracle.
contract DisputeModule is Disputes {
    /// @notice Thrown when the module is called directly instead of through the oracle.
    error DisputeModuleNotDelegated();

    address private immutable _self;

    constructor() {
        _self = address(this);
    }

    function _checkContext() internal view override {
        if (address(this) == _self) revert DisputeModuleNotDelegated();
    }
}
