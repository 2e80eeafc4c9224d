// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStepVectors} from "./GraphStepVectors.sol";

/// @notice The on-chain graph step executor on the GPT's real trace: layer norm (mean and root rounded, negative offsets) and the GELU table.
contract GraphStepNormTest is GraphStepVectors {
    function test_normSteps_matchReference() public {
        (uint256 checked, uint256 heaviest) = _checkFamily("norm");
        assertLt(heaviest, 10_000_000, "a step must fit well within one block");
        assertGt(checked, 1);
    }
}
