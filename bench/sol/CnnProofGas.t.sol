// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BenchDeployment} from "./BenchDeployment.sol";

import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {OutputKind, RequestState, RequestTerms} from "../../src-sol/types/InferenceTypes.sol";
import {FashionLayoutVerifier} from "../../src-sol/verifiers/FashionLayoutVerifier.sol";
import {ZkFixtures} from "../../test/sol/utils/ZkFixtures.sol";
import {BenchConsumer} from "./OracleGas.t.sol";

/// @notice Gas of `proposeWithProof` for a 784-pixel Fashion-MNIST image with the public layout of the LeNet-5
/// example (8-bit pixels at scale 1 packed 31 to a signal, an argmax, the prover: 28 public signals), with a real
/// Groth16 verifier and proof of a graph of that layout (script/zk/graph-fixtures.ts: a Groth16 verification costs
/// the same for any circuit behind the same public signals). Whole transactions (`vm.lastCallGas`), prover staked.
contract CnnProofGasBench is BenchDeployment, ZkFixtures {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant WINDOW = 1 hours;
    uint32 internal constant CALLBACK_GAS = 100_000;

    BenchConsumer internal consumer;
    uint256 internal modelId;
    Case internal fixture;

    function setUp() public {
        _deployProtocol(makeAddr("arbitrator"));
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
