// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProofGasBench} from "../../../bench/sol/ProofGas.t.sol";

// The gas benchmark's code is in bench/sol/; the GasBenchmark*.t.sol files only let forge run it, one file per forge
// run (bench/ts/gas.mjs): all of it in one solcjs call does not fit in memory. Never run as plain tests.

/// @notice proposeWithProof with the trained digits model's Groth16 verifier (bench/sol/ProofGas.t.sol), group `oracle`.
contract ProofGasBenchmark is ProofGasBench {}
