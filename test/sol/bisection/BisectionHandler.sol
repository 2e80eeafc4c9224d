// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {IDisputes} from "../../../src-sol/interfaces/IDisputes.sol";
import {RequestState, Provenance, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {TraceBuilder, BisectionModels} from "./TraceBuilder.sol";

/// @notice Drives bisection games between an honest operator and a dishonest one. In each dispute one of the two
/// keys (the proposer or the challenger) is honest and plays every move from the true trace, on time; the other lies
/// from a random state on and tries every move: playing its lie consistently, wrong midpoints, equivocation (a state
/// of another trace), moving out of turn, executing the step with the wrong weights, state or output, timing out
/// early, stalling, and not opening the game at all. Forbidden moves must revert (`forbiddenSucceeded` counts those
/// that did not); the invariant test checks that every settled dispute ended with the honest output.
contract BisectionHandler is Test {
    uint32 internal constant GAS = 200_000;

    InferenceOracle public immutable oracle;
    MockConsumer public immutable consumer;
    uint256 public immutable deepId;
    uint256 public immutable oneStepId;
    address public immutable proposer;
    address public immutable challenger;
    uint96 public immutable fee;

    /// @dev A dispute: the input comes from `seed`, the liar's trace from (`lieFrom`, `by`).
    struct Game {
        uint256 id;
        uint256 model;
        uint256 seed;
        bool honestProposes;
        uint256 lieFrom;
        int256 by;
        RequestTerms terms;
        Proposal proposal;
    }

    Game[] internal games;
    uint256 internal nonce;
    /// Forbidden moves that did not revert (must stay zero).
    uint256 public forbiddenSucceeded;
    /// Settlements observed, by how they ended.
    uint256 public settledByStep;
    uint256 public settledByTimeout;
    uint256 public settledByExpiry;

    constructor(
        InferenceOracle oracle_,
        MockConsumer consumer_,
        uint256 deepId_,
        uint256 oneStepId_,
        address proposer_,
        address challenger_,
        uint96 fee_
    ) {
        (oracle, consumer, deepId, oneStepId, proposer, challenger, fee) =
            (oracle_, consumer_, deepId_, oneStepId_, proposer_, challenger_, fee_);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A request on one of the models, a proposal and a challenge; the honest challenger opens at once.
    function newDispute(uint256 seed, bool honestProposes, uint256 lieFrom, uint256 by, bool oneStep) external {
        if (games.length >= 12) return;
        Game memory g;
        g.model = oneStep ? oneStepId : deepId;
        g.seed = uint256(keccak256(abi.encode(seed, ++nonce)));
        g.honestProposes = honestProposes;
        ModelEncoder.Model memory m = _modelOf(g.model);
        uint256 n = m.layers.length;
        g.lieFrom = 1 + lieFrom % n;
        g.by = int256(1 + by % 3);
        int256[] memory input = _input(g.seed);
        (TraceBuilder.Side memory p, TraceBuilder.Side memory c) = _sides(g);
        g.terms = RequestTerms({
            requester: address(consumer),
            modelId: uint64(g.model),
            callbackGasLimit: GAS,
            fee: fee,
            bond: oracle.modelCopy(g.model).minBond,
            challengeWindow: oracle.modelCopy(g.model).challengeWindow,
            outputLength: uint16(p.states[n].length),
            deadline: uint40(block.timestamp + oracle.periods().requestTimeout),
            inputHash: keccak256(abi.encodePacked(input)),
            disputeWindow: oracle.periods().arbitrationWindow,
            verifierVersion: 0,
            accepts: 0
        });
        g.id = consumer.request(g.model, input, GAS, fee);
        vm.prank(proposer);
        oracle.propose(g.id, g.terms, p.states[n]);
        g.proposal = Proposal(proposer, address(0), p.hashes[n], bytes32(0));
        vm.prank(challenger);
        IDisputes(address(oracle)).challenge(g.id, g.terms, g.proposal, c.hashes[n]);
        (g.proposal.challenger, g.proposal.claimHash) = (challenger, c.hashes[n]);
        games.push(g);
        if (!honestProposes) _open(g, c);
    }

    /// @notice The liar, as challenger, opens the game it may also never open.
    function liarOpens(uint256 i) external {
        Game memory g = _pick(i);
        if (g.id == 0 || g.honestProposes || !_disputed(g) || _phase(g) != IBisection.BisectionPhase.None) return;
        (, TraceBuilder.Side memory c) = _sides(g);
        try this.openAs(g, c) {} catch {}
    }

    /// @notice The honest party does whatever is due: its move, the step, a timeout it wins, a dispute expiry.
    function honestActs(uint256 i) external {
        Game memory g = _pick(i);
        if (g.id != 0) _honestAct(g);
    }

    /// @notice The liar moves when it is its turn: consistently with its own trace, or one of the forbidden moves.
    function liarMoves(uint256 i, uint8 kind, bytes32 junk) external {
        Game memory g = _pick(i);
        if (g.id == 0 || !_disputed(g)) return;
        IBisection.BisectionGame memory s = IBisection(address(oracle)).bisectionOf(g.id);
        if (s.phase == IBisection.BisectionPhase.None) return;
        (TraceBuilder.Side memory p, TraceBuilder.Side memory c) = _sides(g);
        (TraceBuilder.Side memory liar, TraceBuilder.Side memory honest) = g.honestProposes ? (c, p) : (p, c);
        address liarKey = g.honestProposes ? challenger : proposer;
        bool liarsTurn = s.phase == (g.honestProposes
                ? IBisection.BisectionPhase.ChallengerToMove
                : IBisection.BisectionPhase.ProposerToMove);
        kind %= 6;
        if (kind == 0 && liarsTurn) {
            // its lie, played consistently
            try this.moveAs(g, liarKey, liar, s) {} catch {}
        } else if (kind == 1 && liarsTurn && s.hi - s.lo > 1) {
            // a midpoint that is not in its trace
            (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) = _answer(liar, s);
            atMid.stateHash = junk;
            if (junk != liar.hashes[(s.lo + s.hi) / 2]) _forbidden(liarKey, g, atMid, atNext);
        } else if (kind == 2 && liarsTurn && s.hi - s.lo > 1) {
            // equivocation: the honest trace's state with the honest trace's proof
            (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) = _answer(honest, s);
            uint256 mid = (s.lo + s.hi) / 2;
            if (honest.hashes[mid] != liar.hashes[mid]) _forbidden(liarKey, g, atMid, atNext);
        } else if (kind == 3 && !liarsTurn && s.phase != IBisection.BisectionPhase.OneStep) {
            // out of turn
            (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) = _answer(liar, s);
            _forbidden(liarKey, g, atMid, atNext);
        } else if (kind == 4 && s.phase == IBisection.BisectionPhase.OneStep) {
            // the step with its own output (the loser's), with another step's weights, or from its own state hi
            _forbiddenStep(g, p, c, s, uint8(uint256(junk) % 3));
        } else if (kind == 5 && block.timestamp <= s.deadline) {
            // a timeout before the deadline
            vm.prank(liarKey);
            try IBisection(address(oracle)).timeoutBisection(g.id, g.terms, g.proposal, _output(liar)) {
                ++forbiddenSucceeded;
            } catch {}
        }
    }

    /// @notice Time passes (the liar stalls); the honest party makes every move due before its deadline first.
    function stall(uint256 seconds_) external {
        _honestCatchesUp();
        vm.warp(block.timestamp + bound(seconds_, 1, 3 hours));
    }

    /// @notice Plays every open dispute to its end (the honest side acting, time passing): used after a run to show
    /// that every game ends and no bond stays locked.
    function settleAll() external {
        for (uint256 round = 0; round < 40; ++round) {
            bool open;
            for (uint256 k = 0; k < games.length; ++k) {
                Game memory g = games[k];
                if (!_disputed(g)) continue;
                open = true;
                _honestAct(g);
            }
            if (!open) return;
            _honestCatchesUp();
            vm.warp(block.timestamp + 1 days);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views for the invariants
    // ---------------------------------------------------------------------------------------------------------

    function gameCount() external view returns (uint256) {
        return games.length;
    }

    /// @notice Whether dispute `k` ended (not Disputed any more) and, if so, whether with the honest output.
    function outcome(uint256 k) external view returns (bool ended, bool honestWon) {
        Game memory g = games[k];
        if (_disputed(g)) return (false, false);
        if (oracle.requestState(g.id) != RequestState.Finalized) return (true, false);
        (bool found, int256[] memory output,) = oracle.cachedResult(g.model, g.terms.inputHash);
        bytes32 honestHash = g.honestProposes ? g.proposal.outputHash : g.proposal.claimHash;
        return (true, found && keccak256(abi.encodePacked(output)) == honestHash);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External wrappers (so that a revert can be caught)
    // ---------------------------------------------------------------------------------------------------------

    function openAs(Game memory g, TraceBuilder.Side memory c) external {
        require(msg.sender == address(this));
        _open(g, c);
    }

    function moveAs(Game memory g, address mover, TraceBuilder.Side memory side, IBisection.BisectionGame memory s)
        external
    {
        require(msg.sender == address(this));
        _move(g, mover, side, s);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------------

    function _honestAct(Game memory g) internal {
        if (!_disputed(g)) return;
        (TraceBuilder.Side memory p, TraceBuilder.Side memory c) = _sides(g);
        IBisection.BisectionGame memory s = IBisection(address(oracle)).bisectionOf(g.id);
        TraceBuilder.Side memory honest = g.honestProposes ? p : c;
        address honestKey = g.honestProposes ? proposer : challenger;
        if (s.phase == IBisection.BisectionPhase.None) {
            // Only an honest proposer can be waiting without a game: the liar did not open.
            (, uint256 disputedAt,) = oracle.requestRecord(g.id);
            if (block.timestamp > disputedAt + g.terms.disputeWindow) {
                vm.prank(honestKey);
                IDisputes(address(oracle)).expireDispute(g.id, g.terms, g.proposal, _output(honest));
                ++settledByExpiry;
            }
            return;
        }
        if (block.timestamp > s.deadline) {
            vm.prank(honestKey);
            IBisection(address(oracle)).timeoutBisection(g.id, g.terms, g.proposal, _output(honest));
            ++settledByTimeout;
        } else if (s.phase == IBisection.BisectionPhase.OneStep) {
            _step(g, honestKey, p, s, _output(honest));
            ++settledByStep;
        } else if (_honestsTurn(g)) {
            _move(g, honestKey, honest, s);
        }
    }

    /// @dev Every move due from the honest party, before time passes.
    function _honestCatchesUp() internal {
        for (uint256 k = 0; k < games.length; ++k) {
            Game memory g = games[k];
            while (_disputed(g) && _honestsTurn(g)) {
                _honestAct(g);
            }
        }
    }

    function _honestsTurn(Game memory g) internal view returns (bool) {
        IBisection.BisectionPhase phase = IBisection(address(oracle)).bisectionOf(g.id).phase;
        if (phase == IBisection.BisectionPhase.OneStep) return true;
        return phase
            == (g.honestProposes ? IBisection.BisectionPhase.ProposerToMove : IBisection.BisectionPhase.ChallengerToMove);
    }

    function _open(Game memory g, TraceBuilder.Side memory c) internal {
        uint256 n = c.hashes.length - 1;
        vm.prank(challenger);
        IBisection(address(oracle)).openBisection(
            g.id, g.terms, g.proposal, c.states[n], _traceRoot(c), n > 1 ? _leaf(c, n / 2) : _noLeaf()
        );
    }

    function _move(Game memory g, address mover, TraceBuilder.Side memory side, IBisection.BisectionGame memory s)
        internal
    {
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) = _answer(side, s);
        vm.prank(mover);
        if (mover == proposer && s.proposerRoot == bytes32(0)) {
            IBisection(address(oracle)).commitTrace(g.id, g.terms, g.proposal, _traceRoot(side), atMid, atNext);
        } else {
            IBisection(address(oracle)).bisect(g.id, atMid, atNext);
        }
    }

    function _step(
        Game memory g,
        address caller,
        TraceBuilder.Side memory p,
        IBisection.BisectionGame memory s,
        int256[] memory output
    ) internal {
        ModelEncoder.Model memory m = _modelOf(g.model);
        IBisection.StepWeights memory w = IBisection.StepWeights(
            TraceBuilder.stepEncoding(m, s.lo), TraceBuilder.proof(TraceBuilder.stepLeaves(m), s.lo)
        );
        vm.prank(caller);
        IBisection(address(oracle)).executeStep(g.id, g.terms, g.proposal, w, p.states[s.lo], output);
    }

    function _forbidden(
        address liarKey,
        Game memory g,
        IBisection.TraceLeaf memory atMid,
        IBisection.TraceLeaf memory atNext
    ) internal {
        vm.prank(liarKey);
        try IBisection(address(oracle)).bisect(g.id, atMid, atNext) {
            ++forbiddenSucceeded;
        } catch {}
    }

    function _forbiddenStep(
        Game memory g,
        TraceBuilder.Side memory p,
        TraceBuilder.Side memory c,
        IBisection.BisectionGame memory s,
        uint8 how
    ) internal {
        ModelEncoder.Model memory m = _modelOf(g.model);
        uint256 stepIndex = how == 1 ? (s.lo + 1) % m.layers.length : s.lo;
        if (how == 1 && stepIndex == s.lo) return;
        IBisection.StepWeights memory w = IBisection.StepWeights(
            TraceBuilder.stepEncoding(m, stepIndex), TraceBuilder.proof(TraceBuilder.stepLeaves(m), stepIndex)
        );
        TraceBuilder.Side memory liar = g.honestProposes ? c : p;
        int256[] memory pre = how == 2 ? liar.states[s.hi] : p.states[s.lo];
        if (how == 2 && keccak256(abi.encodePacked(pre)) == s.agreed) return;
        vm.prank(g.honestProposes ? challenger : proposer);
        try IBisection(address(oracle)).executeStep(g.id, g.terms, g.proposal, w, pre, _output(liar)) {
            ++forbiddenSucceeded;
        } catch {}
    }

    function _answer(TraceBuilder.Side memory s, IBisection.BisectionGame memory g)
        internal
        pure
        returns (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext)
    {
        (uint256 lo, uint256 hi) = (g.lo, g.hi);
        if (hi - lo <= 1) return (atMid, atNext);
        uint256 mid = (lo + hi) / 2;
        atMid = _leaf(s, mid);
        if (s.hashes[mid] == g.pending) lo = mid;
        else hi = mid;
        if (hi - lo > 1) atNext = _leaf(s, (lo + hi) / 2);
    }

    function _sides(Game memory g) internal view returns (TraceBuilder.Side memory p, TraceBuilder.Side memory c) {
        ModelEncoder.Model memory m = _modelOf(g.model);
        int256[][] memory honest = TraceBuilder.states(m, _input(g.seed));
        int256[][] memory lying = TraceBuilder.lie(m, honest, g.lieFrom, g.by);
        (p, c) = g.honestProposes
            ? (TraceBuilder.side(honest), TraceBuilder.side(lying))
            : (TraceBuilder.side(lying), TraceBuilder.side(honest));
    }

    function _modelOf(uint256 id) internal view returns (ModelEncoder.Model memory) {
        return id == deepId ? BisectionModels.deep() : BisectionModels.oneStep();
    }

    function _input(uint256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](2);
        x[0] = int256(uint256(keccak256(abi.encode(seed, 0))) % 2049) - 1024;
        x[1] = int256(uint256(keccak256(abi.encode(seed, 1))) % 2049) - 1024;
    }

    function _pick(uint256 i) internal view returns (Game memory g) {
        if (games.length != 0) g = games[i % games.length];
    }

    function _disputed(Game memory g) internal view returns (bool) {
        return oracle.requestState(g.id) == RequestState.Disputed;
    }

    function _phase(Game memory g) internal view returns (IBisection.BisectionPhase) {
        return IBisection(address(oracle)).bisectionOf(g.id).phase;
    }

    function _leaf(TraceBuilder.Side memory s, uint256 index) internal pure returns (IBisection.TraceLeaf memory) {
        return IBisection.TraceLeaf(s.hashes[index], TraceBuilder.proof(s.hashes, index));
    }

    function _noLeaf() internal pure returns (IBisection.TraceLeaf memory leaf) {}

    function _traceRoot(TraceBuilder.Side memory s) internal pure returns (IBisection.TraceRoot memory) {
        uint256 n = s.hashes.length - 1;
        return IBisection.TraceRoot(s.root, TraceBuilder.proof(s.hashes, 0), TraceBuilder.proof(s.hashes, n));
    }

    function _output(TraceBuilder.Side memory s) internal pure returns (int256[] memory) {
        return s.states[s.states.length - 1];
    }
}
