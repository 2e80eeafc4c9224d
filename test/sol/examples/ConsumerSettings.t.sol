// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {AppFixture} from "./utils/AppFixture.sol";
import {DeployExamples} from "../../../script/DeployExamples.s.sol";
import {KeyedInferenceConsumer} from "../../../src-sol/consumer/KeyedInferenceConsumer.sol";
import {OutputKind} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice The governed settings every app inherits from {KeyedInferenceConsumer} (the model and the callback gas
/// limit): one set of checks and events, behind each app's own access control (here the owner).
contract ConsumerSettingsTest is AppFixture {
    DeployExamples internal script;
    KeyedInferenceConsumer[4] internal apps;
    /// A second registered model of each app's shape, in the order of `apps`.
    uint256[4] internal otherModels;

    function setUp() public override {
        super.setUp();
        (uint256 credit,) = _registerAppModel("credit", 6, 2, OutputKind.Logits);
        (uint256 proposals,) = _registerAppModel("proposals", 64, 1, OutputKind.ArgMax);
        (uint256 moderation,) = _registerAppModel("moderation", 64, 1, OutputKind.ArgMax);
        (uint256 images,) = _registerAppModel("lenet5", 784, 1, OutputKind.ArgMax);
        (otherModels[0],) = _registerAppModel("credit-v2", 6, 2, OutputKind.Logits);
        (otherModels[1],) = _registerAppModel("proposals-v2", 64, 1, OutputKind.ArgMax);
        (otherModels[2],) = _registerAppModel("moderation-v2", 64, 1, OutputKind.ArgMax);
        (otherModels[3],) = _registerAppModel("lenet5-v2", 784, 1, OutputKind.ArgMax);
        script = new DeployExamples();
        DeployExamples.Deployment memory d = script.deploy(_config(credit, proposals, moderation, images));
        apps[0] = KeyedInferenceConsumer(payable(d.creditLineLender));
        apps[1] = KeyedInferenceConsumer(payable(d.proposalScreener));
        apps[2] = KeyedInferenceConsumer(payable(d.contentModerator));
        apps[3] = KeyedInferenceConsumer(payable(d.qualityInspector));
    }

    function _config(uint256 credit, uint256 proposals, uint256 moderation, uint256 images)
        internal
        view
        returns (DeployExamples.Config memory)
    {
        return DeployExamples.Config(
            appOwner, address(oracle), credit, proposals, moderation, images, 784, 13, APP_CALLBACK_GAS
        );
    }

    function test_setters_revertForAnyoneButTheOwner() public {
        for (uint256 i = 0; i < apps.length; ++i) {
            bytes memory err = abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice);
            vm.startPrank(alice);
            vm.expectRevert(err);
            apps[i].setModel(otherModels[i]);
            vm.expectRevert(err);
            apps[i].setCallbackGasLimit(APP_CALLBACK_GAS + 1);
            vm.stopPrank();
        }
    }

    function test_setModel_switchesAndEmits() public {
        for (uint256 i = 0; i < apps.length; ++i) {
            uint256 old = apps[i].modelId();
            vm.expectEmit(address(apps[i]));
            emit KeyedInferenceConsumer.ModelChanged(old, otherModels[i]);
            vm.prank(appOwner);
            apps[i].setModel(otherModels[i]);
            assertEq(apps[i].modelId(), otherModels[i]);
        }
    }

    function test_setModel_refusesAnotherShape() public {
        // The fixture's `modelId` takes 2 inputs and returns 2 logits: no app reads that shape.
        for (uint256 i = 0; i < apps.length; ++i) {
            vm.prank(appOwner);
            vm.expectRevert(
                abi.encodeWithSelector(
                    KeyedInferenceConsumer.KeyedInferenceConsumerModelMismatch.selector, modelId, 2, 2
                )
            );
            apps[i].setModel(modelId);
        }
    }

    function test_setModel_refusesADeprecatedModel() public {
        for (uint256 i = 0; i < apps.length; ++i) {
            vm.prank(owner);
            registry.setDeprecated(otherModels[i], true);
            vm.prank(appOwner);
            vm.expectRevert(
                abi.encodeWithSelector(
                    KeyedInferenceConsumer.KeyedInferenceConsumerModelDeprecated.selector, otherModels[i]
                )
            );
            apps[i].setModel(otherModels[i]);
        }
    }

    function test_setCallbackGasLimit_setsAndEmits() public {
        uint32 maxLimit = oracle.MAX_CALLBACK_GAS_LIMIT();
        for (uint256 i = 0; i < apps.length; ++i) {
            vm.expectEmit(address(apps[i]));
            emit KeyedInferenceConsumer.CallbackGasLimitChanged(APP_CALLBACK_GAS, maxLimit);
            vm.prank(appOwner);
            apps[i].setCallbackGasLimit(maxLimit);
            assertEq(apps[i].callbackGasLimit(), maxLimit);
        }
    }

    function test_setCallbackGasLimit_refusesZeroAndAboveTheOracleMaximum() public {
        uint32 maxLimit = oracle.MAX_CALLBACK_GAS_LIMIT();
        for (uint256 i = 0; i < apps.length; ++i) {
            vm.startPrank(appOwner);
            vm.expectRevert(
                abi.encodeWithSelector(
                    KeyedInferenceConsumer.KeyedInferenceConsumerInvalidCallbackGasLimit.selector, 0, maxLimit
                )
            );
            apps[i].setCallbackGasLimit(0);
            vm.expectRevert(
                abi.encodeWithSelector(
                    KeyedInferenceConsumer.KeyedInferenceConsumerInvalidCallbackGasLimit.selector,
                    maxLimit + 1,
                    maxLimit
                )
            );
            apps[i].setCallbackGasLimit(maxLimit + 1);
            vm.stopPrank();
            assertEq(apps[i].callbackGasLimit(), APP_CALLBACK_GAS);
        }
    }

    function test_initialize_appliesTheSettersChecks() public {
        uint256 deprecated = otherModels[3];
        vm.prank(owner);
        registry.setDeprecated(deprecated, true);
        DeployExamples.Config memory c = _config(otherModels[0], otherModels[1], otherModels[2], deprecated);
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerModelDeprecated.selector, deprecated)
        );
        script.deploy(c);

        c = _config(otherModels[0], otherModels[1], otherModels[2], apps[3].modelId());
        c.callbackGasLimit = 0;
        vm.expectRevert(
            abi.encodeWithSelector(
                KeyedInferenceConsumer.KeyedInferenceConsumerInvalidCallbackGasLimit.selector,
                0,
                oracle.MAX_CALLBACK_GAS_LIMIT()
            )
        );
        script.deploy(c);
    }
}
