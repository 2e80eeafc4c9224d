// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {OracleSettings} from "../../src-sol/oracle/OracleSettings.sol";
import {ModelRegistry} from "../../src-sol/registry/ModelRegistry.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";

contract DeployTest is Test {
    function test_deploy_wiresProxies() public {
        Deploy script = new Deploy();
        Deploy.Deployment memory d = script.deploy(
            address(script),
            address(0xA11CE),
            address(0x7EA),
            address(0xA4B),
            OracleSettings.Periods(1 hours, 1 days, 3 days, 14 days)
        );
        InferenceOracle oracle = InferenceOracle(d.oracle);
        assertEq(oracle.owner(), address(0xA11CE));
        (address registry, address treasury, address arbitrator) = _addresses(oracle);
        assertEq(registry, d.registry);
        assertEq(treasury, address(0x7EA));
        assertEq(arbitrator, address(0xA4B));
        assertEq(ModelRegistry(d.registry).owner(), address(0xA11CE));
        assertEq(ModelRegistry(d.registry).oracle(), d.oracle, "the registry keeps the oracle's copies fresh");
        string memory json = script.toJson(d);
        assertEq(vm.parseJsonAddress(json, ".oracle"), d.oracle);
        assertEq(vm.parseJsonAddress(json, ".registry"), d.registry);
    }

    function _addresses(InferenceOracle oracle) internal view returns (address, address, address) {
        (IModelRegistry r, address t, address a) = oracle.addresses();
        return (address(r), t, a);
    }
}
