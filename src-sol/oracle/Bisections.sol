// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RequestState, Provenance, RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {IBisection} from "../interfaces/IBisection.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IStepExecutor} from "../interfaces/IStepExecutor.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {TraceMerkle} from "../libraries/TraceMerkle.sol";
import {TraceStep} from "../libraries/TraceStep.sol";
import {DisputeSettlement} from "./DisputeSettlement.sol";

/// @title Bisections
/// @notice The bisection game of a dispute ({IBisection}; docs/PROTOCOL.md, "Bisection"). Both parties commit to a
/// trace whose first state is the request's input and whose last state is their claimed output, so they agree at
/// state 0 and disagree at the last state. Each move halves the range `[lo, hi]` while keeping that invariant; the
/// mover's state hashes are bound to its trace root by Merkle proofs, so no party can change its trace (equivocate)
/// during the game. At one step, the on-chain execution of that step from the agreed state tells whose next state is
/// right. An honest party therefore always wins: it never disagrees with a right state, so the final step starts
/// from a right state and its own next state is the executed one.
/// @dev A game is stored under its request id ({BisectionBook}) from its opening to the dispute's settlement.
abstract contract Bisections is DisputeSettlement, IBisection {
    /// @inheritdoc IBisection
    uint32 public constant MOVE_WINDOW = 1 hours;

    /// @inheritdoc IBisection
    function openBisection(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata claimedOutput,
        TraceRoot calldata trace,
        TraceLeaf calldata mid
    ) external {
        _checkContext();
        uint256 word = _load(requestId, RequestState.Disputed, terms, proposal);
        uint256 disputedAt = RequestWord.time(word);
        if (block.timestamp > disputedAt + terms.disputeWindow) {
            revert InferenceOracleOutsideWindow(requestId, disputedAt, disputedAt + terms.disputeWindow);
        }
        if (msg.sender != proposal.challenger) revert BisectionUnauthorizedMover(requestId, msg.sender);
        BisectionGame storage g = _getBisection().games[requestId];
        if (g.phase != BisectionPhase.None) revert BisectionUnexpectedPhase(requestId, _phaseBit(BisectionPhase.None));
        IModelRegistry.StepsCommitment memory c = registry().stepsCommitmentOf(terms.modelId);
        if (c.count == 0) revert BisectionNotAvailable(terms.modelId);
        if (RequestWord.hashCalldata(claimedOutput) != proposal.claimHash) {
            revert InferenceOracleOutputMismatch(requestId, proposal.claimHash);
        }
        _checkOutputCalldata(claimedOutput, terms.outputLength);
        _checkTrace(requestId, trace, c.count, terms.inputHash, proposal.claimHash);

        (g.proposer, g.challenger, g.hi, g.steps) = (proposal.proposer, msg.sender, c.count, c.count);
        (g.stepsRoot, g.challengerRoot, g.agreed) = (c.root, trace.root, terms.inputHash);
        (g.proposerHi, g.challengerHi) = (proposal.outputHash, proposal.claimHash);
        // The executor too is the registry's at the opening: a later change of the registry does not change the rules.
        if (c.executor != address(0)) g.executor = c.executor;
        emit BisectionOpened(requestId, msg.sender, trace.root, c.count, claimedOutput);
        bytes32 pending;
        if (c.count > 1) {
            _checkLeaf(requestId, trace.root, c.count, c.count / 2, mid);
            pending = mid.stateHash;
            g.pending = pending;
        }
        _next(requestId, g, BisectionPhase.ProposerToMove, 0, c.count, pending);
    }

    /// @inheritdoc IBisection
    function commitTrace(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        TraceRoot calldata trace,
        TraceLeaf calldata atMid,
        TraceLeaf calldata atNext
    ) external {
        _checkContext();
        _load(requestId, RequestState.Disputed, terms, proposal);
        BisectionGame storage g = _getBisection().games[requestId];
        _checkTurn(requestId, g, BisectionPhase.ProposerToMove);
        if (g.proposerRoot != bytes32(0)) revert BisectionTraceAlreadyCommitted(requestId);
        _checkTrace(requestId, trace, g.steps, terms.inputHash, proposal.outputHash);
        g.proposerRoot = trace.root;
        emit TraceCommitted(requestId, msg.sender, trace.root);
        if (g.hi - g.lo > 1) {
            _move(requestId, g, true, atMid, atNext);
        } else {
            _next(requestId, g, BisectionPhase.OneStep, g.lo, g.hi, bytes32(0));
        }
    }

    /// @inheritdoc IBisection
    function bisect(uint256 requestId, TraceLeaf calldata atMid, TraceLeaf calldata atNext) external {
        _checkContext();
        BisectionGame storage g = _getBisection().games[requestId];
        BisectionPhase phase = g.phase;
        if (phase == BisectionPhase.ProposerToMove && g.proposerRoot != bytes32(0)) {
            _checkTurn(requestId, g, phase);
            _move(requestId, g, true, atMid, atNext);
        } else {
            _checkTurn(requestId, g, BisectionPhase.ChallengerToMove);
            _move(requestId, g, false, atMid, atNext);
        }
    }

    /// @inheritdoc IBisection
    function executeStep(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        StepWeights calldata weights,
        int256[] calldata pre,
        int256[] calldata output
    ) external {
        _checkContext();
        uint256 word = _load(requestId, RequestState.Disputed, terms, proposal);
        (address winner, uint256 step) = _executeStep(requestId, terms.modelId, weights, pre);
        emit BisectionDecided(requestId, winner, uint32(step), false);
        _conclude(requestId, terms, proposal, word, winner, output);
    }

    /// @inheritdoc IBisection
    function executeStepWithWitness(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        StepWeights calldata weights,
        int256[] calldata pre,
        bytes calldata witness,
        int256[] calldata output
    ) external {
        _checkContext();
        address winner = _executeWithWitness(requestId, terms, proposal, weights, pre, witness);
        _concludeStep(requestId, terms, proposal, winner, output);
    }

    /// @dev {_conclude} with the request's word loaded again (the step's checks loaded it for the same terms): the
    /// stack of {executeStepWithWitness} cannot hold the word beside its calldata.
    function _concludeStep(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        address winner,
        int256[] calldata output
    ) private {
        _conclude(requestId, terms, proposal, _load(requestId, RequestState.Disputed, terms, proposal), winner, output);
    }

    /// @inheritdoc IBisection
    function timeoutBisection(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        _checkContext();
        uint256 word = _load(requestId, RequestState.Disputed, terms, proposal);
        BisectionGame storage g = _getBisection().games[requestId];
        BisectionPhase phase = g.phase;
        if (phase == BisectionPhase.None) revert BisectionUnexpectedPhase(requestId, ~_phaseBit(BisectionPhase.None));
        if (block.timestamp <= g.deadline) revert BisectionOutsideDeadline(requestId, g.deadline);
        // The party that had to act loses; the final step is the challenger's burden (docs/PROTOCOL.md).
        address winner = phase == BisectionPhase.ProposerToMove ? g.challenger : g.proposer;
        emit BisectionDecided(requestId, winner, g.lo, true);
        _conclude(requestId, terms, proposal, word, winner, output);
    }

    /// @inheritdoc IBisection
    function bisectionOf(uint256 requestId) external view returns (BisectionGame memory) {
        return _getBisection().games[requestId];
    }

    /// @dev Executes the game's last step with the built-in executor of chain models and returns whose state `hi` it
    /// produced (zero: neither) and the step.
    function _executeStep(uint256 requestId, uint256 modelId, StepWeights calldata weights, int256[] calldata pre)
        private
        view
        returns (address winner, uint256 lo)
    {
        BisectionGame storage g;
        (g, lo) = _finalStep(requestId, modelId, weights, pre, false);
        winner = _winnerOf(g, RequestWord.hashMemory(TraceStep.execute(weights.encoding, pre)));
    }

    /// @dev Checks the request and the game's last step, runs it with the game's executor and returns whose state `hi`
    /// it produced (zero: neither).
    function _executeWithWitness(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        StepWeights calldata weights,
        int256[] calldata pre,
        bytes calldata witness
    ) private returns (address winner) {
        _load(requestId, RequestState.Disputed, terms, proposal);
        (BisectionGame storage g, uint256 step) = _finalStep(requestId, terms.modelId, weights, pre, true);
        winner = _winnerOf(g, IStepExecutor(g.executor).executeStep(weights.encoding, pre, witness));
        emit BisectionDecided(requestId, winner, uint32(step), false);
    }

    /// @dev The checks of the game's last step before its execution: the phase and the deadline, the model's kind of
    /// step (`withExecutor`: the game has a step executor), the step's encoding against the steps root at `lo`, and
    /// `pre` against the agreed state.
    function _finalStep(
        uint256 requestId,
        uint256 modelId,
        StepWeights calldata weights,
        int256[] calldata pre,
        bool withExecutor
    ) private view returns (BisectionGame storage g, uint256 lo) {
        g = _getBisection().games[requestId];
        if (g.phase != BisectionPhase.OneStep) revert BisectionUnexpectedPhase(requestId, _phaseBit(BisectionPhase.OneStep));
        if (block.timestamp > g.deadline) revert BisectionOutsideDeadline(requestId, g.deadline);
        address executor = g.executor;
        if (withExecutor && executor == address(0)) revert BisectionNoStepExecutor(requestId);
        if (!withExecutor && executor != address(0)) revert BisectionStepNeedsWitness(requestId, executor);
        lo = g.lo;
        if (!TraceMerkle.verify(g.stepsRoot, g.steps, lo, keccak256(weights.encoding), weights.proof)) {
            revert BisectionInvalidStep(requestId, lo);
        }
        // State 0 is the input, whose leaf is the request's inputHash, of the model's kind; later states are keccak.
        // keccak first: a keccak model's step 0 costs what it did (see Settlement._checkInputHash).
        bytes32 agreed = g.agreed;
        if (RequestWord.hashCalldata(pre) != agreed && (lo != 0 || _inputHash(modelId, pre) != agreed)) {
            revert BisectionStateMismatch(requestId, agreed);
        }
    }

    /// @dev Whose hash of state `hi` the executed step produced (zero: neither).
    function _winnerOf(BisectionGame storage g, bytes32 post) private view returns (address) {
        if (post == g.proposerHi) return g.proposer;
        if (post == g.challengerHi) return g.challenger;
        return address(0);
    }

    /// @dev Runs first in every entry point; the deployed module refuses direct calls.
    function _checkContext() internal view virtual {}

    /// @dev Answers the pending state hash with the mover's own at the same index, narrows the range, and reveals the
    /// mover's state hash at the middle of the new range unless one step remains.
    function _move(
        uint256 requestId,
        BisectionGame storage g,
        bool proposerMoves,
        TraceLeaf calldata atMid,
        TraceLeaf calldata atNext
    ) private {
        bytes32 root = proposerMoves ? g.proposerRoot : g.challengerRoot;
        uint256 lo = g.lo;
        uint256 hi = g.hi;
        uint256 mid = (lo + hi) / 2;
        _checkLeaf(requestId, root, g.steps, mid, atMid);
        bytes32 pending = g.pending;
        if (atMid.stateHash == pending) {
            lo = mid;
            g.agreed = pending;
        } else {
            hi = mid;
            (g.proposerHi, g.challengerHi) = proposerMoves ? (atMid.stateHash, pending) : (pending, atMid.stateHash);
        }
        BisectionPhase nextPhase = proposerMoves ? BisectionPhase.ChallengerToMove : BisectionPhase.ProposerToMove;
        pending = bytes32(0);
        if (hi - lo > 1) {
            _checkLeaf(requestId, root, g.steps, (lo + hi) / 2, atNext);
            pending = atNext.stateHash;
        } else {
            nextPhase = BisectionPhase.OneStep;
        }
        g.lo = uint32(lo);
        g.hi = uint32(hi);
        g.pending = pending;
        _next(requestId, g, nextPhase, lo, hi, pending);
    }

    /// @dev Hands the turn over with a fresh deadline.
    function _next(
        uint256 requestId,
        BisectionGame storage g,
        BisectionPhase phase,
        uint256 lo,
        uint256 hi,
        bytes32 pending
    ) private {
        uint40 deadline = uint40(block.timestamp + MOVE_WINDOW);
        (g.phase, g.deadline) = (phase, deadline);
        emit BisectionMoved(requestId, msg.sender, uint32(lo), uint32(hi), pending, deadline);
    }

    /// @dev Settles the dispute for `winner` (zero: both traces were wrong at the step, both bonds are slashed and the
    /// request ends without a result). The result is `Optimistic`: the game shows the loser wrong at one step, it
    /// does not prove the winner's output.
    function _conclude(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        uint256 word,
        address winner,
        int256[] calldata output
    ) private {
        if (winner == address(0)) {
            _rejectBoth(requestId, terms, proposal, word, Provenance.None);
            return;
        }
        bytes32 winnerHash = winner == proposal.proposer ? proposal.outputHash : proposal.claimHash;
        if (RequestWord.hashCalldata(output) != winnerHash) revert BisectionNotWinnerOutput(requestId, winnerHash);
        _settle(requestId, terms, proposal, word, output, Provenance.Optimistic);
    }

    function _checkTurn(uint256 requestId, BisectionGame storage g, BisectionPhase phase) private view {
        if (g.phase != phase) revert BisectionUnexpectedPhase(requestId, _phaseBit(phase));
        address mover = phase == BisectionPhase.ProposerToMove ? g.proposer : g.challenger;
        if (msg.sender != mover) revert BisectionUnauthorizedMover(requestId, msg.sender);
        if (block.timestamp > g.deadline) revert BisectionOutsideDeadline(requestId, g.deadline);
    }

    /// @dev A trace must start with the request's input and end with the output its owner claims.
    function _checkTrace(
        uint256 requestId,
        TraceRoot calldata trace,
        uint256 steps,
        bytes32 inputHash,
        bytes32 outputHash
    ) private pure {
        if (!TraceMerkle.verify(trace.root, steps + 1, 0, inputHash, trace.inputProof)) {
            revert BisectionInvalidLeaf(requestId, 0);
        }
        if (!TraceMerkle.verify(trace.root, steps + 1, steps, outputHash, trace.outputProof)) {
            revert BisectionInvalidLeaf(requestId, steps);
        }
    }

    function _checkLeaf(uint256 requestId, bytes32 root, uint256 steps, uint256 index, TraceLeaf calldata leaf)
        private
        pure
    {
        if (!TraceMerkle.verify(root, steps + 1, index, leaf.stateHash, leaf.proof)) {
            revert BisectionInvalidLeaf(requestId, index);
        }
    }

    function _phaseBit(BisectionPhase phase) private pure returns (bytes32) {
        return bytes32(uint256(1) << uint8(phase));
    }
}
