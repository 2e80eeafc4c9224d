// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {DisputeModule} from "../../../src-sol/oracle/DisputeModule.sol";
import {RequestWord} from "../../../src-sol/libraries/RequestWord.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IDisputes} from "../../../src-sol/interfaces/IDisputes.sol";
import {OutputKind, RequestState, Provenance, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Properties over random inputs: the commitment encoding, the slash split and what self-dealing can earn,
/// the request word's packing, and the window edges of a dispute.
contract OracleFuzzTest is OracleSteps {
    // ---------------------------------------------------------------------------------------------------------
    // Commitment
    // ---------------------------------------------------------------------------------------------------------

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

    /// Changing any single field of the re-supplied terms or proposal breaks the commitment.
    function testFuzz_commitment_bindsEveryField(uint8 field, uint256 delta) public {
        delta = bound(delta, 1, type(uint32).max);
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        field = uint8(bound(field, 0, 16));
        if (field == 0) terms.requester = address(uint160(terms.requester) ^ uint160(delta));
        if (field == 1) terms.modelId += uint64(delta);
        if (field == 2) terms.callbackGasLimit ^= uint32(delta);
        if (field == 3) terms.fee += uint96(delta);
        if (field == 4) terms.bond -= uint96(delta);
        if (field == 5) terms.challengeWindow ^= uint32(delta);
        if (field == 6) terms.outputLength ^= uint16(delta % 65_535 + 1);
        if (field == 7) terms.deadline ^= uint40(delta);
        if (field == 8) terms.inputHash ^= bytes32(delta);
        if (field == 9) terms.disputeWindow ^= uint32(delta);
        if (field == 10) terms.verifierVersion ^= uint16(delta % 65_535 + 1);
        if (field == 11) terms.accepts ^= 2;
        if (field == 12) terms.accepts ^= uint8(delta % 255 + 1);
        if (field == 13) p.proposer = address(uint160(p.proposer) ^ uint160(delta));
        if (field == 14) p.challenger = address(uint160(delta));
        if (field == 15) p.outputHash ^= bytes32(delta);
        if (field == 16) p.claimHash = bytes32(delta);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCommitmentMismatch.selector, id));
        oracle.finalize(id, terms, p, output);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Slash split
    // ---------------------------------------------------------------------------------------------------------

    /// The winner and the resolver get exactly their shares, the treasury the rest: nothing is created or lost,
    /// and the treasury's share is at least the winner's.
    function testFuzz_slashSplit_sumsToTheBond(uint96 bond) public view {
        DisputeModule disputeModule = DisputeModule(address(oracle));
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = disputeModule.slashSplit(bond);
        assertEq(reward + resolverReward + toTreasury, bond);
        assertEq(reward, uint256(bond) * disputeModule.WINNER_SHARE_BPS() / 10_000);
        assertEq(resolverReward, uint256(bond) * disputeModule.RESOLVER_SHARE_BPS() / 10_000);
        assertGe(toTreasury, reward);
        assertLe(reward + resolverReward, uint256(bond) / 2);
    }

    /// With every bond at least twice the fee (the registry's rule), a party playing proposer, challenger and
    /// resolver of one dispute, even paid the fee by someone else, never gets back more than it loses.
    function testFuzz_slashSplit_attackerBound(uint96 bond, uint96 fee) public view {
        bond = uint96(bound(bond, 1, type(uint96).max));
        fee = uint96(bound(fee, 0, bond / 2));
        (uint256 reward, uint256 resolverReward,) = DisputeModule(address(oracle)).slashSplit(bond);
        // One side wins: the attacker loses one bond, gets the winner's and the resolver's shares and the fee.
        assertLe(reward + resolverReward + fee, bond);
        // Neither side wins: it loses both bonds, gets two resolver shares and the fee.
        assertLe(2 * resolverReward + fee, 2 * uint256(bond));
    }

    // ---------------------------------------------------------------------------------------------------------
    // End to end
    // ---------------------------------------------------------------------------------------------------------

    /// With random fee and bond, a dispute pays to the wei whoever wins and however it is settled.
    function testFuzz_dispute_paysExactly(uint96 fee, uint96 bond, bool proposerRight, bool byProof) public {
        bond = uint96(bound(bond, 1, 1_000 ether));
        fee = uint96(bound(fee, 0, bond / 2));
        (uint256 model, RequestTerms memory terms) = _model(fee, bond);
        uint256 before = address(oracle).balance;
        uint256 id = _dispute(model, terms, proposerRight, byProof);
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = DisputeModule(address(oracle)).slashSplit(bond);
        (address winner, address loser) = proposerRight ? (proposer, challenger) : (challenger, proposer);
        assertEq(_free(winner), STAKE + bond + reward + fee);
        assertEq(_free(loser), STAKE);
        assertEq(_locked(winner) + _locked(loser), 0);
        assertEq(oracle.claimableOf(stranger), resolverReward);
        assertEq(oracle.claimableOf(treasury), toTreasury);
        assertEq(address(oracle).balance, before + fee, "only the fee came in; settlement moves no ETH");
        _assertState(id, RequestState.Finalized);
    }

    /// Whatever the outcome, an attacker who proposes, challenges and settles (a third party paying the fee)
    /// ends with no more than it started with.
    function testFuzz_dispute_selfDealingNeverPays(uint96 fee, uint96 bond, bool bothWrong) public {
        bond = uint96(bound(bond, 1, 1_000 ether));
        fee = uint96(bound(fee, 0, bond / 2));
        (uint256 model, RequestTerms memory terms) = _model(fee, bond);
        uint256 holdings = _attackerHoldings();
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        uint256 id = consumer.request(model, input, CALLBACK_GAS, fee);
        vm.prank(proposer);
        oracle.propose(id, terms, _wrong(correct));
        Proposal memory p = Proposal(proposer, address(0), _hash(_wrong(correct)), 0);
        bytes32 claim = bothWrong ? _hash(_wrong(_wrong(correct))) : _hash(correct);
        vm.prank(challenger);
        disputes().challenge(id, terms, p, claim);
        p.challenger = challenger;
        p.claimHash = claim;
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, p, input);
        assertLe(_attackerHoldings(), holdings);
    }

    function _attackerHoldings() internal view returns (uint256) {
        return _free(proposer) + _locked(proposer) + _free(challenger) + _locked(challenger)
            + oracle.claimableOf(stranger) + oracle.claimableOf(proposer) + oracle.claimableOf(challenger);
    }

    /// @dev A re-executable model with a verifier and the given fee and bond, with the terms a request made now
    /// by the consumer takes; both operators get an extra bond of stake.
    function _model(uint96 fee, uint96 bond) internal returns (uint256 model, RequestTerms memory terms) {
        IModelRegistry.ModelSpec memory spec = _spec(smallEncoding, 2, OutputKind.Logits, verifier);
        spec.minBond = bond;
        spec.fee = fee;
        vm.prank(owner);
        model = registry.registerModel(spec, smallEncoding);
        _stake(proposer, bond);
        _stake(challenger, bond);
        vm.deal(address(consumer), uint256(fee) + 1 ether);
        terms = _termsFor(model, _defaultInput(), 2);
        terms.fee = fee;
        terms.bond = bond;
        terms.disputeWindow = DISPUTE_WINDOW;
        terms.verifierVersion = 1;
    }

    function _dispute(uint256 model, RequestTerms memory terms, bool proposerRight, bool byProof)
        internal
        returns (uint256 id)
    {
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        id = consumer.request(model, input, CALLBACK_GAS, terms.fee);
        int256[] memory proposed = proposerRight ? correct : _wrong(correct);
        vm.prank(proposer);
        oracle.propose(id, terms, proposed);
        Proposal memory p = Proposal(proposer, address(0), _hash(proposed), 0);
        p = _challengeWith(id, terms, p, _hash(proposerRight ? _wrong(correct) : correct));
        if (byProof) {
            _markProven(input, correct);
            bytes memory proof = _proof(stranger);
            vm.prank(stranger);
            disputes().resolveWithProof(id, terms, p, input, correct, proof);
        } else {
            vm.prank(stranger);
            disputes().resolveByReexecution(id, terms, p, input);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Request word
    // ---------------------------------------------------------------------------------------------------------

    /// Packing a word and reading it back gives the same state, time and low bits; the provenance nibble is
    /// independent of all three.
    function testFuzz_requestWord_packRoundTrip(uint8 s, uint40 t, uint256 bits, uint8 p, uint8 q) public pure {
        s = uint8(bound(s, 0, uint8(RequestState.Expired)));
        p = uint8(bound(p, 0, uint8(Provenance.Proof)));
        q = uint8(bound(q, 0, uint8(Provenance.Proof)));
        bits &= RequestWord.LOW_MASK;
        uint256 word = RequestWord.pack(RequestState(s), t, bits);
        assertEq(uint8(RequestWord.state(word)), s);
        assertEq(RequestWord.time(word), t);
        assertEq(RequestWord.low(word), bits);
        assertEq(uint8(RequestWord.provenance(word)), 0);
        assertEq(RequestWord.isOpen(word), s >= 1 && s <= 3);

        uint256 marked = RequestWord.withProvenance(word, Provenance(p));
        assertEq(uint8(RequestWord.provenance(marked)), p);
        assertEq(uint8(RequestWord.state(marked)), s);
        assertEq(RequestWord.time(marked), t);
        assertEq(RequestWord.low(marked), bits);
        assertEq(RequestWord.isOpen(marked), s >= 1 && s <= 3);
        uint256 remarked = RequestWord.withProvenance(marked, Provenance(q));
        assertEq(uint8(RequestWord.provenance(remarked)), q, "the last provenance wins");
        assertEq(RequestWord.withProvenance(remarked, Provenance.None), word, "clearing it restores the word");
    }

    function testFuzz_keyedRequestId_neverASequenceId(uint256 model, bytes32 inputHash) public view {
        uint256 id = oracle.keyedRequestId(model, inputHash);
        assertGt(id, type(uint40).max);
        assertEq(id >> 255, 1);
        assertEq(id, RequestWord.keyedId(model, inputHash));
    }

    function testFuzz_hashMemory_isTheHashOfThePackedEncoding(int256[] memory values) public pure {
        assertEq(RequestWord.hashMemory(values), keccak256(abi.encodePacked(values)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Requests and windows
    // ---------------------------------------------------------------------------------------------------------

    /// Any value out of the model's range, at any position, fails the request at once and refunds the fee.
    function testFuzz_requestInference_outOfRangeFails(int256 bad, bool first) public {
        vm.assume(bad < -1024 || bad > 1024);
        int256[] memory input = first ? _input(bad, 0) : _input(0, bad);
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        _assertState(id, RequestState.Failed);
        assertEq(oracle.claimableOf(address(consumer)), FEE);
    }

    /// At any time after a challenge exactly one of "settle" and "expire the dispute" is possible.
    function testFuzz_disputeWindow_resolveOrExpireNeverBoth(uint256 dt) public {
        dt = bound(dt, 0, 3 * uint256(DISPUTE_WINDOW));
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        vm.warp(block.timestamp + dt);
        uint256 snapshot = vm.snapshotState();
        (bool resolved,) =
            address(oracle).call(abi.encodeCall(IDisputes.resolveByReexecution, (id, terms, d, _defaultInput())));
        vm.revertToState(snapshot);
        (bool expired,) = address(oracle).call(abi.encodeCall(IDisputes.expireDispute, (id, terms, d, correct)));
        assertTrue(resolved != expired, "exactly one");
        assertEq(resolved, dt <= DISPUTE_WINDOW);
    }

    /// At any time after a proposal exactly one of "challenge" and "finalize" is possible.
    function testFuzz_challengeWindow_challengeOrFinalizeNeverBoth(uint256 dt) public {
        dt = bound(dt, 0, 3 * uint256(CHALLENGE_WINDOW));
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.warp(block.timestamp + dt);
        uint256 snapshot = vm.snapshotState();
        vm.prank(challenger);
        (bool challenged,) =
            address(oracle).call(abi.encodeCall(IDisputes.challenge, (id, terms, p, _hash(_wrong(output)))));
        vm.revertToState(snapshot);
        (bool finalized,) = address(oracle).call(abi.encodeCall(oracle.finalize, (id, terms, p, output)));
        assertTrue(challenged != finalized, "exactly one");
        assertEq(finalized, dt >= CHALLENGE_WINDOW);
    }
}
