// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IStepExecutor
/// @notice Runs one step of a model's execution trace for the bisection game (docs/PROTOCOL.md, "Bisection"): the
/// registry names a model's executor beside its steps commitment, and the game asks it for the state after the one
/// step the parties disagree on. The game checks the step's encoding against the steps root and `pre` against the
/// agreed state before it calls; the executor checks everything else the step reads (`witness`) and reverts with its
/// own errors on any inconsistency.
interface IStepExecutor {
    /// @notice Runs the step `step` (its canonical encoding) on the state words `pre` with the step's `witness`, and
    /// returns the hash of the state after it.
    function executeStep(bytes calldata step, int256[] calldata pre, bytes calldata witness)
        external
        view
        returns (bytes32 post);
}
