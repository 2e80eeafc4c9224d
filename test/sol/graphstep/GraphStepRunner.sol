// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStep} from "../../../src-sol/libraries/GraphStep.sol";

/// @notice Runs {GraphStep} in a call frame of its own, so a test can catch its reverts and measure one step's gas.
contract GraphStepRunner {
    function execute(bytes calldata step, int256[] calldata pre, GraphStep.Witness calldata witness)
        external
        pure
        returns (bytes32)
    {
        return GraphStep.execute(step, pre, witness);
    }
}
