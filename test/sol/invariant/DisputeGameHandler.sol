// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {ModelRegistry} from "../../../src-sol/registry/ModelRegistry.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {RequestState, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @notice The dispute game against a dishonest actor. Mallory (two keys, `mallory` and `mallory2`) proposes
/// wrong outputs, challenges her own proposals from her second key, challenges honest proposals with wrong claims,
/// requests inferences herself, settles and expires disputes when it pays, and tries what the rules forbid:
/// expiring or finalizing early, copying the honest operator's proofs, arbitration outside its rules. The honest
/// operator proposes and proves right outputs and watches: before time passes it challenges every wrong proposal
/// of Mallory's whose window would close, and settles every dispute it is party to whose window would close (the
/// arbitrator, honest too, decides the disputes of the model nothing else can decide).
contract DisputeGameHandler is HandlerBase {
    address public honest;
    address public mallory;
    address public mallory2;
    /// Fees Mallory paid as a requester and did not get back.
    uint256 public malloryFees;
    /// Blocked attempts (each expected its revert).
    uint256 public blocked;
    mapping(bytes32 outcome => uint256) public reached;

    constructor(
        InferenceOracle oracle_,
        ModelRegistry registry_,
        MockConsumer consumer_,
        uint256 modelId_,
        uint256 bareModelId_,
        address arbitrator_,
        address treasury_,
        address owner_
    ) HandlerBase(oracle_, registry_, consumer_, modelId_, bareModelId_, arbitrator_, treasury_, owner_) {
        honest = makeAddr("honest");
        mallory = makeAddr("mallory");
        mallory2 = makeAddr("mallory2");
    }

    function malloryWealth() external view returns (uint256) {
        return _wealth(mallory) + _wealth(mallory2);
    }

    function honestWealth() external view returns (uint256) {
        return _wealth(honest);
    }

    /// Fees escrowed by open requests.
    function escrowOfOpenRequests() external view returns (uint256 sum) {
        for (uint256 k = 0; k < ids.length; ++k) {
            Req storage r = reqs[ids[k]];
            if (_isOpen(r.state)) sum += r.terms.fee;
        }
    }

    // =============================================================================================================
    // Requests
    // =============================================================================================================

    function request(uint256 seed, uint8 modelPick, bool byMallory) external {
        uint256 model = modelPick % 3 == 0 ? bareModelId : modelId;
        int256[] memory input = _inputFor(seed);
        address requester = byMallory ? mallory : address(consumer);
        RequestTerms memory expected = _expectedTerms(requester, model, input, 0);
        uint256 claimableBefore = oracle.claimableOf(requester);
        vm.recordLogs();
        uint256 id;
        if (byMallory) {
            vm.prank(mallory);
            id = oracle.requestInference{value: expected.fee}(model, input, GAS, 0);
        } else {
            id = consumer.request(model, input, GAS, expected.fee);
        }
        (bool found, RequestTerms memory terms) = _termsFromLogs(vm.getRecordedLogs(), id, expected);
        if (byMallory) malloryFees += expected.fee - (oracle.claimableOf(requester) - claimableBefore);
        // A cache hit ends at once and takes no part in the game.
        _record(id, model, found ? terms : expected, input, found ? RequestState.Requested : RequestState.Finalized);
        reached[found ? bytes32("request") : bytes32("cacheHit")]++;
    }

    // =============================================================================================================
    // The honest operator
    // =============================================================================================================

    function honestProposes(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found || block.timestamp > reqs[id].terms.deadline) return;
        _propose(id, honest, _truth(reqs[id].model, reqs[id].input));
    }

    function honestProves(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (r.model != modelId || block.timestamp > r.terms.deadline) return;
        int256[] memory truth = _truth(r.model, r.input);
        _prove(r.model, r.terms.verifierVersion, r.input);
        bytes memory proof = _proof(honest);
        vm.prank(honest);
        oracle.proposeWithProof(id, r.terms, r.input, truth, proof);
        _ended(id, RequestState.Finalized);
        reached["proven"]++;
    }

    /// Challenges one of Mallory's wrong proposals with the right output.
    function honestChallenges(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        if (!_malloryKey(r.proposal.proposer) || !_wrongProposal(r) || block.timestamp >= r.time) return;
        _challenge(id, honest, _h(_truth(r.model, r.input)));
    }

    /// Settles any open dispute (as a third party too, for the resolver's share).
    function honestResolves(uint256 pick, bool byProof) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found || block.timestamp > _closesAt(reqs[id])) return;
        _settleHonestly(id, byProof);
    }

    // =============================================================================================================
    // Mallory
    // =============================================================================================================

    function malloryProposesWrong(uint256 pick, bool secondKey, bool far) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        address key = secondKey ? mallory2 : mallory;
        if (!found || block.timestamp > reqs[id].terms.deadline || !_bondable(key, reqs[id].terms.bond)) return;
        _propose(id, key, _wrong(reqs[id].model, reqs[id].input, far ? int256(2) : int256(1)));
        reached["wrongProposal"]++;
    }

    /// Challenges her own proposal from her other key, claiming the right output or another wrong one.
    function mallorySelfChallenges(uint256 pick, bool claimTruth) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        if (!_malloryKey(r.proposal.proposer) || block.timestamp >= r.time) return;
        address other = r.proposal.proposer == mallory ? mallory2 : mallory;
        if (!_bondable(other, r.terms.bond)) return;
        bytes32 claim = claimTruth ? _h(_truth(r.model, r.input)) : _otherWrong(r);
        _challenge(id, other, claim);
        reached["selfChallenge"]++;
    }

    /// Challenges an honest proposal with a wrong claim.
    function malloryGriefs(uint256 pick, bool secondKey) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        address key = secondKey ? mallory2 : mallory;
        if (r.proposal.proposer != honest || block.timestamp >= r.time || !_bondable(key, r.terms.bond)) return;
        _challenge(id, key, _h(_wrong(r.model, r.input, 1)));
        reached["grief"]++;
    }

    /// Settles a dispute by re-execution for the resolver's share.
    function malloryResolves(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        if (r.model != modelId || block.timestamp > _closesAt(r)) return;
        vm.prank(mallory);
        _disputes().resolveByReexecution(id, r.terms, r.proposal, r.input);
        _ended(id, RequestState.Finalized);
        reached["malloryResolved"]++;
    }

    /// Ends a dispute nobody settled (Mallory or the honest operator, whoever calls first).
    function expireDispute(uint256 pick, bool byMallory) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp <= _closesAt(r)) return;
        vm.prank(byMallory ? mallory : honest);
        _disputes().expireDispute(id, r.terms, r.proposal, r.proposed);
        _ended(id, RequestState.Finalized);
        reached["disputeExpired"]++;
    }

    function finalize(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found || block.timestamp < reqs[id].time) return;
        Req storage r = reqs[id];
        oracle.finalize(id, r.terms, r.proposal, r.proposed);
        _ended(id, RequestState.Finalized);
        reached["finalized"]++;
    }

    function expire(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp <= r.terms.deadline) return;
        _disputes().expire(id, r.terms);
        if (r.terms.requester == mallory) malloryFees -= r.terms.fee;
        _ended(id, RequestState.Expired);
    }

    // ----- what the rules forbid -----

    /// Expiring a dispute or a request, or finalizing a proposal, before its time.
    function malloryExpiresEarly(uint256 pick, uint8 kind) external {
        kind = kind % 3;
        RequestState wanted =
            kind == 0 ? RequestState.Disputed : kind == 1 ? RequestState.Requested : RequestState.Proposed;
        (uint256 id, bool found) = _pick(pick, wanted);
        if (!found) return;
        Req storage r = reqs[id];
        if (kind == 0 && block.timestamp > _closesAt(r)) return;
        if (kind == 1 && block.timestamp > r.terms.deadline) return;
        if (kind == 2 && block.timestamp >= r.time) return;
        vm.startPrank(mallory);
        if (kind == 0) {
            vm.expectRevert(_outsideWindow(id, _closesAt(r) + 1, type(uint40).max));
            _disputes().expireDispute(id, r.terms, r.proposal, r.proposed);
        } else if (kind == 1) {
            vm.expectRevert(_outsideWindow(id, uint256(r.terms.deadline) + 1, type(uint40).max));
            _disputes().expire(id, r.terms);
        } else {
            vm.expectRevert(_outsideWindow(id, r.time, type(uint40).max));
            oracle.finalize(id, r.terms, r.proposal, r.proposed);
        }
        vm.stopPrank();
        blocked++;
    }

    /// Submitting the honest operator's proof (copied from the mempool) as her own.
    function malloryCopiesProof(uint256 pick, bool inDispute) external {
        (uint256 id, bool found) = _pick(pick, inDispute ? RequestState.Disputed : RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (r.model != modelId) return;
        if (inDispute ? block.timestamp > _closesAt(r) : block.timestamp > r.terms.deadline) return;
        int256[] memory truth = _truth(r.model, r.input);
        _prove(r.model, r.terms.verifierVersion, r.input);
        bytes memory copied = _proof(honest);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(mallory);
        if (inDispute) {
            _disputes().resolveWithProof(id, r.terms, r.proposal, r.input, truth, copied);
        } else {
            oracle.proposeWithProof(id, r.terms, r.input, truth, copied);
        }
        blocked++;
    }

    /// Arbitration outside its rules: by Mallory, of a dispute a proof or re-execution decides, or of an output
    /// neither side claimed.
    function arbitrationOutsideItsRules(uint256 pick, bool byMallory) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp > _closesAt(r)) return;
        int256[] memory unclaimed = _wrong(r.model, r.input, 3);
        if (byMallory) {
            vm.expectRevert(
                abi.encodeWithSelector(IOracleEvents.InferenceOracleUnauthorizedArbitrator.selector, mallory)
            );
        } else if (r.model == modelId) {
            vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleArbitrationNotAllowed.selector, id));
        } else {
            vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNotAClaim.selector, id, _h(unclaimed)));
        }
        vm.prank(byMallory ? mallory : arbitrator);
        _disputes().resolveByArbitration(id, r.terms, r.proposal, unclaimed);
        blocked++;
    }

    // =============================================================================================================
    // Time, with the honest operator watching
    // =============================================================================================================

    /// Before time passes, the honest operator challenges every wrong proposal of Mallory's whose window would
    /// close, then settles every dispute it is party to that would close.
    function warp(uint256 seconds_) external {
        uint256 step = seconds_ % 8 == 0 ? bound(seconds_, 1 hours, 4 days) : bound(seconds_, 1, 40 minutes);
        uint256 until = block.timestamp + step;
        for (uint256 k = 0; k < ids.length; ++k) {
            uint256 id = ids[k];
            Req storage r = reqs[id];
            if (
                r.state == RequestState.Proposed && _malloryKey(r.proposal.proposer) && _wrongProposal(r)
                    && until >= r.time
            ) {
                _challenge(id, honest, _h(_truth(r.model, r.input)));
                reached["watched"]++;
            }
        }
        for (uint256 k = 0; k < ids.length; ++k) {
            uint256 id = ids[k];
            Req storage r = reqs[id];
            bool party = r.proposal.proposer == honest || r.proposal.challenger == honest;
            if (r.state == RequestState.Disputed && party && until > _closesAt(r)) _settleHonestly(id, k % 2 == 0);
        }
        vm.warp(until);
    }

    // =============================================================================================================
    // Internals
    // =============================================================================================================

    function _propose(uint256 id, address who, int256[] memory output) internal {
        Req storage r = reqs[id];
        vm.prank(who);
        oracle.propose(id, r.terms, output);
        r.proposal = Proposal(who, address(0), _h(output), bytes32(0));
        r.proposed = output;
        r.state = RequestState.Proposed;
        r.time = block.timestamp + r.terms.challengeWindow;
    }

    function _challenge(uint256 id, address who, bytes32 claim) internal {
        Req storage r = reqs[id];
        vm.prank(who);
        _disputes().challenge(id, r.terms, r.proposal, claim);
        r.proposal.challenger = who;
        r.proposal.claimHash = claim;
        r.state = RequestState.Disputed;
        r.time = block.timestamp;
    }

    /// Settles with the truth: by re-execution or a proof of the honest operator for the verifiable model, by the
    /// arbitrator (the right claim, or neither) for the other.
    function _settleHonestly(uint256 id, bool byProof) internal {
        Req storage r = reqs[id];
        int256[] memory truth = _truth(r.model, r.input);
        if (r.model == bareModelId) {
            bytes32 h = _h(truth);
            bool aClaim = h == r.proposal.outputHash || h == r.proposal.claimHash;
            vm.prank(arbitrator);
            _disputes().resolveByArbitration(id, r.terms, r.proposal, aClaim ? truth : new int256[](0));
            if (!aClaim && r.terms.requester == mallory) malloryFees -= r.terms.fee;
            _ended(id, aClaim ? RequestState.Finalized : RequestState.Expired);
            reached["arbitrated"]++;
            return;
        }
        if (byProof) {
            _prove(r.model, r.terms.verifierVersion, r.input);
            bytes memory proof = _proof(honest);
            vm.prank(honest);
            _disputes().resolveWithProof(id, r.terms, r.proposal, r.input, truth, proof);
        } else {
            vm.prank(honest);
            _disputes().resolveByReexecution(id, r.terms, r.proposal, r.input);
        }
        _ended(id, RequestState.Finalized);
        reached["honestResolved"]++;
    }

    function _ended(uint256 id, RequestState s) internal {
        reqs[id].state = s;
        assertEq(uint8(oracle.requestState(id)), uint8(s), "terminal state");
    }

    function _bondable(address a, uint256 bond) internal view returns (bool) {
        return oracle.stakeOf(a).free >= bond;
    }

    function _malloryKey(address a) internal view returns (bool) {
        return a == mallory || a == mallory2;
    }

    function _wrongProposal(Req storage r) internal view returns (bool) {
        return r.proposal.outputHash != _h(_truth(r.model, r.input));
    }

    /// A wrong output other than the proposed one.
    function _otherWrong(Req storage r) internal view returns (bytes32 h) {
        h = _h(_wrong(r.model, r.input, 1));
        if (h == r.proposal.outputHash) h = _h(_wrong(r.model, r.input, 2));
    }

    function _outsideWindow(uint256 id, uint256 opensAt, uint256 closesAt) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IOracleEvents.InferenceOracleOutsideWindow.selector, id, opensAt, closesAt);
    }
}
