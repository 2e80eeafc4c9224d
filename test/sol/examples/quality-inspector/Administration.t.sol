// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {InspectorFixture} from "./InspectorFixture.sol";
import {QualityInspector} from "../../../../src-sol/examples/QualityInspector.sol";
import {RequestTerms} from "../../../../src-sol/types/InferenceTypes.sol";

contract QualityInspectorV2 is QualityInspector {
    constructor(address oracle, uint16 pixels) QualityInspector(oracle, pixels) {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @notice The owner approves stations and upgrades the app; the state survives an upgrade.
contract QualityInspectorAdministrationTest is InspectorFixture {
    function test_setInspector_approvesAndRemoves() public {
        vm.prank(appOwner);
        vm.expectEmit(address(inspector));
        emit QualityInspector.InspectorChanged(alice, true);
        inspector.setInspector(alice, true);
        assertTrue(inspector.isInspector(alice));
        vm.prank(appOwner);
        inspector.setInspector(station, false);
        assertFalse(inspector.isInspector(station));
    }

    function test_setInspector_onlyOwner() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        inspector.setInspector(alice, true);
    }

    function test_upgrade_onlyOwner() public {
        address v2 = address(new QualityInspectorV2(address(oracle), PIXELS));
        vm.prank(station);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, station));
        inspector.upgradeToAndCall(v2, "");
    }

    function test_upgrade_keepsItemsStationsAndStats() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, SNEAKER, 1);
        _proposeAndFinalize(id, t, _one(int256(uint256(SNEAKER))));
        address v2 = address(new QualityInspectorV2(address(oracle), PIXELS));
        vm.prank(appOwner);
        inspector.upgradeToAndCall(v2, "");
        assertEq(QualityInspectorV2(payable(address(inspector))).version(), 2);
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Accepted));
        assertTrue(inspector.isInspector(station));
        assertEq(inspector.pixelCount(), PIXELS);
        (uint256 accepted,) = inspector.stats();
        assertEq(accepted, 1);
    }
}
