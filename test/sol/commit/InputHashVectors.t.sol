// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {PoseidonDeployment} from "../utils/PoseidonDeployment.sol";
import {InputHash} from "../../../src-sol/libraries/InputHash.sol";
import {RequestWord} from "../../../src-sol/libraries/RequestWord.sol";
import {InputHashKind} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice src-sol/libraries/InputHash.sol against lib/semantics/input-hash.ts: every vector of
/// test/vectors/input-commitments.json (npm run vectors:commitments: edge cases and 40 random lengths, ranges and
/// values), then fuzzed properties of the commitment that need no second implementation.
contract InputHashVectorsTest is Test, PoseidonDeployment {
    string internal constant PATH = "test/vectors/input-commitments.json";
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    function setUp() public {
        _deployPoseidon();
    }

    function test_vectors_matchTypeScript() public view {
        string memory json = vm.readFile(PATH);
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(n), "]"))) {
            string memory key = string.concat(".vectors[", vm.toString(n), "]");
            int256 lo = vm.parseJsonInt(json, string.concat(key, ".inputMin"));
            int256 hi = vm.parseJsonInt(json, string.concat(key, ".inputMax"));
            int256[] memory input = _ints(vm.parseJsonStringArray(json, string.concat(key, ".input")));
            bytes32 expected = vm.parseJsonBytes32(json, string.concat(key, ".commitment"));
            assertEq(this.commit(input, lo, hi), expected, string.concat("vector ", vm.toString(n)));
            ++n;
        }
        assertGt(n, 40, "too few commitment vectors");
    }

    function test_keccakKind_isThePackedKeccak(int256[] calldata input) public view {
        assertEq(
            InputHash.ofCalldata(InputHashKind.Keccak, input, type(int256).min, type(int256).max),
            keccak256(abi.encodePacked(input))
        );
        assertEq(InputHash.ofCalldata(InputHashKind.Keccak, input, 0, 0), RequestWord.hashCalldata(input));
    }

    function testFuzz_commitment_isAFieldElementAndChangesWithAnyValue(uint8[] memory raw, uint256 at, uint8 delta)
        public
        view
    {
        vm.assume(raw.length > 0 && raw.length <= 100 && delta != 0);
        int256[] memory input = new int256[](raw.length);
        for (uint256 i; i < raw.length; ++i) {
            input[i] = int256(uint256(raw[i]));
        }
        bytes32 c = this.commit(input, 0, 255);
        assertLt(uint256(c), SCALAR_FIELD);
        at = bound(at, 0, raw.length - 1);
        input[at] = int256((uint256(raw[at]) + delta) % 256);
        assertTrue(this.commit(input, 0, 255) != c);
    }

    function testFuzz_commitment_separatesLengths(uint8 n) public view {
        vm.assume(n > 0 && n < 120);
        int256[] memory a = new int256[](n);
        int256[] memory b = new int256[](uint256(n) + 1);
        // Zeros pack to the same words: only the length tells them apart.
        assertTrue(this.commit(a, 0, 255) != this.commit(b, 0, 255));
    }

    function testFuzz_commitment_outOfRangeIsNoFieldElement(int256 v, uint8 at) public view {
        vm.assume(v < -5 || v > 5);
        int256[] memory input = new int256[](uint256(at) + 1);
        input[at] = v;
        assertEq(this.commit(input, -5, 5), InputHash.OUT_OF_RANGE);
    }

    function commit(int256[] calldata input, int256 lo, int256 hi) external view returns (bytes32) {
        return InputHash.ofCalldata(InputHashKind.Poseidon, input, lo, hi);
    }

    function _ints(string[] memory values) internal pure returns (int256[] memory out) {
        out = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) {
            out[i] = vm.parseInt(values[i]);
        }
    }
}
