// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {KeyedInferenceConsumer} from "../consumer/KeyedInferenceConsumer.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title CreditLineLender
/// @notice DeFi example: an ETH pool that grants credit lines sized by a credit-risk model.
/// @dev A borrower applies with its six quantized features (docs/EXAMPLES.md, `lib/apps/credit.ts`): income,
/// debt-to-income, years of history, late payments, open lines, utilization. The model returns two logits
/// (repaid, defaulted); `riskScore = logit[1] - logit[0]` is the log-odds of default at the model's fixed-point
/// scale. The owner's {CreditPolicy} maps the score to a limit; the borrower then draws and repays ETH within it.
/// A new application re-scores the borrower; the old limit stands until the new score arrives, and a failed
/// scoring leaves it standing (the fee is refunded, the application can be sent again). Interest, collateral and
/// liquidation are out of scope: this shows the inference flow, not a lending protocol. The model cannot tell
/// whether the features are true; a real lender takes them from an attestation (a credit bureau's signature).
contract CreditLineLender is KeyedInferenceConsumer, UUPSUpgradeable, OwnableUpgradeable {
    /// @notice Number of input features of the credit model.
    uint16 public constant FEATURE_COUNT = 6;

    /// @notice Where a borrower's latest application stands.
    enum ApplicationStatus {
        None,
        Scoring,
        Scored,
        ScoringFailed
    }

    /// @notice Risk score thresholds (log-odds of default at the model's scale) and the limit each tier gets.
    /// A score at or below `lowRiskMaxScore` gets `lowRiskLimit`, at or below `mediumRiskMaxScore` gets
    /// `mediumRiskLimit`, anything above is declined (limit zero).
    struct CreditPolicy {
        int64 lowRiskMaxScore;
        int64 mediumRiskMaxScore;
        uint96 lowRiskLimit;
        uint96 mediumRiskLimit;
    }

    /// @notice A borrower's credit line.
    struct CreditLine {
        uint96 limit;
        uint96 debt;
        int64 riskScore;
        ApplicationStatus status;
    }

    /// @custom:storage-location erc7201:vai.storage.CreditLineLender
    struct CreditLineLenderStorage {
        CreditPolicy policy;
        uint256 liquidity;
        mapping(address borrower => CreditLine) lines;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.CreditLineLender")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CREDIT_LINE_LENDER_STORAGE_LOCATION =
        0x67a44fbed646010a40ab110c4a951e691d48fd343b66dc80e784575c4d2e1500;

    /// @notice Thrown when a policy's thresholds or limits are out of order.
    error CreditLineLenderInvalidPolicy();
    /// @notice Thrown when a draw exceeds the borrower's available credit.
    error CreditLineLenderInsufficientCredit(address borrower, uint256 amount, uint256 available);
    /// @notice Thrown when a draw or withdrawal exceeds the pool's liquidity.
    error CreditLineLenderInsufficientLiquidity(uint256 amount, uint256 liquidity);
    /// @notice Thrown when a repayment is zero or exceeds the debt.
    error CreditLineLenderInvalidRepayment(uint256 amount, uint256 debt);
    /// @notice Thrown when an amount is zero.
    error CreditLineLenderZeroAmount();

    /// @notice Emitted when a borrower applies.
    event CreditLineRequested(address indexed borrower, uint256 indexed requestId);
    /// @notice Emitted when a borrower's score arrives and its limit is set.
    event CreditLineSet(address indexed borrower, int64 riskScore, uint256 limit);
    /// @notice Emitted when scoring failed; the previous limit stands and the borrower can apply again.
    event CreditScoringFailed(address indexed borrower, InferenceError code);
    /// @notice Emitted when a borrower draws from its line.
    event Borrowed(address indexed borrower, uint256 amount);
    /// @notice Emitted when a borrower repays.
    event Repaid(address indexed borrower, uint256 amount);
    /// @notice Emitted when the owner adds or removes pool liquidity (`delta` signed).
    event LiquidityChanged(int256 delta, uint256 liquidity);
    /// @notice Emitted when the policy changes.
    event PolicyChanged(CreditPolicy oldPolicy, CreditPolicy newPolicy);

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param oracle The inference oracle (an immutable of the implementation: moving to another oracle is an
    /// upgrade).
    constructor(address oracle) VerifiableAIConsumer(oracle) {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner Sets the policy and the model, manages liquidity, authorizes upgrades.
    /// @param creditModelId The registered credit model (6 inputs, 2 logits).
    /// @param callbackGasLimit Gas for the oracle's callback.
    /// @param initialPolicy The initial credit policy.
    function initialize(
        address initialOwner,
        uint256 creditModelId,
        uint32 callbackGasLimit,
        CreditPolicy calldata initialPolicy
    ) external initializer {
        __KeyedInferenceConsumer_init(creditModelId, callbackGasLimit);
        __Ownable_init(initialOwner);
        _setPolicy(initialPolicy);
    }

    // ----- borrowers -----

    /// @notice Applies for (or re-scores) the caller's credit line, paying {inferenceFee}.
    /// @param features The six quantized features, computed by `creditFeatures` in `lib/apps/credit.ts`.
    ///
    /// Requirements:
    /// - `msg.value` is the fee; the caller has no scoring in flight.
    ///
    /// Emits a {CreditLineRequested} event, and {CreditLineSet} at once on a cache hit.
    function applyForCreditLine(int256[] calldata features) external payable returns (uint256 requestId) {
        _getCreditLineLenderStorage().lines[msg.sender].status = ApplicationStatus.Scoring;
        requestId = _requestFor(_key(msg.sender), features);
        emit CreditLineRequested(msg.sender, requestId);
    }

    /// @notice Draws `amount` wei from the caller's credit line.
    ///
    /// Requirements:
    /// - `amount` is at most the caller's {availableCredit} and the pool's liquidity.
    ///
    /// Emits a {Borrowed} event.
    function borrow(uint256 amount) external {
        if (amount == 0) revert CreditLineLenderZeroAmount();
        CreditLineLenderStorage storage $ = _getCreditLineLenderStorage();
        uint256 available = availableCredit(msg.sender);
        if (amount > available) revert CreditLineLenderInsufficientCredit(msg.sender, amount, available);
        if (amount > $.liquidity) revert CreditLineLenderInsufficientLiquidity(amount, $.liquidity);
        $.lines[msg.sender].debt += uint96(amount);
        $.liquidity -= amount;
        emit Borrowed(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    /// @notice Repays `msg.value` of the caller's debt.
    ///
    /// Requirements:
    /// - `msg.value` is not zero and at most the debt.
    ///
    /// Emits a {Repaid} event.
    function repay() external payable {
        CreditLineLenderStorage storage $ = _getCreditLineLenderStorage();
        uint256 debt = $.lines[msg.sender].debt;
        if (msg.value == 0 || msg.value > debt) revert CreditLineLenderInvalidRepayment(msg.value, debt);
        $.lines[msg.sender].debt = uint96(debt - msg.value);
        $.liquidity += msg.value;
        emit Repaid(msg.sender, msg.value);
    }

    // ----- owner -----

    /// @notice Adds `msg.value` to the pool. Emits a {LiquidityChanged} event.
    function depositLiquidity() external payable onlyOwner {
        if (msg.value == 0) revert CreditLineLenderZeroAmount();
        CreditLineLenderStorage storage $ = _getCreditLineLenderStorage();
        $.liquidity += msg.value;
        emit LiquidityChanged(int256(msg.value), $.liquidity);
    }

    /// @notice Withdraws `amount` of unlent liquidity to `to`. Emits a {LiquidityChanged} event.
    function withdrawLiquidity(address payable to, uint256 amount) external onlyOwner {
        CreditLineLenderStorage storage $ = _getCreditLineLenderStorage();
        if (amount > $.liquidity) revert CreditLineLenderInsufficientLiquidity(amount, $.liquidity);
        $.liquidity -= amount;
        emit LiquidityChanged(-int256(amount), $.liquidity);
        Address.sendValue(to, amount);
    }

    /// @notice Replaces the credit policy (applies to scores that arrive afterwards). Emits {PolicyChanged}.
    function setPolicy(CreditPolicy calldata newPolicy) external onlyOwner {
        _setPolicy(newPolicy);
    }

    // ----- views -----

    /// @notice A borrower's credit line.
    function creditLineOf(address borrower) external view returns (CreditLine memory) {
        return _getCreditLineLenderStorage().lines[borrower];
    }

    /// @notice What a borrower can still draw (its limit minus its debt, zero if the limit was lowered below it).
    function availableCredit(address borrower) public view returns (uint256) {
        CreditLine storage line = _getCreditLineLenderStorage().lines[borrower];
        return line.limit > line.debt ? line.limit - line.debt : 0;
    }

    /// @notice The limit the current policy gives a risk score.
    function limitFor(int256 riskScore) public view returns (uint96) {
        CreditPolicy storage p = _getCreditLineLenderStorage().policy;
        if (riskScore <= p.lowRiskMaxScore) return p.lowRiskLimit;
        if (riskScore <= p.mediumRiskMaxScore) return p.mediumRiskLimit;
        return 0;
    }

    /// @notice The credit policy.
    function policy() external view returns (CreditPolicy memory) {
        return _getCreditLineLenderStorage().policy;
    }

    /// @notice Unlent ETH in the pool.
    function liquidity() external view returns (uint256) {
        return _getCreditLineLenderStorage().liquidity;
    }

    // ----- internals -----

    /// @inheritdoc KeyedInferenceConsumer
    function _onResultFor(bytes32 key, int256[] calldata output) internal override {
        address borrower = _borrower(key);
        // Both logits are int64 (the oracle checks), so the difference fits; saturate it into int64 anyway.
        int256 score = output[1] - output[0];
        if (score > type(int64).max) score = type(int64).max;
        if (score < type(int64).min) score = type(int64).min;
        uint96 limit = limitFor(score);
        CreditLine storage line = _getCreditLineLenderStorage().lines[borrower];
        line.riskScore = int64(score);
        line.limit = limit;
        line.status = ApplicationStatus.Scored;
        emit CreditLineSet(borrower, int64(score), limit);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onErrorFor(bytes32 key, InferenceError code) internal override {
        address borrower = _borrower(key);
        _getCreditLineLenderStorage().lines[borrower].status = ApplicationStatus.ScoringFailed;
        emit CreditScoringFailed(borrower, code);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _modelShape() internal pure override returns (uint16 inputLength, uint16 outputLength) {
        return (FEATURE_COUNT, 2);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _reservedBalance() internal view override returns (uint256) {
        return _getCreditLineLenderStorage().liquidity;
    }

    function _setPolicy(CreditPolicy calldata newPolicy) private {
        if (
            newPolicy.lowRiskMaxScore > newPolicy.mediumRiskMaxScore
                || newPolicy.lowRiskLimit < newPolicy.mediumRiskLimit
        ) {
            revert CreditLineLenderInvalidPolicy();
        }
        CreditLineLenderStorage storage $ = _getCreditLineLenderStorage();
        emit PolicyChanged($.policy, newPolicy);
        $.policy = newPolicy;
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _authorizeSettingsChange() internal override onlyOwner {}

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _key(address borrower) private pure returns (bytes32) {
        return bytes32(uint256(uint160(borrower)));
    }

    function _borrower(bytes32 key) private pure returns (address) {
        return address(uint160(uint256(key)));
    }

    function _getCreditLineLenderStorage() private pure returns (CreditLineLenderStorage storage $) {
        assembly ("memory-safe") {
            $.slot := CREDIT_LINE_LENDER_STORAGE_LOCATION
        }
    }
}
