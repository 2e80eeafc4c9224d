// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {InferenceOracle} from "../oracle/InferenceOracle.sol";
import {Periods} from "../types/InferenceTypes.sol";
import {ModelRegistry} from "../registry/ModelRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/// @title OracleBootstrap
/// @notice One-shot deployment of the registry and oracle proxies straight into governance. Its constructor
/// creates both proxies with this contract as their initial owner, links the registry to the oracle (so that the
/// oracle's copies of model terms stay fresh), installs the pause guardian, hands both to the timelock and checks
/// the result, all in one transaction: no externally owned account ever controls either proxy.
/// @dev The guardian and the link cannot be set through the initializers (the oracle is created after the
/// registry, and only the owner may set either); a contract that is owner for the length of one constructor
/// closes the window an EOA owner would leave open between transactions.
contract OracleBootstrap {
    /// @notice Thrown when the proxies do not end up owned by the timelock, linked, with the requested guardian.
    error OracleBootstrapMisconfigured(address oracleOwner, address registryOwner, address guardian);

    /// @notice The registry proxy.
    ModelRegistry public immutable registry;
    /// @notice The oracle proxy.
    InferenceOracle public immutable oracle;

    /// @param registryImplementation The registry implementation (initializers disabled).
    /// @param oracleImplementation The oracle implementation (initializers disabled).
    /// @param timelock The final owner of both (the TimelockController).
    /// @param guardian The pause guardian (zero: none).
    /// @param treasury Receives the treasury share of slashed bonds.
    /// @param arbitrator Settles disputes after the dispute window (the arbitration Safe).
    /// @param periods Request timeout, dispute and arbitration windows, unbonding delay.
    constructor(
        address registryImplementation,
        address oracleImplementation,
        address timelock,
        address guardian,
        address treasury,
        address arbitrator,
        Periods memory periods
    ) {
        ModelRegistry r = ModelRegistry(
            address(new ERC1967Proxy(registryImplementation, abi.encodeCall(ModelRegistry.initialize, (address(this)))))
        );
        InferenceOracle o = InferenceOracle(
            address(
                new ERC1967Proxy(
                    oracleImplementation,
                    abi.encodeCall(
                        InferenceOracle.initialize,
                        (address(this), IModelRegistry(address(r)), treasury, arbitrator, periods)
                    )
                )
            )
        );
        r.setOracle(address(o));
        if (guardian != address(0)) o.setPauseGuardian(guardian);
        r.transferOwnership(timelock);
        o.transferOwnership(timelock);
        if (o.owner() != timelock || r.owner() != timelock || o.pauseGuardian() != guardian || r.oracle() != address(o))
        {
            revert OracleBootstrapMisconfigured(o.owner(), r.owner(), o.pauseGuardian());
        }
        registry = r;
        oracle = o;
    }
}
