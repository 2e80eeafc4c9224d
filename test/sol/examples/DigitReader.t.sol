// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AppFixture} from "./utils/AppFixture.sol";
import {DigitReader} from "../../../src-sol/examples/DigitReader.sol";
import {OutputKind, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice The docs' 20-line consumer really works: request, optimistic result, failure.
contract DigitReaderTest is AppFixture {
    DigitReader internal reader;
    uint256 internal digitsModel;

    function setUp() public override {
        super.setUp();
        (digitsModel,) = _registerAppModel("digits", 64, 1, OutputKind.ArgMax);
        reader = new DigitReader(address(oracle), digitsModel);
        vm.deal(alice, 1 ether);
    }

    function test_read_deliversTheDigit() public {
        int256[] memory pixels = _filled(64, 256);
        RequestTerms memory t = _appTerms(address(reader), digitsModel, pixels, 1, 100_000);
        vm.prank(alice);
        uint256 id = reader.read{value: FEE}(pixels);
        assertFalse(reader.answered(id));
        _proposeAndFinalize(id, t, _one(8));
        assertTrue(reader.answered(id));
        assertEq(reader.digitOf(id), 8);
    }

    function test_read_recordsAFailure() public {
        vm.prank(alice);
        uint256 id = reader.read{value: FEE}(_filled(63, 0));
        assertTrue(reader.answered(id));
        assertEq(reader.digitOf(id), -1);
    }
}
