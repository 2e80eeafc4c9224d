// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "./utils/OracleFixture.sol";
import {IInferenceOracle} from "../../src-sol/interfaces/IInferenceOracle.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceVerifier} from "../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestState, RequestTerms, Proposal} from "../../src-sol/types/InferenceTypes.sol";

contract InferenceOracleFuzzTest is OracleFixture {
    /// Changing any single field of the re-supplied terms or proposal breaks the commitment.
    function testFuzz_commitment_bindsEveryField(uint8 field, uint256 delta) public {
        delta = bound(delta, 1, type(uint32).max);
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        field = uint8(bound(field, 0, 11));
        if (field == 0) terms.requester = address(uint160(terms.requester) ^ uint160(delta));
        if (field == 1) terms.modelId += uint64(delta);
        if (field == 2) terms.callbackGasLimit ^= uint32(delta);
        if (field == 3) terms.fee += uint96(delta);
        if (field == 4) terms.bond -= uint96(delta);
        if (field == 5) terms.challengeWindow ^= uint32(delta);
        if (field == 6) terms.outputLength ^= uint16(delta % 65_535 + 1);
        if (field == 7) terms.deadline ^= uint40(delta);
        if (field == 8) terms.inputHash ^= bytes32(delta);
        if (field == 9) p.proposer = address(uint160(p.proposer) ^ uint160(delta));
        if (field == 10) p.challenger = address(uint160(delta));
        if (field == 11) p.outputHash ^= bytes32(delta);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleCommitmentMismatch.selector, id));
        oracle.finalize(id, terms, p, output);
    }

    /// End to end with random fee and bond: the books balance to the wei whoever wins.
    function testFuzz_dispute_paysExactly(uint96 fee, uint96 bond, bool proposerRight) public {
        fee = uint96(bound(fee, 0, 100 ether));
        bond = uint96(bound(bond, 1, 1_000 ether));
        vm.startPrank(owner);
        uint256 id = registry.registerModel(_spec(smallEncoding, 2, OutputKind.Logits, verifier), "");
        registry.setFee(id, fee);
        registry.setMinBond(id, bond);
        vm.stopPrank();
        _stake(proposer, bond);
        _stake(challenger, bond);
        vm.deal(address(consumer), uint256(fee) + 1 ether);

        uint256 balanceBefore = address(oracle).balance + fee;
        uint256 rid = _disputeAndProve(id, fee, bond, proposerRight);
        (uint256 reward, uint256 toTreasury) = oracle.slashSplit(bond);
        (address winner, address loser) = proposerRight ? (proposer, challenger) : (challenger, proposer);
        assertEq(_free(winner), STAKE + bond + reward + fee);
        assertEq(_free(loser), STAKE);
        assertEq(_locked(winner) + _locked(loser), 0);
        assertEq(oracle.claimableOf(treasury), toTreasury);
        assertEq(address(oracle).balance, balanceBefore, "only the fee came in; settlement moves no ETH");
        assertEq(uint8(oracle.requestState(rid)), uint8(RequestState.Finalized));
    }

    function _disputeAndProve(uint256 id, uint96 fee, uint96 bond, bool proposerRight) internal returns (uint256 rid) {
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        RequestTerms memory terms = _termsFor(id, input, 2);
        terms.fee = fee;
        terms.bond = bond;
        rid = consumer.request(id, input, CALLBACK_GAS, fee);
        int256[] memory proposed = proposerRight ? correct : _wrong(correct);
        vm.prank(proposer);
        oracle.propose(rid, terms, proposed);
        Proposal memory p = Proposal(proposer, address(0), keccak256(abi.encodePacked(proposed)));
        vm.prank(challenger);
        oracle.challenge(rid, terms, p);
        p.challenger = challenger;
        verifier.setProven(input, correct, true);
        bytes memory proof = verifier.VALID_PROOF();
        oracle.resolveWithProof(rid, terms, p, input, correct, proof);
    }

    /// Any value out of the model's range, at any position, fails the request at once and refunds the fee.
    function testFuzz_requestInference_outOfRangeFails(int256 bad, bool first) public {
        vm.assume(bad < -1024 || bad > 1024);
        int256[] memory input = first ? _input(bad, 0) : _input(0, bad);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Failed));
        assertEq(oracle.claimableOf(address(consumer)), FEE);
    }

    /// The commitment hashes the structs' memory words in place; it must equal the low 208 bits of the ABI
    /// encoding the node reproduces off chain, for any terms and proposal.
    function testFuzz_commitmentOf_isTheLow208BitsOfTheAbiEncoding(
        uint256 requestId,
        RequestTerms memory terms,
        Proposal memory proposal
    ) public view {
        uint256 expected =
            uint256(keccak256(abi.encode(requestId, terms, proposal))) & type(uint208).max;
        assertEq(oracle.commitmentOf(requestId, terms, proposal), expected);
    }
}
