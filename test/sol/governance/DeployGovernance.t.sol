// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Enum} from "@safe-global/safe-contracts/contracts/common/Enum.sol";

import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {Periods} from "../../../src-sol/types/InferenceTypes.sol";
import {OracleBootstrap} from "../../../src-sol/governance/OracleBootstrap.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {DeployGovernance} from "../../../script/DeployGovernance.s.sol";
import {GovernanceDeploy} from "../../../script/governance/GovernanceDeploy.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";

/// @notice The deployment script's wiring, read from the environment as `forge script` would.
contract DeployGovernanceTest is Test, GovernanceDeploy {
    DeployGovernance internal script;
    address[] internal owners;

    function setUp() public {
        script = DeployGovernance(deployCode("script/DeployGovernance.s.sol:DeployGovernance"));
        owners.push(makeAddr("a"));
        owners.push(makeAddr("b"));
        owners.push(makeAddr("c"));
        vm.setEnv(
            "GOV_OWNERS",
            string.concat(vm.toString(owners[0]), ",", vm.toString(owners[1]), ",", vm.toString(owners[2]))
        );
        vm.setEnv("GOV_THRESHOLD", "2");
        vm.setEnv("GOV_GUARDIAN", vm.toString(makeAddr("guardian")));
        vm.setEnv("GOV_MIN_DELAY", "172800");
        vm.setEnv("GOV_DEPLOYMENT_OUT", string.concat(vm.projectRoot(), "/cache/governance-test.json"));
    }

    function test_run_wiresSafeTimelockAndProxies() public {
        Deployment memory d = script.run();
        assertEq(d.safe.getThreshold(), 2);
        assertEq(d.safe.getOwners().length, 3);
        assertEq(address(d.arbitrationSafe), address(d.safe), "no arbitration owners: the governance Safe arbitrates");
        assertEq(d.timelock.getMinDelay(), 2 days);
        assertTrue(d.timelock.hasRole(d.timelock.PROPOSER_ROLE(), address(d.safe)));
        assertTrue(d.timelock.hasRole(d.timelock.CANCELLER_ROLE(), address(d.safe)));
        assertTrue(d.timelock.hasRole(d.timelock.EXECUTOR_ROLE(), address(0)));
        assertFalse(d.timelock.hasRole(d.timelock.DEFAULT_ADMIN_ROLE(), address(script)));
        assertFalse(d.timelock.hasRole(d.timelock.DEFAULT_ADMIN_ROLE(), address(this)));
        assertEq(d.registry.owner(), address(d.timelock));
        assertEq(d.oracle.owner(), address(d.timelock));
        assertEq(d.oracle.pauseGuardian(), makeAddr("guardian"));
        (IModelRegistry r, address treasury, address arbitrator) = d.oracle.addresses();
        assertEq(address(r), address(d.registry));
        assertEq(treasury, address(d.safe));
        assertEq(arbitrator, address(d.safe));
        // Implementations hold no power: their initializers are disabled.
        vm.expectRevert();
        InferenceOracle(d.oracleImplementation)
            .initialize(address(this), r, address(this), address(this), Periods(1 hours, 1 days, 2 days, 11 days));
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/cache/governance-test.json"));
        assertEq(vm.parseJsonAddress(json, ".timelock"), address(d.timelock));
        assertEq(vm.parseJsonAddress(json, ".safe"), address(d.safe));
    }

    function test_deploy_separateArbitrationSafe() public {
        Config memory c = script.config();
        address[] memory arbiters = new address[](1);
        arbiters[0] = owners[2];
        c.arbitration = SafeConfig(arbiters, 1);
        Deployment memory d = this.deploy(c);
        assertTrue(address(d.arbitrationSafe) != address(d.safe));
        assertEq(d.arbitrationSafe.getThreshold(), 1);
        (,, address arbitrator) = d.oracle.addresses();
        assertEq(arbitrator, address(d.arbitrationSafe));
    }

    function test_deploy_revertsOnImpossibleThreshold() public {
        Config memory c = script.config();
        c.governance.threshold = 4;
        vm.expectRevert(abi.encodeWithSelector(GovernanceDeploy.GovernanceDeployInvalidSafe.selector, 3, 4));
        this.deploy(c);
        c.governance.threshold = 0;
        vm.expectRevert(abi.encodeWithSelector(GovernanceDeploy.GovernanceDeployInvalidSafe.selector, 3, 0));
        this.deploy(c);
    }

    function test_bootstrap_revertsOnZeroTimelock() public {
        address registryImpl = ProtocolArtifacts.registryImplementation();
        address oracleImpl = ProtocolArtifacts.oracleImplementation();
        vm.expectRevert();
        new OracleBootstrap(
            registryImpl,
            oracleImpl,
            address(0),
            address(0),
            address(1),
            address(1),
            Periods(1 hours, 1 days, 2 days, 11 days)
        );
    }

    function _deployImplementations() internal override returns (address, address) {
        return (ProtocolArtifacts.registryImplementation(), ProtocolArtifacts.oracleImplementation());
    }

    /// @dev External so that `vm.expectRevert` sees the deployment as the next call.
    function deploy(Config memory c) external returns (Deployment memory) {
        return _deployGovernance(c);
    }
}
