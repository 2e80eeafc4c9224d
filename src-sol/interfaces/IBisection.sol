// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {IOracleEvents} from "./IOracleEvents.sol";

/// @title IBisection
/// @notice The bisection game of a dispute (docs/PROTOCOL.md, "Bisection"): after a challenge, the challenger and the
/// proposer each commit to the execution trace of their claim (a Merkle root over the hashes of the `steps + 1`
/// states, docs/SEMANTICS.md) and alternately narrow the range of states `[lo, hi]` on which they agree at `lo` and
/// disagree at `hi`, each move revealing the mover's state hash at the middle of the range with a Merkle proof, each
/// within {MOVE_WINDOW}. When one step remains, anyone executes it on chain with its weights in calldata (proven
/// against the model's steps commitment in the registry): the side whose state after the step is right wins the
/// dispute, with the bonds and rewards of every other dispute. A party that misses its deadline loses; in the final
/// step the burden is the challenger's. The oracle proxy answers these calls (its dispute module forwards them to the
/// bisection module with a delegatecall).
interface IBisection is IOracleEvents {
    /// @notice Who must act next in a game; `None` when there is no game.
    enum BisectionPhase {
        None,
        ProposerToMove,
        ChallengerToMove,
        OneStep
    }

    /// @notice A game, stored per request id.
    /// @param proposer The proposer of the disputed output.
    /// @param lo The last state both traces agree on.
    /// @param hi The first state known to differ between the traces (`lo < hi`).
    /// @param phase Who must act before `deadline`.
    /// @param challenger The challenger.
    /// @param deadline The end of the current move (inclusive).
    /// @param steps The model's number of steps (the traces have `steps + 1` states).
    /// @param stepsRoot The model's steps commitment, read from the registry when the game opened.
    /// @param proposerRoot The proposer's trace root (zero until it commits).
    /// @param challengerRoot The challenger's trace root.
    /// @param agreed The hash of state `lo`, the same in both traces.
    /// @param pending The state hash at `(lo + hi) / 2` revealed by the last mover, which the next mover answers.
    /// @param proposerHi The proposer's hash of state `hi`.
    /// @param challengerHi The challenger's hash of state `hi` (never equal to `proposerHi`).
    /// @param executor The model's step executor, read from the registry when the game opened (zero: the built-in
    /// executor of chain models, {executeStep}; otherwise {executeStepWithWitness}).
    struct BisectionGame {
        address proposer;
        uint32 lo;
        uint32 hi;
        BisectionPhase phase;
        address challenger;
        uint40 deadline;
        uint32 steps;
        bytes32 stepsRoot;
        bytes32 proposerRoot;
        bytes32 challengerRoot;
        bytes32 agreed;
        bytes32 pending;
        bytes32 proposerHi;
        bytes32 challengerHi;
        // appended (upgrade-safe): games of models with a step executor of their own
        address executor;
    }

    /// @notice A state hash of the caller's trace with its Merkle proof (its index is implied by the game).
    struct TraceLeaf {
        bytes32 stateHash;
        bytes32[] proof;
    }

    /// @notice A trace root with the proofs that state 0 is the request's input and the last state the claimed output.
    struct TraceRoot {
        bytes32 root;
        bytes32[] inputProof;
        bytes32[] outputProof;
    }

    /// @notice A step's canonical encoding (`TraceStep`; a graph model's "VGS1" step) with its Merkle proof against the
    /// model's steps root.
    struct StepWeights {
        bytes encoding;
        bytes32[] proof;
    }

    /// @notice Thrown when the model has no steps commitment, so its disputes cannot be bisected.
    error BisectionNotAvailable(uint256 modelId);
    /// @notice Thrown when a game is not in one of the expected phases (a bitmap of `1 << uint8(BisectionPhase)`).
    error BisectionUnexpectedPhase(uint256 requestId, bytes32 expectedPhases);
    /// @notice Thrown when the proposer commits a second trace.
    error BisectionTraceAlreadyCommitted(uint256 requestId);
    /// @notice Thrown when someone other than the party whose turn it is moves.
    error BisectionUnauthorizedMover(uint256 requestId, address caller);
    /// @notice Thrown when a state hash does not prove against the mover's trace root at `index`.
    error BisectionInvalidLeaf(uint256 requestId, uint256 index);
    /// @notice Thrown when a step's encoding does not prove against the model's steps root at `step`.
    error BisectionInvalidStep(uint256 requestId, uint256 step);
    /// @notice Thrown when the state before the step does not hash to the agreed state hash.
    error BisectionStateMismatch(uint256 requestId, bytes32 agreed);
    /// @notice Thrown when a move or a step comes after its deadline, or a timeout before it.
    error BisectionOutsideDeadline(uint256 requestId, uint256 deadline);
    /// @notice Thrown when the output given to settle a game is not the winner's.
    error BisectionNotWinnerOutput(uint256 requestId, bytes32 winnerHash);
    /// @notice Thrown by {executeStepWithWitness} when the game's model has no step executor (use {executeStep}).
    error BisectionNoStepExecutor(uint256 requestId);
    /// @notice Thrown by {executeStep} when the game's model has a step executor (use {executeStepWithWitness}).
    error BisectionStepNeedsWitness(uint256 requestId, address executor);
    /// @notice Thrown by `expireDispute` and `resolveByArbitration` while a game is in progress: the game decides.
    error BisectionInProgress(uint256 requestId);

    /// @notice A game opened: the challenger's trace root and claimed output (whose hash is the challenge's claim).
    event BisectionOpened(
        uint256 indexed requestId, address indexed challenger, bytes32 root, uint32 steps, int256[] claimedOutput
    );
    /// @notice The proposer committed its trace root.
    event TraceCommitted(uint256 indexed requestId, address indexed proposer, bytes32 root);
    /// @notice A move narrowed the range to `[lo, hi]`; `pending` is the mover's state hash at `(lo + hi) / 2` (zero
    /// when one step remains), `deadline` the end of the next move.
    event BisectionMoved(
        uint256 indexed requestId, address indexed mover, uint32 lo, uint32 hi, bytes32 pending, uint40 deadline
    );
    /// @notice A game ended: `winner` (zero when both traces were wrong at the step) by the step's execution
    /// (`timedOut` false) or because `loser` missed its deadline (`timedOut` true). {DisputeResolved} follows.
    event BisectionDecided(uint256 indexed requestId, address indexed winner, uint32 step, bool timedOut);

    /// @notice Opens the game of a disputed request (the challenger, within the dispute window): commits the
    /// challenger's trace and reveals its state hash at the middle of the trace (`mid`, ignored for a one-step model).
    /// `claimedOutput` must hash to the claim; it is published so that anyone can settle for the challenger.
    function openBisection(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata claimedOutput,
        TraceRoot calldata trace,
        TraceLeaf calldata mid
    ) external;

    /// @notice The proposer's first move: commits its trace, answers the challenger's pending state hash (`atMid`)
    /// and reveals its own at the middle of the narrowed range (`atNext`; ignored when one step remains).
    function commitTrace(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        TraceRoot calldata trace,
        TraceLeaf calldata atMid,
        TraceLeaf calldata atNext
    ) external;

    /// @notice A move of the party whose turn it is: answers the pending state hash with its own at the same index
    /// (equal: the range moves up to it; different: down to it) and reveals its own at the middle of the new range.
    function bisect(uint256 requestId, TraceLeaf calldata atMid, TraceLeaf calldata atNext) external;

    /// @notice Decides a game narrowed to one step (anyone, before the deadline): executes step `lo` on `pre` (which
    /// must hash to the agreed state) with the step's weights, and compares the result with both parties' hashes of
    /// state `hi`. Settles the dispute; `output` is the winner's output (ignored when both traces were wrong).
    function executeStep(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        StepWeights calldata weights,
        int256[] calldata pre,
        int256[] calldata output
    ) external;

    /// @notice {executeStep} for a model whose steps commitment names a step executor (a graph model): the step runs
    /// in the executor the game recorded at its opening ({IStepExecutor}), on `pre` with `witness` (for a graph model,
    /// `abi.encode(GraphStep.Witness)`: the rows the step reads and the row hashes it needs). The same checks as
    /// {executeStep} come first: the step's encoding proves against the steps root at `lo`, `pre` hashes to the
    /// agreed state (state 0: the request input). The executor's errors are passed on.
    function executeStepWithWitness(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        StepWeights calldata weights,
        int256[] calldata pre,
        bytes calldata witness,
        int256[] calldata output
    ) external;

    /// @notice Decides a game whose deadline passed (anyone): the party that had to act loses (the challenger when
    /// the step was not executed). Settles the dispute; `output` is the winner's output.
    function timeoutBisection(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    /// @notice The game of a request (phase `None` when there is none).
    function bisectionOf(uint256 requestId) external view returns (BisectionGame memory);

    /// @notice Seconds each party has for a move (and anyone for the final step).
    function MOVE_WINDOW() external view returns (uint32);
}
