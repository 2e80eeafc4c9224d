// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStepVectors} from "./GraphStepVectors.sol";

/// @notice The on-chain graph step executor on the GPT's real trace: embedding, slice, reshape, transpose, add and the attention scale (affine).
contract GraphStepDataTest is GraphStepVectors {
    function test_dataSteps_matchReference() public {
        (uint256 checked, uint256 heaviest) = _checkFamily("data");
        assertLt(heaviest, 10_000_000, "a step must fit well within one block");
        assertGt(checked, 1);
    }
}
