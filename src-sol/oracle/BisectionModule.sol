// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bisections} from "./Bisections.sol";

/// @title BisectionModule
/// @notice The {Bisections} logic deployed on its own and run with a delegatecall on the oracle's storage, like
/// {DisputeModule} and {BatchModule}: the oracle's fallback sends unknown calls to its dispute module, whose fallback
/// sends the calls it does not know (the {IBisection} functions) here. It is deployed on its own and passed to the
/// oracle implementation's constructor, which hands it to the dispute module it creates, so an upgrade of the oracle
/// names its own bisection module.
/// @dev Called directly it would act on its own, empty storage; it refuses to.
contract BisectionModule is Bisections {
    /// @notice Thrown when the module is called directly instead of through the oracle.
    error BisectionModuleNotDelegated();

    address private immutable _self;

    constructor() {
        _self = address(this);
    }

    function _checkContext() internal view override {
        if (address(this) == _self) revert BisectionModuleNotDelegated();
    }
}
