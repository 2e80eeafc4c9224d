// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {RequestState, RequestTerms, Proposal, MaturedProposal, Periods} from "../../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";

/// @notice Drives the oracle through random requests, proposals, challenges, resolutions, finalizations,
/// expiries, deposits, withdrawals, claims and time warps, keeping ghost books the invariants compare with.
contract OracleHandler is Test {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant GAS = 200_000;

    InferenceOracle public oracle;
    MockConsumer public consumer;
    TestVerifier public verifier;
    uint256 public modelId;
    address public arbitrator;
    address public treasury;
    address[3] public operators;

    struct Req {
        RequestTerms terms;
        Proposal proposal;
        int256[] input;
        bool exists;
    }

    uint256[] public ids;
    /// Where each scheduled id sits in the oracle's schedule list (the range `checkUpkeep` scans).
    mapping(uint256 id => uint256 index) internal scheduleIndex;
    mapping(uint256 id => Req) internal reqs;
    /// Ghost: the first terminal state observed for a request (None while open).
    mapping(uint256 id => RequestState) public terminal;
    /// Ghost: escrowed fees of open requests.
    uint256 public escrowed;
    /// Ghost per operator.
    mapping(address => uint256) public deposited;
    mapping(address => uint256) public withdrawn;
    mapping(address => uint256) public slashed;
    mapping(address => uint256) public earned;
    /// Ghost: the first cached output hash per input hash.
    mapping(bytes32 inputHash => bytes32) public cachedHash;
    bytes32[] public cachedKeys;
    uint256 public calls;
    /// Ghost: how often each outcome happened (to see that the runs reach them).
    uint256 public disputesResolved;
    uint256 public finalizations;

    constructor(
        InferenceOracle oracle_,
        MockConsumer consumer_,
        TestVerifier verifier_,
        uint256 modelId_,
        address arbitrator_,
        address treasury_
    ) {
        oracle = oracle_;
        consumer = consumer_;
        verifier = verifier_;
        modelId = modelId_;
        arbitrator = arbitrator_;
        treasury = treasury_;
        operators = [makeAddr("op0"), makeAddr("op1"), makeAddr("op2")];
    }

    // ----- actions -----

    function deposit(uint256 who, uint256 amount) external {
        address op = operators[who % 3];
        amount = bound(amount, 1, 5 ether);
        vm.deal(op, op.balance + amount);
        vm.prank(op);
        oracle.depositStake{value: amount}();
        deposited[op] += amount;
        calls++;
    }

    function requestWithdrawal(uint256 who, uint256 amount) external {
        address op = operators[who % 3];
        uint256 free = oracle.stakeOf(op).free;
        if (free == 0) return;
        vm.prank(op);
        oracle.requestWithdrawal(bound(amount, 1, free));
        calls++;
    }

    function withdrawStake(uint256 who) external {
        address op = operators[who % 3];
        InferenceOracle.Stake memory s = oracle.stakeOf(op);
        if (s.unbonding == 0 || block.timestamp < s.readyAt) return;
        uint256 before = op.balance;
        vm.prank(op);
        oracle.withdrawStake();
        withdrawn[op] += op.balance - before;
        calls++;
    }

    function claim(bool treasurySide) external {
        address account = treasurySide ? treasury : address(consumer);
        if (oracle.claimableOf(account) == 0) return;
        if (treasurySide) {
            vm.prank(treasury);
            oracle.claim(payable(treasury));
        } else {
            consumer.claimCredit(payable(address(consumer)));
        }
        calls++;
    }

    function request(uint256 seed, uint256 extra) external {
        int256[] memory input = _inputFor(seed);
        uint256 value = FEE + bound(extra, 0, FEE);
        bytes32 inputHash = keccak256(abi.encodePacked(input));
        (bool hit,) = oracle.cachedResult(modelId, inputHash);
        RequestTerms memory terms = RequestTerms({
            requester: address(consumer),
            modelId: uint64(modelId),
            callbackGasLimit: GAS,
            fee: FEE,
            bond: BOND,
            challengeWindow: 1 hours,
            outputLength: 2,
            deadline: uint40(block.timestamp + 1 hours),
            inputHash: inputHash
        });
        uint256 id = consumer.request(modelId, input, GAS, value);
        ids.push(id);
        Req storage r = reqs[id];
        r.terms = terms;
        r.input = input;
        r.exists = true;
        RequestState s = oracle.requestState(id);
        if (hit) {
            assertEq(uint8(s), uint8(RequestState.Finalized), "cache hit not finalized");
            _terminal(id, RequestState.Finalized);
        } else if (s == RequestState.Failed) {
            _terminal(id, RequestState.Failed);
        } else {
            assertEq(uint8(s), uint8(RequestState.Requested));
            escrowed += FEE;
        }
        calls++;
    }

    function propose(uint256 pick, uint256 who, bool honest) external {
        (uint256 id, address op, bool ok) = _proposable(pick, who);
        if (!ok) return;
        Req storage r = reqs[id];
        int256[] memory output = honest ? _correct(r.input) : _wrong(r.input);
        vm.prank(op);
        oracle.propose(id, r.terms, output);
        r.proposal = Proposal(op, address(0), keccak256(abi.encodePacked(output)));
        calls++;
    }

    /// Proposes like `propose`, carrying every request whose window has passed plus, to exercise the skipping,
    /// whatever else is open (challenged, window not over): only the finalizable ones may end.
    function proposeAndFinalize(uint256 pick, uint256 who, bool honest) external {
        (uint256 id, address op, bool ok) = _proposable(pick, who);
        if (!ok) return;
        Req storage r = reqs[id];
        uint256 n = ids.length;
        MaturedProposal[] memory matured = new MaturedProposal[](n);
        uint256 count;
        for (uint256 k = 0; k < n && count < 4; ++k) {
            uint256 other = ids[(pick % n + k) % n];
            RequestState s = oracle.requestState(other);
            if (s != RequestState.Proposed && s != RequestState.Disputed) continue;
            Req storage o = reqs[other];
            matured[count++] = MaturedProposal(other, o.terms, o.proposal, _proposedOutput(o));
        }
        assembly ("memory-safe") {
            mstore(matured, count)
        }
        bool[] memory finalizable = new bool[](count);
        for (uint256 k = 0; k < count; ++k) {
            (RequestState s, uint256 windowEnd,) = oracle.requestRecord(matured[k].requestId);
            finalizable[k] = s == RequestState.Proposed && block.timestamp >= windowEnd;
        }
        int256[] memory output = honest ? _correct(r.input) : _wrong(r.input);
        vm.prank(op);
        oracle.proposeAndFinalize(id, r.terms, output, matured);
        r.proposal = Proposal(op, address(0), keccak256(abi.encodePacked(output)));
        for (uint256 k = 0; k < count; ++k) {
            MaturedProposal memory m = matured[k];
            RequestState s = oracle.requestState(m.requestId);
            assertEq(s == RequestState.Finalized, finalizable[k], "finalized exactly the finalizable ones");
            if (!finalizable[k]) continue;
            earned[m.proposal.proposer] += FEE;
            escrowed -= FEE;
            _finalized(m.requestId, m.terms.inputHash, m.output);
        }
        calls++;
    }

    function proposeWithProof(uint256 pick, uint256 who) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp > r.terms.deadline) return;
        address op = operators[who % 3];
        int256[] memory output = _correct(r.input);
        verifier.setProven(r.input, output, true);
        vm.prank(op);
        oracle.proposeWithProof(id, r.terms, r.input, output, "test-proof");
        earned[op] += FEE;
        escrowed -= FEE;
        _finalized(id, r.terms.inputHash, output);
        calls++;
    }

    function challenge(uint256 pick, uint256 who) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        address op = operators[who % 3];
        if (op == r.proposal.proposer || oracle.stakeOf(op).free < BOND) return;
        (, uint256 windowEnd,) = oracle.requestRecord(id);
        if (block.timestamp >= windowEnd) return;
        vm.prank(op);
        oracle.challenge(id, r.terms, r.proposal);
        r.proposal.challenger = op;
        calls++;
    }

    function finalize(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        (, uint256 windowEnd,) = oracle.requestRecord(id);
        if (block.timestamp < windowEnd) return;
        int256[] memory output = _proposedOutput(r);
        oracle.finalize(id, r.terms, r.proposal, output);
        earned[r.proposal.proposer] += FEE;
        escrowed -= FEE;
        _finalized(id, r.terms.inputHash, output);
        calls++;
    }

    /// Schedules a proposal for Chainlink Automation and runs the upkeep the way a keeper would.
    function automate(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Proposed);
        if (!found) return;
        Req storage r = reqs[id];
        int256[] memory output = _proposedOutput(r);
        if (!oracle.isScheduled(id)) {
            oracle.scheduleFinalization(id, r.terms, r.proposal, output);
            scheduleIndex[id] = oracle.scheduledCount() - 1;
        }
        (bool needed, bytes memory performData) = oracle.checkUpkeep(abi.encode(scheduleIndex[id], uint256(1)));
        (, uint256 windowEnd,) = oracle.requestRecord(id);
        assertEq(needed, block.timestamp >= windowEnd, "checkUpkeep agrees with the window");
        if (!needed) return;
        oracle.performUpkeep(performData);
        earned[r.proposal.proposer] += FEE;
        escrowed -= FEE;
        _finalized(id, r.terms.inputHash, output);
        calls++;
    }

    function resolve(uint256 pick, uint8 path) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        int256[] memory correct = _correct(r.input);
        path = path % 3;
        if (path == 0) {
            oracle.resolveByReexecution(id, r.terms, r.proposal, r.input);
        } else if (path == 1) {
            verifier.setProven(r.input, correct, true);
            oracle.resolveWithProof(id, r.terms, r.proposal, r.input, correct, "test-proof");
        } else {
            (, uint256 disputedAt,) = oracle.requestRecord(id);
            Periods memory p = oracle.periods();
            uint256 opensAt = disputedAt + p.disputeWindow;
            if (block.timestamp > opensAt + p.arbitrationWindow) return;
            if (block.timestamp < opensAt) vm.warp(opensAt);
            vm.prank(arbitrator);
            oracle.resolveByArbitration(id, r.terms, r.proposal, correct);
        }
        bool proposerRight = keccak256(abi.encodePacked(correct)) == r.proposal.outputHash;
        (address winner, address loser) =
            proposerRight ? (r.proposal.proposer, r.proposal.challenger) : (r.proposal.challenger, r.proposal.proposer);
        (uint256 reward,) = oracle.slashSplit(BOND);
        slashed[loser] += BOND;
        disputesResolved++;
        earned[winner] += reward + FEE;
        escrowed -= FEE;
        _finalized(id, r.terms.inputHash, correct);
        calls++;
    }

    function expire(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Requested);
        if (!found) return;
        Req storage r = reqs[id];
        if (block.timestamp <= r.terms.deadline) return;
        oracle.expire(id, r.terms);
        escrowed -= FEE;
        _terminal(id, RequestState.Expired);
        calls++;
    }

    function expireDispute(uint256 pick) external {
        (uint256 id, bool found) = _pick(pick, RequestState.Disputed);
        if (!found) return;
        Req storage r = reqs[id];
        (, uint256 disputedAt,) = oracle.requestRecord(id);
        Periods memory p = oracle.periods();
        if (block.timestamp <= disputedAt + p.disputeWindow + p.arbitrationWindow) return;
        oracle.expireDispute(id, r.terms, r.proposal);
        escrowed -= FEE;
        _terminal(id, RequestState.Expired);
        calls++;
    }

    /// Mostly short steps (windows are an hour), sometimes long ones (disputes, unbonding, expiries).
    function warp(uint256 seconds_) external {
        uint256 step = seconds_ % 8 == 0 ? bound(seconds_, 1 hours, 4 days) : bound(seconds_, 1, 40 minutes);
        vm.warp(block.timestamp + step);
    }

    // ----- views for the invariants -----

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function cachedKeyCount() external view returns (uint256) {
        return cachedKeys.length;
    }

    function operatorList() external view returns (address[3] memory) {
        return operators;
    }

    // ----- helpers -----

    function _finalized(uint256 id, bytes32 inputHash, int256[] memory output) private {
        _terminal(id, RequestState.Finalized);
        finalizations++;
        assertEq(consumer.resultHash(id), keccak256(abi.encodePacked(output)), "delivered output");
        // First result wins, except that an open request holding the key's own id keeps its word and caches
        // its own result later (finalizing another request never changes that request's state).
        uint256 keyedId = oracle.keyedRequestId(modelId, inputHash);
        RequestState keyedState = oracle.requestState(keyedId);
        bool keyedOpen = keyedState == RequestState.Requested || keyedState == RequestState.Proposed
            || keyedState == RequestState.Disputed;
        if (cachedHash[inputHash] == bytes32(0) && (id == keyedId || !keyedOpen)) {
            cachedHash[inputHash] = keccak256(abi.encodePacked(output));
            cachedKeys.push(inputHash);
        }
    }

    function _terminal(uint256 id, RequestState s) private {
        assertEq(uint8(terminal[id]), uint8(RequestState.None), "second terminal state");
        terminal[id] = s;
    }

    /// A `Requested` request still before its deadline, and an operator with a bond's worth of free stake.
    function _proposable(uint256 pick, uint256 who) private view returns (uint256 id, address op, bool ok) {
        bool found;
        (id, found) = _pick(pick, RequestState.Requested);
        if (!found || block.timestamp > reqs[id].terms.deadline) return (id, op, false);
        op = operators[who % 3];
        ok = oracle.stakeOf(op).free >= BOND;
    }

    function _pick(uint256 pick, RequestState wanted) private view returns (uint256 id, bool found) {
        uint256 n = ids.length;
        if (n == 0) return (0, false);
        for (uint256 k = 0; k < n; ++k) {
            id = ids[(pick % n + k) % n];
            if (oracle.requestState(id) == wanted) return (id, true);
        }
        return (0, false);
    }

    function _proposedOutput(Req storage r) private view returns (int256[] memory) {
        int256[] memory c = _correct(r.input);
        return keccak256(abi.encodePacked(c)) == r.proposal.outputHash ? c : _wrong(r.input);
    }

    function _inputFor(uint256 seed) private pure returns (int256[] memory x) {
        if (seed % 16 == 0) {
            x = new int256[](3); // wrong length: Failed
            return x;
        }
        x = new int256[](2);
        // A small input space so that repeated inputs hit the cache; sometimes out of range.
        x[0] = int256(seed % 5) * 100 - 200;
        x[1] = seed % 23 == 0 ? int256(2000) : int256((seed >> 8) % 3) * 150;
    }

    function _correct(int256[] memory input) private pure returns (int256[] memory) {
        return ModelEncoder.run(ModelEncoder.small(), input);
    }

    function _wrong(int256[] memory input) private pure returns (int256[] memory w) {
        w = _correct(input);
        w[0] += 1;
    }
}
