// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOracleEvents} from "../interfaces/IOracleEvents.sol";

/// @title StakeBook
/// @notice The books of operator stake, the bonds locked out of it, and claimable balances; {Stakes} adds the
/// deposits and withdrawals.
/// @dev Every ETH amount the oracle holds is one of: an operator's free, locked or unbonding stake, a claimable
/// balance, or the fee escrowed by an open request (an invariant test checks the sum).
abstract contract StakeBook is IOracleEvents {
    /// @notice An operator's stake: free (can back bonds or be unbonded), locked in bonds, and unbonding.
    struct Stake {
        uint96 free;
        uint96 locked;
        uint40 readyAt;
        uint96 unbonding;
    }

    /// @custom:storage-location erc7201:vai.storage.Stakes
    struct StakesStorage {
        address treasury;
        uint32 unbondingDelay;
        mapping(address operator => Stake) stakes;
        mapping(address account => uint256 amount) claimable;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.Stakes")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STAKES_STORAGE_LOCATION =
        0x17373cc0772c42b7dc26f7023402bc4d8cde87072152902042ab5d4b084ca600;

    /// @notice An operator's stake.
    function stakeOf(address operator) external view returns (Stake memory) {
        return _getStakes().stakes[operator];
    }

    /// @notice An account's claimable balance (refunds, treasury share, resolver rewards).
    function claimableOf(address account) external view returns (uint256) {
        return _getStakes().claimable[account];
    }

    /// @notice The treasury, which receives the protocol's share of slashed bonds.
    function treasury() public view returns (address) {
        return _getStakes().treasury;
    }

    /// @notice Seconds between `requestWithdrawal` and `withdrawStake`.
    function unbondingDelay() public view returns (uint32) {
        return _getStakes().unbondingDelay;
    }

    /// @dev Moves `bond` of the operator's free stake into locked stake.
    function _lock(address operator, uint96 bond) internal {
        Stake storage s = _stake(operator);
        (uint96 free, uint96 locked) = (s.free, s.locked);
        if (free < bond) revert InferenceOracleInsufficientStake(operator, free, bond);
        _setFreeAndLocked(s, free - bond, locked + bond);
    }

    /// @dev Unlocks `bond` and adds `earned` to the operator's free stake.
    function _release(address operator, uint96 bond, uint256 earned) internal {
        Stake storage s = _stake(operator);
        (uint96 free, uint96 locked) = (s.free, s.locked);
        _setFreeAndLocked(s, SafeCast.toUint96(free + bond + earned), locked - bond);
    }

    /// @dev Writes `free` and `locked`, which share the stake's first slot with `readyAt`, in one store (two field
    /// assignments would store the slot twice; this is on every proposal and finalization).
    function _setFreeAndLocked(Stake storage s, uint96 free, uint96 locked) private {
        uint256 readyAt = s.readyAt;
        assembly ("memory-safe") {
            sstore(s.slot, or(or(free, shl(96, locked)), shl(192, readyAt)))
        }
    }

    /// @dev Takes `bond` out of the operator's locked stake (the caller distributes it).
    function _slash(address operator, uint96 bond) internal {
        _stake(operator).locked -= bond;
    }

    /// @dev Adds `amount` to an operator's free stake (a prover's fee).
    function _earn(address operator, uint96 amount) internal {
        _stake(operator).free += amount;
    }

    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        _getStakes().claimable[account] += amount;
        emit Credited(account, amount);
    }

    function _creditTreasury(uint256 amount) internal {
        _credit(_getStakes().treasury, amount);
    }

    function _setTreasury(address treasury_) internal {
        if (treasury_ == address(0)) revert InferenceOracleZeroAddress();
        StakesStorage storage $ = _getStakes();
        emit TreasuryChanged($.treasury, treasury_);
        $.treasury = treasury_;
    }

    /// @dev Sets the unbonding delay, which must exceed `slashable`, the longest a bond can stay slashable.
    function _setUnbondingDelay(uint32 delay, uint256 slashable, uint32 maxDelay) internal {
        if (delay <= slashable || delay > maxDelay) revert InferenceOracleInvalidParameter("unbondingDelay", delay);
        StakesStorage storage $ = _getStakes();
        emit ParameterChanged("unbondingDelay", $.unbondingDelay, delay);
        $.unbondingDelay = delay;
    }

    function _stake(address operator) internal view returns (Stake storage) {
        return _getStakes().stakes[operator];
    }

    function _send(address payable to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert InferenceOracleTransferFailed(to, amount);
    }

    function _getStakes() internal pure returns (StakesStorage storage $) {
        assembly ("memory-safe") {
            $.slot := STAKES_STORAGE_LOCATION
        }
    }
}
