// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {InferenceOracle} from "../../../../src-sol/oracle/InferenceOracle.sol";
import {CreditLineLender} from "../../../../src-sol/examples/CreditLineLender.sol";
import {KeyedInferenceConsumer} from "../../../../src-sol/consumer/KeyedInferenceConsumer.sol";
import {OracleSettings} from "../../../../src-sol/oracle/OracleSettings.sol";
import {IDisputes} from "../../../../src-sol/interfaces/IDisputes.sol";
import {IInferenceConsumer} from "../../../../src-sol/interfaces/IInferenceConsumer.sol";
import {
    RequestState,
    InferenceError,
    RequestTerms,
    Proposal,
    Periods
} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice Drives a CreditLineLender through random applications (valid, invalid, repeated so the cache
/// answers), optimistic results, expiries, refund claims, draws, repayments and owner liquidity moves, keeping
/// ghost books for the invariants.
contract LenderHandler is Test {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant CHALLENGE_WINDOW = 1 hours;
    uint32 internal constant REQUEST_TIMEOUT = 1 hours;
    uint32 internal constant GAS = 150_000;

    InferenceOracle public oracle;
    CreditLineLender public lender;
    uint256 public modelId;
    address public lenderOwner;
    address public proposer;
    address[3] public borrowers;

    /// The open request of each borrower and its terms (cleared when it ends).
    mapping(address borrower => uint256) public openRequest;
    mapping(uint256 requestId => RequestTerms) internal terms;

    /// Ghost books.
    uint256 public ownerDeposits;
    uint256 public ownerWithdrawals;
    mapping(address borrower => uint256) public refundsClaimed;
    uint256 public feesPaid;
    uint256 public feesKeptByOracle;
    /// Fees the oracle gave back for a request whose error callback failed: credited to the payer only when the
    /// payer applies again.
    mapping(address borrower => uint256) public unattributed;
    /// The callback gas limit the lender uses now (starved: too little for the callback to run).
    uint32 public gasLimit = GAS;
    /// How often each outcome happened (so a run that exercised nothing shows).
    uint256 public answeredInsideCall;
    uint256 public finalized;
    uint256 public expired;
    uint256 public borrowed;

    constructor(
        InferenceOracle oracle_,
        CreditLineLender lender_,
        uint256 modelId_,
        address owner_,
        address proposer_
    ) {
        oracle = oracle_;
        lender = lender_;
        modelId = modelId_;
        lenderOwner = owner_;
        proposer = proposer_;
        borrowers = [makeAddr("borrower0"), makeAddr("borrower1"), makeAddr("borrower2")];
    }

    function borrowerList() external view returns (address[3] memory) {
        return borrowers;
    }

    function totalUnattributed() external view returns (uint256) {
        return unattributed[borrowers[0]] + unattributed[borrowers[1]] + unattributed[borrowers[2]];
    }

    // ----- actions -----

    /// Applies with one of four feature patterns (repeats hit the cache) or an out-of-range input.
    function apply_(uint256 who, uint256 pattern, bool valid) external {
        address b = borrowers[who % 3];
        if (openRequest[b] != 0) return;
        int256[] memory features = new int256[](6);
        for (uint256 i = 0; i < 6; ++i) {
            features[i] = int256((pattern % 4) * 100 + i);
        }
        if (!valid) features[0] = -1;
        uint256 waiting = unattributed[b];
        RequestTerms memory t = RequestTerms({
            requester: address(lender),
            modelId: uint64(modelId),
            callbackGasLimit: gasLimit,
            fee: FEE,
            bond: BOND,
            challengeWindow: CHALLENGE_WINDOW,
            outputLength: 2,
            deadline: uint40(block.timestamp + REQUEST_TIMEOUT),
            inputHash: keccak256(abi.encodePacked(features)),
            disputeWindow: 0,
            verifierVersion: 0,
            accepts: 0
        });
        _fixDisputeTerms(t);
        vm.deal(b, b.balance + FEE);
        vm.prank(b);
        uint256 id = lender.applyForCreditLine{value: FEE}(features);
        feesPaid += FEE;
        if (waiting != 0) {
            // The earlier request was released and its fee credited.
            unattributed[b] = 0;
            assertGe(lender.refundOf(b), waiting);
        }
        if (oracle.requestState(id) == RequestState.Requested) {
            openRequest[b] = id;
            terms[id] = t;
        } else {
            // Answered inside the call (cache hit or invalid input): nothing left pending.
            answeredInsideCall++;
            KeyedInferenceConsumer.PendingRequest memory p = lender.pendingRequest(bytes32(uint256(uint160(b))));
            if (gasLimit == GAS) assertEq(p.payer, address(0));
            else assertEq(p.fee, 0); // the callback failed, but the refund was credited
        }
    }

    /// Proposes logits giving `score` and finalizes after the window (or expires a request past its deadline).
    function resolve(uint256 who, int256 score) external {
        address b = borrowers[who % 3];
        uint256 id = openRequest[b];
        if (id == 0) return;
        RequestTerms memory t = terms[id];
        if (block.timestamp > t.deadline) {
            _expire(id, t);
            _expired(b, t);
        } else {
            int256[] memory output = new int256[](2);
            output[1] = bound(score, -2000, 2000); // around the policy's thresholds
            vm.prank(proposer);
            oracle.propose(id, t, output);
            vm.warp(block.timestamp + CHALLENGE_WINDOW);
            oracle.finalize(id, t, Proposal(proposer, address(0), keccak256(abi.encodePacked(output)), 0), output);
            feesKeptByOracle += FEE;
            finalized++;
            if (t.callbackGasLimit == GAS) {
                assertEq(uint8(lender.creditLineOf(b).status), uint8(CreditLineLender.ApplicationStatus.Scored));
            }
        }
        delete openRequest[b];
    }

    function expire(uint256 who) external {
        address b = borrowers[who % 3];
        uint256 id = openRequest[b];
        if (id == 0) return;
        RequestTerms memory t = terms[id];
        if (block.timestamp <= t.deadline) vm.warp(uint256(t.deadline) + 1);
        _expire(id, t);
        _expired(b, t);
        delete openRequest[b];
    }

    /// Starves the lender's callbacks (or feeds them again).
    function setCallbackGas(bool starve) external {
        gasLimit = starve ? 2_000 : GAS;
        vm.prank(lenderOwner);
        lender.setCallbackGasLimit(gasLimit);
    }

    /// @dev Expires a request; expiry never calls the lender, so the owed callback is delivered when the lender's
    /// gas limit lets it run (a starved one stays owed, as a failed callback did).
    function _expire(uint256 id, RequestTerms memory t) internal {
        IDisputes(address(oracle)).expire(id, t);
        if (t.callbackGasLimit == GAS) {
            oracle.deliverCallback(
                id,
                t.requester,
                t.callbackGasLimit,
                abi.encodeCall(IInferenceConsumer.failInference, (id, InferenceError.NoProposal))
            );
        }
    }

    /// @dev The verifier version and dispute window of a request on the model made now.
    function _fixDisputeTerms(RequestTerms memory t) internal view {
        OracleSettings.ModelCopy memory m = oracle.modelCopy(modelId);
        t.verifierVersion = m.verifierVersion;
        Periods memory p = oracle.periods();
        t.disputeWindow = m.verifierVersion != 0 || m.reexecutable ? p.disputeWindow : p.arbitrationWindow;
    }

    function _expired(address b, RequestTerms memory t) internal {
        expired++;
        if (t.callbackGasLimit == GAS) {
            assertEq(uint8(lender.creditLineOf(b).status), uint8(CreditLineLender.ApplicationStatus.ScoringFailed));
        } else {
            unattributed[b] += FEE;
        }
    }

    function claimRefund(uint256 who) external {
        address b = borrowers[who % 3];
        uint256 amount = lender.refundOf(b);
        if (amount == 0) return;
        uint256 before = b.balance;
        vm.prank(b);
        lender.claimRefund(payable(b));
        assertEq(b.balance, before + amount);
        refundsClaimed[b] += amount;
    }

    function borrow(uint256 who, uint256 amount) external {
        address b = borrowers[who % 3];
        uint256 max = lender.availableCredit(b);
        if (lender.liquidity() < max) max = lender.liquidity();
        if (max == 0) return;
        amount = bound(amount, 1, max);
        vm.prank(b);
        lender.borrow(amount);
        borrowed++;
    }

    function repay(uint256 who, uint256 amount) external {
        address b = borrowers[who % 3];
        uint256 debt = lender.creditLineOf(b).debt;
        if (debt == 0) return;
        amount = bound(amount, 1, debt);
        vm.deal(b, b.balance + amount);
        vm.prank(b);
        lender.repay{value: amount}();
    }

    function depositLiquidity(uint256 amount) external {
        amount = bound(amount, 1, 10 ether);
        vm.deal(lenderOwner, lenderOwner.balance + amount);
        vm.prank(lenderOwner);
        lender.depositLiquidity{value: amount}();
        ownerDeposits += amount;
    }

    function withdrawLiquidity(uint256 amount) external {
        uint256 liquidity = lender.liquidity();
        if (liquidity == 0) return;
        amount = bound(amount, 1, liquidity);
        vm.prank(lenderOwner);
        lender.withdrawLiquidity(payable(lenderOwner), amount);
        ownerWithdrawals += amount;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 hours));
    }
}
