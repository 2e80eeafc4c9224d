// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {AppFixture} from "./utils/AppFixture.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {CreditLineLender} from "../../../src-sol/examples/CreditLineLender.sol";
import {KeyedInferenceConsumer} from "../../../src-sol/consumer/KeyedInferenceConsumer.sol";
import {IInferenceConsumer} from "../../../src-sol/interfaces/IInferenceConsumer.sol";
import {
    OutputKind,
    InferenceError,
    RequestState,
    RequestTerms,
    Proposal
} from "../../../src-sol/types/InferenceTypes.sol";

contract CreditLineLenderV2 is CreditLineLender {
    constructor(address oracle) CreditLineLender(oracle) {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

contract CreditLineLenderTest is AppFixture {
    CreditLineLender internal lender;
    uint256 internal creditModel;
    TestVerifier internal creditVerifier;

    int64 internal constant LOW_RISK_MAX = -512; // log-odds -2 at S = 8: p(default) <= 12%
    int64 internal constant MEDIUM_RISK_MAX = 0; // p(default) <= 50%
    uint96 internal constant LOW_RISK_LIMIT = 5 ether;
    uint96 internal constant MEDIUM_RISK_LIMIT = 1 ether;

    function setUp() public override {
        super.setUp();
        (creditModel, creditVerifier) = _registerAppModel("credit", 6, 2, OutputKind.Logits);
        lender = CreditLineLender(
            payable(_proxy(
                    address(new CreditLineLender(address(oracle))),
                    abi.encodeCall(CreditLineLender.initialize, (appOwner, creditModel, APP_CALLBACK_GAS, _policy()))
                ))
        );
        vm.deal(appOwner, 100 ether);
        vm.prank(appOwner);
        lender.depositLiquidity{value: 20 ether}();
        vm.deal(alice, 10 ether);
        vm.deal(bob, 10 ether);
    }

    function _policy() internal pure returns (CreditLineLender.CreditPolicy memory) {
        return CreditLineLender.CreditPolicy(LOW_RISK_MAX, MEDIUM_RISK_MAX, LOW_RISK_LIMIT, MEDIUM_RISK_LIMIT);
    }

    function _features(int256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](6);
        for (uint256 i = 0; i < 6; ++i) {
            x[i] = seed + int256(i) * 100;
        }
    }

    function _apply(address borrower, int256[] memory features)
        internal
        returns (uint256 id, RequestTerms memory terms)
    {
        terms = _appTerms(address(lender), creditModel, features, 2, APP_CALLBACK_GAS);
        vm.prank(borrower);
        id = lender.applyForCreditLine{value: FEE}(features);
    }

    /// @dev Applies and finalizes optimistically with logits giving `score`.
    function _scored(address borrower, int256 seed, int256 score) internal {
        (uint256 id, RequestTerms memory terms) = _apply(borrower, _features(seed));
        _proposeAndFinalize(id, terms, _two(0, score));
    }

    // ----- initialization -----

    function test_initialize_setsState() public view {
        assertEq(lender.owner(), appOwner);
        assertEq(address(lender.inferenceOracle()), address(oracle));
        assertEq(lender.modelId(), creditModel);
        assertEq(lender.callbackGasLimit(), APP_CALLBACK_GAS);
        assertEq(lender.inferenceFee(), FEE);
        assertEq(lender.liquidity(), 20 ether);
        assertEq(lender.policy().lowRiskLimit, LOW_RISK_LIMIT);
    }

    function test_initialize_revertsOnImplementationAndTwice() public {
        CreditLineLender impl = new CreditLineLender(address(oracle));
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(appOwner, creditModel, APP_CALLBACK_GAS, _policy());
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        lender.initialize(appOwner, creditModel, APP_CALLBACK_GAS, _policy());
    }

    function test_initialize_revertsIfModelShapeWrong() public {
        // The fixture's model takes 2 inputs.
        address impl = address(new CreditLineLender(address(oracle)));
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerModelMismatch.selector, modelId, 2, 2)
        );
        _proxy(impl, abi.encodeCall(CreditLineLender.initialize, (appOwner, modelId, APP_CALLBACK_GAS, _policy())));
    }

    // ----- scoring -----

    function test_applyForCreditLine_optimisticResultSetsLowRiskLimit() public {
        (uint256 id, RequestTerms memory terms) = _apply(alice, _features(1000));
        assertEq(uint8(lender.creditLineOf(alice).status), uint8(CreditLineLender.ApplicationStatus.Scoring));
        assertEq(lender.pendingRequest(bytes32(uint256(uint160(alice)))).requestId, id);

        Proposal memory p = _propose(id, terms, _two(300, -400));
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.expectEmit(address(lender));
        emit CreditLineLender.CreditLineSet(alice, -700, LOW_RISK_LIMIT);
        oracle.finalize(id, terms, p, _two(300, -400));

        CreditLineLender.CreditLine memory line = lender.creditLineOf(alice);
        assertEq(uint8(line.status), uint8(CreditLineLender.ApplicationStatus.Scored));
        assertEq(line.riskScore, -700);
        assertEq(line.limit, LOW_RISK_LIMIT);
        assertEq(lender.availableCredit(alice), LOW_RISK_LIMIT);
        assertEq(lender.pendingRequest(bytes32(uint256(uint160(alice)))).payer, address(0));
        assertEq(lender.refundOf(alice), 0);
    }

    function test_applyForCreditLine_proofFinalizesAtOnceWithMediumLimit() public {
        int256[] memory features = _features(2000);
        (uint256 id, RequestTerms memory terms) = _apply(alice, features);
        _proveNow(creditVerifier, id, terms, features, _two(10, 0));
        assertEq(lender.creditLineOf(alice).limit, MEDIUM_RISK_LIMIT);
        assertEq(lender.creditLineOf(alice).riskScore, -10);
    }

    function test_applyForCreditLine_highRiskIsDeclined() public {
        _scored(alice, 1000, 1);
        assertEq(lender.creditLineOf(alice).limit, 0);
        assertEq(uint8(lender.creditLineOf(alice).status), uint8(CreditLineLender.ApplicationStatus.Scored));
    }

    function test_limitFor_tierBoundariesAreInclusive() public view {
        assertEq(lender.limitFor(LOW_RISK_MAX), LOW_RISK_LIMIT);
        assertEq(lender.limitFor(int256(LOW_RISK_MAX) + 1), MEDIUM_RISK_LIMIT);
        assertEq(lender.limitFor(MEDIUM_RISK_MAX), MEDIUM_RISK_LIMIT);
        assertEq(lender.limitFor(int256(MEDIUM_RISK_MAX) + 1), 0);
    }

    function test_applyForCreditLine_revertsOnWrongFee() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerWrongFee.selector, FEE + 1, FEE)
        );
        lender.applyForCreditLine{value: FEE + 1}(_features(1));
    }

    function test_applyForCreditLine_revertsWhileScoring() public {
        (uint256 id,) = _apply(alice, _features(1000));
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                KeyedInferenceConsumer.KeyedInferenceConsumerRequestPending.selector,
                bytes32(uint256(uint160(alice))),
                id
            )
        );
        lender.applyForCreditLine{value: FEE}(_features(1000));
    }

    function test_applyForCreditLine_invalidInputFailsAtOnceRefundsAndIsRetryable() public {
        int256[] memory bad = _features(1000);
        bad[5] = 5000; // above the model's inputMax
        vm.expectEmit(address(lender));
        emit CreditLineLender.CreditScoringFailed(alice, InferenceError.InputOutOfRange);
        _apply(alice, bad);
        assertEq(uint8(lender.creditLineOf(alice).status), uint8(CreditLineLender.ApplicationStatus.ScoringFailed));
        assertEq(lender.refundOf(alice), FEE);
        assertEq(lender.totalRefunds(), FEE);

        // The refund waits in the oracle; claiming pulls it without touching the pool.
        uint256 before = alice.balance;
        vm.prank(alice);
        lender.claimRefund(payable(alice));
        assertEq(alice.balance, before + FEE);
        assertEq(address(lender).balance, lender.liquidity());
        assertEq(lender.totalRefunds(), 0);

        _scored(alice, 1000, -1000);
        assertEq(lender.creditLineOf(alice).limit, LOW_RISK_LIMIT);
    }

    function test_applyForCreditLine_expiryRefundsAndKeepsOldLimit() public {
        _scored(alice, 1000, -1000);
        (uint256 id, RequestTerms memory terms) = _apply(alice, _features(3000));
        _expire(id, terms);
        CreditLineLender.CreditLine memory line = lender.creditLineOf(alice);
        assertEq(uint8(line.status), uint8(CreditLineLender.ApplicationStatus.ScoringFailed));
        assertEq(line.limit, LOW_RISK_LIMIT);
        assertEq(lender.refundOf(alice), FEE);
    }

    function test_applyForCreditLine_cacheHitAnswersInsideTheCallAndRefunds() public {
        _scored(alice, 1000, -1000);
        // Bob's features are the same: the oracle answers from its cache before applyForCreditLine returns.
        vm.expectEmit(address(lender));
        emit CreditLineLender.CreditLineSet(bob, -1000, LOW_RISK_LIMIT);
        (uint256 id,) = _apply(bob, _features(1000));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(uint8(lender.creditLineOf(bob).status), uint8(CreditLineLender.ApplicationStatus.Scored));
        assertEq(lender.pendingRequest(bytes32(uint256(uint160(bob)))).payer, address(0));
        assertEq(lender.refundOf(bob), FEE);
        // Bob can apply again at once (nothing pending).
        _apply(bob, _features(1000));
        assertEq(lender.refundOf(bob), 2 * FEE);
    }

    function test_applyForCreditLine_missedCallbackIsRecoveredFromTheCache() public {
        vm.prank(appOwner);
        lender.setCallbackGasLimit(2_000); // too little for the callback
        int256[] memory features = _features(1000);
        (uint256 id,) = _apply(alice, features);
        RequestTerms memory terms = _appTerms(address(lender), creditModel, features, 2, 2_000);
        _proposeAndFinalize(id, terms, _two(0, -1000));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(uint8(lender.creditLineOf(alice).status), uint8(CreditLineLender.ApplicationStatus.Scoring));

        vm.prank(appOwner);
        lender.setCallbackGasLimit(APP_CALLBACK_GAS);
        vm.prank(alice);
        lender.applyForCreditLine{value: FEE}(features);
        assertEq(lender.creditLineOf(alice).limit, LOW_RISK_LIMIT);
        assertEq(lender.refundOf(alice), FEE); // the retry was a free cache hit
    }

    function test_applyForCreditLine_cacheHitWithFailedCallbackStillRefunds() public {
        _scored(alice, 1000, -1000);
        vm.prank(appOwner);
        lender.setCallbackGasLimit(2_000); // too little for the callback
        (uint256 id,) = _apply(bob, _features(1000));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(uint8(lender.creditLineOf(bob).status), uint8(CreditLineLender.ApplicationStatus.Scoring));
        assertEq(lender.refundOf(bob), FEE);
        assertEq(lender.pendingRequest(bytes32(uint256(uint160(bob)))).fee, 0);

        vm.prank(appOwner);
        lender.setCallbackGasLimit(APP_CALLBACK_GAS);
        _apply(bob, _features(1000));
        assertEq(lender.creditLineOf(bob).limit, LOW_RISK_LIMIT);
        assertEq(lender.refundOf(bob), 2 * FEE);
        assertEq(
            address(lender).balance + oracle.claimableOf(address(lender)), lender.liquidity() + lender.totalRefunds()
        );
    }

    // ----- borrowing -----

    function test_borrow_andRepayWithinTheLimit() public {
        _scored(alice, 1000, -1000);
        uint256 before = alice.balance;
        vm.prank(alice);
        lender.borrow(2 ether);
        assertEq(alice.balance, before + 2 ether);
        assertEq(lender.availableCredit(alice), LOW_RISK_LIMIT - 2 ether);
        assertEq(lender.liquidity(), 18 ether);

        vm.prank(alice);
        lender.repay{value: 0.5 ether}();
        assertEq(lender.creditLineOf(alice).debt, 1.5 ether);
        assertEq(lender.liquidity(), 18.5 ether);
        assertEq(address(lender).balance, lender.liquidity());
    }

    function test_borrow_revertsAboveAvailableCredit() public {
        _scored(alice, 1000, -10); // medium tier
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                CreditLineLender.CreditLineLenderInsufficientCredit.selector, alice, 1 ether + 1, MEDIUM_RISK_LIMIT
            )
        );
        lender.borrow(1 ether + 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(CreditLineLender.CreditLineLenderInsufficientCredit.selector, bob, 1, 0));
        lender.borrow(1);
    }

    function test_borrow_revertsAboveLiquidity() public {
        _scored(alice, 1000, -1000);
        vm.prank(appOwner);
        lender.withdrawLiquidity(payable(appOwner), 19 ether);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(CreditLineLender.CreditLineLenderInsufficientLiquidity.selector, 2 ether, 1 ether)
        );
        lender.borrow(2 ether);
    }

    function test_repay_revertsAboveDebt() public {
        _scored(alice, 1000, -1000);
        vm.prank(alice);
        lender.borrow(1 ether);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(CreditLineLender.CreditLineLenderInvalidRepayment.selector, 1 ether + 1, 1 ether)
        );
        lender.repay{value: 1 ether + 1}();
    }

    function test_rescoring_lowerLimitBlocksFurtherDraws() public {
        _scored(alice, 1000, -1000);
        vm.prank(alice);
        lender.borrow(3 ether);
        _scored(alice, 1100, -10); // medium: limit 1 ether below the 3 ether debt
        assertEq(lender.availableCredit(alice), 0);
        assertEq(lender.creditLineOf(alice).debt, 3 ether);
    }

    // ----- access control and safety -----

    function test_ownerFunctions_revertForOthers() public {
        bytes memory err = abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, alice);
        address v2 = address(new CreditLineLenderV2(address(oracle)));
        vm.startPrank(alice);
        vm.expectRevert(err);
        lender.setPolicy(_policy());
        vm.expectRevert(err);
        lender.setModel(creditModel);
        vm.expectRevert(err);
        lender.setCallbackGasLimit(1);
        vm.expectRevert(err);
        lender.withdrawLiquidity(payable(alice), 1);
        vm.expectRevert(err);
        lender.upgradeToAndCall(v2, "");
        vm.stopPrank();
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(err);
        lender.depositLiquidity{value: 1}();
    }

    function test_setPolicy_revertsIfTiersOutOfOrder() public {
        vm.startPrank(appOwner);
        vm.expectRevert(CreditLineLender.CreditLineLenderInvalidPolicy.selector);
        lender.setPolicy(CreditLineLender.CreditPolicy(1, 0, 2 ether, 1 ether));
        vm.expectRevert(CreditLineLender.CreditLineLenderInvalidPolicy.selector);
        lender.setPolicy(CreditLineLender.CreditPolicy(0, 1, 1 ether, 2 ether));
        vm.stopPrank();
    }

    function test_callbacks_revertUnlessFromTheOracle() public {
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceConsumer.VerifiableAIConsumerUnauthorizedOracle.selector, address(this))
        );
        lender.fulfillInference(1, _two(0, -1000));
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceConsumer.VerifiableAIConsumerUnauthorizedOracle.selector, address(this))
        );
        lender.failInference(1, InferenceError.NoProposal);
    }

    function test_receive_rejectsPlainTransfers() public {
        vm.prank(alice);
        (bool ok,) = address(lender).call{value: 1 ether}("");
        assertFalse(ok);
    }

    function test_claimRefund_revertsWithoutRefund() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(KeyedInferenceConsumer.KeyedInferenceConsumerNoRefund.selector, alice));
        lender.claimRefund(payable(alice));
    }

    // ----- storage -----

    function test_storage_livesInTheErc7201Namespaces() public view {
        bytes32 lenderSlot = _erc7201("vai.storage.CreditLineLender");
        bytes32 keyedSlot = _erc7201("vai.storage.KeyedInferenceConsumer");
        // CreditLineLenderStorage: policy (2 slots), liquidity; KeyedInferenceConsumerStorage: modelId first.
        assertEq(uint256(vm.load(address(lender), bytes32(uint256(lenderSlot) + 2))), 20 ether);
        assertEq(uint256(vm.load(address(lender), keyedSlot)), creditModel);
    }

    function _erc7201(string memory namespace) internal pure returns (bytes32) {
        return keccak256(abi.encode(uint256(keccak256(bytes(namespace))) - 1)) & ~bytes32(uint256(0xff));
    }

    // ----- upgrade -----

    function test_upgrade_keepsState() public {
        _scored(alice, 1000, -1000);
        vm.prank(alice);
        lender.borrow(1 ether);
        (uint256 pendingId,) = _apply(bob, _features(3000));

        address v2 = address(new CreditLineLenderV2(address(oracle)));
        vm.prank(appOwner);
        lender.upgradeToAndCall(v2, "");
        assertEq(CreditLineLenderV2(payable(address(lender))).version(), 2);
        assertEq(lender.owner(), appOwner);
        assertEq(lender.modelId(), creditModel);
        assertEq(lender.creditLineOf(alice).debt, 1 ether);
        assertEq(lender.creditLineOf(alice).limit, LOW_RISK_LIMIT);
        assertEq(lender.liquidity(), 19 ether);
        assertEq(lender.pendingRequest(bytes32(uint256(uint160(bob)))).requestId, pendingId);

        // The request made before the upgrade is still answered.
        RequestTerms memory terms = _appTerms(address(lender), creditModel, _features(3000), 2, APP_CALLBACK_GAS);
        terms.deadline = uint40(block.timestamp + REQUEST_TIMEOUT);
        _proposeAndFinalize(pendingId, terms, _two(0, -10));
        assertEq(lender.creditLineOf(bob).limit, MEDIUM_RISK_LIMIT);
    }
}
