// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CnnProofGasBench} from "../../../bench/sol/CnnProofGas.t.sol";

// The gas benchmark's code is in bench/sol/; the GasBenchmark*.t.sol files only let forge run it, one file per forge
// run (bench/ts/gas.mjs). Never run as plain tests.

/// @notice proposeWithProof of a 784-pixel image with the LeNet-5 example's public layout (bench/sol/CnnProofGas.t.sol),
/// group `cnn`.
contract CnnProofGasBenchmark is CnnProofGasBench {}
