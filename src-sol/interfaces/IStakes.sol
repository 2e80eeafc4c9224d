// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleEvents} from "./IOracleEvents.sol";

/// @title IStakes
/// @notice Operator stake and pull payments. Bonds are locked out of free stake per proposal and challenge;
/// ETH leaves only to an address its owner names.
interface IStakes is IOracleEvents {
    /// @notice Deposits stake for the caller.
    function depositStake() external payable;

    /// @notice Moves free stake into unbonding; it can be withdrawn after `unbondingDelay`.
    function requestWithdrawal(uint256 amount) external;

    /// @notice Sends `amount` of the caller's unbonded stake to `to` (an operator contract names a recipient that
    /// can receive ETH).
    function withdrawStake(address payable to, uint256 amount) external;

    /// @notice Sends the caller's claimable balance to `to`.
    function claim(address payable to) external;
}
