// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BenchDeployment} from "./BenchDeployment.sol";
import {BenchConsumer, Reference} from "./OracleGas.t.sol";

import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {IBatches} from "../../src-sol/interfaces/IBatches.sol";
import {
    OutputKind,
    RequestState,
    RequestTerms,
    Proposal,
    MaturedProposal
} from "../../src-sol/types/InferenceTypes.sol";
import {DigitsTrainedVerifier} from "../../src-sol/verifiers/DigitsTrainedVerifier.sol";
import {DigitsTrainedBatch1Verifier} from "../../src-sol/verifiers/DigitsTrainedBatch1Verifier.sol";
import {DigitsTrainedBatch4Verifier} from "../../src-sol/verifiers/DigitsTrainedBatch4Verifier.sol";
import {DigitsTrainedBatch16Verifier} from "../../src-sol/verifiers/DigitsTrainedBatch16Verifier.sol";
import {TestVerifier} from "../../test/sol/utils/TestVerifier.sol";

/// @notice Gas of batches, each top-level call an isolated transaction (profile `bench`), snapshot group `batch`:
/// - `proposeWithProofBatch` with the real Groth16 batch verifiers of the trained digits model (K = 1, 4, 16) and
///   their committed fixtures (`npm run zk:batch-fixtures`: K real rows, one proof made for the fixture's prover, who
///   holds a stake), consumer callbacks doing nothing; beside it the digits request transaction of the same run;
/// - the optimistic path at K = 16 on the 2-input model of the oracle benchmark: `proposeBatch` alone, `finalizeBatch`
///   alone, and the steady state, a `proposeBatch` of 16 new requests that also finalizes 16 matured proposals.
/// Per-request figures are the batch transaction's gas divided by K (rounded down).
contract BatchGasBench is BenchDeployment {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant WINDOW = 1 hours;
    uint32 internal constant CALLBACK_GAS = 100_000;
    uint256 internal constant OPTIMISTIC_K = 16;

    BenchConsumer internal consumer;
    Reference internal ref;
    uint256 internal digitsId;
    uint256 internal smallId;
    address internal operator = makeAddr("operator");

    function setUp() public {
        _deployProtocol(makeAddr("arbitrator"));
        DigitsTrainedVerifier single = new DigitsTrainedVerifier();
        digitsId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: single.modelHash(),
                inputLength: 64,
                outputLength: 1,
                inputMin: 0,
                inputMax: 131_072,
                scaleBits: 13,
                outputKind: OutputKind.ArgMax,
                verifier: single,
                challengeWindow: WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            ""
        );
        IBatches batches = IBatches(address(oracle));
        batches.setBatchVerifier(digitsId, 1, 1, new DigitsTrainedBatch1Verifier());
        batches.setBatchVerifier(digitsId, 1, 4, new DigitsTrainedBatch4Verifier());
        batches.setBatchVerifier(digitsId, 1, 16, new DigitsTrainedBatch16Verifier());
        ref = new Reference();
        bytes memory smallEncoding = ref.smallEncoding();
        smallId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: keccak256(smallEncoding),
                inputLength: 2,
                outputLength: 2,
                inputMin: -1024,
                inputMax: 1024,
                scaleBits: 8,
                outputKind: OutputKind.Logits,
                verifier: new TestVerifier(keccak256(smallEncoding)),
                challengeWindow: WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            smallEncoding
        );
        consumer = new BenchConsumer(address(oracle));
        vm.deal(address(consumer), 100 ether);
        vm.deal(operator, 100 ether);
        vm.prank(operator);
        oracle.depositStake{value: 100 ether}();
    }

    function test_bench_proofBatch1() public {
        _proofBatch(1);
    }

    function test_bench_proofBatch4() public {
        _proofBatch(4);
    }

    function test_bench_proofBatch16() public {
        _proofBatch(16);
    }

    function test_bench_optimisticBatch16() public {
        (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory outputs, uint256 requestGas) =
            _smallRequests(0);
        IBatches batches = IBatches(address(oracle));
        vm.prank(operator);
        batches.proposeBatch(ids, terms, outputs, new MaturedProposal[](0));
        uint256 proposeGas = vm.lastCallGas().gasTotalUsed;
        vm.warp(block.timestamp + WINDOW);
        MaturedProposal[] memory matured = _matured(ids, terms, outputs);

        // Steady state: the next 16 proposals carry the 16 matured finalizations.
        (uint256[] memory ids2, RequestTerms[] memory terms2, int256[][] memory outputs2, uint256 requestGas2) =
            _smallRequests(OPTIMISTIC_K);
        vm.prank(operator);
        batches.proposeBatch(ids2, terms2, outputs2, matured);
        uint256 steadyGas = vm.lastCallGas().gasTotalUsed;
        assertEq(uint8(oracle.requestState(ids[OPTIMISTIC_K - 1])), uint8(RequestState.Finalized));

        // Finalization alone, of the second 16.
        vm.warp(block.timestamp + WINDOW);
        batches.finalizeBatch(_matured(ids2, terms2, outputs2));
        uint256 finalizeGas = vm.lastCallGas().gasTotalUsed;
        assertEq(uint8(oracle.requestState(ids2[OPTIMISTIC_K - 1])), uint8(RequestState.Finalized));

        uint256 request = (requestGas + requestGas2) / (2 * OPTIMISTIC_K);
        vm.snapshotValue("batch", "smallRequest", request);
        vm.snapshotValue("batch", "proposeBatch16", proposeGas);
        vm.snapshotValue("batch", "finalizeBatch16", finalizeGas);
        vm.snapshotValue("batch", "proposeBatch16CarryingFinalizeBatch16", steadyGas);
        vm.snapshotValue(
            "batch", "optimisticBatch16CyclePerRequest", request + (proposeGas + finalizeGas) / OPTIMISTIC_K
        );
        vm.snapshotValue("batch", "optimisticBatch16SteadyCyclePerRequest", request + steadyGas / OPTIMISTIC_K);
    }

    function _proofBatch(uint256 k) internal {
        string memory json = vm.readFile(
            string.concat(vm.projectRoot(), "/test/sol/fixtures/zk/digits-trained-batch", vm.toString(k), ".json")
        );
        address prover = vm.parseJsonAddress(json, ".prover");
        vm.deal(prover, 1 ether);
        vm.prank(prover);
        oracle.depositStake{value: 1 ether}();
        uint256[] memory ids = new uint256[](k);
        RequestTerms[] memory terms = new RequestTerms[](k);
        uint256 requestGas;
        for (uint256 i = 0; i < k; ++i) {
            int256[] memory input = vm.parseJsonIntArray(json, string.concat(".inputs[", vm.toString(i), "]"));
            terms[i] = _terms(digitsId, input, 1, 1);
            ids[i] = consumer.request(digitsId, input, CALLBACK_GAS, FEE);
            requestGas += vm.lastCallGas().gasTotalUsed;
        }
        IBatches.BatchProof memory batch = IBatches.BatchProof({
            modelId: uint64(digitsId),
            verifierVersion: 1,
            batchSize: uint16(k),
            signals: vm.parseJsonUintArray(json, ".signals"),
            proof: vm.parseJsonBytes(json, ".proof")
        });
        vm.prank(prover);
        IBatches(address(oracle)).proposeWithProofBatch(batch, ids, terms);
        uint256 gas = vm.lastCallGas().gasTotalUsed;
        for (uint256 i = 0; i < k; ++i) {
            assertEq(uint8(oracle.requestState(ids[i])), uint8(RequestState.Finalized));
        }
        string memory name = vm.toString(k);
        vm.snapshotValue("batch", string.concat("proposeWithProofBatch", name), gas);
        vm.snapshotValue("batch", string.concat("proofBatch", name, "PerRequest"), gas / k);
        vm.snapshotValue("batch", string.concat("digitsRequestInBatch", name), requestGas / k);
    }

    /// @dev 16 requests of the 2-input model (inputs offset by `from`), with terms, correct outputs and their gas.
    function _smallRequests(uint256 from)
        internal
        returns (uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory outputs, uint256 gas)
    {
        ids = new uint256[](OPTIMISTIC_K);
        terms = new RequestTerms[](OPTIMISTIC_K);
        outputs = new int256[][](OPTIMISTIC_K);
        for (uint256 i = 0; i < OPTIMISTIC_K; ++i) {
            int256[] memory input = new int256[](2);
            (input[0], input[1]) = (int256(100 + from + i), -int256(7 * (from + i)));
            outputs[i] = ref.small(input);
            terms[i] = _terms(smallId, input, 2, 1);
            ids[i] = consumer.request(smallId, input, CALLBACK_GAS, FEE);
            gas += vm.lastCallGas().gasTotalUsed;
        }
    }

    function _matured(uint256[] memory ids, RequestTerms[] memory terms, int256[][] memory outputs)
        internal
        view
        returns (MaturedProposal[] memory m)
    {
        m = new MaturedProposal[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            m[i] = MaturedProposal(
                ids[i], terms[i], Proposal(operator, address(0), keccak256(abi.encodePacked(outputs[i])), 0), outputs[i]
            );
        }
    }

    function _terms(uint256 model, int256[] memory input, uint16 outputLength, uint16 version)
        internal
        view
        returns (RequestTerms memory)
    {
        return RequestTerms({
            requester: address(consumer),
            modelId: uint64(model),
            callbackGasLimit: CALLBACK_GAS,
            fee: FEE,
            bond: BOND,
            challengeWindow: WINDOW,
            outputLength: outputLength,
            deadline: uint40(block.timestamp + 1 hours),
            inputHash: keccak256(abi.encodePacked(input)),
            disputeWindow: 1 days,
            verifierVersion: version,
            accepts: 0
        });
    }
}
