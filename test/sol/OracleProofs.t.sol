// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ZkFixtures} from "./utils/ZkFixtures.sol";
import {Vm} from "forge-std/Vm.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {MockConsumer} from "./utils/MockConsumer.sol";
import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {IOracleEvents} from "../../src-sol/interfaces/IOracleEvents.sol";
import {IInferenceConsumer} from "../../src-sol/interfaces/IInferenceConsumer.sol";
import {IDisputes} from "../../src-sol/interfaces/IDisputes.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceVerifier} from "../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestState, RequestTerms, Proposal, Provenance} from "../../src-sol/types/InferenceTypes.sol";
import {TinyVerifier} from "../../src-sol/verifiers/TinyVerifier.sol";
import {TinyOtherVerifier} from "../../src-sol/verifiers/TinyOtherVerifier.sol";
import {DigitsVerifier} from "../../src-sol/verifiers/DigitsVerifier.sol";
import {DigitsTrainedVerifier} from "../../src-sol/verifiers/DigitsTrainedVerifier.sol";

/// @dev Foundry's `cool` cheatcode (marks an account and its storage cold again); declared here because the
/// vendored forge-std's Vm interface predates it.
interface ICoolCheat {
    function cool(address target) external;
}

/// @notice The oracle with the generated Groth16 verifiers and the committed real proofs
/// (test/sol/fixtures/zk/*.json, made by `npm run zk:fixtures`): instant finality, wrong outputs, a proof for
/// another model, a proof copied by another sender, and disputes settled by a real proof. Every fixture proof is
/// made for the fixture's `prover` address, so each call that must pass the proof check is sent from it.
contract OracleProofsTest is OracleFixture, ZkFixtures {
    uint256 internal tinyId;
    uint256 internal tinyOtherId;
    uint256 internal digitsId;
    uint256 internal digitsTrainedId;

    function setUp() public override {
        super.setUp();
        vm.startPrank(owner);
        // Shapes, ranges and scales of the fixture models (script/zk/fixtures.ts, lib/zk/sample-models.ts); the
        // input ranges equal the generated verifiers' INPUT_MIN / INPUT_MAX. No weights on chain: proofs only.
        tinyId = registry.registerModel(_zkSpec(new TinyVerifier(), 3, 2, -8, 8, 2, OutputKind.Logits), "");
        tinyOtherId = registry.registerModel(_zkSpec(new TinyOtherVerifier(), 3, 2, -8, 8, 2, OutputKind.Logits), "");
        digitsId = registry.registerModel(_zkSpec(new DigitsVerifier(), 64, 1, 0, 4096, 8, OutputKind.ArgMax), "");
        digitsTrainedId =
            registry.registerModel(_zkSpec(new DigitsTrainedVerifier(), 64, 1, 0, 131_072, 13, OutputKind.ArgMax), "");
        vm.stopPrank();
    }

    // ----- helpers -----

    function _zkSpec(
        IInferenceVerifier v,
        uint16 inputLength,
        uint16 outputLength,
        int64 inputMin,
        int64 inputMax,
        uint8 scaleBits,
        OutputKind kind
    ) internal view returns (IModelRegistry.ModelSpec memory) {
        return IModelRegistry.ModelSpec({
            modelHash: v.modelHash(),
            inputLength: inputLength,
            outputLength: outputLength,
            inputMin: inputMin,
            inputMax: inputMax,
            scaleBits: scaleBits,
            outputKind: kind,
            verifier: v,
            challengeWindow: CHALLENGE_WINDOW,
            minBond: BOND,
            fee: FEE
        });
    }

    /// @dev The address every fixture proof was made for (script/zk/fixtures.ts): the only sender they verify for.
    function _fixtureProver() internal view returns (address) {
        return vm.parseJsonAddress(_json("digits-trained"), ".prover");
    }

    /// @dev Another argmax class (0..9), so the output stays valid for the verifier's range check.
    function _otherClass(int256[] memory output) internal pure returns (int256[] memory w) {
        w = new int256[](1);
        w[0] = (output[0] + 5) % 10;
    }

    function _requestFor(uint256 model, int256[] memory input, uint16 outputLength)
        internal
        returns (uint256 id, RequestTerms memory terms)
    {
        terms = _termsFor(model, input, outputLength);
        vm.recordLogs();
        id = consumer.request(model, input, CALLBACK_GAS, FEE);
        // The terms a node reads from the InferenceRequested event match the ones derived here.
        RequestTerms memory emitted = _emittedTerms();
        assertEq(keccak256(abi.encode(emitted)), keccak256(abi.encode(terms)), "terms");
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
    }

    function _emittedTerms() internal returns (RequestTerms memory terms) {
        bytes32 topic = IOracleEvents.InferenceRequested.selector;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(oracle) && logs[i].topics[0] == topic) {
                (terms,) = abi.decode(logs[i].data, (RequestTerms, int256[]));
                return terms;
            }
        }
        revert("no InferenceRequested");
    }

    // ----- 1. instant finality with a real proof -----

    function test_proposeWithProof_realProof_finalizesDeliversAndCaches() public {
        Case memory c = _case("digits-trained", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        uint256 freeBefore = _free(c.prover);

        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceFinalized(id, c.output, Provenance.Proof, true);
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);

        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        // Delivered to the consumer.
        assertEq(consumer.lastRequestId(), id);
        assertEq(consumer.lastOutput(), c.output);
        assertEq(consumer.callbackCount(id), 1);
        // The prover (no stake needed, no bond locked) earns the fee.
        assertEq(_free(c.prover), freeBefore + FEE);
        assertEq(_locked(c.prover), 0);
        // Cached: the next identical request is answered at once, without a fee.
        (bool found, int256[] memory cached, Provenance provenance) =
            oracle.cachedResult(digitsTrainedId, keccak256(abi.encodePacked(c.input)));
        assertEq(uint8(provenance), uint8(Provenance.Proof));
        assertTrue(found);
        assertEq(cached, c.output);
        uint256 id2 = consumer.request(digitsTrainedId, c.input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id2)), uint8(RequestState.Finalized));
        assertTrue(consumer.answeredDuringRequest());
        assertEq(consumer.lastOutput(), c.output);
        assertEq(oracle.claimableOf(address(consumer)), FEE);
    }

    function test_proposeWithProof_realProof_bothFixtureCasesOfBothDigitsModels() public {
        string[2] memory names = ["digits", "digits-trained"];
        uint256[2] memory ids = [digitsId, digitsTrainedId];
        string[2] memory keys = ["", ".other"];
        address prover = _fixtureProver();
        for (uint256 m; m < 2; ++m) {
            for (uint256 k; k < 2; ++k) {
                Case memory c = _case(names[m], keys[k]);
                assertEq(c.prover, prover);
                (uint256 id, RequestTerms memory terms) = _requestFor(ids[m], c.input, 1);
                vm.prank(c.prover);
                oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
                assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
                assertEq(consumer.lastOutput(), c.output);
            }
        }
        assertEq(_free(prover), 4 * FEE);
    }

    // ----- 1b. a proof copied from the mempool pays the copier nothing -----

    function test_proposeWithProof_realProof_copiedBySomeoneElseReverts() public {
        Case memory c = _case("digits-trained", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        // The same calldata from another sender (a front-runner who copied the transaction): the verifier checks
        // the proof against the sender, so it fails, whatever the sender's stake.
        _stake(stranger, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(proposer);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        // The prover's own transaction still lands and earns the fee; the copier earned nothing.
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_free(c.prover), FEE);
        assertEq(_free(stranger), 1 ether);
    }

    function test_resolveWithProof_realProof_copiedBySomeoneElseReverts() public {
        Case memory c = _case("digits-trained", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _otherClass(c.output)), _hash(c.output));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, c.input, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Disputed));
        vm.prank(c.prover);
        disputes().resolveWithProof(id, terms, d, c.input, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }

    // ----- 2. a valid proof with a wrong output -----

    function test_proposeWithProof_realProof_wrongOutputReverts() public {
        Case memory c = _case("digits-trained", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        int256[] memory wrong = _otherClass(c.output);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, wrong, c.proof);
        // Nothing changed: still open, nothing cached, nothing delivered; the right output still finalizes.
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        (bool found,,) = oracle.cachedResult(digitsTrainedId, terms.inputHash);
        assertFalse(found);
        assertEq(consumer.results(), 0);
        vm.prank(c.prover);
        oracle.proposeWithProof(id, terms, c.input, c.output, c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
    }

    function test_proposeWithProof_realProof_otherInputsProofReverts() public {
        // The proof of the fixture's other input, with this input's (equal, for `digits`) output.
        Case memory a = _case("digits", "");
        Case memory b = _case("digits", ".other");
        assertEq(a.output, b.output);
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsId, a.input, 1);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(b.prover);
        oracle.proposeWithProof(id, terms, a.input, a.output, b.proof);
    }

    // ----- 3. a proof for model A cannot finalize a request for model B -----

    function test_proposeWithProof_proofOfOtherModelReverts() public {
        Case memory a = _case("tiny", "");
        Case memory b = _case("tiny-other", "");
        assertEq(a.input, b.input);
        (uint256 id, RequestTerms memory terms) = _requestFor(tinyOtherId, a.input, 2);

        // Model A's proof with model A's output, from the address it was made for.
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(a.prover);
        oracle.proposeWithProof(id, terms, a.input, a.output, a.proof);
        // Model A's proof claiming model B's (true) output.
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(a.prover);
        oracle.proposeWithProof(id, terms, a.input, b.output, a.proof);
        // Terms rewritten to model A (whose verifier accepts the proof): the commitment does not match.
        RequestTerms memory forged = abi.decode(abi.encode(terms), (RequestTerms));
        forged.modelId = uint64(tinyId);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        vm.prank(a.prover);
        oracle.proposeWithProof(id, forged, a.input, a.output, a.proof);

        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        // Model B's own proof finalizes it.
        vm.prank(b.prover);
        oracle.proposeWithProof(id, terms, b.input, b.output, b.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(consumer.lastOutput(), b.output);
        // And model A's proof still finalizes a request for model A.
        (uint256 idA, RequestTerms memory termsA) = _requestFor(tinyId, a.input, 2);
        vm.prank(a.prover);
        oracle.proposeWithProof(idA, termsA, a.input, a.output, a.proof);
        assertEq(consumer.lastOutput(), a.output);
    }

    function test_resolveWithProof_proofOfOtherModelReverts() public {
        Case memory a = _case("tiny", "");
        Case memory b = _case("tiny-other", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(tinyOtherId, b.input, 2);
        Proposal memory p = _propose(id, terms, b.output);
        Proposal memory d = _challengeWith(id, terms, p, _hash(_wrong(b.output)));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(a.prover);
        disputes().resolveWithProof(id, terms, d, a.input, a.output, a.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Disputed));
    }

    // ----- 4. disputes settled by a real proof -----

    function test_resolveWithProof_realProof_slashesWrongProposer() public {
        Case memory c = _case("digits-trained", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        Proposal memory p = _propose(id, terms, _otherClass(c.output));
        Proposal memory d = _challengeWith(id, terms, p, _hash(c.output));
        assertEq(_locked(proposer), BOND);
        assertEq(_locked(challenger), BOND);

        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = disputes().slashSplit(BOND);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(
            id, challenger, c.prover, Provenance.Proof, reward, resolverReward, toTreasury
        );
        vm.prank(c.prover);
        disputes().resolveWithProof(id, terms, d, c.input, c.output, c.proof);

        // The proposer loses its bond; the challenger gets its bond back, the winner's share of the proposer's and
        // the fee; whoever brought the proof gets the settler's share.
        assertEq(_free(proposer), STAKE - BOND);
        assertEq(_locked(proposer), 0);
        assertEq(_free(challenger), STAKE + reward + FEE);
        assertEq(_locked(challenger), 0);
        assertEq(oracle.claimableOf(c.prover), resolverReward);
        assertEq(oracle.claimableOf(treasury), toTreasury);
        assertEq(reward + resolverReward + toTreasury, BOND);
        // Finalized with the proven output and cached; the settlement did not call the consumer: the callback is
        // owed, and anyone delivers it.
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        _deliverResult(id, c.output);
        assertEq(consumer.lastOutput(), c.output);
        (bool found, int256[] memory cached,) = oracle.cachedResult(digitsTrainedId, terms.inputHash);
        assertTrue(found);
        assertEq(cached, c.output);
    }

    function test_resolveWithProof_realProof_slashesWrongChallenger() public {
        Case memory c = _case("digits-trained", ".other");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        Proposal memory p = _propose(id, terms, c.output);
        Proposal memory d = _challengeWith(id, terms, p, _hash(_otherClass(c.output)));

        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = disputes().slashSplit(BOND);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.DisputeResolved(id, proposer, c.prover, Provenance.Proof, reward, resolverReward, toTreasury);
        vm.prank(c.prover);
        disputes().resolveWithProof(id, terms, d, c.input, c.output, c.proof);

        assertEq(_free(challenger), STAKE - BOND);
        assertEq(_locked(challenger), 0);
        assertEq(_free(proposer), STAKE + reward + FEE);
        assertEq(_locked(proposer), 0);
        assertEq(oracle.claimableOf(treasury), toTreasury);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        _deliverResult(id, c.output);
        assertEq(consumer.lastOutput(), c.output);
    }

    function test_resolveWithProof_realProof_ofWrongOutputReverts() public {
        // The challenger cannot win with the proof of the true output while claiming another one.
        Case memory c = _case("digits-trained", "");
        (uint256 id, RequestTerms memory terms) = _requestFor(digitsTrainedId, c.input, 1);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, c.output), _hash(_otherClass(c.output)));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(c.prover);
        disputes().resolveWithProof(id, terms, d, c.input, _otherClass(c.output), c.proof);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Disputed));
    }

    // ----- helpers -----

    function _hash(int256[] memory output) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(output));
    }

    /// @dev Delivers the callback a settlement left owed (anyone may).
    function _deliverResult(uint256 id, int256[] memory output) internal {
        assertTrue(oracle.callbackOwed(id));
        oracle.deliverCallback(
            id, address(consumer), CALLBACK_GAS, abi.encodeCall(IInferenceConsumer.fulfillInference, (id, output))
        );
        assertFalse(oracle.callbackOwed(id));
    }
}
