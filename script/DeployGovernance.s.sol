// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script} from "forge-std/Script.sol";

import {InferenceOracle} from "../src-sol/oracle/InferenceOracle.sol";
import {ModelRegistry} from "../src-sol/registry/ModelRegistry.sol";
import {BatchModule} from "../src-sol/oracle/BatchModule.sol";
import {BisectionModule} from "../src-sol/oracle/BisectionModule.sol";
import {Periods} from "../src-sol/types/InferenceTypes.sol";
import {GovernanceDeploy} from "./governance/GovernanceDeploy.sol";

/// @title DeployGovernance
/// @notice Deploys the protocol under governance (see {GovernanceDeploy} and docs/GOVERNANCE.md) and writes the
/// addresses to `GOV_DEPLOYMENT_OUT` (default `.vai/governance-<chainId>.json`), the file `vai gov` reads.
///
/// Environment (addresses comma-separated):
/// - `GOV_OWNERS`, `GOV_THRESHOLD`: the governance Safe (required).
/// - `GOV_ARBITRATION_OWNERS`, `GOV_ARBITRATION_THRESHOLD`: a separate arbitration Safe (default: the governance
///   Safe arbitrates).
/// - `GOV_MIN_DELAY`: timelock delay in seconds (default 2 days; 30 s on chain 31337).
/// - `GOV_GUARDIAN`: pause guardian (default none). `GOV_TREASURY` (default the governance Safe).
/// - `GOV_REQUEST_TIMEOUT`, `GOV_DISPUTE_WINDOW`, `GOV_ARBITRATION_WINDOW`, `GOV_UNBONDING_DELAY`: oracle periods.
/// - `SAFE_SINGLETON`, `SAFE_PROXY_FACTORY`, `SAFE_FALLBACK_HANDLER`: existing Safe 1.4.1 deployments to reuse.
///
/// `npx forge script script/DeployGovernance.s.sol --rpc-url <url> --broadcast --private-key <deployer>`
contract DeployGovernance is Script, GovernanceDeploy {
    uint256 internal constant LOCAL_CHAIN_ID = 31_337;

    function run() external returns (Deployment memory d) {
        Config memory c = config();
        vm.startBroadcast();
        d = _deployGovernance(c);
        vm.stopBroadcast();
        _write(d, c);
    }

    /// @notice The configuration read from the environment.
    function config() public view returns (Config memory c) {
        c.governance = SafeConfig(vm.envAddress("GOV_OWNERS", ","), vm.envUint("GOV_THRESHOLD"));
        c.arbitration = SafeConfig(
            vm.envOr("GOV_ARBITRATION_OWNERS", ",", new address[](0)), vm.envOr("GOV_ARBITRATION_THRESHOLD", uint256(0))
        );
        c.minDelay = vm.envOr("GOV_MIN_DELAY", block.chainid == LOCAL_CHAIN_ID ? uint256(30) : uint256(2 days));
        c.guardian = vm.envOr("GOV_GUARDIAN", address(0));
        c.treasury = vm.envOr("GOV_TREASURY", address(0));
        c.periods = Periods({
            requestTimeout: uint32(vm.envOr("GOV_REQUEST_TIMEOUT", uint256(1 hours))),
            disputeWindow: uint32(vm.envOr("GOV_DISPUTE_WINDOW", uint256(1 days))),
            arbitrationWindow: uint32(vm.envOr("GOV_ARBITRATION_WINDOW", uint256(3 days))),
            unbondingDelay: uint32(vm.envOr("GOV_UNBONDING_DELAY", uint256(14 days)))
        });
        c.safeSingleton = vm.envOr("SAFE_SINGLETON", address(0));
        c.safeProxyFactory = vm.envOr("SAFE_PROXY_FACTORY", address(0));
        c.fallbackHandler = vm.envOr("SAFE_FALLBACK_HANDLER", address(0));
        c.saltNonce = vm.envOr("GOV_SALT_NONCE", uint256(0));
    }

    function _deployImplementations() internal override returns (address, address) {
        return (
            address(new ModelRegistry()),
            address(new InferenceOracle(address(new BatchModule()), address(new BisectionModule())))
        );
    }

    function _write(Deployment memory d, Config memory c) internal {
        string memory k = "governance";
        vm.serializeUint(k, "chainId", block.chainid);
        vm.serializeAddress(k, "safe", address(d.safe));
        vm.serializeAddress(k, "arbitrationSafe", address(d.arbitrationSafe));
        vm.serializeAddress(k, "timelock", address(d.timelock));
        vm.serializeAddress(k, "registry", address(d.registry));
        vm.serializeAddress(k, "oracle", address(d.oracle));
        vm.serializeAddress(k, "registryImplementation", d.registryImplementation);
        vm.serializeAddress(k, "oracleImplementation", d.oracleImplementation);
        vm.serializeAddress(k, "safeSingleton", d.safeSingleton);
        vm.serializeAddress(k, "safeProxyFactory", d.safeProxyFactory);
        vm.serializeAddress(k, "fallbackHandler", d.fallbackHandler);
        vm.serializeAddress(k, "guardian", c.guardian);
        string memory json = vm.serializeUint(k, "minDelay", c.minDelay);
        string memory out = vm.envOr("GOV_DEPLOYMENT_OUT", string(""));
        if (bytes(out).length == 0) {
            string memory dir = string.concat(vm.projectRoot(), "/.vai");
            vm.createDir(dir, true);
            out = string.concat(dir, "/governance-", vm.toString(block.chainid), ".json");
        }
        vm.writeJson(json, out);
    }
}
