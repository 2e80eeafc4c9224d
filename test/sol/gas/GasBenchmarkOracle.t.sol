// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleGasBench} from "../../../bench/sol/OracleGas.t.sol";

// The gas benchmark's code is in bench/sol/; the GasBenchmark*.t.sol files only let forge run it, one file per forge
// run (bench/ts/gas.mjs): all of it in one solcjs call does not fit in memory. Never run as plain tests.

/// @notice Gas of every protocol step (bench/sol/OracleGas.t.sol), snapshot group `oracle`.
contract OracleGasBenchmark is OracleGasBench {}
