// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BenchDeployment} from "./BenchDeployment.sol";

import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {InputHashKind, OutputKind, RequestState, RequestTerms} from "../../src-sol/types/InferenceTypes.sol";
import {FashionLayoutVerifier} from "../../src-sol/verifiers/FashionLayoutVerifier.sol";
import {FashionCommittedVerifier} from "../../src-sol/verifiers/FashionCommittedVerifier.sol";
import {ZkFixtures} from "../../test/sol/utils/ZkFixtures.sol";
import {PoseidonDeployment} from "../../test/sol/utils/PoseidonDeployment.sol";
import {BenchConsumer} from "./OracleGas.t.sol";

/// @notice Gas of `proposeWithProof` for a 784-pixel Fashion-MNIST image with the public layout of the LeNet-5
/// example (8-bit pixels at scale 1 packed 31 to a signal, an argmax, the prover: 28 public signals), with a real
/// Groth16 verifier and proof of a graph of that layout (script/zk/graph-fixtures.ts: a Groth16 verification costs
/// the same for any circuit behind the same public signals). Whole transactions (`vm.lastCallGas`), prover staked.
/// Then the same graph with a committed input (`fashion-committed`: the model registered with
/// `InputHashKind.Poseidon`, the circuit's public signals the argmax, the input's Poseidon commitment and the prover:
/// 3 signals, the LeNet-5's count under that layout): the request pays the commitment, the proof carries no input.
contract CnnProofGasBench is BenchDeployment, ZkFixtures, PoseidonDeployment {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant WINDOW = 1 hours;
    uint32 internal constant CALLBACK_GAS = 100_000;

    BenchConsumer internal consumer;
    uint256 internal modelId;
    Case internal fixture;
    uint256 internal committedId;
    Case internal committedFixture;

    function setUp() public {
        _deployProtocol(makeAddr("arbitrator"));
        _deployPoseidon();
        FashionLayoutVerifier verifier = new FashionLayoutVerifier();
        modelId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: verifier.modelHash(),
                inputLength: 784,
                outputLength: 1,
                inputMin: 0,
                inputMax: 255,
                scaleBits: 6,
                outputKind: OutputKind.ArgMax,
                verifier: verifier,
                challengeWindow: WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            ""
        );
        consumer = new BenchConsumer(address(oracle));
        vm.deal(address(consumer), 10 ether);
        fixture = _case("fashion-layout", "");
        FashionCommittedVerifier committed = new FashionCommittedVerifier();
        committedId = registry.registerModelWithInputHash(
            IModelRegistry.ModelSpec({
                modelHash: committed.modelHash(),
                inputLength: 784,
                outputLength: 1,
                inputMin: 0,
                inputMax: 255,
                scaleBits: 6,
                outputKind: OutputKind.ArgMax,
                verifier: committed,
                challengeWindow: WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            "",
            InputHashKind.Poseidon
        );
        committedFixture = _case("fashion-committed", "");
    }

    function test_bench_proposeWithProofFashionImageCommitted() public {
        vm.deal(committedFixture.prover, 1 ether);
        vm.prank(committedFixture.prover);
        oracle.depositStake{value: 1 ether}();
        Case memory c = committedFixture;
        RequestTerms memory terms = RequestTerms({
            requester: address(consumer),
            modelId: uint64(committedId),
            callbackGasLimit: CALLBACK_GAS,
            fee: FEE,
            bond: BOND,
            challengeWindow: WINDOW,
            outputLength: 1,
            deadline: uint40(block.timestamp + 1 hours),
            inputHash: vm.parseJsonBytes32(_json("fashion-committed"), ".inputHash"),
            disputeWindow: 1 days,
            verifierVersion: 1,
            accepts: 0
        });
        uint256 id = consumer.request(committedId, c.input, CALLBACK_GAS, FEE);
        vm.snapshotValue("cnn", "requestFashionImageCommitted", vm.lastCallGas().gasTotalUsed);
        int256[] memory noInput;
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, noInput, c.output, c.proof);
        vm.snapshotValue("cnn", "proposeWithProofFashionImageCommitted", vm.lastCallGas().gasTotalUsed);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }

    function test_bench_proposeWithProofFashionImage() public {
        vm.deal(fixture.prover, 1 ether);
        vm.prank(fixture.prover);
        oracle.depositStake{value: 1 ether}();
        Case memory c = fixture;
        RequestTerms memory terms = RequestTerms({
            requester: address(consumer),
            modelId: uint64(modelId),
            callbackGasLimit: CALLBACK_GAS,
            fee: FEE,
            bond: BOND,
            challengeWindow: WINDOW,
            outputLength: 1,
            deadline: uint40(block.timestamp + 1 hours),
            inputHash: keccak256(abi.encodePacked(c.input)),
            disputeWindow: 1 days,
            verifierVersion: 1,
            accepts: 0
        });
        uint256 id = consumer.request(modelId, c.input, CALLBACK_GAS, FEE);
        vm.snapshotValue("cnn", "requestFashionImage", vm.lastCallGas().gasTotalUsed);
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        vm.snapshotValue("cnn", "proposeWithProofFashionImage", vm.lastCallGas().gasTotalUsed);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }
}
