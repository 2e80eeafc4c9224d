// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script, console} from "forge-std/Script.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {ModelRegistry} from "../src-sol/registry/ModelRegistry.sol";
import {InferenceOracle} from "../src-sol/oracle/InferenceOracle.sol";
import {Periods} from "../src-sol/types/InferenceTypes.sol";
import {IModelRegistry} from "../src-sol/interfaces/IModelRegistry.sol";
import {BatchModule} from "../src-sol/oracle/BatchModule.sol";
import {BisectionModule} from "../src-sol/oracle/BisectionModule.sol";

/// @notice Deploys the ModelRegistry and the InferenceOracle behind ERC1967 (UUPS) proxies.
///
/// Usage: `npx forge script script/Deploy.s.sol --rpc-url $RPC_URL --broadcast --private-key $KEY`
///
/// Environment (all optional): OWNER, TREASURY, ARBITRATOR (default: the broadcaster), REQUEST_TIMEOUT,
/// DISPUTE_WINDOW, ARBITRATION_WINDOW, UNBONDING_DELAY (seconds; defaults below), DEPLOYMENT_OUT (a JSON file to
/// write the addresses to). The addresses are always printed as one JSON line prefixed with `DEPLOYMENT `.
contract Deploy is Script {
    uint256 internal constant DEFAULT_REQUEST_TIMEOUT = 1 hours;
    uint256 internal constant DEFAULT_DISPUTE_WINDOW = 1 days;
    uint256 internal constant DEFAULT_ARBITRATION_WINDOW = 3 days;
    /// Must exceed MAX_CHALLENGE_WINDOW (7 days) + dispute window + arbitration window.
    uint256 internal constant DEFAULT_UNBONDING_DELAY = 14 days;

    struct Deployment {
        address registry;
        address registryImplementation;
        address oracle;
        address oracleImplementation;
        address owner;
        address treasury;
        address arbitrator;
    }

    function run() external returns (Deployment memory d) {
        address sender = msg.sender;
        address owner = vm.envOr("OWNER", sender);
        address treasury = vm.envOr("TREASURY", owner);
        address arbitrator = vm.envOr("ARBITRATOR", owner);
        Periods memory periods = Periods({
            requestTimeout: uint32(vm.envOr("REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT)),
            disputeWindow: uint32(vm.envOr("DISPUTE_WINDOW", DEFAULT_DISPUTE_WINDOW)),
            arbitrationWindow: uint32(vm.envOr("ARBITRATION_WINDOW", DEFAULT_ARBITRATION_WINDOW)),
            unbondingDelay: uint32(vm.envOr("UNBONDING_DELAY", DEFAULT_UNBONDING_DELAY))
        });

        vm.startBroadcast();
        d = deploy(sender, owner, treasury, arbitrator, periods);
        vm.stopBroadcast();

        string memory json = toJson(d);
        console.log(string.concat("DEPLOYMENT ", json));
        string memory out = vm.envOr("DEPLOYMENT_OUT", string(""));
        if (bytes(out).length != 0) vm.writeJson(json, out);
    }

    /// @notice Deploys both implementations and proxies and links the registry to the oracle (no broadcast
    /// handling: callable from tests). `deployer` is the account whose calls these are (the broadcaster, or this
    /// contract in a test): it owns the registry until the link is made, then hands it to `owner`.
    function deploy(address deployer, address owner, address treasury, address arbitrator, Periods memory periods)
        public
        returns (Deployment memory d)
    {
        d.owner = owner;
        d.treasury = treasury;
        d.arbitrator = arbitrator;
        d.registryImplementation = address(new ModelRegistry());
        d.registry =
            address(new ERC1967Proxy(d.registryImplementation, abi.encodeCall(ModelRegistry.initialize, (deployer))));
        d.oracleImplementation = address(new InferenceOracle(address(new BatchModule()), address(new BisectionModule())));
        d.oracle = address(
            new ERC1967Proxy(
                d.oracleImplementation,
                abi.encodeCall(
                    InferenceOracle.initialize, (owner, IModelRegistry(d.registry), treasury, arbitrator, periods)
                )
            )
        );
        ModelRegistry(d.registry).setOracle(d.oracle);
        if (owner != deployer) ModelRegistry(d.registry).transferOwnership(owner);
    }

    function toJson(Deployment memory d) public returns (string memory json) {
        string memory key = "deployment";
        vm.serializeUint(key, "chainId", block.chainid);
        vm.serializeAddress(key, "owner", d.owner);
        vm.serializeAddress(key, "treasury", d.treasury);
        vm.serializeAddress(key, "arbitrator", d.arbitrator);
        vm.serializeAddress(key, "registryImplementation", d.registryImplementation);
        vm.serializeAddress(key, "oracleImplementation", d.oracleImplementation);
        vm.serializeAddress(key, "registry", d.registry);
        json = vm.serializeAddress(key, "oracle", d.oracle);
    }
}
