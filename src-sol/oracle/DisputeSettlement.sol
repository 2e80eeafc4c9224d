// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InferenceError, Provenance, RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {RequestState} from "../types/InferenceTypes.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {Settlement} from "./Settlement.sol";
import {BisectionBook} from "./BisectionBook.sol";

/// @title DisputeSettlement
/// @notice How a dispute ends, shared by the dispute module ({Disputes}) and the bisection module ({Bisections}):
/// the side whose claim is the decided output wins its bond back, the fee and `WINNER_SHARE_BPS` of the losing bond;
/// whoever settles gets `RESOLVER_SHARE_BPS` of each losing bond; the treasury the rest. When neither claim is the
/// decided output, or both are rejected, both bonds are slashed. A game in progress is closed with its dispute.
abstract contract DisputeSettlement is Settlement, BisectionBook {
    /// @notice Share of a losing bond paid to the winner, in basis points.
    uint256 public constant WINNER_SHARE_BPS = 4_000;
    /// @notice Share of a losing bond paid to whoever settles the dispute, in basis points. With the winner's share
    /// it is half the bond, and the registry keeps every bond at least twice the fee, so a party that plays every
    /// role of a dispute (requester, proposer, challenger, resolver) gets back at most what it loses.
    uint256 public constant RESOLVER_SHARE_BPS = 1_000;
    uint256 internal constant BPS = 10_000;

    function _slashSplit(uint256 bond)
        internal
        pure
        returns (uint256 reward, uint256 resolverReward, uint256 toTreasury)
    {
        reward = bond * WINNER_SHARE_BPS / BPS;
        resolverReward = bond * RESOLVER_SHARE_BPS / BPS;
        toTreasury = bond - reward - resolverReward;
    }

    /// @dev Settles for the side whose claim is `output` (or neither), pays the caller as resolver, finalizes.
    function _settle(
        uint256 requestId,
        RequestTerms memory terms,
        Proposal memory proposal,
        uint256 word,
        int256[] memory output,
        Provenance p
    ) internal {
        _closeGame(requestId);
        bytes32 h = RequestWord.hashMemory(output);
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _slashSplit(terms.bond);
        address winner;
        if (h == proposal.outputHash || h == proposal.claimHash) {
            address loser;
            (winner, loser) = h == proposal.outputHash
                ? (proposal.proposer, proposal.challenger)
                : (proposal.challenger, proposal.proposer);
            _slash(loser, terms.bond);
            _release(winner, terms.bond, reward + terms.fee);
            _credit(msg.sender, resolverReward);
            _creditTreasury(toTreasury);
        } else {
            // Both claims were wrong: both bonds are slashed, and the fee pays whoever produced the result.
            _slash(proposal.proposer, terms.bond);
            _slash(proposal.challenger, terms.bond);
            _credit(msg.sender, 2 * resolverReward + terms.fee);
            _creditTreasury(2 * (reward + toTreasury));
            // No winner: the event reports what each losing bond actually paid.
            (reward, toTreasury) = (0, reward + toTreasury);
        }
        emit DisputeResolved(requestId, winner, msg.sender, p, reward, resolverReward, toTreasury);
        _finalize(requestId, terms, word, output, p, false);
    }

    /// @dev Both claims were rejected (by the arbitrator, or a step showed both traces wrong): both bonds are
    /// slashed and the request ends without a result.
    function _rejectBoth(
        uint256 requestId,
        RequestTerms memory terms,
        Proposal memory proposal,
        uint256 word,
        Provenance p
    ) internal {
        _closeGame(requestId);
        (uint256 reward, uint256 resolverReward, uint256 toTreasury) = _slashSplit(terms.bond);
        _slash(proposal.proposer, terms.bond);
        _slash(proposal.challenger, terms.bond);
        _credit(msg.sender, 2 * resolverReward);
        _creditTreasury(2 * (reward + toTreasury));
        emit DisputeResolved(requestId, address(0), msg.sender, p, 0, resolverReward, reward + toTreasury);
        _endWithoutResult(requestId, terms, word, RequestState.Expired, InferenceError.ClaimsRejected, false);
    }
}
