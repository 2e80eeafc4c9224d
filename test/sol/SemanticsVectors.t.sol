// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, console} from "forge-std/Test.sol";
import {IntegerModel} from "../../src-sol/libraries/IntegerModel.sol";

/// @notice Cross-implementation hook: runs the shared vectors of docs/SEMANTICS.md through the Solidity re-executor.
/// File: test/vectors/semantics.json, `{ "vectors": [ { "encoding": "0x…", "input": ["1", …], "output": [...] } ] }`
/// with integers as decimal strings. Skipped (loudly) while the file does not exist.
contract SemanticsVectorsTest is Test {
    string internal constant PATH = "test/vectors/semantics.json";

    function test_semanticsVectors_matchReexecutor() public {
        if (!vm.exists(PATH)) {
            console.log("SKIPPED: %s not found; the shared semantics vectors were not run", PATH);
            vm.skip(true);
            return;
        }
        string memory json = vm.readFile(PATH);
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(n), "]"))) {
            string memory key = string.concat(".vectors[", vm.toString(n), "]");
            bytes memory encoding = vm.parseJsonBytes(json, string.concat(key, ".encoding"));
            int256[] memory input = _ints(vm.parseJsonStringArray(json, string.concat(key, ".input")));
            int256[] memory expected = _ints(vm.parseJsonStringArray(json, string.concat(key, ".output")));
            int256[] memory actual = this.run(encoding, input);
            assertEq(actual, expected, string.concat("vector ", vm.toString(n)));
            ++n;
        }
        assertGt(n, 0, "semantics.json has no vectors");
        console.log("semantics vectors checked: %d", n);
    }

    /// @dev External so the encoding is validated exactly as the oracle would (malformed vectors revert here).
    function run(bytes calldata encoding, int256[] calldata input) external pure returns (int256[] memory) {
        IntegerModel.validate(encoding);
        return IntegerModel.execute(encoding, input);
    }

    function _ints(string[] memory values) internal pure returns (int256[] memory out) {
        out = new int256[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            out[i] = vm.parseInt(values[i]);
        }
    }
}
