// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BenchDeployment} from "./BenchDeployment.sol";

import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {VerifiableAIConsumer} from "../../src-sol/consumer/VerifiableAIConsumer.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceVerifier} from "../../src-sol/interfaces/IInferenceVerifier.sol";
import {IDisputes} from "../../src-sol/interfaces/IDisputes.sol";
import {
    OutputKind,
    InferenceError,
    RequestState,
    RequestTerms,
    Proposal,
    MaturedProposal
} from "../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "../../test/sol/utils/ModelEncoder.sol";
import {TestVerifier} from "../../test/sol/utils/TestVerifier.sol";

/// @dev A consumer whose callbacks do nothing, and a plain view of the cache for the cache-hit comparison.
contract BenchConsumer is VerifiableAIConsumer {
    constructor(address oracle) VerifiableAIConsumer(oracle) {}

    function request(uint256 modelId, int256[] calldata input, uint32 gasLimit, uint256 fee)
        external
        returns (uint256)
    {
        return _requestInference(modelId, input, gasLimit, fee);
    }

    /// @dev The "plain view call" of the target: read a cached result from the oracle.
    function readCache(uint256 modelId, bytes32 inputHash) public view returns (int256[] memory output) {
        (, output,) = InferenceOracle(address(inferenceOracle())).cachedResult(modelId, inputHash);
    }

    /// @dev The same view inside a transaction, measured like the cache-hit request (both pay the intrinsic cost).
    function readCacheInTransaction(uint256 modelId, bytes32 inputHash) external returns (uint256) {
        return readCache(modelId, inputHash).length;
    }

    function _onInferenceResult(uint256, int256[] calldata) internal override {}

    function _onInferenceError(uint256, InferenceError) internal override {}
}

/// @dev Computes reference outputs in its own frame, so the benchmark frame's memory stays small (memory
/// expansion of the measuring frame would otherwise be charged to the measured call).
contract Reference {
    function small(int256[] calldata input) external pure returns (int256[] memory) {
        return ModelEncoder.run(ModelEncoder.small(), input);
    }

    function digits(int256[] calldata input) external pure returns (int256[] memory) {
        return ModelEncoder.run(ModelEncoder.digits(7), input);
    }

    function digitsEncoding() external pure returns (bytes memory) {
        return ModelEncoder.encode(ModelEncoder.digits(7));
    }

    function smallEncoding() external pure returns (bytes memory) {
        return ModelEncoder.encode(ModelEncoder.small());
    }
}

/// @notice Gas of every protocol step, each top-level call an isolated transaction (profile `bench`).
contract OracleGasBench is BenchDeployment {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant WINDOW = 1 hours;
    uint32 internal constant CALLBACK_GAS = 100_000;

    BenchConsumer internal consumer;
    TestVerifier internal verifier;
    uint256 internal smallId;
    uint256 internal digitsId;
    /// The small model without weights or verifier: only the arbitrator can decide its disputes.
    uint256 internal arbitratedId;
    Reference internal ref = new Reference();
    address internal proposer = makeAddr("proposer");
    address internal challenger = makeAddr("challenger");
    address internal arbitrator = makeAddr("arbitrator");

    function setUp() public {
        _deployProtocol(arbitrator);
        bytes memory small = ref.smallEncoding();
        verifier = new TestVerifier(keccak256(small));
        smallId = registry.registerModel(_spec(small, 2, 2, -1024, 1024, OutputKind.Logits, verifier), small);
        bytes memory digits = ref.digitsEncoding();
        digitsId = registry.registerModel(
            _spec(digits, 64, 1, 0, 4096, OutputKind.ArgMax, IInferenceVerifier(address(0))), digits
        );
        arbitratedId = registry.registerModel(
            _spec(small, 2, 2, -1024, 1024, OutputKind.Logits, IInferenceVerifier(address(0))), ""
        );
        consumer = new BenchConsumer(address(oracle));
        vm.deal(address(consumer), 100 ether);
        vm.deal(proposer, 100 ether);
        vm.deal(challenger, 100 ether);
        vm.prank(proposer);
        oracle.depositStake{value: 50 ether}();
        vm.prank(challenger);
        oracle.depositStake{value: 50 ether}();
        // Steady state: a first request and a first finalization have already touched the counters.
        (uint256 id, RequestTerms memory t) = _request(smallId, _input(1, 1));
        Proposal memory p = _propose(id, t, ref.small(_input(1, 1)));
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(id, t, p, ref.small(_input(1, 1)));
    }

    function test_bench_optimisticCycle() public {
        int256[] memory input = _input(300, -200);
        int256[] memory output = ref.small(input);
        RequestTerms memory t = _terms(smallId, input, 2);
        vm.startSnapshotGas("oracle", "request");
        uint256 id = consumer.request(smallId, input, CALLBACK_GAS, FEE);
        uint256 gRequest = vm.stopSnapshotGas();
        vm.prank(proposer);
        vm.startSnapshotGas("oracle", "propose");
        oracle.propose(id, t, output);
        uint256 gPropose = vm.stopSnapshotGas();
        Proposal memory p = Proposal(proposer, address(0), keccak256(abi.encodePacked(output)), bytes32(0));
        vm.warp(block.timestamp + WINDOW);
        vm.startSnapshotGas("oracle", "finalize");
        oracle.finalize(id, t, p, output);
        uint256 gFinalize = vm.stopSnapshotGas();
        vm.snapshotValue("oracle", "optimisticCycle", gRequest + gPropose + gFinalize);

        // Cache hit versus a plain view of the same cached result.
        vm.startSnapshotGas("oracle", "cacheHitRequest");
        consumer.request(smallId, input, CALLBACK_GAS, 0);
        vm.stopSnapshotGas();
        bytes32 inputHash = keccak256(abi.encodePacked(input));
        vm.startSnapshotGas("oracle", "plainViewCall");
        consumer.readCacheInTransaction(smallId, inputHash);
        vm.stopSnapshotGas();
    }

    /// Steady state of a busy operator: each proposal transaction also finalizes one of its matured proposals
    /// (`proposeAndFinalize`), so a cycle costs a request plus one such transaction.
    function test_bench_optimisticCycleSteadyState() public {
        int256[] memory earlierInput = _input(11, 12);
        int256[] memory earlierOutput = ref.small(earlierInput);
        RequestTerms memory te = _terms(smallId, earlierInput, 2);
        uint256 earlier = consumer.request(smallId, earlierInput, CALLBACK_GAS, FEE);
        Proposal memory pe = _propose(earlier, te, earlierOutput);
        vm.warp(block.timestamp + WINDOW);

        int256[] memory input = _input(300, -200);
        int256[] memory output = ref.small(input);
        RequestTerms memory t = _terms(smallId, input, 2);
        vm.startSnapshotGas("oracle", "steadyStateRequest");
        uint256 id = consumer.request(smallId, input, CALLBACK_GAS, FEE);
        uint256 gRequest = vm.stopSnapshotGas();
        MaturedProposal[] memory matured = new MaturedProposal[](1);
        matured[0] = MaturedProposal(earlier, te, pe, earlierOutput);
        vm.prank(proposer);
        vm.startSnapshotGas("oracle", "proposeAndFinalize");
        oracle.proposeAndFinalize(id, t, output, matured);
        uint256 gBoth = vm.stopSnapshotGas();
        vm.snapshotValue("oracle", "optimisticCycleSteadyState", gRequest + gBoth);
        assertEq(uint8(oracle.requestState(earlier)), uint8(RequestState.Finalized));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Proposed));
    }

    function test_bench_challengeAndResolveWithProof() public {
        int256[] memory input = _input(300, -200);
        int256[] memory correct = ref.small(input);
        (uint256 id, RequestTerms memory t, Proposal memory d) =
            _disputed(smallId, input, new int256[](2), correct, "challenge");
        verifier.setProven(input, correct, true);
        bytes memory proof = verifier.proofFor(address(this));
        vm.startSnapshotGas("oracle", "resolveWithProof");
        disputes().resolveWithProof(id, t, d, input, correct, proof);
        vm.stopSnapshotGas();
    }

    function test_bench_resolveByReexecutionSmall() public {
        int256[] memory input = _input(5, 6);
        (uint256 id, RequestTerms memory t, Proposal memory d) =
            _disputed(smallId, input, new int256[](2), ref.small(input), "");
        vm.startSnapshotGas("oracle", "resolveByReexecution_small_2x3x2");
        disputes().resolveByReexecution(id, t, d, input);
        vm.stopSnapshotGas();
    }

    function test_bench_resolveByArbitration() public {
        int256[] memory input = _input(7, 8);
        int256[] memory decided = ref.small(input);
        (uint256 id, RequestTerms memory t, Proposal memory d) =
            _disputed(arbitratedId, input, new int256[](2), decided, "");
        vm.prank(arbitrator);
        vm.startSnapshotGas("oracle", "resolveByArbitration");
        disputes().resolveByArbitration(id, t, d, decided);
        vm.stopSnapshotGas();
    }

    /// 64 -> 32 -> 10 argmax model, re-executed on chain.
    function test_bench_resolveByReexecutionDigits() public {
        int256[] memory big = new int256[](64);
        for (uint256 i = 0; i < 64; ++i) {
            big[i] = int256((i * 97) % 4097);
        }
        RequestTerms memory tb = _terms(digitsId, big, 1);
        uint256 idb = consumer.request(digitsId, big, CALLBACK_GAS, FEE);
        int256[] memory wrongArg = new int256[](1);
        wrongArg[0] = ref.digits(big)[0] == 0 ? int256(1) : int256(0);
        Proposal memory pb = _propose(idb, tb, wrongArg);
        bytes32 claim = keccak256(abi.encodePacked(ref.digits(big)));
        vm.prank(challenger);
        disputes().challenge(idb, tb, pb, claim);
        (pb.challenger, pb.claimHash) = (challenger, claim);
        vm.startSnapshotGas("oracle", "resolveByReexecution_digits_64x32x10");
        disputes().resolveByReexecution(idb, tb, pb, big);
        vm.stopSnapshotGas();
    }

    function test_bench_proposeWithProof() public {
        int256[] memory input = _input(9, 9);
        (uint256 id, RequestTerms memory t) = _request(smallId, input);
        int256[] memory output = ref.small(input);
        verifier.setProven(input, output, true);
        bytes memory proof = verifier.proofFor(address(this));
        vm.startSnapshotGas("oracle", "proposeWithProof");
        oracle.proposeWithProof(id, t, input, output, proof);
        vm.stopSnapshotGas();
    }

    function _disputed(
        uint256 model,
        int256[] memory input,
        int256[] memory output,
        int256[] memory claim,
        string memory label
    ) internal returns (uint256 id, RequestTerms memory t, Proposal memory d) {
        (id, t) = _request(model, input);
        d = _propose(id, t, output);
        bytes32 claimHash = keccak256(abi.encodePacked(claim));
        vm.prank(challenger);
        if (bytes(label).length != 0) vm.startSnapshotGas("oracle", label);
        disputes().challenge(id, t, d, claimHash);
        if (bytes(label).length != 0) vm.stopSnapshotGas();
        d.challenger = challenger;
        d.claimHash = claimHash;
    }

    function disputes() internal view returns (IDisputes) {
        return IDisputes(address(oracle));
    }

    function _request(uint256 model, int256[] memory input) internal returns (uint256 id, RequestTerms memory t) {
        t = _terms(model, input, model == digitsId ? 1 : 2);
        id = consumer.request(model, input, CALLBACK_GAS, FEE);
    }

    function _propose(uint256 id, RequestTerms memory t, int256[] memory output) internal returns (Proposal memory) {
        vm.prank(proposer);
        oracle.propose(id, t, output);
        return Proposal(proposer, address(0), keccak256(abi.encodePacked(output)), bytes32(0));
    }

    function _terms(uint256 model, int256[] memory input, uint16 outputLength)
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
            disputeWindow: model == arbitratedId ? 2 days : 1 days,
            verifierVersion: model == smallId ? 1 : 0,
            accepts: 0
        });
    }

    function _spec(
        bytes memory encoding,
        uint16 inputLength,
        uint16 outputLength,
        int64 lo,
        int64 hi,
        OutputKind kind,
        IInferenceVerifier v
    ) internal pure returns (IModelRegistry.ModelSpec memory) {
        return IModelRegistry.ModelSpec({
            modelHash: keccak256(encoding),
            inputLength: inputLength,
            outputLength: outputLength,
            inputMin: lo,
            inputMax: hi,
            scaleBits: 8,
            outputKind: kind,
            verifier: v,
            challengeWindow: WINDOW,
            minBond: BOND,
            fee: FEE
        });
    }

    function _input(int256 a, int256 b) internal pure returns (int256[] memory x) {
        x = new int256[](2);
        x[0] = a;
        x[1] = b;
    }
}
