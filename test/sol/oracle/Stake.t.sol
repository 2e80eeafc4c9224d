// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @dev An operator contract that cannot receive ETH itself: it names a recipient when it withdraws.
contract OperatorContract {
    function stake(InferenceOracle oracle) external payable {
        oracle.depositStake{value: msg.value}();
    }

    function unbond(InferenceOracle oracle, uint256 amount) external {
        oracle.requestWithdrawal(amount);
    }

    function withdraw(InferenceOracle oracle, address payable to, uint256 amount) external {
        oracle.withdrawStake(to, amount);
    }
}

/// @dev A contract recipient that accepts ETH and counts what it got.
contract PayableRecipient {
    uint256 public received;

    receive() external payable {
        received += msg.value;
    }
}

/// @notice Operator stake: deposits, unbonding, withdrawals to a named recipient, and claimable balances.
contract StakeTest is OracleSteps {
    function test_depositStake_creditsFreeStake() public {
        vm.deal(stranger, 1 ether);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.StakeDeposited(stranger, 1 ether);
        vm.prank(stranger);
        oracle.depositStake{value: 1 ether}();
        assertEq(_free(stranger), 1 ether);
        _stake(stranger, 2 ether);
        assertEq(_free(stranger), 3 ether, "deposits add up");
    }

    function test_depositStake_revertsIfZero() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidAmount.selector, 0));
        oracle.depositStake();
    }

    function test_depositStake_revertsAboveUint96() public {
        uint256 amount = uint256(type(uint96).max) + 1;
        vm.deal(stranger, amount);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidAmount.selector, amount));
        vm.prank(stranger);
        oracle.depositStake{value: amount}();
    }

    function test_requestWithdrawal_movesFreeStakeIntoUnbonding() public {
        uint256 readyAt = block.timestamp + UNBONDING_DELAY;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.WithdrawalRequested(proposer, 4 ether, readyAt);
        vm.prank(proposer);
        oracle.requestWithdrawal(4 ether);
        InferenceOracle.Stake memory s = oracle.stakeOf(proposer);
        assertEq(s.free, STAKE - 4 ether);
        assertEq(s.unbonding, 4 ether);
        assertEq(s.readyAt, readyAt);
    }

    function test_requestWithdrawal_revertsIfMoreThanFree() public {
        _requestAndPropose(_correct(_defaultInput()));
        // The locked bond cannot be unbonded.
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInsufficientStake.selector, proposer, STAKE - BOND, STAKE
            )
        );
        vm.prank(proposer);
        oracle.requestWithdrawal(STAKE);
    }

    function test_requestWithdrawal_revertsIfZero() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidAmount.selector, 0));
        vm.prank(proposer);
        oracle.requestWithdrawal(0);
    }

    function test_requestWithdrawal_restartsTheDelay() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY - 1);
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        assertEq(oracle.stakeOf(proposer).readyAt, block.timestamp + UNBONDING_DELAY);
        assertEq(oracle.stakeOf(proposer).unbonding, 2 ether);
    }

    function test_withdrawStake_afterTheUnbondingDelay() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(4 ether);
        uint256 readyAt = block.timestamp + UNBONDING_DELAY;
        vm.warp(readyAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleUnbonding.selector, proposer, 4 ether, readyAt)
        );
        vm.prank(proposer);
        oracle.withdrawStake(payable(proposer), 4 ether);
        vm.warp(readyAt);
        uint256 before = proposer.balance;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.StakeWithdrawn(proposer, proposer, 4 ether);
        vm.prank(proposer);
        oracle.withdrawStake(payable(proposer), 4 ether);
        assertEq(proposer.balance, before + 4 ether);
        assertEq(oracle.stakeOf(proposer).unbonding, 0);
        assertEq(address(oracle).balance, 2 * STAKE - 4 ether);
    }

    function test_withdrawStake_partialAmounts() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(4 ether);
        uint256 readyAt = block.timestamp + UNBONDING_DELAY;
        vm.warp(readyAt);
        vm.prank(proposer);
        oracle.withdrawStake(payable(stranger), 1 ether);
        assertEq(stranger.balance, 1 ether);
        assertEq(oracle.stakeOf(proposer).unbonding, 3 ether);
        // More than what is left is refused, with what is left.
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleUnbonding.selector, proposer, 3 ether, readyAt)
        );
        vm.prank(proposer);
        oracle.withdrawStake(payable(stranger), 3 ether + 1);
        vm.prank(proposer);
        oracle.withdrawStake(payable(stranger), 3 ether);
        assertEq(stranger.balance, 4 ether);
        assertEq(oracle.stakeOf(proposer).unbonding, 0);
        assertEq(_free(proposer), STAKE - 4 ether);
    }

    function test_withdrawStake_toAnotherAddress() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        uint256 before = proposer.balance;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.StakeWithdrawn(proposer, stranger, 1 ether);
        vm.prank(proposer);
        oracle.withdrawStake(payable(stranger), 1 ether);
        assertEq(stranger.balance, 1 ether);
        assertEq(proposer.balance, before);
    }

    function test_withdrawStake_operatorContractNamesAContractRecipient() public {
        OperatorContract op = new OperatorContract();
        PayableRecipient recipient = new PayableRecipient();
        vm.deal(address(this), 2 ether);
        op.stake{value: 2 ether}(oracle);
        op.unbond(oracle, 2 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        // The operator itself cannot take ETH: the transfer fails and nothing is lost.
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleTransferFailed.selector, address(op), 2 ether)
        );
        op.withdraw(oracle, payable(address(op)), 2 ether);
        assertEq(oracle.stakeOf(address(op)).unbonding, 2 ether, "still unbonding");
        // It names a recipient that can.
        op.withdraw(oracle, payable(address(recipient)), 2 ether);
        assertEq(recipient.received(), 2 ether);
        assertEq(address(recipient).balance, 2 ether);
        assertEq(oracle.stakeOf(address(op)).unbonding, 0);
    }

    function test_withdrawStake_revertsIfZeroAddress() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.expectRevert(IOracleEvents.InferenceOracleZeroAddress.selector);
        vm.prank(proposer);
        oracle.withdrawStake(payable(address(0)), 1 ether);
    }

    function test_withdrawStake_revertsIfZeroAmount() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidAmount.selector, 0));
        vm.prank(proposer);
        oracle.withdrawStake(payable(proposer), 0);
    }

    function test_withdrawStake_revertsIfNothingUnbonding() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleUnbonding.selector, proposer, 0, 0));
        vm.prank(proposer);
        oracle.withdrawStake(payable(proposer), 1);
    }

    function test_withdrawStake_worksWhilePaused() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        vm.prank(owner);
        oracle.setPaused(true);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.prank(proposer);
        oracle.withdrawStake(payable(stranger), 1 ether);
        assertEq(stranger.balance, 1 ether);
    }

    function test_unbondingStakeCannotBackABond() public {
        vm.prank(proposer);
        oracle.requestWithdrawal(STAKE);
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientStake.selector, proposer, 0, BOND)
        );
        vm.prank(proposer);
        oracle.propose(id, terms, _correct(_defaultInput()));
    }

    function test_proposeWithProof_paysTheFeeIntoFreeStake() public {
        int256[] memory input = _defaultInput();
        (uint256 id, RequestTerms memory terms) = _request(input);
        _proveAs(stranger, id, terms, input, _correct(input));
        assertEq(_free(stranger), FEE);
        // Earned stake leaves like any other: unbonding, then withdrawal.
        vm.prank(stranger);
        oracle.requestWithdrawal(FEE);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.prank(stranger);
        oracle.withdrawStake(payable(stranger), FEE);
        assertEq(stranger.balance, FEE);
    }

    function test_claim_paysCreditToTheChosenAddress() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 7);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.Claimed(address(consumer), stranger, 7);
        consumer.claimCredit(payable(stranger));
        assertEq(stranger.balance, 7);
        assertEq(oracle.claimableOf(address(consumer)), 0);
    }

    function test_claim_paysResolverAndTreasury() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        vm.prank(stranger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        (, uint256 resolverReward, uint256 toTreasury) = _split();
        vm.prank(stranger);
        oracle.claim(payable(stranger));
        assertEq(stranger.balance, resolverReward);
        PayableRecipient vault = new PayableRecipient();
        vm.prank(treasury);
        oracle.claim(payable(address(vault)));
        assertEq(vault.received(), toTreasury);
        assertEq(oracle.claimableOf(treasury), 0);
    }

    function test_claim_revertsIfNothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidAmount.selector, 0));
        vm.prank(stranger);
        oracle.claim(payable(stranger));
    }

    function test_claim_revertsIfZeroAddress() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 7);
        vm.expectRevert(IOracleEvents.InferenceOracleZeroAddress.selector);
        consumer.claimCredit(payable(address(0)));
    }

    function test_claim_revertsIfTransferFails() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 7);
        OperatorContract rejecting = new OperatorContract();
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleTransferFailed.selector, address(rejecting), 7)
        );
        consumer.claimCredit(payable(address(rejecting)));
        assertEq(oracle.claimableOf(address(consumer)), 7, "nothing lost");
    }

    function test_claim_worksWhilePaused() public {
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE + 7);
        vm.prank(owner);
        oracle.setPaused(true);
        consumer.claimCredit(payable(stranger));
        assertEq(stranger.balance, 7);
    }
}
