// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InspectorFixture} from "./InspectorFixture.sol";
import {QualityInspector} from "../../../../src-sol/examples/QualityInspector.sol";
import {KeyedInferenceConsumer} from "../../../../src-sol/consumer/KeyedInferenceConsumer.sol";
import {OutputKind} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice Building an implementation for an image size and initializing a proxy on a model of that size.
contract QualityInspectorConstructionTest is InspectorFixture {
    function test_constructor_fixesThePixelCount() public view {
        assertEq(inspector.pixelCount(), PIXELS);
        assertEq(inspector.modelId(), imageModel);
        assertEq(inspector.owner(), appOwner);
        assertTrue(inspector.isInspector(station));
    }

    function test_constructor_revertsOnZeroPixels() public {
        vm.expectRevert(QualityInspector.QualityInspectorZeroPixelCount.selector);
        new QualityInspector(address(oracle), 0);
    }

    function test_initialize_revertsOnAModelOfAnotherImageSize() public {
        (uint256 digits,) = _registerAppModel("digits", 64, 1, OutputKind.ArgMax);
        address implementation = address(new QualityInspector(address(oracle), PIXELS));
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerModelMismatch.selector, digits, 64, 1)
        );
        _proxy(implementation, abi.encodeCall(QualityInspector.initialize, (appOwner, digits, APP_CALLBACK_GAS)));
    }

    function test_initialize_anImplementationForSmallerImagesTakesItsModel() public {
        (uint256 digits,) = _registerAppModel("digits", 64, 1, OutputKind.ArgMax);
        QualityInspector small = _deployInspector(64, digits);
        assertEq(small.pixelCount(), 64);
        assertEq(small.modelId(), digits);
    }

    function test_setModel_refusesAnotherImageSize() public {
        (uint256 digits,) = _registerAppModel("digits", 64, 1, OutputKind.ArgMax);
        vm.prank(appOwner);
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerModelMismatch.selector, digits, 64, 1)
        );
        inspector.setModel(digits);
    }

    function test_setModel_takesAnotherModelOfTheSameSize() public {
        (uint256 retrained,) = _registerAppModel("lenet5-retrained", PIXELS, 1, OutputKind.ArgMax);
        vm.prank(appOwner);
        vm.expectEmit(address(inspector));
        emit KeyedInferenceConsumer.ModelChanged(imageModel, retrained);
        inspector.setModel(retrained);
        assertEq(inspector.modelId(), retrained);
    }
}
