// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphStepVectors} from "./GraphStepVectors.sol";

/// @notice The on-chain graph step executor on the GPT's real trace: the windows (the first one from the request input) and the argmaxes (the last one writes the answer).
contract GraphStepTokenTest is GraphStepVectors {
    function test_tokenSteps_matchReference() public {
        (uint256 checked, uint256 heaviest) = _checkFamily("token");
        assertLt(heaviest, 10_000_000, "a step must fit well within one block");
        assertGt(checked, 1);
    }
}
