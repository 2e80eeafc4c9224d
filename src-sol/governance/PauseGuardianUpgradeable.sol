// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {IPauseGuardian} from "../interfaces/IPauseGuardian.sol";

/// @title PauseGuardianUpgradeable
/// @notice Adds a pause guardian to an owned upgradeable contract: the guardian may call {pause}, nothing else.
/// The inheriting contract keeps its own pause flag and implements {_setPaused}; its owner-only unpause stays
/// where it is. The guardian lives in its own ERC-7201 namespace, so adding this module to a deployed contract
/// does not move any existing storage.
/// @dev No initializer: the owner sets the guardian with {setPauseGuardian} (see docs/GOVERNANCE.md for how the
/// deployment does that before ownership reaches the timelock).
abstract contract PauseGuardianUpgradeable is OwnableUpgradeable, IPauseGuardian {
    /// @custom:storage-location erc7201:vai.storage.PauseGuardian
    struct PauseGuardianStorage {
        address guardian;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.PauseGuardian")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PAUSE_GUARDIAN_STORAGE_LOCATION =
        0xcc9b4f955e1bba7620a1bf5fa0381ea82499f9591a0ac99188dee76602d4d500;

    /// @inheritdoc IPauseGuardian
    function pause() external {
        if (msg.sender != pauseGuardian() && msg.sender != owner()) {
            revert PauseGuardianUnauthorizedAccount(msg.sender);
        }
        _setPaused(true);
    }

    /// @inheritdoc IPauseGuardian
    function setPauseGuardian(address newGuardian) external onlyOwner {
        _setPauseGuardian(newGuardian);
    }

    /// @inheritdoc IPauseGuardian
    function pauseGuardian() public view returns (address) {
        return _getPauseGuardianStorage().guardian;
    }

    /// @dev Replaces the guardian without access control.
    ///
    /// Emits a {PauseGuardianChanged} event.
    function _setPauseGuardian(address newGuardian) internal {
        PauseGuardianStorage storage $ = _getPauseGuardianStorage();
        emit PauseGuardianChanged($.guardian, newGuardian);
        $.guardian = newGuardian;
    }

    /// @dev Sets the inheriting contract's pause flag (and emits its event).
    function _setPaused(bool paused_) internal virtual;

    function _getPauseGuardianStorage() private pure returns (PauseGuardianStorage storage $) {
        assembly ("memory-safe") {
            $.slot := PAUSE_GUARDIAN_STORAGE_LOCATION
        }
    }
}
