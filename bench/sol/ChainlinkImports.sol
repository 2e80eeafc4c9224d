// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

// Compiles Chainlink's Operator (pinned to 0.8.19) so the 0.8.28 benchmark can deploy it by artifact name.
// solhint-disable-next-line no-unused-import
import {Operator} from "@chainlink/contracts/src/v0.8/operatorforwarder/Operator.sol";
