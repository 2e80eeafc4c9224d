// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatchGasBench} from "../../../bench/sol/BatchGas.t.sol";

// The gas benchmark's code is in bench/sol/; the GasBenchmark*.t.sol files only let forge run it, one file per forge
// run (bench/ts/gas.mjs): all of it in one solcjs call does not fit in memory. Never run as plain tests.

/// @notice Batches: proof batches of the trained digits model, optimistic batches (bench/sol/BatchGas.t.sol), group `batch`.
contract BatchGasBenchmark is BatchGasBench {}
