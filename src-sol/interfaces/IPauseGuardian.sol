// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPauseGuardian
/// @notice A guardian that may stop new activity at once while every other power stays with the owner (the
/// timelock): the guardian can pause, never unpause, upgrade, change parameters or move funds.
interface IPauseGuardian {
    /// @notice Thrown when `account` is neither the pause guardian nor the owner.
    error PauseGuardianUnauthorizedAccount(address account);

    /// @notice Emitted when the owner replaces the pause guardian (zero: no guardian).
    event PauseGuardianChanged(address oldGuardian, address newGuardian);

    /// @notice Pauses at once. Callable by the pause guardian or the owner; only the owner can unpause.
    ///
    /// Requirements:
    ///
    /// - the caller is the pause guardian or the owner.
    function pause() external;

    /// @notice Replaces the pause guardian; zero removes it.
    ///
    /// Requirements:
    ///
    /// - the caller is the owner.
    ///
    /// Emits a {PauseGuardianChanged} event.
    function setPauseGuardian(address newGuardian) external;

    /// @notice The current pause guardian (zero when there is none).
    function pauseGuardian() external view returns (address);
}
