// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Batches} from "./Batches.sol";

/// @title BatchModule
/// @notice The {Batches} logic deployed on its own and run by the oracle with a delegatecall, on the oracle's
/// storage, like {DisputeModule}: the oracle's fallback sends it the {IBatches} selectors. It is deployed on its own and
/// passed to the oracle implementation's constructor (creating it there too would push the oracle's creation code past
/// EIP-3860's limit), so an upgrade of the oracle names its own module.
/// @dev Called directly it would act on its own, empty storage; it refuses to.
contract BatchModule is Batches {
    /// @notice Thrown when the module is called directly instead of through the oracle.
    error BatchModuleNotDelegated();

    address private immutable _self;

    constructor() {
        _self = address(this);
    }

    function _checkContext() internal view override {
        if (address(this) == _self) revert BatchModuleNotDelegated();
    }
}
