// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";
import {BisectionFixture} from "./BisectionFixture.sol";

/// @notice The registry's per-step weight commitments.
contract StepsCommitmentTest is BisectionFixture {
    function test_setStepsCommitment_storesAndEmits() public {
        IModelRegistry.StepsCommitment memory c = registry.stepsCommitmentOf(deepId);
        assertEq(c.count, 5);
        assertTrue(c.root != bytes32(0));
        vm.expectEmit(address(registry));
        emit IModelRegistry.StepsCommitmentSet(bareModelId, keccak256("root"), 2, address(0));
        vm.prank(owner);
        registry.setStepsCommitment(bareModelId, IModelRegistry.StepsCommitment(keccak256("root"), 2, address(0)));
        assertEq(registry.stepsCommitmentOf(bareModelId).root, keccak256("root"));
    }

    function test_setStepsCommitment_failsASecondTime() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryStepsAlreadySet.selector, deepId));
        vm.prank(owner);
        registry.setStepsCommitment(deepId, IModelRegistry.StepsCommitment(keccak256("other"), 5, address(0)));
    }

    function test_setStepsCommitment_failsForAnEmptyCommitment() public {
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidSteps.selector, bytes32(0), 2));
        registry.setStepsCommitment(bareModelId, IModelRegistry.StepsCommitment(bytes32(0), 2, address(0)));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidSteps.selector, keccak256("r"), 0));
        registry.setStepsCommitment(bareModelId, IModelRegistry.StepsCommitment(keccak256("r"), 0, address(0)));
        vm.stopPrank();
    }

    function test_setStepsCommitment_failsForAnUnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        vm.prank(owner);
        registry.setStepsCommitment(99, IModelRegistry.StepsCommitment(keccak256("r"), 1, address(0)));
    }

    function test_setStepsCommitment_isOwnerOnly() public {
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.setStepsCommitment(bareModelId, IModelRegistry.StepsCommitment(keccak256("r"), 1, address(0)));
    }

    function test_setStepsCommitment_storesTheStepExecutor() public {
        address executor = ProtocolArtifacts.graphStepExecutor();
        vm.expectEmit(address(registry));
        emit IModelRegistry.StepsCommitmentSet(bareModelId, keccak256("root"), 3, executor);
        vm.prank(owner);
        registry.setStepsCommitment(bareModelId, IModelRegistry.StepsCommitment(keccak256("root"), 3, executor));
        IModelRegistry.StepsCommitment memory c = registry.stepsCommitmentOf(bareModelId);
        assertEq(c.executor, executor);
        assertEq(c.count, 3);
        assertEq(registry.stepsCommitmentOf(deepId).executor, address(0), "a chain model: the built-in executor");
    }

    function test_setStepsCommitment_failsForAStepExecutorThatIsNotAContract() public {
        address notAContract = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidStepExecutor.selector, notAContract));
        vm.prank(owner);
        registry.setStepsCommitment(bareModelId, IModelRegistry.StepsCommitment(keccak256("r"), 1, notAContract));
    }
}
