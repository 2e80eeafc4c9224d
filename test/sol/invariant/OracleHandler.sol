// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Test.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {ModelRegistry} from "../../../src-sol/registry/ModelRegistry.sol";
import {OracleAutomation} from "../../../src-sol/periphery/OracleAutomation.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IInferenceConsumer} from "../../../src-sol/interfaces/IInferenceConsumer.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    Proposal,
    MaturedProposal
} from "../../../src-sol/types/InferenceTypes.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @notice Drives the oracle through random requests (either model, any accepted provenances, cache hits, invalid
/// inputs), proposals, proofs, challenges, every settlement (proof, re-execution, arbitration, rejection, dispute
/// expiry), finalizations (direct, riding with a proposal, by Automation), expiries, cache corrections, owed
/// callbacks, governance changes (verifier swaps, windows, bonds), stake in and out, claims and time warps.
/// It keeps ghost books of what the protocol says must happen (money per account, each key's cache entry and
/// waiting result, each request's record and callback), computed from the state BEFORE each action, which the
/// invariants compare with the oracle.
contract OracleHandler is HandlerBase {
    address[3] public operators;
    address public stranger;
    address public payee;
    TestVerifier public verifier;
    TestVerifier public verifier2;
    OracleAutomation public automation;
    bool public consumerReverts;

    // ----- money ghost -----
    address[] public accounts;
    mapping(address => bool) internal known;
    mapping(address => uint256) public expectedStake;
    mapping(address => uint256) public expectedLocked;
    mapping(address => uint256) public expectedUnbonding;
    mapping(address => uint256) public expectedClaimable;
    mapping(address => uint256) internal readyAt;
    /// Fees escrowed by open requests.
    uint256 public escrowed;
    /// ETH into the oracle (deposits, request values) and out of it (withdrawals, claims).
    uint256 public totalIn;
    uint256 public totalOut;

    // ----- cache ghost, per key (its keyed id) -----
    struct Entry {
        uint256 model;
        bytes32 inputHash;
        int256[] input;
        bool has;
        bytes32 hash;
        Provenance prov;
        int256[] output;
        bytes32 waitingHash;
        Provenance waitingProv;
        int256[] waiting;
    }

    mapping(uint256 keyedId => Entry) internal cache;
    uint256[] public keyIds;

    // ----- callbacks -----
    mapping(uint256 id => bytes) internal callbackData;

    // ----- how often each outcome happened (the runs must reach them) -----
    mapping(bytes32 outcome => uint256) public reached;

    constructor(
        InferenceOracle oracle_,
        ModelRegistry registry_,
        MockConsumer consumer_,
        TestVerifier verifier_,
        TestVerifier verifier2_,
        uint256 modelId_,
        uint256 bareModelId_,
        address arbitrator_,
        address treasury_,
        address owner_
    ) HandlerBase(oracle_, registry_, consumer_, modelId_, bareModelId_, arbitrator_, treasury_, owner_) {
        verifier = verifier_;
        verifier2 = verifier2_;
        automation = new OracleAutomation(oracle_);
        operators = [makeAddr("op0"), makeAddr("op1"), makeAddr("op2")];
        stranger = makeAddr("handlerStranger");
        payee = makeAddr("payee");
        for (uint256 i = 0; i < 3; ++i) {
            _know(operators[i]);
        }
        _know(stranger);
        _know(address(consumer_));
        _know(treasury_);
        _know(arbitrator_);
    }

    /// @notice Adds an account staked outside the handler (the fixture's operators) to the books.
    function track(address account, uint256 stake) external {
        _know(account);
        expectedStake[account] += stake;
        totalIn += stake;
    }

    // =============================================================================================================
    // Stake and claims
    // =============================================================================================================

    function deposit(uint256 who, uint256 amount) public {
        address op = operators[who % 3];
        amount = bound(amount, 1, 5 ether);
        vm.deal(op, op.balance + amount);
        vm.prank(op);
        oracle.depositStake{value: amount}();
        expectedStake[op] += amount;
        totalIn += amount;
    }

    function requestWithdrawal(uint256 who, uint256 amount) external {
        address op = operators[who % 3];
        uint256 free = _freeOf(op);
        if (free == 0) return;
        amount = bound(amount, 1, free);
        vm.prank(op);
        oracle.requestWithdrawal(amount);
        expectedUnbonding[op] += amount;
        readyAt[op] = block.timestamp + oracle.unbondingDelay();
    }

    /// Withdraws to the operator itself or to another address it names.
    function withdrawStake(uint256 who, bool toPayee, uint256 amount) external {
        address op = operators[who % 3];
        uint256 unbonding = expectedUnbonding[op];
        if (unbonding == 0 || block.timestamp < readyAt[op]) return;
        amount = bound(amount, 1, unbonding);
        address payable to = payable(toPayee ? payee : op);
        uint256 before = to.balance;
        vm.prank(op);
        oracle.withdrawStake(to, amount);
        assertEq(to.balance, before + amount, "withdrawn to the named address");
        expectedUnbonding[op] -= amount;
        expectedStake[op] -= amount;
        totalOut += amount;
    }

    function claim(uint256 who) external {
        address account = accounts[who % accounts.length];
        uint256 amount = expectedClaimable[account];
        if (amount == 0) return;
        uint256 before = account.balance;
        if (account == address(consumer)) {
            consumer.claimCredit(payable(account));
        } else {
            vm.prank(account);
            oracle.claim(payable(account));
        }
        assertEq(account.balance, before + amount, "claimed");
        expectedClaimable[account] = 0;
        totalOut += amount;
    }

    // =============================================================================================================
    // Requests
    // =============================================================================================================

    /// @dev What a request must do, worked out before it is made.
    struct Plan {
        uint256 model;
        int256[] input;
        bool invalid;
        uint8 accepts;
        RequestTerms expected;
        uint256 value;
        uint256 keyed;
        bool hit;
        uint256 id;
    }

    function request(uint256 seed, uint8 modelPick, uint8 acceptsPick, uint256 extra) external {
        uint256 model = modelPick % 3 == 0 ? bareModelId : modelId;
        int256[] memory input = _inputFor(seed);
        bool invalid = seed % 17 == 0;
        if (invalid) input[1] = 2000; // outside [-1024, 1024]: Failed
        _request(_plan(model, input, invalid, acceptsPick, extra));
    }

    /// Requests the input of an earlier request again: a duplicate while that one is open, a cache hit (or a new
    /// request, when the entry's provenance is not accepted) once it ended.
    function requestAgain(uint256 pick, uint8 acceptsPick, uint256 extra) external {
        if (ids.length == 0) return;
        Req storage r = reqs[ids[pick % ids.length]];
        if (r.state == RequestState.Failed) return;
        _request(_plan(r.model, r.input, false, acceptsPick, extra));
        reached["requestedAgain"]++;
    }

    function _request(Plan memory plan) internal {
        vm.recordLogs();
        uint256 id = consumer.requestAccepting(plan.model, plan.input, GAS, plan.value, plan.accepts);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(id, plan.id, "request id");
        totalIn += plan.value;

        if (plan.hit) {
            _record(id, plan.model, plan.expected, plan.input, RequestState.Requested);
            _credit(address(consumer), plan.value);
            _endFinalized(id, cache[plan.keyed].output, true);
            reached["cacheHit"]++;
            return;
        }
        (bool found, RequestTerms memory terms) = _termsFromLogs(logs, id, plan.expected);
        assertTrue(found, "request event");
        _record(id, plan.model, terms, plan.input, RequestState.Requested);
        if (plan.invalid) {
            _credit(address(consumer), plan.value);
            _endFailed(id, RequestState.Failed, InferenceError.InputOutOfRange, true);
            reached["failed"]++;
            return;
        }
        _credit(address(consumer), plan.value - terms.fee);
        escrowed += terms.fee;
        _seeKey(plan.keyed, plan.model, terms.inputHash, plan.input);
        reached[id == plan.keyed ? bytes32("keyedRequest") : bytes32("duplicateRequest")]++;
    }

    /// Before acting: the terms the request must get, whether the cache answers it, which id it must take.
    function _plan(uint256 model, int256[] memory input, bool invalid, uint8 acceptsPick, uint256 extra)
        internal
        view
        returns (Plan memory plan)
    {
        plan.model = model;
        plan.input = input;
        plan.invalid = invalid;
        plan.accepts = _acceptsFor(plan.model, acceptsPick);
        plan.expected = _expectedTerms(address(consumer), plan.model, plan.input, plan.accepts);
        plan.value = plan.expected.fee + bound(extra, 0, plan.expected.fee);
        plan.keyed = oracle.keyedRequestId(plan.model, plan.expected.inputHash);
        Entry storage e = cache[plan.keyed];
        plan.hit = e.has && _accepted(plan.accepts, e.prov);
        plan.id = !plan.hit && !plan.invalid && !reqs[plan.keyed].exists ? plan.keyed : oracle.lastRequestId() + 1;
    }

    // =============================================================================================================
    // Proposals and proofs
    // =============================================================================================================

    /// Proposes the right or a wrong output; a request that does not accept an optimistic answer refuses it.
    function propose(uint256 pick, uint256 who, bool honest) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        address op = operators[who % 3];
        if (block.timestamp > r.terms.deadline || _freeOf(op) < r.terms.bond) return;
        int256[] memory output = honest ? _truth(r.model, r.input) : _wrong(r.model, r.input, 1);
        if (!_accepted(r.terms.accepts, Provenance.Optimistic)) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IOracleEvents.InferenceOracleProvenanceNotAccepted.selector, id, Provenance.Optimistic
                )
            );
            vm.prank(op);
            oracle.propose(id, r.terms, output);
            reached["optimisticRefused"]++;
            return;
        }
        vm.prank(op);
        oracle.propose(id, r.terms, output);
        _proposed(id, op, output);
    }

    /// Proposes like `propose`, carrying up to four open proposals (matured or not, challenged or not): exactly the
    /// ones finalizable BEFORE the call end.
    function proposeAndFinalize(uint256 pick, uint256 who, bool honest, uint256 carry) external {
        (uint256 id, address op, bool ok) = _proposable(pick, who);
        if (!ok) return;
        (MaturedProposal[] memory matured, bool[] memory finalizable) = _carried(carry);
        int256[] memory output = _outputFor(id, honest);
        vm.prank(op);
        oracle.proposeAndFinalize(id, reqs[id].terms, output, matured);
        _proposed(id, op, output);
        for (uint256 k = 0; k < matured.length; ++k) {
            if (finalizable[k]) {
                _optimisticFinal(matured[k].requestId);
                reached["finalizedAlongside"]++;
            }
        }
    }

    function proposeWithProof(uint256 pick, uint256 who) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (r.model != modelId || block.timestamp > r.terms.deadline) return;
        address op = operators[who % 3];
        int256[] memory truth = _truth(r.model, r.input);
        _prove(r.model, r.terms.verifierVersion, r.input);
        vm.prank(op);
        oracle.proposeWithProof(id, r.terms, r.input, truth, _proof(op));
        expectedStake[op] += r.terms.fee;
        escrowed -= r.terms.fee;
        _resultFor(id, truth, Provenance.Proof);
        _endFinalized(id, truth, true);
        reached["proven"]++;
    }

    function finalize(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found || block.timestamp < reqs[id].time) return;
        Req storage r = reqs[id];
        vm.prank(stranger);
        oracle.finalize(id, r.terms, r.proposal, r.proposed);
        _optimisticFinal(id);
        reached["finalized"]++;
    }

    /// Schedules a proposal with the Automation periphery and runs the upkeep as a keeper would: every scheduled
    /// entry that matured or moved on is found (the schedule stays below the default scan), exactly the matured ones
    /// finalize, the rest are pruned.
    function automate(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (found && !automation.isScheduled(id)) {
            Req storage r = reqs[id];
            automation.scheduleFinalization(id, r.terms, r.proposal, r.proposed);
        }
        (bool needed, bytes memory performData) = automation.checkUpkeep("");
        assertEq(needed, _anyScheduledActionable(), "checkUpkeep finds every actionable entry");
        if (!needed) return;
        uint256[] memory batch = abi.decode(performData, (uint256[]));
        bool[] memory matured = new bool[](batch.length);
        for (uint256 k = 0; k < batch.length; ++k) {
            Req storage o = reqs[batch[k]];
            matured[k] = o.state == RequestState.Proposed && block.timestamp >= o.time;
            assertTrue(matured[k] || o.state != RequestState.Proposed, "only matured proposals are finalized");
        }
        automation.performUpkeep(performData);
        for (uint256 k = 0; k < batch.length; ++k) {
            assertFalse(automation.isScheduled(batch[k]), "acted-on entries leave the schedule");
            if (matured[k]) {
                _optimisticFinal(batch[k]);
                reached["automated"]++;
            }
        }
    }

    // =============================================================================================================
    // Disputes
    // =============================================================================================================

    /// Challenges with the right output or a wrong one (never the proposed one).
    function challenge(uint256 pick, uint256 who, uint256 claimPick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        address op = operators[who % 3];
        if (op == r.proposal.proposer || _freeOf(op) < r.terms.bond || block.timestamp >= r.time) return;
        bytes32 claim_ = _claimFor(r, claimPick);
        vm.prank(op);
        _disputes().challenge(id, r.terms, r.proposal, claim_);
        r.proposal.challenger = op;
        r.proposal.claimHash = claim_;
        expectedLocked[op] += r.terms.bond;
        r.state = RequestState.Disputed;
        r.time = block.timestamp;
        reached["challenged"]++;
    }

    /// Settles an open dispute: by re-execution or a proof (anyone) for the model that allows them, by the
    /// arbitrator (the claim that is right, or neither) for the one that does not.
    function resolve(uint256 pick, uint8 path, uint256 who) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp > _closesAt(r)) return;
        if (r.model == bareModelId) {
            _arbitrate(id);
            return;
        }
        int256[] memory truth = _truth(r.model, r.input);
        address resolver = who % 4 == 3 ? stranger : operators[who % 3];
        if (path % 2 == 0) {
            vm.prank(resolver);
            _disputes().resolveByReexecution(id, r.terms, r.proposal, r.input);
            _settled(id, resolver, truth, Provenance.Reexecution);
            reached["reexecuted"]++;
        } else {
            _prove(r.model, r.terms.verifierVersion, r.input);
            vm.prank(resolver);
            _disputes().resolveWithProof(id, r.terms, r.proposal, r.input, truth, _proof(resolver));
            _settled(id, resolver, truth, Provenance.Proof);
            reached["resolvedByProof"]++;
        }
    }

    /// The arbitrator chooses the claim that is right, or rejects both when neither is.
    function _arbitrate(uint256 id) internal {
        Req storage r = reqs[id];
        int256[] memory truth = _truth(r.model, r.input);
        bytes32 h = _h(truth);
        bool aClaim = h == r.proposal.outputHash || h == r.proposal.claimHash;
        vm.prank(arbitrator);
        _disputes().resolveByArbitration(id, r.terms, r.proposal, aClaim ? truth : new int256[](0));
        if (aClaim) {
            _settled(id, arbitrator, truth, Provenance.Arbitration);
            reached["arbitrated"]++;
        } else {
            _rejected(id);
            reached["rejected"]++;
        }
    }

    /// A dispute nobody settled in its window: the proposal stands.
    function expireDispute(uint256 pick, uint256 who) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp <= _closesAt(r)) return;
        address caller = who % 4 == 3 ? stranger : operators[who % 3];
        vm.prank(caller);
        _disputes().expireDispute(id, r.terms, r.proposal, r.proposed);
        _settled(id, caller, r.proposed, Provenance.Optimistic);
        reached["disputeExpired"]++;
    }

    function expire(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp <= r.terms.deadline) return;
        vm.prank(stranger);
        _disputes().expire(id, r.terms);
        escrowed -= r.terms.fee;
        _credit(r.terms.requester, r.terms.fee);
        _noResultFor(id);
        _endFailed(id, RequestState.Expired, InferenceError.NoProposal, false);
        reached["expired"]++;
    }

    /// A cache correction by re-execution or a proof (the model's current verifier): it must change the entry or
    /// the waiting result exactly when the cache rules say so, and revert otherwise.
    function correctCache(uint256 pick, bool byProof, uint256 who) external {
        if (keyIds.length == 0) return;
        uint256 keyed = keyIds[pick % keyIds.length];
        Entry storage e = cache[keyed];
        if (e.model != modelId) return;
        int256[] memory truth = _truth(modelId, e.input);
        Provenance p = byProof ? Provenance.Proof : Provenance.Reexecution;
        bool changes = _offered(keyed, truth, p, false);
        _correct(keyed, byProof, operators[who % 3], changes);
        if (changes) {
            _offered(keyed, truth, p, true);
            reached["corrected"]++;
        }
    }

    function _correct(uint256 keyed, bool byProof, address op, bool changes) internal {
        int256[] memory input = cache[keyed].input;
        bytes memory proof = _proof(op);
        int256[] memory truth = _truth(modelId, input);
        if (byProof) _prove(modelId, oracle.modelCopy(modelId).verifierVersion, input);
        if (!changes) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IOracleEvents.InferenceOracleNothingToCorrect.selector, modelId, cache[keyed].inputHash
                )
            );
        }
        if (byProof) {
            vm.prank(op);
            _disputes().correctCacheWithProof(modelId, input, truth, proof);
        } else {
            vm.prank(op);
            _disputes().correctCacheByReexecution(modelId, input);
        }
    }

    // =============================================================================================================
    // Callbacks, governance, time
    // =============================================================================================================

    /// Delivers an owed callback; while the consumer reverts, it fails and stays owed.
    function deliverCallback(uint256 pick) external {
        uint256 n = ids.length;
        for (uint256 k = 0; k < n; ++k) {
            uint256 id = ids[(pick % n + k) % n];
            if (_isOpen(reqs[id].state) || !oracle.callbackOwed(id)) continue;
            if (consumerReverts) {
                vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCallbackFailed.selector, id));
            }
            vm.prank(stranger);
            oracle.deliverCallback(id, address(consumer), GAS, callbackData[id]);
            if (!consumerReverts) {
                assertEq(consumer.callbackCount(id), 1, "delivered once");
                assertFalse(oracle.callbackOwed(id));
                reached["delivered"]++;
            }
            return;
        }
    }

    function setConsumerReverts(bool reverts) external {
        consumerReverts = reverts;
        consumer.setMode(reverts ? MockConsumer.Mode.Revert : MockConsumer.Mode.Record);
    }

    /// Governance changes what new requests get; requests already made keep their terms (the ghost decides them
    /// by their own terms, so any re-decision shows).
    function govern(uint8 kind, uint256 seed) external {
        vm.startPrank(owner);
        kind = kind % 4;
        if (kind == 0) {
            IInferenceVerifier current = registry.verifierOf(modelId);
            registry.setVerifier(modelId, address(current) == address(verifier) ? verifier2 : verifier);
        } else if (kind == 1) {
            oracle.setWindows(uint32(bound(seed, 1 hours, 2 days)), uint32(bound(seed >> 64, 1 hours, 3 days)), 11 days);
        } else if (kind == 2) {
            registry.setMinBond(seed % 2 == 0 ? modelId : bareModelId, seed % 3 == 0 ? 2 ether : 1 ether);
        } else {
            registry.setChallengeWindow(seed % 2 == 0 ? modelId : bareModelId, seed % 3 == 0 ? 2 hours : 1 hours);
        }
        vm.stopPrank();
        reached["governed"]++;
    }

    /// Mostly short steps (windows are hours), sometimes long ones (disputes, unbonding, expiries).
    function warp(uint256 seconds_) external {
        uint256 step = seconds_ % 8 == 0 ? bound(seconds_, 1 hours, 4 days) : bound(seconds_, 1, 40 minutes);
        vm.warp(block.timestamp + step);
    }

    // =============================================================================================================
    // Views for the invariants
    // =============================================================================================================

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function keyCount() external view returns (uint256) {
        return keyIds.length;
    }

    /// Asserts that the oracle's cache entry and waiting result of a key are the ghost's.
    function checkKey(uint256 keyed) external view {
        Entry storage e = cache[keyed];
        (bool found, int256[] memory output, Provenance p) = oracle.cachedResult(e.model, e.inputHash);
        assertEq(found, e.has, "entry present");
        if (found) {
            assertEq(_h(output), e.hash, "entry output");
            assertEq(uint8(p), uint8(e.prov), "entry provenance");
        }
        assertEq(
            oracle.waitingResultHash(keyed), e.waitingProv == Provenance.None ? bytes32(0) : e.waitingHash, "waiting"
        );
    }

    function escrowOfOpenRequests() external view returns (uint256 sum) {
        for (uint256 k = 0; k < ids.length; ++k) {
            Req storage r = reqs[ids[k]];
            if (_isOpen(r.state)) sum += r.terms.fee;
        }
    }

    /// The bonds the ghost says `op` has locked: one per open proposal it made and per open challenge.
    function bondsOf(address op) external view returns (uint256 sum) {
        for (uint256 k = 0; k < ids.length; ++k) {
            Req storage r = reqs[ids[k]];
            if (r.state == RequestState.Proposed && r.proposal.proposer == op) sum += r.terms.bond;
            if (r.state == RequestState.Disputed) {
                if (r.proposal.proposer == op) sum += r.terms.bond;
                if (r.proposal.challenger == op) sum += r.terms.bond;
            }
        }
    }

    function isOpenGhost(uint256 id) external view returns (bool) {
        return _isOpen(reqs[id].state);
    }

    // =============================================================================================================
    // Ghost bookkeeping
    // =============================================================================================================

    function _know(address a) internal {
        if (known[a]) return;
        known[a] = true;
        accounts.push(a);
    }

    function _credit(address a, uint256 amount) internal {
        _know(a);
        expectedClaimable[a] += amount;
    }

    function _freeOf(address op) internal view returns (uint256) {
        return expectedStake[op] - expectedLocked[op] - expectedUnbonding[op];
    }

    function _seeKey(uint256 keyed, uint256 model, bytes32 inputHash, int256[] memory input) internal {
        Entry storage e = cache[keyed];
        if (e.inputHash != bytes32(0)) return;
        e.model = model;
        e.inputHash = inputHash;
        e.input = input;
        keyIds.push(keyed);
    }

    function _acceptsFor(uint256 model, uint8 pick) internal view returns (uint8) {
        uint8 optimistic = uint8(1 << uint8(Provenance.Optimistic));
        uint8 proof = uint8(1 << uint8(Provenance.Proof));
        pick = pick % 6;
        if (pick == 3) return optimistic;
        if (model != modelId) return 0;
        if (pick == 4) return proof;
        if (pick == 5) return optimistic | proof;
        return 0;
    }

    function _anyScheduledActionable() internal view returns (bool) {
        for (uint256 k = 0; k < ids.length; ++k) {
            uint256 other = ids[k];
            if (!automation.isScheduled(other)) continue;
            Req storage o = reqs[other];
            if (o.state != RequestState.Proposed || block.timestamp >= o.time) return true;
        }
        return false;
    }

    function _outputFor(uint256 id, bool honest) internal view returns (int256[] memory) {
        Req storage r = reqs[id];
        return honest ? _truth(r.model, r.input) : _wrong(r.model, r.input, 1);
    }

    function _proposable(uint256 pick, uint256 who) internal view returns (uint256 id, address op, bool ok) {
        bool found;
        (id, found) = _pick(pick, RequestState.Requested);
        if (!found) return (id, op, false);
        Req storage r = reqs[id];
        op = operators[who % 3];
        ok = block.timestamp <= r.terms.deadline && _accepted(r.terms.accepts, Provenance.Optimistic)
            && _freeOf(op) >= r.terms.bond;
    }

    /// Up to four open proposals, and whether each is finalizable now (read before the call that carries them).
    function _carried(uint256 carry)
        internal
        view
        returns (MaturedProposal[] memory matured, bool[] memory finalizable)
    {
        uint256 n = ids.length;
        matured = new MaturedProposal[](4);
        finalizable = new bool[](4);
        uint256 count;
        for (uint256 k = 0; k < n && count < 4; ++k) {
            uint256 other = ids[(carry % n + k) % n];
            Req storage o = reqs[other];
            if (o.state != RequestState.Proposed && o.state != RequestState.Disputed) continue;
            matured[count] = MaturedProposal(other, o.terms, o.proposal, o.proposed);
            finalizable[count] = o.state == RequestState.Proposed && block.timestamp >= o.time;
            ++count;
        }
        assembly ("memory-safe") {
            mstore(matured, count)
            mstore(finalizable, count)
        }
    }

    function _claimFor(Req storage r, uint256 claimPick) internal view returns (bytes32 claim_) {
        for (uint256 k = 0; k < 3; ++k) {
            uint256 c = (claimPick % 3 + k) % 3;
            int256[] memory out = c == 0 ? _truth(r.model, r.input) : _wrong(r.model, r.input, int256(c));
            claim_ = _h(out);
            if (claim_ != r.proposal.outputHash) return claim_;
        }
    }

    function _proposed(uint256 id, address op, int256[] memory output) internal {
        Req storage r = reqs[id];
        r.proposal = Proposal(op, address(0), _h(output), bytes32(0));
        r.proposed = output;
        r.state = RequestState.Proposed;
        r.time = block.timestamp + r.terms.challengeWindow;
        expectedLocked[op] += r.terms.bond;
        reached["proposed"]++;
    }

    /// An unchallenged proposal finalized after its window: bond back, fee earned, the consumer called now.
    function _optimisticFinal(uint256 id) internal {
        Req storage r = reqs[id];
        expectedLocked[r.proposal.proposer] -= r.terms.bond;
        expectedStake[r.proposal.proposer] += r.terms.fee;
        escrowed -= r.terms.fee;
        _resultFor(id, r.proposed, Provenance.Optimistic);
        _endFinalized(id, r.proposed, true);
    }

    /// A dispute settled with `decided`: the side whose claim it is wins its bond back, the fee and the winner's
    /// share of the loser's bond; the settler gets the resolver's share; neither side right: both bonds slashed,
    /// the settler also gets the fee. The consumer is never called: the callback is owed.
    function _settled(uint256 id, address resolver, int256[] memory decided, Provenance p) internal {
        Req storage r = reqs[id];
        expectedLocked[r.proposal.proposer] -= r.terms.bond;
        expectedLocked[r.proposal.challenger] -= r.terms.bond;
        escrowed -= r.terms.fee;
        _pay(r.proposal, r.terms.bond, r.terms.fee, _h(decided), resolver);
        _resultFor(id, decided, p);
        _endFinalized(id, decided, false);
    }

    function _pay(Proposal memory pr, uint256 bond, uint256 fee, bytes32 decided, address resolver) internal {
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split(bond);
        if (decided == pr.outputHash || decided == pr.claimHash) {
            (address winner, address loser) =
                decided == pr.outputHash ? (pr.proposer, pr.challenger) : (pr.challenger, pr.proposer);
            expectedStake[loser] -= bond;
            expectedStake[winner] += reward + fee;
            _credit(resolver, resolverReward);
            _credit(treasury, toTreasury);
        } else {
            expectedStake[pr.proposer] -= bond;
            expectedStake[pr.challenger] -= bond;
            _credit(resolver, 2 * resolverReward + fee);
            _credit(treasury, 2 * (reward + toTreasury));
            reached["neitherRight"]++;
        }
    }

    /// The arbitrator rejected both claims: both bonds slashed, the fee back to the requester, no result.
    function _rejected(uint256 id) internal {
        Req storage r = reqs[id];
        uint256 bond = r.terms.bond;
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _split(bond);
        expectedLocked[r.proposal.proposer] -= bond;
        expectedLocked[r.proposal.challenger] -= bond;
        expectedStake[r.proposal.proposer] -= bond;
        expectedStake[r.proposal.challenger] -= bond;
        _credit(arbitrator, 2 * resolverReward);
        _credit(treasury, 2 * (reward + toTreasury));
        escrowed -= r.terms.fee;
        _credit(r.terms.requester, r.terms.fee);
        _noResultFor(id);
        _endFailed(id, RequestState.Expired, InferenceError.ClaimsRejected, false);
    }

    /// The request ends Finalized with `output`; its callback was made now (and delivered unless the consumer
    /// reverts, in which case it is owed) or is owed.
    function _endFinalized(uint256 id, int256[] memory output, bool callNow) internal {
        _end(id, RequestState.Finalized, abi.encodeCall(IInferenceConsumer.fulfillInference, (id, output)), callNow);
        if (callNow && !consumerReverts) assertEq(consumer.resultHash(id), _h(output), "delivered output");
    }

    function _endFailed(uint256 id, RequestState s, InferenceError code, bool callNow) internal {
        _end(id, s, abi.encodeCall(IInferenceConsumer.failInference, (id, code)), callNow);
    }

    function _end(uint256 id, RequestState s, bytes memory data, bool callNow) internal {
        Req storage r = reqs[id];
        assertTrue(_isOpen(r.state), "one terminal state per request");
        r.state = s;
        r.time = block.timestamp;
        callbackData[id] = data;
        bool delivered = callNow && !consumerReverts;
        assertEq(consumer.callbackCount(id), delivered ? 1 : 0, "callback made at the end, or not at all");
        assertEq(oracle.callbackOwed(id), !delivered, "an undelivered callback is owed");
        assertEq(uint8(oracle.requestState(id)), uint8(s), "terminal state");
        reached[s == RequestState.Finalized ? bytes32("final") : bytes32("noResult")]++;
    }

    // ----- the cache rules (src-sol/oracle/ResultCache.sol), applied to the ghost -----

    function _strong(Provenance p) internal pure returns (bool) {
        return p == Provenance.Reexecution || p == Provenance.Proof;
    }

    /// A request ended with `output`, settled as `p`.
    function _resultFor(uint256 id, int256[] memory output, Provenance p) internal {
        Req storage r = reqs[id];
        uint256 keyed = oracle.keyedRequestId(r.model, r.terms.inputHash);
        if (id == keyed) {
            _keyedEnded(keyed, true, output, p);
        } else {
            _offered(keyed, output, p, true);
        }
    }

    function _noResultFor(uint256 id) internal {
        Req storage r = reqs[id];
        uint256 keyed = oracle.keyedRequestId(r.model, r.terms.inputHash);
        if (id == keyed) _keyedEnded(keyed, false, new int256[](0), Provenance.None);
    }

    /// The key's own request ended: its result is the entry, unless a strong result waits and its own is weak (or
    /// it has none), in which case the waiting one is.
    function _keyedEnded(uint256 keyed, bool hasResult, int256[] memory output, Provenance p) internal {
        Entry storage e = cache[keyed];
        assertFalse(e.has, "a key has no entry while its own request is open");
        if (e.waitingProv != Provenance.None && (!hasResult || !_strong(p))) {
            (e.has, e.hash, e.prov, e.output) = (true, e.waitingHash, e.waitingProv, e.waiting);
            reached["waitingAdopted"]++;
        } else if (hasResult) {
            (e.has, e.hash, e.prov, e.output) = (true, _h(output), p, output);
        }
        e.waitingHash = bytes32(0);
        e.waitingProv = Provenance.None;
        delete e.waiting;
    }

    /// A result settled for another request of the key, or a correction. Returns whether the entry (or the waiting
    /// result) changes; applies it when `write`. The only way an entry's output changes is a strong result that
    /// contradicts it.
    function _offered(uint256 keyed, int256[] memory output, Provenance p, bool write) internal returns (bool) {
        Entry storage e = cache[keyed];
        bytes32 h = _h(output);
        Req storage own = reqs[keyed];
        if (own.exists && _isOpen(own.state)) {
            if (!_strong(p) || (e.waitingHash == h && uint8(e.waitingProv) >= uint8(p))) return false;
            if (write) (e.waitingHash, e.waitingProv, e.waiting) = (h, p, output);
            if (write) reached["waiting"]++;
            return true;
        }
        if (e.has) {
            if (!_strong(p) || (e.hash == h && uint8(e.prov) >= uint8(p))) return false;
            if (write && e.hash != h) reached["replaced"]++;
            if (write) (e.hash, e.prov, e.output) = (h, p, output);
            return true;
        }
        // The key never had a request of its own: its word stays free for one.
        if (!own.exists) return false;
        // Its request ended without a result: the first result is the entry, whatever its provenance.
        if (write) (e.has, e.hash, e.prov, e.output) = (true, h, p, output);
        return true;
    }
}
