// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStepVectors} from "./GraphStepVectors.sol";

/// @notice The on-chain graph step executor on the GPT's real trace: linear layers (one row of the 64 x 256 MLP layer a step) and the attention matmuls, bit for bit.
contract GraphStepProductsTest is GraphStepVectors {
    function test_productsSteps_matchReference() public {
        (uint256 checked, uint256 heaviest) = _checkFamily("products");
        assertLt(heaviest, 10_000_000, "a step must fit well within one block");
        assertGt(checked, 1);
    }
}
