// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

/// @title Gas budgets of the protocol's key paths
/// @notice Each test fails when one key path costs more gas than its budget. The figures are whole transactions
/// (intrinsic 21,000, calldata, cold storage, refunds applied) measured by the gas benchmark (bench/sol/, forge
/// profile `bench`, `isolate = true`) and written as forge gas snapshots (`<group>.json`, one figure per key):
/// - by default the committed figures in bench/results/gas/ (`npm run bench:gas` writes them);
/// - in `npm test`, a fresh run's: script/test-sol.mjs runs the benchmark into cache/gas-snapshots/ first and points
///   `VAI_GAS_SNAPSHOTS` (a folder relative to the project root) at it, so a change that makes a path dearer fails
///   the test suite even before anyone re-runs the benchmark.
/// @dev A budget is the figure measured when it was set plus about 2 %, unless a target fixes it (a comparison with
/// Chainlink, v1's cost, the ZK proof limit). To change one, change its constant below and say why in the commit;
/// re-run `npm run bench:gas` so that bench/results/ shows the new figures.
contract GasBudgetsTest is Test {
    /// @notice A key path costs more gas than its budget.
    /// @param path The figure's key in its snapshot file.
    /// @param gas The measured gas.
    /// @param budget The most gas the path may cost.
    error GasBudgetExceeded(string path, uint256 gas, uint256 budget);

    /// @notice A snapshot file lacks a figure that a budget needs (the benchmark was renamed or did not run).
    /// @param file The snapshot file read.
    /// @param path The missing key.
    error GasFigureMissing(string file, string path);

    /// @dev Where the figures are when `VAI_GAS_SNAPSHOTS` is not set: the committed benchmark results.
    string internal constant COMMITTED_FIGURES = "bench/results/gas";

    // Targets (bench/results/gas.md, "Targets").
    /// @dev Steady-state optimistic cycle (request + proposeAndFinalize): no dearer than Chainlink's direct-request
    /// cycle (`transferAndCall` → `oracleRequest`, then `fulfillOracleRequest2`), 169,972.
    uint256 internal constant STEADY_OPTIMISTIC_CYCLE = 169_972;
    /// @dev Standalone optimistic cycle (request + propose + finalize): no dearer than protocol v1's 196,666.
    uint256 internal constant STANDALONE_OPTIMISTIC_CYCLE = 196_666;
    /// @dev proposeWithProof with the trained digits model's Groth16 verifier, prover already staked.
    uint256 internal constant PROPOSE_WITH_PROOF_DIGITS_TRAINED = 335_000;
    /// @dev A cache-hit request may cost at most this much more than reading the cached result in a transaction.
    uint256 internal constant CACHE_HIT_OVER_PLAIN_VIEW = 30_000;
    /// @dev Optimistic steady-state cycle per request at K = 16 (request + 1/16 of a proposeBatch of 16 carrying 16
    /// matured finalizations), issue 15.
    uint256 internal constant OPTIMISTIC_BATCH16_STEADY_CYCLE_PER_REQUEST = 120_000;

    // Steps (measured figure when set, + ~2 %).
    uint256 internal constant REQUEST = 82_800; // 81,165
    uint256 internal constant PROPOSE = 58_300; // 57,138
    uint256 internal constant CHALLENGE = 53_100; // 52,029
    uint256 internal constant FINALIZE = 59_100; // 57,920
    uint256 internal constant PROPOSE_AND_FINALIZE = 88_000; // 86,229
    uint256 internal constant RESOLVE_WITH_PROOF = 225_100; // 220,671
    /// @dev 156,000 since the dispute module also runs `syncModel` and `deliverCallback` for the oracle (room under
    /// EIP-170): its larger dispatcher costs the resolution paths about 450 gas.
    uint256 internal constant RESOLVE_BY_ARBITRATION = 156_000; // 152,968
    uint256 internal constant RESOLVE_BY_REEXECUTION_SMALL = 187_900; // 184,124
    uint256 internal constant RESOLVE_BY_REEXECUTION_DIGITS = 1_627_000; // 1,595,090
    uint256 internal constant PROPOSE_WITH_PROOF_TEST_VERIFIER = 95_900; // 93,950
    uint256 internal constant CACHE_HIT_REQUEST = 54_300; // 53,213
    uint256 internal constant OPTIMISTIC_BATCH16_CYCLE_PER_REQUEST = 122_400; // 119,982
    uint256 internal constant PROPOSE_BATCH16 = 307_000; // 301,102
    uint256 internal constant FINALIZE_BATCH16 = 383_000; // 375,683
    uint256 internal constant PROPOSE_WITH_PROOF_BATCH1 = 327_700; // 321,272
    uint256 internal constant PROPOSE_WITH_PROOF_BATCH4 = 507_600; // 497,690
    uint256 internal constant PROPOSE_WITH_PROOF_BATCH16 = 1_220_700; // 1,196,690 (74,793 a request; the target of 60,000 is not met)
    /// @dev proposeWithProof of a 784-pixel image with the LeNet-5 example's public layout (28 signals, 784 int256 of
    /// input in calldata): 797,033. Issue 12's target of 350,000 is not met (docs/ZK.md, "Graph circuits on chain").
    uint256 internal constant PROPOSE_WITH_PROOF_FASHION_IMAGE = 813_000; // 797,033
    /// @dev The same image with its input committed (`InputHashKind.Poseidon`: 3 signals, no input in calldata):
    /// issue 12's target, met (docs/ZK.md, "Committed input").
    uint256 internal constant PROPOSE_WITH_PROOF_FASHION_IMAGE_COMMITTED = 350_000; // 277,330
    /// @dev Its request, which pays the commitment (nine PoseidonT5 permutations and the packing).
    uint256 internal constant REQUEST_FASHION_IMAGE_COMMITTED = 1_912_000; // 1,874,526

    function test_steadyOptimisticCycle_costsNoMoreThanChainlinkCycle() public view {
        _assertWithin("oracle", "optimisticCycleSteadyState", STEADY_OPTIMISTIC_CYCLE);
    }

    function test_steadyOptimisticCycle_costsNoMoreThanChainlinkCycleOfSameRun() public view {
        _assertWithin("oracle", "optimisticCycleSteadyState", _figure("chainlink", "cycle"));
    }

    function test_standaloneOptimisticCycle_costsNoMoreThanV1() public view {
        _assertWithin("oracle", "optimisticCycle", STANDALONE_OPTIMISTIC_CYCLE);
    }

    function test_proposeWithProof_trainedDigitsVerifier_staysWithinProofLimit() public view {
        _assertWithin("oracle", "proposeWithProofDigitsTrained", PROPOSE_WITH_PROOF_DIGITS_TRAINED);
    }

    function test_cacheHitRequest_costsAtMost30kMoreThanPlainView() public view {
        _assertWithin("oracle", "cacheHitRequest", _figure("oracle", "plainViewCall") + CACHE_HIT_OVER_PLAIN_VIEW);
    }

    function test_cacheHitRequest_staysWithinBudget() public view {
        _assertWithin("oracle", "cacheHitRequest", CACHE_HIT_REQUEST);
    }

    function test_request_staysWithinBudget() public view {
        _assertWithin("oracle", "request", REQUEST);
    }

    function test_steadyStateRequest_staysWithinBudget() public view {
        _assertWithin("oracle", "steadyStateRequest", REQUEST);
    }

    function test_propose_staysWithinBudget() public view {
        _assertWithin("oracle", "propose", PROPOSE);
    }

    function test_challenge_staysWithinBudget() public view {
        _assertWithin("oracle", "challenge", CHALLENGE);
    }

    function test_finalize_staysWithinBudget() public view {
        _assertWithin("oracle", "finalize", FINALIZE);
    }

    function test_proposeAndFinalize_staysWithinBudget() public view {
        _assertWithin("oracle", "proposeAndFinalize", PROPOSE_AND_FINALIZE);
    }

    function test_resolveWithProof_staysWithinBudget() public view {
        _assertWithin("oracle", "resolveWithProof", RESOLVE_WITH_PROOF);
    }

    function test_resolveByArbitration_staysWithinBudget() public view {
        _assertWithin("oracle", "resolveByArbitration", RESOLVE_BY_ARBITRATION);
    }

    function test_resolveByReexecution_smallModel_staysWithinBudget() public view {
        _assertWithin("oracle", "resolveByReexecution_small_2x3x2", RESOLVE_BY_REEXECUTION_SMALL);
    }

    function test_resolveByReexecution_digitsModel_staysWithinBudget() public view {
        _assertWithin("oracle", "resolveByReexecution_digits_64x32x10", RESOLVE_BY_REEXECUTION_DIGITS);
    }

    function test_proposeWithProof_testVerifier_staysWithinBudget() public view {
        _assertWithin("oracle", "proposeWithProof", PROPOSE_WITH_PROOF_TEST_VERIFIER);
    }

    function test_optimisticBatch16SteadyCycle_perRequest_meetsTarget() public view {
        _assertWithin("batch", "optimisticBatch16SteadyCyclePerRequest", OPTIMISTIC_BATCH16_STEADY_CYCLE_PER_REQUEST);
    }

    function test_optimisticBatch16Cycle_perRequest_staysWithinBudget() public view {
        _assertWithin("batch", "optimisticBatch16CyclePerRequest", OPTIMISTIC_BATCH16_CYCLE_PER_REQUEST);
    }

    function test_proposeBatch16_staysWithinBudget() public view {
        _assertWithin("batch", "proposeBatch16", PROPOSE_BATCH16);
    }

    function test_finalizeBatch16_staysWithinBudget() public view {
        _assertWithin("batch", "finalizeBatch16", FINALIZE_BATCH16);
    }

    function test_proposeWithProofBatch1_staysWithinBudget() public view {
        _assertWithin("batch", "proposeWithProofBatch1", PROPOSE_WITH_PROOF_BATCH1);
    }

    function test_proposeWithProofBatch4_staysWithinBudget() public view {
        _assertWithin("batch", "proposeWithProofBatch4", PROPOSE_WITH_PROOF_BATCH4);
    }

    function test_proposeWithProofBatch16_staysWithinBudget() public view {
        _assertWithin("batch", "proposeWithProofBatch16", PROPOSE_WITH_PROOF_BATCH16);
    }

    function test_proposeWithProofFashionImage_staysWithinBudget() public view {
        _assertWithin("cnn", "proposeWithProofFashionImage", PROPOSE_WITH_PROOF_FASHION_IMAGE);
    }

    function test_proposeWithProofFashionImageCommitted_meetsTarget() public view {
        _assertWithin("cnn", "proposeWithProofFashionImageCommitted", PROPOSE_WITH_PROOF_FASHION_IMAGE_COMMITTED);
    }

    function test_requestFashionImageCommitted_staysWithinBudget() public view {
        _assertWithin("cnn", "requestFashionImageCommitted", REQUEST_FASHION_IMAGE_COMMITTED);
    }

    /// @dev Reverts with {GasBudgetExceeded} when the figure `key` of snapshot group `group` exceeds `budget`.
    function _assertWithin(string memory group, string memory key, uint256 budget) internal view {
        uint256 gas = _figure(group, key);
        if (gas > budget) revert GasBudgetExceeded(key, gas, budget);
    }

    /// @dev Figure `key` of the snapshot file `<group>.json` (forge writes each figure as a decimal string).
    function _figure(string memory group, string memory key) internal view returns (uint256) {
        string memory dir = vm.envOr("VAI_GAS_SNAPSHOTS", COMMITTED_FIGURES);
        string memory file = string.concat(vm.projectRoot(), "/", dir, "/", group, ".json");
        string memory json = vm.readFile(file);
        string memory path = string.concat(".", key);
        if (!vm.keyExistsJson(json, path)) revert GasFigureMissing(file, key);
        return vm.parseUint(vm.parseJsonString(json, path));
    }
}
