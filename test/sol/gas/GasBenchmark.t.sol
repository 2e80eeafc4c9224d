// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleGasBench} from "../../../bench/sol/OracleGas.t.sol";
import {ProofGasBench} from "../../../bench/sol/ProofGas.t.sol";
import {ChainlinkCycleBench} from "../../../bench/sol/ChainlinkCycle.t.sol";
import {BatchGasBench} from "../../../bench/sol/BatchGas.t.sol";

// The gas benchmark's code is in bench/sol/; these contracts only let forge run it. Forge looks for test contracts
// in the profile's `test` folder (test/sol) only, and a profile with a `test` folder of its own makes forge rebuild
// its whole cache at every switch (more than solcjs can compile at once). Run isolated, never as plain tests:
//   FOUNDRY_PROFILE=bench npx forge test --match-path test/sol/gas/GasBenchmark.t.sol   (npm run bench:gas)
// writes the gas snapshots to bench/results/gas/; script/test-sol.mjs runs it into cache/gas-snapshots/ before the
// budget tests (GasBudgets.t.sol).

/// @notice Gas of every protocol step (bench/sol/OracleGas.t.sol), snapshot group `oracle`.
contract OracleGasBenchmark is OracleGasBench {}

/// @notice proposeWithProof with the trained digits model's Groth16 verifier (bench/sol/ProofGas.t.sol), group `oracle`.
contract ProofGasBenchmark is ProofGasBench {}

/// @notice Chainlink's direct-request cycle (bench/sol/ChainlinkCycle.t.sol), snapshot group `chainlink`.
contract ChainlinkCycleBenchmark is ChainlinkCycleBench {}

/// @notice Batches: proof batches of the trained digits model, optimistic batches (bench/sol/BatchGas.t.sol), group
/// `batch`.
contract BatchGasBenchmark is BatchGasBench {}
