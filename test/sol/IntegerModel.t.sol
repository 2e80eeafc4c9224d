// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IntegerModel} from "../../src-sol/libraries/IntegerModel.sol";
import {DataContract} from "../../src-sol/libraries/DataContract.sol";
import {ModelEncoder} from "./utils/ModelEncoder.sol";

/// @dev Exposes the library so reverts surface as calls.
contract IntegerModelHarness {
    function validate(bytes memory blob) external pure returns (IntegerModel.Header memory) {
        return IntegerModel.validate(blob);
    }

    function execute(bytes memory blob, int256[] memory input) external pure returns (int256[] memory) {
        return IntegerModel.execute(blob, input);
    }

    function load(address pointer) external view returns (bytes memory) {
        return IntegerModel.load(pointer);
    }
}

contract IntegerModelTest is Test {
    IntegerModelHarness internal h = new IntegerModelHarness();

    // ----- known answers -----

    function test_execute_floorsNegativeRescaleLikeTheSpec() public view {
        // One 1 -> 1 layer, S = 8, weight 1, bias 0: y = floor((x + 128) / 256).
        int256[] memory x = new int256[](1);
        int256[3] memory inputs = [int256(-587), -640, -641];
        int256[3] memory expected = [int256(-2), -2, -3];
        bytes memory blob = ModelEncoder.encode(_identity(8, false));
        for (uint256 k = 0; k < 3; ++k) {
            x[0] = inputs[k];
            assertEq(h.execute(blob, x)[0], expected[k]);
        }
    }

    function test_execute_roundsHalfUp() public view {
        bytes memory blob = ModelEncoder.encode(_identity(1, false));
        int256[] memory x = new int256[](1);
        x[0] = 1; // (1 + 1) >> 1 = 1
        assertEq(h.execute(blob, x)[0], 1);
        x[0] = -1; // (-1 + 1) >> 1 = 0
        assertEq(h.execute(blob, x)[0], 0);
        x[0] = -3; // (-3 + 1) >> 1 = -1
        assertEq(h.execute(blob, x)[0], -1);
    }

    function test_execute_reluClampsNegatives() public view {
        bytes memory blob = ModelEncoder.encode(_identity(8, true));
        int256[] memory x = new int256[](1);
        x[0] = -100_000;
        assertEq(h.execute(blob, x)[0], 0);
    }

    function test_execute_argmaxTiesPickLowestIndex() public view {
        ModelEncoder.Model memory m = _identity(8, false);
        m.outputKind = 1;
        // two outputs with equal weights -> a tie
        m.layers[0].weights = new int256[][](2);
        m.layers[0].weights[0] = new int256[](1);
        m.layers[0].weights[1] = new int256[](1);
        m.layers[0].weights[0][0] = 1;
        m.layers[0].weights[1][0] = 1;
        m.layers[0].biases = new int256[](2);
        int256[] memory x = new int256[](1);
        x[0] = 5000;
        assertEq(h.execute(ModelEncoder.encode(m), x)[0], 0);
        m.layers[0].biases[1] = 256;
        assertEq(h.execute(ModelEncoder.encode(m), x)[0], 1);
    }

    function test_execute_smallModelMatchesReference() public view {
        ModelEncoder.Model memory m = ModelEncoder.small();
        int256[] memory x = new int256[](2);
        x[0] = 300;
        x[1] = -200;
        assertEq(h.execute(ModelEncoder.encode(m), x), ModelEncoder.run(m, x));
    }

    function test_execute_digitsModelMatchesReference() public view {
        ModelEncoder.Model memory m = ModelEncoder.digits(3);
        int256[] memory x = new int256[](64);
        for (uint256 i = 0; i < 64; ++i) {
            x[i] = int256((i * 131) % 4097);
        }
        assertEq(h.execute(ModelEncoder.encode(m), x), ModelEncoder.run(m, x));
    }

    function test_execute_revertsOnWrongInputLength() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelInputLength.selector, 1, 2));
        h.execute(blob, new int256[](1));
    }

    function test_load_readsDataContract() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        address pointer = DataContract.write(blob);
        assertEq(h.load(pointer), blob);
        assertEq(uint8(pointer.code[0]), 0, "STOP prefix");
    }

    function test_load_revertsWithoutCode() public {
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelNoWeights.selector, address(0xBEEF)));
        h.load(address(0xBEEF));
    }

    // ----- malformed encodings -----

    function test_validate_revertsOnBadMagic() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        blob[0] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadMagic.selector, bytes4(0x00414931)));
        h.validate(blob);
    }

    function test_validate_revertsOnBadScale() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        blob[4] = bytes1(uint8(33));
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadScale.selector, 33));
        h.validate(blob);
        blob[4] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadScale.selector, 0));
        h.validate(blob);
    }

    function test_validate_revertsOnBadOutputKind() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        blob[5] = bytes1(uint8(2));
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadOutputKind.selector, 2));
        h.validate(blob);
    }

    function test_validate_revertsOnInvertedRange() public {
        ModelEncoder.Model memory m = ModelEncoder.small();
        (m.inputMin, m.inputMax) = (int64(5), int64(4));
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadInputRange.selector, 5, 4));
        h.validate(ModelEncoder.encode(m));
    }

    function test_validate_revertsOnBadLayerCount() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        blob[22] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadLayerCount.selector, 0));
        h.validate(blob);
        blob[22] = bytes1(uint8(17));
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadLayerCount.selector, 17));
        h.validate(blob);
    }

    function test_validate_revertsOnBadWidth() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        blob[23 + 5] = bytes1(uint8(3));
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadWidth.selector, 0, 3));
        h.validate(blob);
    }

    function test_validate_revertsOnBadRelu() public {
        bytes memory blob = ModelEncoder.encode(ModelEncoder.small());
        blob[23 + 4] = bytes1(uint8(2));
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadRelu.selector, 0, 2));
        h.validate(blob);
    }

    function test_validate_revertsOnMismatchedDimensions() public {
        ModelEncoder.Model memory m = ModelEncoder.small();
        bytes memory blob = ModelEncoder.encode(m);
        // Layer 1 starts after layer 0: 23 + 7 + 3*2*wBytes + 3*bBytes.
        uint256 l1 =
            23 + 7 + 6 * ModelEncoder.widthOf(m.layers[0].weights) + 3 * ModelEncoder.widthOfRow(m.layers[0].biases);
        blob[l1 + 1] = bytes1(uint8(4)); // inDim 3 -> 4
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelBadDimensions.selector, 1, 4, 2));
        h.validate(blob);
    }

    function test_validate_revertsOnTrailingBytes() public {
        bytes memory blob = bytes.concat(ModelEncoder.encode(ModelEncoder.small()), hex"00");
        vm.expectRevert(
            abi.encodeWithSelector(IntegerModel.IntegerModelTrailingBytes.selector, blob.length - 1, blob.length)
        );
        h.validate(blob);
    }

    function test_validate_revertsOnEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IntegerModel.IntegerModelTruncated.selector, 30, 0));
        h.validate("");
    }

    // ----- fuzz -----

    /// Encode a random model, then validate it (header round trip) and run it against the reference executor.
    function testFuzz_encodeValidateExecute_matchesReference(uint256 seed, uint8 scaleBits, bool argmax) public view {
        ModelEncoder.Model memory m = _randomModel(seed, uint8(bound(scaleBits, 1, 32)), argmax);
        bytes memory blob = ModelEncoder.encode(m);
        IntegerModel.Header memory hd = h.validate(blob);
        assertEq(hd.scaleBits, m.scaleBits);
        assertEq(hd.outputKind, m.outputKind);
        assertEq(hd.inputMin, m.inputMin);
        assertEq(hd.inputMax, m.inputMax);
        assertEq(hd.layerCount, m.layers.length);
        assertEq(hd.inputLength, m.layers[0].weights[0].length);
        assertEq(hd.outputLength, argmax ? 1 : m.layers[m.layers.length - 1].weights.length);
        int256[] memory x = new int256[](hd.inputLength);
        for (uint256 i = 0; i < x.length; ++i) {
            x[i] = int256(uint256(keccak256(abi.encode(seed, "x", i))) % uint256(int256(m.inputMax) - m.inputMin + 1))
                + m.inputMin;
        }
        assertEq(h.execute(blob, x), ModelEncoder.run(m, x));
    }

    /// The rescale of the re-executor equals mathematical floor((acc + 2^(S-1)) / 2^S) for any accumulator.
    function testFuzz_execute_rescaleIsFloor(int64 acc, uint8 scaleBits) public view {
        uint8 s = uint8(bound(scaleBits, 1, 32));
        ModelEncoder.Model memory m = _identity(s, false);
        // weight 1 at scale 2^S means x * 1; bias 0; so y = rescale(x).
        bytes memory blob = ModelEncoder.encode(m);
        int256[] memory x = new int256[](1);
        x[0] = acc;
        int256 expected = ModelEncoder.floorDiv(int256(acc) + int256(2) ** (s - 1), int256(2) ** s);
        assertEq(h.execute(blob, x)[0], expected);
    }

    /// Truncating a valid encoding anywhere is rejected.
    function testFuzz_validate_rejectsTruncation(uint256 seed, uint256 cut) public {
        bytes memory blob = ModelEncoder.encode(_randomModel(seed, 8, false));
        uint256 n = bound(cut, 0, blob.length - 1);
        bytes memory short = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            short[i] = blob[i];
        }
        vm.expectRevert();
        h.validate(short);
    }

    /// Appending bytes to a valid encoding is rejected with TrailingBytes.
    function testFuzz_validate_rejectsTrailingBytes(uint256 seed, bytes calldata extra) public {
        vm.assume(extra.length > 0);
        bytes memory blob = ModelEncoder.encode(_randomModel(seed, 8, false));
        bytes memory longer = bytes.concat(blob, extra);
        vm.expectRevert(
            abi.encodeWithSelector(IntegerModel.IntegerModelTrailingBytes.selector, blob.length, longer.length)
        );
        h.validate(longer);
    }

    /// Corrupting a header byte either keeps a valid encoding of the same shape or is rejected; never a silent
    /// different shape.
    function testFuzz_validate_headerCorruption(uint256 seed, uint8 pos, uint8 value) public view {
        bytes memory blob = ModelEncoder.encode(_randomModel(seed, 8, false));
        uint256 p = bound(pos, 0, 29);
        blob[p] = bytes1(value);
        try h.validate(blob) returns (IntegerModel.Header memory hd) {
            // Only value fields may change validly: scale (4), kind (5), range (6..21), relu (27), and only
            // to allowed values.
            assertTrue(p >= 4 && p <= 21 || p == 27 || blob[p] == ModelEncoder.encode(_randomModel(seed, 8, false))[p]);
            assertTrue(hd.scaleBits >= 1 && hd.scaleBits <= 32);
            assertTrue(hd.outputKind <= 1);
            assertTrue(hd.inputMin <= hd.inputMax);
        } catch {}
    }

    // ----- helpers -----

    function _identity(uint8 s, bool relu) internal pure returns (ModelEncoder.Model memory m) {
        m.scaleBits = s;
        m.inputMin = type(int64).min;
        m.inputMax = type(int64).max;
        m.layers = new ModelEncoder.Layer[](1);
        m.layers[0].weights = new int256[][](1);
        m.layers[0].weights[0] = new int256[](1);
        m.layers[0].weights[0][0] = 1;
        m.layers[0].biases = new int256[](1);
        m.layers[0].relu = relu;
    }

    function _randomModel(uint256 seed, uint8 s, bool argmax) internal pure returns (ModelEncoder.Model memory m) {
        m.scaleBits = s;
        m.outputKind = argmax ? 1 : 0;
        int64 lo = int64(int256(uint256(keccak256(abi.encode(seed, "lo"))) % 100_000)) - 50_000;
        m.inputMin = lo;
        m.inputMax = lo + int64(int256(uint256(keccak256(abi.encode(seed, "hi"))) % 100_000));
        uint256 layers = 1 + seed % 3;
        m.layers = new ModelEncoder.Layer[](layers);
        uint256 inDim = 1 + (seed >> 8) % 5;
        for (uint256 l = 0; l < layers; ++l) {
            uint256 outDim = 1 + (seed >> (16 + 8 * l)) % 5;
            // Width classes per layer so every width (1, 2, 4, 8 bytes) is exercised.
            uint256 wBits = [uint256(7), 15, 31, 40][(seed >> (40 + 4 * l)) % 4];
            uint256 bBits = [uint256(7), 15, 31, 62][(seed >> (60 + 4 * l)) % 4];
            m.layers[l].weights = new int256[][](outDim);
            m.layers[l].biases = new int256[](outDim);
            for (uint256 j = 0; j < outDim; ++j) {
                m.layers[l].weights[j] = new int256[](inDim);
                for (uint256 i = 0; i < inDim; ++i) {
                    m.layers[l].weights[j][i] = _signed(keccak256(abi.encode(seed, l, j, i)), wBits);
                }
                m.layers[l].biases[j] = _signed(keccak256(abi.encode(seed, l, j)), bBits);
            }
            m.layers[l].relu = (seed >> (80 + l)) & 1 == 1;
            inDim = outDim;
        }
    }

    /// A value in (-2^bits, 2^bits).
    function _signed(bytes32 r, uint256 bits) internal pure returns (int256) {
        int256 v = int256(uint256(r) % (uint256(1) << bits));
        return uint256(r) >> 255 == 1 ? -v : v;
    }
}
