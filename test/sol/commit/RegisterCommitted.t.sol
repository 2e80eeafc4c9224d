// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {CommittedFixture} from "./CommittedFixture.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {InputHash} from "../../../src-sol/libraries/InputHash.sol";
import {OracleSettings} from "../../../src-sol/oracle/OracleSettings.sol";
import {InputHashKind} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Registration of a model keyed by a Poseidon commitment of its input: the declared kind is stored, read back,
/// copied by the oracle, announced by an event, fixed for the model's life, and refused when it could not be served.
contract RegisterCommittedTest is CommittedFixture {
    function test_register_storesTheKindAndTheOracleCopiesIt() public view {
        assertEq(uint8(registry.getModel(committedId).inputHashKind), uint8(InputHashKind.Poseidon));
        assertEq(uint8(registry.modelTerms(committedId).inputHashKind), uint8(InputHashKind.Poseidon));
        OracleSettings.ModelCopy memory copy = oracle.modelCopy(committedId);
        assertEq(uint8(copy.inputHashKind), uint8(InputHashKind.Poseidon));
        assertEq(copy.verifierVersion, 1);
    }

    function test_register_plainRegistrationStaysKeccak() public view {
        assertEq(uint8(registry.getModel(modelId).inputHashKind), uint8(InputHashKind.Keccak));
        assertEq(uint8(oracle.modelCopy(modelId).inputHashKind), uint8(InputHashKind.Keccak));
    }

    function test_register_emitsTheDeclaredKind() public {
        uint256 next = registry.modelCount() + 1;
        IModelRegistry.ModelSpec memory spec = _committedSpec();
        vm.expectEmit(address(registry));
        emit IModelRegistry.InputHashKindDeclared(next, InputHashKind.Poseidon);
        vm.prank(owner);
        registry.registerModelWithInputHash(spec, "", InputHashKind.Poseidon);
    }

    function test_register_keccakThroughTheNewEntryPointEmitsNoDeclaration() public {
        IModelRegistry.ModelSpec memory spec = _committedSpec();
        vm.recordLogs();
        vm.prank(owner);
        uint256 id = registry.registerModelWithInputHash(spec, "", InputHashKind.Keccak);
        assertEq(uint8(registry.getModel(id).inputHashKind), uint8(InputHashKind.Keccak));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertGt(logs.length, 0);
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IModelRegistry.InputHashKindDeclared.selector, "declared a keccak model");
        }
    }

    function test_register_revertsWithoutPoseidonDeployed() public {
        IModelRegistry.ModelSpec memory spec = _committedSpec();
        vm.etch(InputHash.POSEIDON_T5, "");
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryPoseidonMissing.selector, InputHash.POSEIDON_T5));
        vm.prank(owner);
        registry.registerModelWithInputHash(spec, "", InputHashKind.Poseidon);
    }

    function test_register_onlyTheOwner() public {
        IModelRegistry.ModelSpec memory spec = _committedSpec();
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", stranger));
        vm.prank(stranger);
        registry.registerModelWithInputHash(spec, "", InputHashKind.Poseidon);
    }

    function test_register_theKindSurvivesTermChanges() public {
        vm.startPrank(owner);
        registry.setFee(committedId, FEE / 2);
        registry.setVerifier(committedId, committedVerifier);
        vm.stopPrank();
        assertEq(uint8(oracle.modelCopy(committedId).inputHashKind), uint8(InputHashKind.Poseidon));
    }
}
