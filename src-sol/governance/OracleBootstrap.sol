// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {InferenceOracle} from "../oracle/InferenceOracle.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/// @title OracleBootstrap
/// @notice One-shot deployment of the oracle proxy straight into governance. Its constructor creates the proxy
/// with this contract as the initial owner, installs the pause guardian, hands ownership to the timelock and
/// checks the result, all in one transaction: no externally owned account ever controls the oracle.
/// @dev The guardian cannot be set through `initialize` without changing the oracle's initializer, and the owner
/// is the only account that may set it; a contract that is owner for the length of one constructor closes the
/// window an EOA owner would leave open between transactions.
contract OracleBootstrap {
    /// @notice Thrown when the deployed proxy does not end up owned by the timelock with the requested guardian.
    error OracleBootstrapMisconfigured(address owner, address guardian);

    /// @notice The oracle proxy.
    InferenceOracle public immutable oracle;

    /// @param implementation The oracle implementation (initializers disabled).
    /// @param timelock The final owner (the TimelockController).
    /// @param guardian The pause guardian (zero: none).
    /// @param registry The model registry proxy.
    /// @param treasury Receives the treasury share of slashed bonds.
    /// @param arbitrator Settles disputes after the dispute window (the arbitration Safe).
    /// @param periods Request timeout, dispute and arbitration windows, unbonding delay.
    constructor(
        address implementation,
        address timelock,
        address guardian,
        IModelRegistry registry,
        address treasury,
        address arbitrator,
        InferenceOracle.Periods memory periods
    ) {
        InferenceOracle o = InferenceOracle(
            address(
                new ERC1967Proxy(
                    implementation,
                    abi.encodeCall(InferenceOracle.initialize, (address(this), registry, treasury, arbitrator, periods))
                )
            )
        );
        if (guardian != address(0)) o.setPauseGuardian(guardian);
        o.transferOwnership(timelock);
        if (o.owner() != timelock || o.pauseGuardian() != guardian) {
            revert OracleBootstrapMisconfigured(o.owner(), o.pauseGuardian());
        }
        oracle = o;
    }
}
