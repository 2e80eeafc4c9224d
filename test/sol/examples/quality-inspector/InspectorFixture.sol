// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AppFixture} from "../utils/AppFixture.sol";
import {TestVerifier} from "../../utils/TestVerifier.sol";
import {QualityInspector} from "../../../../src-sol/examples/QualityInspector.sol";
import {OutputKind, RequestTerms} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice A QualityInspector for 28×28 images (784 pixels) on an argmax model of that shape, with one approved
/// station; the shared steps of the inspector's tests.
abstract contract InspectorFixture is AppFixture {
    uint16 internal constant PIXELS = 784;
    /// @dev Fashion-MNIST's class 7.
    uint8 internal constant SNEAKER = 7;
    uint8 internal constant BAG = 8;

    QualityInspector internal inspector;
    uint256 internal imageModel;
    TestVerifier internal imageVerifier;
    address internal station = makeAddr("station");

    bytes32 internal constant ITEM = keccak256("serial-0001");
    bytes32 internal constant ITEM2 = keccak256("serial-0002");

    function setUp() public virtual override {
        super.setUp();
        (imageModel, imageVerifier) = _registerAppModel("lenet5", PIXELS, 1, OutputKind.ArgMax);
        inspector = _deployInspector(PIXELS, imageModel);
        vm.prank(appOwner);
        inspector.setInspector(station, true);
        vm.deal(station, 10 ether);
    }

    function _deployInspector(uint16 pixels, uint256 model) internal returns (QualityInspector) {
        return QualityInspector(
            payable(_proxy(
                    address(new QualityInspector(address(oracle), pixels)),
                    abi.encodeCall(QualityInspector.initialize, (appOwner, model, APP_CALLBACK_GAS))
                ))
        );
    }

    /// @dev A 28×28 grey image with pixels in [0, 255], different for each seed.
    function _image(uint256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](PIXELS);
        for (uint256 i = 0; i < PIXELS; ++i) {
            x[i] = int256((i * 7 + seed * 31) % 256);
        }
    }

    function _inspect(bytes32 itemId, uint8 expected, uint256 seed)
        internal
        returns (uint256 id, RequestTerms memory t)
    {
        t = _appTerms(address(inspector), imageModel, _image(seed), 1, APP_CALLBACK_GAS);
        vm.prank(station);
        id = inspector.inspect{value: FEE}(itemId, expected, _image(seed));
    }
}
