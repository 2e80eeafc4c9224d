// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {IOracleEvents} from "./IOracleEvents.sol";

/// @title IDisputes
/// @notice The paths off the hot path: expiry of unanswered requests, challenges and their settlement, and
/// corrections of the cache by proof or re-execution. The oracle proxy answers these calls: its implementation forwards them
/// to its dispute module (`oracle/DisputeModule.sol`) with a delegatecall, so they run on the oracle's own storage.
/// A client calls the oracle address with the ABI of {IInferenceOracle} and of this interface.
interface IDisputes is IOracleEvents {
    /// @notice Expires a request nobody proposed for before its deadline: fee credited back, callback owed.
    function expire(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Challenges a proposal inside its window with the output the caller says is right (`claimHash`),
    /// locking an equal bond from the caller's free stake.
    function challenge(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal, bytes32 claimHash)
        external;

    /// @notice Settles a dispute with a ZK proof of `output` made for the caller; the caller is paid the resolver
    /// reward.
    function resolveWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Settles a dispute by re-executing the model's on-chain weights; the caller is paid the resolver
    /// reward.
    function resolveByReexecution(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input
    ) external;

    /// @notice The arbitrator settles a dispute no proof or re-execution can decide, choosing the proposer's or
    /// the challenger's claim (`output` hashing to one of them), or rejecting both (empty `output`).
    function resolveByArbitration(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    /// @notice Ends a dispute nobody resolved within its window: the challenge was not substantiated, so the
    /// proposal stands (`output` is the proposed one) and the challenger's bond is slashed; the caller is paid the
    /// resolver reward.
    function expireDispute(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    /// @notice Replaces (or strengthens) a cached result with a proof of `output` made for the caller, using the
    /// model's current verifier. Reverts when no cached entry would change.
    function correctCacheWithProof(
        uint256 modelId,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Replaces (or strengthens) a cached result by re-executing the model's stored weights.
    function correctCacheByReexecution(uint256 modelId, int256[] calldata input) external;

    /// @notice Splits a losing bond into the winner's reward, the settler's reward and the treasury's share.
    function slashSplit(uint256 bond) external pure returns (uint256 reward, uint256 resolverReward, uint256 toTreasury);
}
