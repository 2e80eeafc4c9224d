// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStepVectors} from "./GraphStepVectors.sol";

/// @notice The on-chain graph step executor on the GPT's real trace: the causal integer softmax: the first rows (one unmasked score) and the last (every score).
contract GraphStepSoftmaxTest is GraphStepVectors {
    function test_softmaxSteps_matchReference() public {
        (uint256 checked, uint256 heaviest) = _checkFamily("softmax");
        assertLt(heaviest, 10_000_000, "a step must fit well within one block");
        assertGt(checked, 1);
    }
}
