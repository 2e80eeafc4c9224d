// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Safe} from "@safe-global/safe-contracts/contracts/Safe.sol";
import {SafeProxyFactory} from "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol";
import {
    CompatibilityFallbackHandler
} from "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol";

import {ModelRegistry} from "../../src-sol/registry/ModelRegistry.sol";
import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {Periods} from "../../src-sol/types/InferenceTypes.sol";
import {OracleBootstrap} from "../../src-sol/governance/OracleBootstrap.sol";

/// @title GovernanceDeploy
/// @notice The governed deployment, shared by `DeployGovernance.s.sol` and the governance tests. Order (every
/// step is safe to stop after; no EOA ever owns a protocol contract):
///
/// 1. Safe singleton, proxy factory, fallback handler: reused when given (the canonical 1.4.1 deployments on
///    public chains), deployed otherwise (local network).
/// 2. The governance Safe (M-of-N) and the arbitration Safe (its own owners, or the governance Safe itself).
/// 3. The TimelockController: the governance Safe is its only proposer and canceller, execution is open (anyone
///    may execute an operation once it is Ready), and it has no admin (role changes go through itself).
/// 4. Implementations (initializers disabled: they hold no power), from {_deployImplementations}.
/// 5. The registry and oracle proxies through {OracleBootstrap}: owner of both for one constructor, it links the
///    registry to the oracle, installs the guardian and hands both to the timelock in the same transaction.
abstract contract GovernanceDeploy {
    /// @notice Thrown when a Safe configuration cannot work (no owners, threshold zero or above the owner count).
    error GovernanceDeployInvalidSafe(uint256 owners, uint256 threshold);

    /// @notice M-of-N owners of a Safe.
    struct SafeConfig {
        address[] owners;
        uint256 threshold;
    }

    struct Config {
        SafeConfig governance;
        /// @dev No owners: the governance Safe is also the arbitrator.
        SafeConfig arbitration;
        /// @dev The timelock's delay in seconds: days on public chains, seconds on the local network.
        uint256 minDelay;
        /// @dev May pause the oracle at once (zero: no guardian).
        address guardian;
        /// @dev Zero: the governance Safe.
        address treasury;
        Periods periods;
        /// @dev Zero: deploy a fresh one.
        address safeSingleton;
        address safeProxyFactory;
        address fallbackHandler;
        /// @dev Salt of the Safe proxies (the arbitration Safe uses `saltNonce + 1`).
        uint256 saltNonce;
    }

    struct Deployment {
        Safe safe;
        Safe arbitrationSafe;
        TimelockController timelock;
        ModelRegistry registry;
        InferenceOracle oracle;
        address registryImplementation;
        address oracleImplementation;
        address safeSingleton;
        address safeProxyFactory;
        address fallbackHandler;
    }

    function _deployGovernance(Config memory c) internal returns (Deployment memory d) {
        d.safeSingleton = c.safeSingleton != address(0) ? c.safeSingleton : address(new Safe());
        d.safeProxyFactory = c.safeProxyFactory != address(0) ? c.safeProxyFactory : address(new SafeProxyFactory());
        d.fallbackHandler =
            c.fallbackHandler != address(0) ? c.fallbackHandler : address(new CompatibilityFallbackHandler());

        d.safe = _deploySafe(d, c.governance, c.saltNonce);
        d.arbitrationSafe = c.arbitration.owners.length == 0 ? d.safe : _deploySafe(d, c.arbitration, c.saltNonce + 1);

        d.timelock = _deployTimelock(c.minDelay, address(d.safe));

        (d.registryImplementation, d.oracleImplementation) = _deployImplementations();
        OracleBootstrap bootstrap = new OracleBootstrap(
            d.registryImplementation,
            d.oracleImplementation,
            address(d.timelock),
            c.guardian,
            c.treasury != address(0) ? c.treasury : address(d.safe),
            address(d.arbitrationSafe),
            c.periods
        );
        d.registry = bootstrap.registry();
        d.oracle = bootstrap.oracle();
    }

    /// @dev The registry's and the oracle's implementations (with the oracle's modules). A hook, so that the script
    /// deploys them with `new` while the tests deploy them from build artifacts: with `new` here, every test contract
    /// that uses this module's Safe and timelock helpers would compile the oracle too.
    function _deployImplementations()
        internal
        virtual
        returns (address registryImplementation, address oracleImplementation);

    /// @dev A timelock whose only proposer and canceller is `safe`, with open execution and no admin.
    function _deployTimelock(uint256 minDelay, address safe) internal returns (TimelockController) {
        address[] memory proposers = new address[](1);
        proposers[0] = safe;
        address[] memory executors = new address[](1);
        executors[0] = address(0);
        return new TimelockController(minDelay, proposers, executors, address(0));
    }

    /// @dev A Safe proxy with `s.owners`, `s.threshold` and the fallback handler of `d`.
    function _deploySafe(Deployment memory d, SafeConfig memory s, uint256 saltNonce) internal returns (Safe) {
        if (s.owners.length == 0 || s.threshold == 0 || s.threshold > s.owners.length) {
            revert GovernanceDeployInvalidSafe(s.owners.length, s.threshold);
        }
        bytes memory setup = abi.encodeCall(
            Safe.setup, (s.owners, s.threshold, address(0), "", d.fallbackHandler, address(0), 0, payable(address(0)))
        );
        return Safe(
            payable(address(
                    SafeProxyFactory(d.safeProxyFactory).createProxyWithNonce(d.safeSingleton, setup, saltNonce)
                ))
        );
    }
}
