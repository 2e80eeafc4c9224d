// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IntegerGraph} from "../../src-sol/libraries/IntegerGraph.sol";

/// @dev Runs {IntegerGraph} with the encoding in calldata (a whole transaction), or measures the execution alone with
/// the encoding already in memory, as a re-executor that loaded it from storage or data contracts holds it.
contract GraphProbe {
    function execute(bytes calldata encoding, int256[] calldata input) external pure returns (int256[] memory) {
        return IntegerGraph.execute(encoding, input);
    }

    function measure(bytes calldata encoding, int256[] calldata input)
        external
        view
        returns (uint256 used, int256[] memory output)
    {
        bytes memory blob = encoding;
        int256[] memory x = input;
        uint256 before = gasleft();
        output = IntegerGraph.execute(blob, x);
        used = before - gasleft();
    }
}

/// @notice Gas to re-execute integer graphs (CNNs) in Solidity, group `graph`: the two LeNet-5 models of
/// data/fashion and the LeNet-5-shaped family `cnn_c<c>` (conv 5×5 c channels, pad 2 → avg pool 2 → ReLU →
/// conv 5×5 2c → avg pool 2 → ReLU → dense 10, each conv and its pool folded into one conv 6×6 of stride 2) of test/sol/fixtures/graphs/ (`npm run fixtures:graph-gas`).
/// `execute_<model>`: the execution alone, encoding and input in memory (decoding and validation included);
/// `tx_<model>`: the whole transaction that passes the encoding as calldata (intrinsic gas and calldata included).
/// Every output is checked against the reference's.
contract GraphGasBench is Test {
    GraphProbe internal probe;

    function setUp() public {
        probe = new GraphProbe();
    }

    function test_bench_lenet5Avg() public {
        _measure("lenet5_avg");
    }

    function test_bench_lenet5MaxResidual() public {
        _measure("lenet5_max_res");
    }

    function test_bench_cnnFamily() public {
        _measure("cnn_c4");
        _measure("cnn_c6");
        _measure("cnn_c8");
        _measure("cnn_c10");
        _measure("cnn_c12");
    }

    function _measure(string memory name) internal {
        // Read before measuring: the test frame's own work is not part of the figures.
        string memory json = vm.readFile(string.concat("test/sol/fixtures/graphs/", name, ".json"));
        bytes memory encoding = vm.parseJsonBytes(json, ".encoding");
        string[] memory values = vm.parseJsonStringArray(json, ".input");
        int256[] memory input = new int256[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            input[i] = vm.parseInt(values[i]);
        }
        int256 expected = vm.parseInt(vm.parseJsonStringArray(json, ".output")[0]);

        (uint256 used, int256[] memory output) = probe.measure(encoding, input);
        assertEq(output[0], expected, name);
        vm.snapshotValue("graph", string.concat("execute_", name), used);

        output = probe.execute(encoding, input);
        vm.snapshotValue("graph", string.concat("tx_", name), vm.lastCallGas().gasTotalUsed);
        assertEq(output[0], expected, name);
    }
}
