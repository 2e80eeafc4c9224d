// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisection} from "../interfaces/IBisection.sol";

/// @title BisectionBook
/// @notice The storage of the bisection games ({Bisections}), one per disputed request, in its own ERC-7201
/// namespace. The dispute paths read it too: a dispute whose game is in progress is decided by the game, and a
/// dispute settled by a proof or a re-execution meanwhile closes its game.
abstract contract BisectionBook {
    /// @custom:storage-location erc7201:vai.storage.Bisection
    struct BisectionStorage {
        mapping(uint256 requestId => IBisection.BisectionGame) games;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.Bisection")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant BISECTION_STORAGE_LOCATION =
        0x8513889f7342842506c3a2e1c6b71f68b6df6cbfda8fb931274b7b15882e3400;

    /// @dev Whether a game is in progress for the request.
    function _gameInProgress(uint256 requestId) internal view returns (bool) {
        return _getBisection().games[requestId].phase != IBisection.BisectionPhase.None;
    }

    /// @dev Deletes the request's game, if any (its settlement, or a settlement by other evidence).
    function _closeGame(uint256 requestId) internal {
        if (_gameInProgress(requestId)) delete _getBisection().games[requestId];
    }

    function _getBisection() internal pure returns (BisectionStorage storage $) {
        assembly ("memory-safe") {
            $.slot := BISECTION_STORAGE_LOCATION
        }
    }
}
