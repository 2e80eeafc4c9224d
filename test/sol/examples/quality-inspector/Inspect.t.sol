// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InspectorFixture} from "./InspectorFixture.sol";
import {QualityInspector} from "../../../../src-sol/examples/QualityInspector.sol";
import {KeyedInferenceConsumer} from "../../../../src-sol/consumer/KeyedInferenceConsumer.sol";
import {RequestTerms} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice Submitting an item: who may, what an image must be, and when an item can be sent (again).
contract QualityInspectorInspectTest is InspectorFixture {
    function test_inspect_recordsAPendingItem() public {
        vm.expectEmit(true, true, false, false, address(inspector));
        emit QualityInspector.InspectionRequested(ITEM, station, SNEAKER, 0);
        vm.prank(station);
        uint256 id = inspector.inspect{value: FEE}(ITEM, SNEAKER, _image(1));
        QualityInspector.Item memory it = inspector.item(ITEM);
        assertEq(uint8(it.verdict), uint8(QualityInspector.Verdict.Pending));
        assertEq(it.inspector, station);
        assertEq(it.expectedClass, SNEAKER);
        assertEq(inspector.pendingRequest(ITEM).requestId, id);
    }

    function test_inspect_revertsForAnUnapprovedCaller() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(QualityInspector.QualityInspectorUnauthorizedInspector.selector, alice));
        inspector.inspect{value: FEE}(ITEM, SNEAKER, _image(1));
    }

    function test_inspect_revertsOnAClassOutsideTheModel() public {
        vm.prank(station);
        vm.expectRevert(abi.encodeWithSelector(QualityInspector.QualityInspectorInvalidClass.selector, 10));
        inspector.inspect{value: FEE}(ITEM, 10, _image(1));
    }

    function test_inspect_revertsOnAZeroItemId() public {
        vm.prank(station);
        vm.expectRevert(QualityInspector.QualityInspectorZeroItemId.selector);
        inspector.inspect{value: FEE}(bytes32(0), SNEAKER, _image(1));
    }

    function test_inspect_revertsOnAnImageOfAnotherSize() public {
        vm.startPrank(station);
        vm.expectRevert(abi.encodeWithSelector(QualityInspector.QualityInspectorWrongImageSize.selector, 64, PIXELS));
        inspector.inspect{value: FEE}(ITEM, SNEAKER, _filled(64, 1));
        vm.expectRevert(abi.encodeWithSelector(QualityInspector.QualityInspectorWrongImageSize.selector, 785, PIXELS));
        inspector.inspect{value: FEE}(ITEM, SNEAKER, _filled(785, 1));
        vm.stopPrank();
    }

    function test_inspect_revertsOnAWrongFee() public {
        vm.prank(station);
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerWrongFee.selector, FEE - 1, FEE)
        );
        inspector.inspect{value: FEE - 1}(ITEM, SNEAKER, _image(1));
    }

    function test_inspect_revertsWhileTheItemIsBeingInspected() public {
        (uint256 id,) = _inspect(ITEM, SNEAKER, 1);
        vm.prank(station);
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerRequestPending.selector, ITEM, id)
        );
        inspector.inspect{value: FEE}(ITEM, SNEAKER, _image(1));
    }

    function test_inspect_revertsOnAnItemWithAVerdict() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        _proposeAndFinalize(id, t, _one(int256(uint256(SNEAKER))));
        vm.prank(station);
        vm.expectRevert(
            abi.encodeWithSelector(
                QualityInspector.QualityInspectorUnexpectedVerdict.selector, ITEM, QualityInspector.Verdict.Accepted
            )
        );
        inspector.inspect{value: FEE}(ITEM, SNEAKER, _image(1));
    }

    function test_inspect_aFailedItemCanBeSentAgain() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        _expire(id, t);
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Failed));
        (uint256 id2, RequestTerms memory t2) = _inspect(ITEM, SNEAKER, 1);
        _proposeAndFinalize(id2, t2, _one(int256(uint256(SNEAKER))));
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Accepted));
        assertEq(inspector.refundOf(station), FEE);
    }
}
