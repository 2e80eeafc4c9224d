// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GraphGasBench} from "../../../bench/sol/GraphGas.t.sol";

// The gas benchmark's code is in bench/sol/; the GasBenchmark*.t.sol files only let forge run it, one file per forge
// run (bench/ts/gas.mjs): all of it in one solcjs call does not fit in memory. Never run as plain tests.

/// @notice Re-execution of integer graphs (CNNs) in Solidity (bench/sol/GraphGas.t.sol), group `graph`.
contract GraphGasBenchmark is GraphGasBench {}
