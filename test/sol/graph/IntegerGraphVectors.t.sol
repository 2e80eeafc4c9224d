// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, console} from "forge-std/Test.sol";
import {IntegerGraph} from "../../../src-sol/libraries/IntegerGraph.sol";
import {GraphRunner} from "./GraphRunner.sol";

/// @notice The Solidity re-executor of integer graphs against the TypeScript reference, bit for bit: every case of
/// the shared vector file test/vectors/graphs.json (`npm run vectors:graphs`: every CNN op on its edge inputs, ties in
/// max pool, clamp boundaries, negative rounding, four imported CNNs) and the LeNet-5 models of data/fashion with the
/// CNN family of the gas benchmark (test/sol/fixtures/graphs/, `npm run fixtures:graph-gas`).
contract IntegerGraphVectorsTest is Test {
    string internal constant VECTORS = "test/vectors/graphs.json";
    GraphRunner internal runner;

    function setUp() public {
        runner = new GraphRunner();
    }

    function test_graphVectors_matchReference() public view {
        string memory json = vm.readFile(VECTORS);
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(n), "]"))) {
            string memory key = string.concat(".vectors[", vm.toString(n), "]");
            bytes memory encoding = vm.parseJsonBytes(json, string.concat(key, ".encoding"));
            int256[] memory input = _ints(vm.parseJsonStringArray(json, string.concat(key, ".input")));
            int256[] memory expected = _ints(vm.parseJsonStringArray(json, string.concat(key, ".output")));
            assertEq(runner.run(encoding, input), expected, string.concat("vector ", vm.toString(n)));
            assertEq(keccak256(encoding), vm.parseJsonBytes32(json, string.concat(key, ".modelHash")), "modelHash");
            ++n;
        }
        assertGt(n, 60, "graphs.json has too few vectors");
        console.log("graph vectors checked: %d", n);
    }

    function test_lenet5Avg_matchesReference() public view {
        _fixture("lenet5_avg");
    }

    function test_lenet5MaxResidual_matchesReference() public view {
        _fixture("lenet5_max_res");
    }

    function test_cnnFamily_matchesReference() public view {
        _fixture("cnn_c4");
        _fixture("cnn_c8");
        _fixture("cnn_c12");
    }

    function test_validate_reportsLengths() public view {
        bytes memory encoding = vm.parseJsonBytes(vm.readFile("test/sol/fixtures/graphs/lenet5_avg.json"), ".encoding");
        IntegerGraph.Header memory h = runner.validate(encoding);
        assertEq(h.inputLength, 784);
        assertEq(h.outputLength, 1);
        assertEq(h.outputKind, 1);
    }

    function _fixture(string memory name) internal view {
        string memory json = vm.readFile(string.concat("test/sol/fixtures/graphs/", name, ".json"));
        bytes memory encoding = vm.parseJsonBytes(json, ".encoding");
        int256[] memory input = _ints(vm.parseJsonStringArray(json, ".input"));
        int256[] memory expected = _ints(vm.parseJsonStringArray(json, ".output"));
        assertEq(runner.run(encoding, input), expected, name);
    }

    function _ints(string[] memory values) internal pure returns (int256[] memory out) {
        out = new int256[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            out[i] = vm.parseInt(values[i]);
        }
    }
}
