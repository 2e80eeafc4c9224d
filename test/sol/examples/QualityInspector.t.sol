// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {AppFixture} from "./utils/AppFixture.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {QualityInspector} from "../../../src-sol/examples/QualityInspector.sol";
import {OutputKind, InferenceError, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";

contract QualityInspectorV2 is QualityInspector {
    constructor(address oracle) QualityInspector(oracle) {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

contract QualityInspectorTest is AppFixture {
    QualityInspector internal inspector;
    uint256 internal digitsModel;
    TestVerifier internal digitsVerifier;
    address internal station = makeAddr("station");

    bytes32 internal constant ITEM = keccak256("serial-0001");
    bytes32 internal constant ITEM2 = keccak256("serial-0002");

    function setUp() public override {
        super.setUp();
        (digitsModel, digitsVerifier) = _registerAppModel("digits", 64, 1, OutputKind.ArgMax);
        inspector = QualityInspector(
            payable(_proxy(
                    address(new QualityInspector(address(oracle))),
                    abi.encodeCall(QualityInspector.initialize, (appOwner, digitsModel, APP_CALLBACK_GAS))
                ))
        );
        vm.prank(appOwner);
        inspector.setInspector(station, true);
        vm.deal(station, 10 ether);
    }

    function _image(uint256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](64);
        for (uint256 i = 0; i < 64; ++i) {
            x[i] = int256(((i * 3 + seed) % 17) * 256);
        }
    }

    function _inspect(bytes32 itemId, uint8 expected, uint256 seed)
        internal
        returns (uint256 id, RequestTerms memory t)
    {
        t = _appTerms(address(inspector), digitsModel, _image(seed), 1, APP_CALLBACK_GAS);
        vm.prank(station);
        id = inspector.inspect{value: FEE}(itemId, expected, _image(seed));
    }

    function test_inspect_acceptsMatchingClassWithProof() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, 7, 1);
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Pending));
        digitsVerifier.setProven(_image(1), _one(7), true);
        bytes memory proof = digitsVerifier.proofFor(proposer);
        vm.expectEmit(address(inspector));
        emit QualityInspector.ItemInspected(ITEM, QualityInspector.Verdict.Accepted, 7);
        vm.prank(proposer);
        oracle.proposeWithProof(id, t, _image(1), _one(7), proof);
        QualityInspector.Item memory it = inspector.item(ITEM);
        assertEq(uint8(it.verdict), uint8(QualityInspector.Verdict.Accepted));
        assertEq(it.predictedClass, 7);
        assertEq(it.inspector, station);
        (uint256 accepted, uint256 rejected) = inspector.stats();
        assertEq(accepted, 1);
        assertEq(rejected, 0);
    }

    function test_inspect_rejectsOtherClass() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, 7, 1);
        _proposeAndFinalize(id, t, _one(1));
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Rejected));
        assertEq(inspector.item(ITEM).predictedClass, 1);
        (, uint256 rejected) = inspector.stats();
        assertEq(rejected, 1);
    }

    function test_inspect_sameImageIsACacheHit() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, 3, 1);
        _proposeAndFinalize(id, t, _one(3));
        _inspect(ITEM2, 3, 1);
        assertEq(uint8(inspector.item(ITEM2).verdict), uint8(QualityInspector.Verdict.Accepted));
        assertEq(inspector.refundOf(station), FEE);
    }

    function test_inspect_failedInspectionCanBeSentAgain() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, 2, 1);
        _expire(id, t);
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Failed));
        (uint256 id2, RequestTerms memory t2) = _inspect(ITEM, 2, 1);
        _proposeAndFinalize(id2, t2, _one(2));
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Accepted));
        assertEq(inspector.refundOf(station), FEE);
    }

    function test_inspect_reverts() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(QualityInspector.QualityInspectorUnauthorizedInspector.selector, alice));
        inspector.inspect{value: FEE}(ITEM, 1, _image(1));

        vm.startPrank(station);
        vm.expectRevert(abi.encodeWithSelector(QualityInspector.QualityInspectorInvalidClass.selector, 10));
        inspector.inspect{value: FEE}(ITEM, 10, _image(1));
        vm.expectRevert(QualityInspector.QualityInspectorZeroItemId.selector);
        inspector.inspect{value: FEE}(bytes32(0), 1, _image(1));
        vm.stopPrank();

        (uint256 id, RequestTerms memory t) = _inspect(ITEM, 1, 1);
        _proposeAndFinalize(id, t, _one(1));
        vm.prank(station);
        vm.expectRevert(
            abi.encodeWithSelector(
                QualityInspector.QualityInspectorUnexpectedVerdict.selector, ITEM, QualityInspector.Verdict.Accepted
            )
        );
        inspector.inspect{value: FEE}(ITEM, 1, _image(1));
    }

    function test_setInspector_onlyOwner() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice));
        inspector.setInspector(alice, true);
        vm.prank(appOwner);
        inspector.setInspector(station, false);
        assertFalse(inspector.isInspector(station));
    }

    function test_upgrade_keepsState() public {
        (uint256 id, RequestTerms memory t) = _inspect(ITEM, 4, 1);
        _proposeAndFinalize(id, t, _one(4));
        address v2 = address(new QualityInspectorV2(address(oracle)));
        vm.prank(station);
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, station));
        inspector.upgradeToAndCall(v2, "");
        vm.prank(appOwner);
        inspector.upgradeToAndCall(v2, "");
        assertEq(QualityInspectorV2(payable(address(inspector))).version(), 2);
        assertEq(uint8(inspector.item(ITEM).verdict), uint8(QualityInspector.Verdict.Accepted));
        assertTrue(inspector.isInspector(station));
        (uint256 accepted,) = inspector.stats();
        assertEq(accepted, 1);
    }
}
