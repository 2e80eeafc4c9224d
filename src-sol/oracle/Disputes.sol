// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RequestState, InferenceError, Provenance, RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {IDisputes} from "../interfaces/IDisputes.sol";
import {IBisection} from "../interfaces/IBisection.sol";
import {DisputeSettlement} from "./DisputeSettlement.sol";

/// @title Disputes
/// @notice Challenges and their settlement. A challenger locks a bond equal to the proposer's and names the output
/// it says is right. The dispute is then decided, within the request's `disputeWindow`:
/// - by a proof (the request's verifier version) or a re-execution of the stored weights, by anyone, when the
///   model allows either; the arbitrator has no say over such disputes;
/// - otherwise by the arbitrator, who can only choose one of the two claims or reject both.
/// The side whose claim matches the decided output wins its bond back, the fee and `WINNER_SHARE_BPS` of the
/// loser's bond; whoever settles gets `RESOLVER_SHARE_BPS` of each losing bond; the treasury gets the rest. If
/// neither claim matches, both bonds are slashed and the settler also earns the fee (it produced the result).
/// A dispute nobody settles within its window ends with {expireDispute}: the challenge was not substantiated, the
/// proposal stands and the challenger pays as a loser. See docs/PROTOCOL.md, "Disputes", for why. A dispute whose
/// bisection game is in progress ({Bisections}) is decided by the game: it can neither expire nor be arbitrated, but
/// a proof or a re-execution still settles it (and closes the game).
abstract contract Disputes is DisputeSettlement, IDisputes {
    /// @inheritdoc IDisputes
    function expire(uint256 requestId, RequestTerms calldata terms) external {
        _checkContext();
        uint256 word = _load(requestId, RequestState.Requested, terms, _none());
        uint256 deadline = RequestWord.time(word);
        if (block.timestamp <= deadline) {
            revert InferenceOracleOutsideWindow(requestId, deadline + 1, type(uint40).max);
        }
        _endWithoutResult(requestId, terms, word, RequestState.Expired, InferenceError.NoProposal, false);
    }

    /// @inheritdoc IDisputes
    function challenge(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal, bytes32 claimHash)
        external
    {
        _checkContext();
        RequestTerms memory t = terms;
        uint256 word = _load(requestId, RequestState.Proposed, t, proposal);
        uint256 windowEnd = RequestWord.time(word);
        if (block.timestamp >= windowEnd) revert InferenceOracleOutsideWindow(requestId, 0, windowEnd - 1);
        if (msg.sender == proposal.proposer) revert InferenceOracleSelfChallenge(msg.sender);
        if (claimHash == bytes32(0) || claimHash == proposal.outputHash) {
            revert InferenceOracleInvalidClaim(requestId, claimHash);
        }
        _lock(msg.sender, t.bond);
        Proposal memory disputed = proposal;
        disputed.challenger = msg.sender;
        disputed.claimHash = claimHash;
        _storeOpen(requestId, word, RequestState.Disputed, block.timestamp, t, disputed);
        emit ProposalChallenged(requestId, msg.sender, claimHash);
    }

    /// @inheritdoc IDisputes
    function resolveWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        _checkContext();
        uint256 word = _loadOpenDispute(requestId, terms, proposal);
        if (terms.verifierVersion == 0) revert InferenceOracleNoVerifier(terms.modelId);
        _checkOutputCalldata(output, terms.outputLength);
        _verifyProof(requestId, terms.modelId, terms.verifierVersion, terms.inputHash, input, output, proof);
        _settle(requestId, terms, proposal, word, output, Provenance.Proof);
    }

    /// @inheritdoc IDisputes
    function resolveByReexecution(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input
    ) external {
        _checkContext();
        uint256 word = _loadOpenDispute(requestId, terms, proposal);
        if (!_reexecutable(terms.modelId)) revert InferenceOracleNotReexecutable(terms.modelId);
        int256[] memory output = _reexecute(requestId, terms.modelId, terms.inputHash, input);
        _checkOutput(output, terms.outputLength);
        _settle(requestId, terms, proposal, word, output, Provenance.Reexecution);
    }

    /// @inheritdoc IDisputes
    function resolveByArbitration(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        _checkContext();
        if (msg.sender != arbitrator()) revert InferenceOracleUnauthorizedArbitrator(msg.sender);
        uint256 word = _loadOpenDispute(requestId, terms, proposal);
        if (terms.verifierVersion != 0 || _reexecutable(terms.modelId)) {
            revert InferenceOracleArbitrationNotAllowed(requestId);
        }
        if (_gameInProgress(requestId)) revert IBisection.BisectionInProgress(requestId);
        if (output.length == 0) {
            _rejectBoth(requestId, terms, proposal, word, Provenance.Arbitration);
            return;
        }
        bytes32 h = RequestWord.hashCalldata(output);
        if (h != proposal.outputHash && h != proposal.claimHash) revert InferenceOracleNotAClaim(requestId, h);
        _checkOutputCalldata(output, terms.outputLength);
        _settle(requestId, terms, proposal, word, output, Provenance.Arbitration);
    }

    /// @inheritdoc IDisputes
    function expireDispute(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        _checkContext();
        uint256 word = _load(requestId, RequestState.Disputed, terms, proposal);
        if (_gameInProgress(requestId)) revert IBisection.BisectionInProgress(requestId);
        uint256 closesAt = RequestWord.time(word) + terms.disputeWindow;
        if (block.timestamp <= closesAt) {
            revert InferenceOracleOutsideWindow(requestId, closesAt + 1, type(uint40).max);
        }
        if (RequestWord.hashCalldata(output) != proposal.outputHash) {
            revert InferenceOracleOutputMismatch(requestId, proposal.outputHash);
        }
        _settle(requestId, terms, proposal, word, output, Provenance.Optimistic);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Cache corrections
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDisputes
    function correctCacheWithProof(
        uint256 modelId,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        _checkContext();
        ModelCopy storage m = _getSettings().models[modelId];
        uint256 version = m.verifierVersion;
        if (version == 0) revert InferenceOracleNoVerifier(modelId);
        _checkOutputCalldata(output, m.outputLength);
        bytes32 inputHash = _inputHash(modelId, input);
        _verifyProof(0, modelId, version, inputHash, input, output, proof);
        _correct(modelId, inputHash, output, Provenance.Proof);
    }

    /// @inheritdoc IDisputes
    function correctCacheByReexecution(uint256 modelId, int256[] calldata input) external {
        _checkContext();
        ModelCopy storage m = _getSettings().models[modelId];
        if (!m.reexecutable) revert InferenceOracleNotReexecutable(modelId);
        bytes32 inputHash = _inputHash(modelId, input);
        int256[] memory output = _reexecute(0, modelId, inputHash, input);
        _checkOutput(output, m.outputLength);
        _correct(modelId, inputHash, output, Provenance.Reexecution);
    }

    /// @inheritdoc IDisputes
    function slashSplit(uint256 bond) public pure returns (uint256 reward, uint256 resolverReward, uint256 toTreasury) {
        return _slashSplit(bond);
    }

    /// @dev Runs first in every entry point; the deployed module refuses direct calls.
    function _checkContext() internal view virtual {}

    /// @dev Loads a dispute that can still be settled (until `disputedAt + disputeWindow`, inclusive).
    function _loadOpenDispute(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal)
        private
        view
        returns (uint256 word)
    {
        word = _load(requestId, RequestState.Disputed, terms, proposal);
        uint256 disputedAt = RequestWord.time(word);
        uint256 closesAt = disputedAt + terms.disputeWindow;
        if (block.timestamp > closesAt) revert InferenceOracleOutsideWindow(requestId, disputedAt, closesAt);
    }

    function _correct(uint256 modelId, bytes32 inputHash, int256[] memory output, Provenance p) private {
        if (!_offerResult(modelId, inputHash, output, p)) revert InferenceOracleNothingToCorrect(modelId, inputHash);
    }
}
