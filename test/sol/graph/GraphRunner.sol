// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IntegerGraph} from "../../../src-sol/libraries/IntegerGraph.sol";

/// @notice Runs {IntegerGraph} in a call frame of its own, so a test can catch its reverts and a benchmark can
/// measure one execution.
contract GraphRunner {
    /// @dev Validates the encoding exactly as a decoder would, then executes it.
    function run(bytes calldata encoding, int256[] calldata input) external pure returns (int256[] memory) {
        IntegerGraph.validate(encoding);
        return IntegerGraph.execute(encoding, input);
    }

    function execute(bytes calldata encoding, int256[] calldata input) external pure returns (int256[] memory) {
        return IntegerGraph.execute(encoding, input);
    }

    function validate(bytes calldata encoding) external pure returns (IntegerGraph.Header memory) {
        return IntegerGraph.validate(encoding);
    }
}
