// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChainlinkCycleBench} from "../../../bench/sol/ChainlinkCycle.t.sol";

// The gas benchmark's code is in bench/sol/; the GasBenchmark*.t.sol files only let forge run it, one file per forge
// run (bench/ts/gas.mjs): all of it in one solcjs call does not fit in memory. Never run as plain tests.

/// @notice Chainlink's direct-request cycle (bench/sol/ChainlinkCycle.t.sol), snapshot group `chainlink`.
contract ChainlinkCycleBenchmark is ChainlinkCycleBench {}
