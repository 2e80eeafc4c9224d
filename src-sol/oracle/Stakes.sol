// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakes} from "../interfaces/IStakes.sol";
import {StakeBook} from "./StakeBook.sol";

/// @title Stakes
/// @notice Operator stake in and out, and pull payments. ETH leaves only to an address its owner names:
/// `withdrawStake(to, amount)` after the unbonding delay, `claim(to)` for claimable balances.
abstract contract Stakes is StakeBook, IStakes {
    /// @inheritdoc IStakes
    function depositStake() external payable {
        if (msg.value == 0 || msg.value > type(uint96).max) revert InferenceOracleInvalidAmount(msg.value);
        _stake(msg.sender).free += uint96(msg.value);
        emit StakeDeposited(msg.sender, msg.value);
    }

    /// @inheritdoc IStakes
    function requestWithdrawal(uint256 amount) external {
        StakesStorage storage $ = _getStakes();
        Stake storage s = $.stakes[msg.sender];
        if (amount == 0) revert InferenceOracleInvalidAmount(amount);
        if (amount > s.free) revert InferenceOracleInsufficientStake(msg.sender, s.free, amount);
        uint40 readyAt = uint40(block.timestamp + $.unbondingDelay);
        s.free -= uint96(amount);
        s.unbonding += uint96(amount);
        s.readyAt = readyAt;
        emit WithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @inheritdoc IStakes
    function withdrawStake(address payable to, uint256 amount) external {
        if (to == address(0)) revert InferenceOracleZeroAddress();
        Stake storage s = _stake(msg.sender);
        uint256 unbonding = s.unbonding;
        if (amount == 0) revert InferenceOracleInvalidAmount(0);
        if (amount > unbonding || block.timestamp < s.readyAt) {
            revert InferenceOracleUnbonding(msg.sender, unbonding, s.readyAt);
        }
        s.unbonding = uint96(unbonding - amount);
        emit StakeWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    /// @inheritdoc IStakes
    function claim(address payable to) external {
        StakesStorage storage $ = _getStakes();
        uint256 amount = $.claimable[msg.sender];
        if (amount == 0) revert InferenceOracleInvalidAmount(0);
        if (to == address(0)) revert InferenceOracleZeroAddress();
        $.claimable[msg.sender] = 0;
        emit Claimed(msg.sender, to, amount);
        _send(to, amount);
    }
}
