// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BenchDeployment} from "./BenchDeployment.sol";

import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {OutputKind, RequestState, RequestTerms} from "../../src-sol/types/InferenceTypes.sol";
import {DigitsTrainedVerifier} from "../../src-sol/verifiers/DigitsTrainedVerifier.sol";
import {ZkFixtures} from "../../test/sol/utils/ZkFixtures.sol";
import {BenchConsumer} from "./OracleGas.t.sol";

/// @notice Gas of `proposeWithProof` with the real Groth16 verifier of the trained digits model and its committed
/// proof fixture (made for the fixture's prover address), each top-level call an isolated transaction (profile
/// `bench`): for a prover that already holds a stake, and for one whose first fee creates its stake slot. Figures are
/// whole transactions (`vm.lastCallGas`).
contract ProofGasBench is BenchDeployment, ZkFixtures {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant WINDOW = 1 hours;
    uint32 internal constant CALLBACK_GAS = 100_000;

    BenchConsumer internal consumer;
    uint256 internal modelId;
    Case internal fixture;

    function setUp() public {
        _deployProtocol(makeAddr("arbitrator"));
        DigitsTrainedVerifier verifier = new DigitsTrainedVerifier();
        // The trained digits model's shape, range and scale (script/zk/fixtures.ts); no weights: proofs only.
        modelId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: verifier.modelHash(),
                inputLength: 64,
                outputLength: 1,
                inputMin: 0,
                inputMax: 131_072,
                scaleBits: 13,
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
        fixture = _case("digits-trained", "");
    }

    function test_bench_proposeWithProofDigitsTrained() public {
        // An operator that already holds a stake, as the node's provers do.
        vm.deal(fixture.prover, 1 ether);
        vm.prank(fixture.prover);
        oracle.depositStake{value: 1 ether}();
        _measure("proposeWithProofDigitsTrained");
    }

    function test_bench_proposeWithProofDigitsTrainedFirstFee() public {
        _measure("proposeWithProofDigitsTrainedFirstFee");
    }

    function _measure(string memory label) internal {
        // Read before measuring: the snapshot counts the test frame's own work too (storage reads, encoding).
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
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        // The transaction's gas as the EVM charges it (intrinsic 21,000 and calldata included). A gas snapshot
        // around the call would also count the test frame encoding 2 kB of calldata (about 7 k here).
        vm.snapshotValue("oracle", label, vm.lastCallGas().gasTotalUsed);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }
}
