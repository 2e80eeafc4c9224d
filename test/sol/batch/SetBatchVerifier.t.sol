// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {BatchSteps} from "./BatchSteps.sol";
import {TestBatchVerifier} from "../utils/TestBatchVerifier.sol";
import {IBatches} from "../../../src-sol/interfaces/IBatches.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {BatchModule} from "../../../src-sol/oracle/BatchModule.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";

/// @notice Governance of batch verifiers: per model, verifier version and batch size, owner only, same model hash.
contract SetBatchVerifierTest is BatchSteps {
    function test_setAndRead() public view {
        assertEq(address(batches().batchVerifierOf(modelId, 1, K)), address(batchVerifier));
        assertEq(address(batches().batchVerifierOf(modelId, 1, 16)), address(0));
        assertEq(address(batches().batchVerifierOf(modelId, 2, K)), address(0));
    }

    function test_emitsAndRemoves() public {
        vm.expectEmit(address(oracle));
        emit IBatches.BatchVerifierSet(modelId, 1, K, address(0));
        vm.prank(owner);
        batches().setBatchVerifier(modelId, 1, K, _unset());
        assertEq(address(batches().batchVerifierOf(modelId, 1, K)), address(0));
    }

    function test_onlyOwner() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger));
        batches().setBatchVerifier(modelId, 1, K, batchVerifier);
    }

    function test_refusesAnotherModel() public {
        TestBatchVerifier other = new TestBatchVerifier(keccak256("other model"), K);
        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IBatches.InferenceOracleBatchVerifierMismatch.selector, modelId, address(other))
        );
        batches().setBatchVerifier(modelId, 1, K, other);
    }

    function test_refusesAnotherBatchSize() public {
        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBatches.InferenceOracleBatchVerifierMismatch.selector, modelId, address(batchVerifier)
            )
        );
        batches().setBatchVerifier(modelId, 1, 16, batchVerifier);
    }

    function test_refusesAVersionWithoutVerifier() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, bareModelId));
        batches().setBatchVerifier(bareModelId, 0, K, batchVerifier);
    }

    function test_moduleRefusesDirectCalls() public {
        BatchModule module = BatchModule(InferenceOracle(payable(address(oracle))).batchModule());
        vm.expectRevert(BatchModule.BatchModuleNotDelegated.selector);
        module.finalizeBatch(_noneMatured());
    }
}
