// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {console} from "forge-std/console.sol";

import {AppFixture} from "../utils/AppFixture.sol";
import {LenderHandler} from "./LenderHandler.sol";
import {CreditLineLender} from "../../../../src-sol/examples/CreditLineLender.sol";
import {OutputKind} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice No ETH gets stuck in, or leaks from, the lender: refunds and the pool are always exactly covered.
/// @dev `fail-on-revert` is on: the handler only makes calls that must succeed.
contract LenderInvariantsTest is AppFixture {
    LenderHandler internal handler;
    CreditLineLender internal lender;

    function setUp() public override {
        super.setUp();
        (uint256 creditModel,) = _registerAppModel("credit", 6, 2, OutputKind.Logits);
        CreditLineLender.CreditPolicy memory policy = CreditLineLender.CreditPolicy(-512, 0, 5 ether, 1 ether);
        lender = CreditLineLender(
            payable(_proxy(
                    address(new CreditLineLender(address(oracle))),
                    abi.encodeCall(CreditLineLender.initialize, (appOwner, creditModel, APP_CALLBACK_GAS, policy))
                ))
        );
        handler = new LenderHandler(oracle, lender, creditModel, appOwner, proposer);
        _stake(proposer, 1000 ether);
        handler.depositLiquidity(20 ether);
        targetContract(address(handler));
    }

    /// The lender's ETH plus its credit in the oracle is exactly the pool plus the refunds it owes (plus the fees
    /// of requests whose error callback failed, credited when their payer applies again).
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_refundsAndPoolExactlyCovered() public view {
        assertEq(
            address(lender).balance + oracle.claimableOf(address(lender)),
            lender.liquidity() + lender.totalRefunds() + handler.totalUnattributed()
        );
    }

    /// The refunds owed are the sum of each payer's.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_refundBooksAddUp() public view {
        address[3] memory b = handler.borrowerList();
        assertEq(lender.refundOf(b[0]) + lender.refundOf(b[1]) + lender.refundOf(b[2]), lender.totalRefunds());
    }

    /// Every fee paid was kept by the oracle for a finalized proposal, is escrowed in an open request, or is
    /// owed back to its payer (claimed or not).
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_everyFeeIsAccountedFor() public view {
        address[3] memory b = handler.borrowerList();
        uint256 open;
        uint256 claimed;
        for (uint256 i = 0; i < 3; ++i) {
            if (handler.openRequest(b[i]) != 0) open += FEE;
            claimed += handler.refundsClaimed(b[i]);
        }
        assertEq(
            handler.feesPaid(),
            handler.feesKeptByOracle() + open + lender.totalRefunds() + claimed + handler.totalUnattributed()
        );
    }

    /// Pool liquidity plus outstanding debt is what the owner put in and did not take out (no interest).
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_poolPlusDebtIsOwnerCapital() public view {
        address[3] memory b = handler.borrowerList();
        uint256 debt;
        for (uint256 i = 0; i < 3; ++i) {
            debt += lender.creditLineOf(b[i]).debt;
        }
        assertEq(lender.liquidity() + debt, handler.ownerDeposits() - handler.ownerWithdrawals());
    }

    /// Shows what the runs exercised (`-vv`).
    function afterInvariant() external view {
        console.log("answered inside the call", handler.answeredInsideCall());
        console.log("finalized", handler.finalized(), "expired", handler.expired());
        console.log("borrowed", handler.borrowed());
    }
}
