// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {
    AutomationCompatibleInterface
} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";

import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceVerifier} from "../interfaces/IInferenceVerifier.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {RequestState, InferenceError, RequestTerms, Proposal, MaturedProposal} from "../types/InferenceTypes.sol";
import {PackedOutput} from "../libraries/PackedOutput.sol";
import {ProtocolConstants} from "../libraries/ProtocolConstants.sol";
import {PauseGuardianUpgradeable} from "../governance/PauseGuardianUpgradeable.sol";

/// @title InferenceOracle
/// @notice Request book for verifiable inference with optimistic finality, bonds, disputes and a result cache.
/// See docs/PROTOCOL.md for the state machine and the money flows.
/// @dev Each request is one storage word: `state (8 bits) | time (40 bits) | low 208 bits`. While the request is
/// open the low bits are a commitment, the low 208 bits of `keccak256(abi.encode(requestId, terms, proposal))`,
/// and `time` is the deadline (Requested), the end of the challenge window (Proposed) or the challenge time
/// (Disputed); once it has ended `time` is the end time.
///
/// Request ids come in two kinds. The first open request for a `(modelId, inputHash)` key takes the key's own id
/// ({keyedRequestId}, top bit set): its word is the key's cache entry, so finalizing it writes the result's
/// {PackedOutput} head into the same word (state Finalized) instead of a fresh slot. A request whose key already
/// has a word (a duplicate while the first is open or after it expired), a failed request and a cache hit take
/// the next sequence id (below 2^40); a finalized sequence-id word is deleted, and an id at or below the last
/// sequence id with an empty word is Finalized. A sequence-id result is cached in the key's word when that word
/// holds an expired request without a result (first result wins).
contract InferenceOracle is
    Initializable,
    UUPSUpgradeable,
    OwnableUpgradeable,
    PauseGuardianUpgradeable,
    IInferenceOracle,
    AutomationCompatibleInterface
{
    /// @notice Share of the loser's bond paid to the winner of a dispute, in basis points; the rest goes to the
    /// treasury, so that challenging oneself (or proposing a wrong output and challenging it) always loses money.
    uint256 public constant WINNER_SHARE_BPS = 5_000;
    uint256 internal constant BPS = 10_000;
    /// @notice Largest callback gas limit a requester may ask for.
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 5_000_000;
    /// @notice Gas kept back for the CALL itself (cold account access, memory) when checking the 63/64 rule.
    uint256 internal constant CALLBACK_GAS_OVERHEAD = 5_000;
    uint256 internal constant CALL_GAS_DIVISOR = 63;
    /// @notice Bounds of the time parameters.
    uint32 public constant MIN_PERIOD = 1 minutes;
    uint32 public constant MAX_PERIOD = 30 days;
    uint32 public constant MAX_UNBONDING_DELAY = 120 days;
    /// @notice Automation: ids scanned when `checkData` is empty, most ids scanned, most ids finalized per upkeep.
    uint256 public constant DEFAULT_SCAN = 256;
    uint256 public constant MAX_SCAN = 2_048;
    uint256 public constant MAX_UPKEEP_BATCH = 16;

    uint256 private constant STATE_SHIFT = 248;
    uint256 private constant TIME_SHIFT = 208;
    uint256 private constant TIME_MASK = type(uint40).max;
    uint256 private constant COMMITMENT_MASK = type(uint208).max;
    /// @dev ABI sizes of the two structs a commitment covers (9 and 3 static words).
    uint256 private constant TERMS_BYTES = 288;
    uint256 private constant PROPOSAL_BYTES = 96;
    /// @notice Set in every keyed request id and never in a sequence id.
    uint256 private constant KEYED_ID_FLAG = 1 << 255;

    bytes32 private constant PARAM_REQUEST_TIMEOUT = "requestTimeout";
    bytes32 private constant PARAM_DISPUTE_WINDOW = "disputeWindow";
    bytes32 private constant PARAM_ARBITRATION_WINDOW = "arbitrationWindow";
    bytes32 private constant PARAM_UNBONDING_DELAY = "unbondingDelay";

    /// @notice An operator's stake: free (can back bonds or be unbonded), locked in bonds, and unbonding.
    struct Stake {
        uint96 free;
        uint96 locked;
        uint40 readyAt;
        uint96 unbonding;
    }

    /// @notice Time parameters (seconds).
    struct Periods {
        uint32 requestTimeout;
        uint32 disputeWindow;
        uint32 arbitrationWindow;
        uint32 unbondingDelay;
    }

    /// @custom:storage-location erc7201:vai.storage.InferenceOracle
    struct InferenceOracleStorage {
        // slot 0: everything a request reads and writes besides its own slot
        IModelRegistry registry;
        uint40 lastRequestId;
        uint32 requestTimeout;
        bool paused;
        // slot 1
        address treasury;
        uint32 disputeWindow;
        uint32 arbitrationWindow;
        uint32 unbondingDelay;
        // slot 2
        address arbitrator;
        mapping(uint256 requestId => uint256 word) records;
        mapping(address operator => Stake) stakes;
        mapping(address account => uint256 amount) claimable;
        mapping(uint256 keyedId => PackedOutput.Tail) cacheTails;
        mapping(uint256 requestId => bytes record) scheduled;
        uint256[] scheduledIds;
        // the registry's terms and verifier of each model, refreshed by the registry on every change
        mapping(uint256 modelId => IModelRegistry.ModelTerms) models;
        mapping(uint256 modelId => IInferenceVerifier) verifiers;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.InferenceOracle")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant INFERENCE_ORACLE_STORAGE_LOCATION =
        0x5e4d7f9beabdc5512dd86ea5407e17417b53a7020859a0325ffda1958778e300;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner Governance (an address now, a TimelockController later).
    /// @param registry_ The model registry.
    /// @param treasury_ Receives the non-winner share of slashed bonds (claimable).
    /// @param arbitrator_ May settle disputes after the dispute window.
    /// @param initialPeriods Request timeout, dispute and arbitration windows, unbonding delay.
    function initialize(
        address initialOwner,
        IModelRegistry registry_,
        address treasury_,
        address arbitrator_,
        Periods calldata initialPeriods
    ) external initializer {
        __Ownable_init(initialOwner);
        if (address(registry_) == address(0) || treasury_ == address(0) || arbitrator_ == address(0)) {
            revert InferenceOracleZeroAddress();
        }
        InferenceOracleStorage storage $ = _getStorage();
        $.registry = registry_;
        $.treasury = treasury_;
        $.arbitrator = arbitrator_;
        _setRequestTimeout(initialPeriods.requestTimeout);
        _setWindows(initialPeriods.disputeWindow, initialPeriods.arbitrationWindow, initialPeriods.unbondingDelay);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceOracle
    function requestInference(uint256 modelId, int256[] calldata input, uint32 callbackGasLimit)
        external
        payable
        returns (uint256 requestId)
    {
        InferenceOracleStorage storage $ = _getStorage();
        if ($.paused) revert InferenceOraclePaused();
        if (callbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert InferenceOracleCallbackGasLimitTooHigh(callbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
        bytes32 inputHash = _hashValues(input);
        uint256 keyedId = keyedRequestId(modelId, inputHash);
        uint256 keyed = $.records[keyedId];

        // A cache hit needs no registry read: only a model that existed and accepted requests can have a cached
        // result, and a result stays valid after deprecation (deprecation stops new computations).
        if (_hasResult(keyed)) {
            requestId = ++$.lastRequestId;
            if (msg.value != 0) _credit($, msg.sender, msg.value);
            int256[] memory cached = PackedOutput.load(keyed, $.cacheTails[keyedId]);
            bool ok = _callback(
                msg.sender, callbackGasLimit, abi.encodeCall(IInferenceConsumer.fulfillInference, (requestId, cached))
            );
            emit CacheHit(requestId, modelId, inputHash, ok);
            return requestId;
        }

        IModelRegistry.ModelTerms memory m = $.models[modelId];
        // Registered lengths are never zero: zero means "not copied yet" (registered before the link).
        if (m.inputLength == 0) m = _syncModel($, modelId);
        if (m.deprecated) revert InferenceOracleModelDeprecated(modelId);
        if (msg.value < m.fee) revert InferenceOracleInsufficientFee(msg.value, m.fee);
        if (msg.value > m.fee) _credit($, msg.sender, msg.value - m.fee);
        InferenceError code = _checkInput(input, m);
        requestId = keyed == 0 && code == InferenceError.None ? keyedId : ++$.lastRequestId;
        RequestTerms memory terms = RequestTerms({
            requester: msg.sender,
            modelId: uint64(modelId),
            callbackGasLimit: callbackGasLimit,
            fee: m.fee,
            bond: m.minBond,
            challengeWindow: m.challengeWindow,
            outputLength: m.outputLength,
            deadline: uint40(block.timestamp + $.requestTimeout),
            inputHash: inputHash
        });
        emit InferenceRequested(requestId, modelId, terms, input);

        if (code != InferenceError.None) {
            $.records[requestId] = _pack(RequestState.Failed, block.timestamp, 0);
            if (m.fee != 0) _credit($, msg.sender, m.fee);
            _deliverError(requestId, msg.sender, callbackGasLimit, RequestState.Failed, code);
            return requestId;
        }
        $.records[requestId] = _pack(RequestState.Requested, terms.deadline, _commitment(requestId, terms, _none()));
    }

    /// @inheritdoc IInferenceOracle
    function syncModel(uint256 modelId) external {
        _syncModel(_getStorage(), modelId);
    }

    function _syncModel(InferenceOracleStorage storage $, uint256 modelId)
        private
        returns (IModelRegistry.ModelTerms memory m)
    {
        IModelRegistry registry = $.registry;
        address linked = registry.oracle();
        if (linked != address(this)) revert InferenceOracleRegistryNotLinked(address(registry), linked);
        m = registry.modelTerms(modelId);
        $.models[modelId] = m;
        $.verifiers[modelId] = registry.verifierOf(modelId);
        emit ModelSynced(modelId);
    }

    /// @inheritdoc IInferenceOracle
    function propose(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) external {
        _propose(_getStorage(), requestId, terms, output);
    }

    /// @inheritdoc IInferenceOracle
    function proposeAndFinalize(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata output,
        MaturedProposal[] calldata matured
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        _propose($, requestId, terms, output);
        for (uint256 k = 0; k < matured.length; ++k) {
            MaturedProposal calldata m = matured[k];
            if (_isFinalizable($, m.requestId, m.terms, m.proposal, m.output)) {
                _finalizeProposal($, m.requestId, m.terms, m.proposal, m.output);
            }
        }
    }

    function _propose(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata output
    ) private {
        if ($.paused) revert InferenceOraclePaused();
        uint256 deadline = _load($, requestId, RequestState.Requested, terms, _none());
        if (block.timestamp > deadline) revert InferenceOracleOutsideWindow(requestId, 0, deadline);
        _checkOutput(output, terms.outputLength);
        _lock($, msg.sender, terms.bond);
        Proposal memory proposal =
            Proposal({proposer: msg.sender, challenger: address(0), outputHash: keccak256(abi.encodePacked(output))});
        $.records[requestId] = _pack(
            RequestState.Proposed, block.timestamp + terms.challengeWindow, _commitment(requestId, terms, proposal)
        );
        emit OutputProposed(requestId, msg.sender, proposal.outputHash, output);
    }

    /// @inheritdoc IInferenceOracle
    function proposeWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        if ($.paused) revert InferenceOraclePaused();
        uint256 deadline = _load($, requestId, RequestState.Requested, terms, _none());
        if (block.timestamp > deadline) revert InferenceOracleOutsideWindow(requestId, 0, deadline);
        _checkOutput(output, terms.outputLength);
        _verifyProof($, requestId, terms, input, output, proof);
        _getStake($, msg.sender).free += terms.fee;
        _finalize($, requestId, terms, output);
    }

    /// @inheritdoc IInferenceOracle
    function challenge(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal) external {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 windowEnd = _load($, requestId, RequestState.Proposed, terms, proposal);
        if (block.timestamp >= windowEnd) revert InferenceOracleOutsideWindow(requestId, 0, windowEnd - 1);
        if (msg.sender == proposal.proposer) revert InferenceOracleSelfChallenge(msg.sender);
        _lock($, msg.sender, terms.bond);
        Proposal memory disputed = proposal;
        disputed.challenger = msg.sender;
        $.records[requestId] = _pack(RequestState.Disputed, block.timestamp, _commitment(requestId, terms, disputed));
        emit ProposalChallenged(requestId, msg.sender);
    }

    /// @inheritdoc IInferenceOracle
    function resolveWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        _load($, requestId, RequestState.Disputed, terms, proposal);
        _checkOutput(output, terms.outputLength);
        _verifyProof($, requestId, terms, input, output, proof);
        _settle($, requestId, terms, proposal, output);
    }

    /// @inheritdoc IInferenceOracle
    function resolveByReexecution(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        _load($, requestId, RequestState.Disputed, terms, proposal);
        _checkInputHash(requestId, terms, input);
        int256[] memory output = $.registry.execute(terms.modelId, input);
        _checkOutput(output, terms.outputLength);
        _settle($, requestId, terms, proposal, output);
    }

    /// @inheritdoc IInferenceOracle
    function resolveByArbitration(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        if (msg.sender != $.arbitrator) revert InferenceOracleUnauthorizedArbitrator(msg.sender);
        uint256 disputedAt = _load($, requestId, RequestState.Disputed, terms, proposal);
        uint256 opensAt = disputedAt + $.disputeWindow;
        uint256 closesAt = opensAt + $.arbitrationWindow;
        if (block.timestamp < opensAt || block.timestamp > closesAt) {
            revert InferenceOracleOutsideWindow(requestId, opensAt, closesAt);
        }
        _checkOutput(output, terms.outputLength);
        _settle($, requestId, terms, proposal, output);
    }

    /// @inheritdoc IInferenceOracle
    function expireDispute(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal) external {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 disputedAt = _load($, requestId, RequestState.Disputed, terms, proposal);
        uint256 closesAt = disputedAt + $.disputeWindow + $.arbitrationWindow;
        if (block.timestamp <= closesAt) {
            revert InferenceOracleOutsideWindow(requestId, closesAt + 1, type(uint40).max);
        }
        _unlock($, proposal.proposer, terms.bond);
        _unlock($, proposal.challenger, terms.bond);
        _endWithoutResult($, requestId, terms, RequestState.Expired, InferenceError.DisputeUnresolved);
    }

    /// @inheritdoc IInferenceOracle
    function finalize(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 windowEnd = _load($, requestId, RequestState.Proposed, terms, proposal);
        if (block.timestamp < windowEnd) revert InferenceOracleOutsideWindow(requestId, windowEnd, type(uint40).max);
        _finalizeProposal($, requestId, terms, proposal, output);
    }

    /// @inheritdoc IInferenceOracle
    function expire(uint256 requestId, RequestTerms calldata terms) external {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 deadline = _load($, requestId, RequestState.Requested, terms, _none());
        if (block.timestamp <= deadline) {
            revert InferenceOracleOutsideWindow(requestId, deadline + 1, type(uint40).max);
        }
        _endWithoutResult($, requestId, terms, RequestState.Expired, InferenceError.NoProposal);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Chainlink Automation
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceOracle
    function scheduleFinalization(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        InferenceOracleStorage storage $ = _getStorage();
        _load($, requestId, RequestState.Proposed, terms, proposal);
        _checkOutputHash(requestId, proposal, output);
        if ($.scheduled[requestId].length == 0) $.scheduledIds.push(requestId);
        $.scheduled[requestId] = abi.encode(terms, proposal, output);
        emit FinalizationScheduled(requestId);
    }

    /// @notice Returns up to `MAX_UPKEEP_BATCH` scheduled requests whose challenge window has passed.
    /// @param checkData Empty (scan the last `DEFAULT_SCAN` scheduled ids) or
    /// `abi.encode(uint256 firstIndex, uint256 count)`, a range of the schedule list (count capped at `MAX_SCAN`).
    /// @return upkeepNeeded Whether any request can be finalized.
    /// @return performData `abi.encode(uint256[] requestIds)`.
    function checkUpkeep(bytes calldata checkData) external view returns (bool upkeepNeeded, bytes memory performData) {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 total = $.scheduledIds.length;
        uint256 first;
        uint256 count;
        if (checkData.length == 0) {
            first = total > DEFAULT_SCAN ? total - DEFAULT_SCAN : 0;
            count = DEFAULT_SCAN;
        } else {
            (first, count) = abi.decode(checkData, (uint256, uint256));
            if (count > MAX_SCAN) count = MAX_SCAN;
        }
        if (first >= total) return (false, abi.encode(new uint256[](0)));
        uint256 end = total - first > count ? first + count : total;
        uint256[] memory ids = new uint256[](MAX_UPKEEP_BATCH);
        uint256 found;
        for (uint256 k = first; k < end && found < MAX_UPKEEP_BATCH; ++k) {
            uint256 id = $.scheduledIds[k];
            if (_isScheduledAndFinalizable($, id)) ids[found++] = id;
        }
        assembly ("memory-safe") {
            mstore(ids, found)
        }
        return (found != 0, abi.encode(ids));
    }

    /// @notice Finalizes the scheduled requests in `performData`, skipping any that are no longer finalizable.
    function performUpkeep(bytes calldata performData) external {
        InferenceOracleStorage storage $ = _getStorage();
        uint256[] memory ids = abi.decode(performData, (uint256[]));
        for (uint256 k = 0; k < ids.length; ++k) {
            uint256 id = ids[k];
            if (!_isScheduledAndFinalizable($, id)) continue;
            (RequestTerms memory terms, Proposal memory proposal, int256[] memory output) =
                abi.decode($.scheduled[id], (RequestTerms, Proposal, int256[]));
            delete $.scheduled[id];
            _finalizeProposal($, id, terms, proposal, output);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Stake and balances
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceOracle
    function depositStake() external payable {
        if (msg.value == 0 || msg.value > type(uint96).max) revert InferenceOracleInvalidAmount(msg.value);
        _getStake(_getStorage(), msg.sender).free += uint96(msg.value);
        emit StakeDeposited(msg.sender, msg.value);
    }

    /// @inheritdoc IInferenceOracle
    function requestWithdrawal(uint256 amount) external {
        InferenceOracleStorage storage $ = _getStorage();
        Stake storage s = _getStake($, msg.sender);
        if (amount == 0) revert InferenceOracleInvalidAmount(amount);
        if (amount > s.free) revert InferenceOracleInsufficientStake(msg.sender, s.free, amount);
        uint40 readyAt = uint40(block.timestamp + $.unbondingDelay);
        s.free -= uint96(amount);
        s.unbonding += uint96(amount);
        s.readyAt = readyAt;
        emit WithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @inheritdoc IInferenceOracle
    function withdrawStake() external {
        Stake storage s = _getStake(_getStorage(), msg.sender);
        uint256 amount = s.unbonding;
        if (amount == 0 || block.timestamp < s.readyAt) revert InferenceOracleUnbonding(msg.sender, amount, s.readyAt);
        s.unbonding = 0;
        emit StakeWithdrawn(msg.sender, amount);
        _send(payable(msg.sender), amount);
    }

    /// @inheritdoc IInferenceOracle
    function claim(address payable to) external {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 amount = $.claimable[msg.sender];
        if (amount == 0) revert InferenceOracleInvalidAmount(0);
        if (to == address(0)) revert InferenceOracleZeroAddress();
        $.claimable[msg.sender] = 0;
        emit Claimed(msg.sender, to, amount);
        _send(to, amount);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Sets how long a request waits for a proposal before it can be expired.
    function setRequestTimeout(uint32 requestTimeout) external onlyOwner {
        _setRequestTimeout(requestTimeout);
    }

    /// @notice Sets the dispute window, the arbitration window and the unbonding delay together (the unbonding
    /// delay must exceed `MAX_CHALLENGE_WINDOW + disputeWindow + arbitrationWindow`).
    function setWindows(uint32 disputeWindow, uint32 arbitrationWindow, uint32 unbondingDelay) external onlyOwner {
        _setWindows(disputeWindow, arbitrationWindow, unbondingDelay);
    }

    /// @notice Sets the treasury.
    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0)) revert InferenceOracleZeroAddress();
        InferenceOracleStorage storage $ = _getStorage();
        emit TreasuryChanged($.treasury, treasury_);
        $.treasury = treasury_;
    }

    /// @notice Sets the arbitrator (a multisig).
    function setArbitrator(address arbitrator_) external onlyOwner {
        if (arbitrator_ == address(0)) revert InferenceOracleZeroAddress();
        InferenceOracleStorage storage $ = _getStorage();
        emit ArbitratorChanged($.arbitrator, arbitrator_);
        $.arbitrator = arbitrator_;
    }

    /// @notice Pauses or resumes new requests and proposals (the pause guardian may only pause, see {pause}).
    /// Everything else (challenges, disputes, finalization, expiry, withdrawals, claims) keeps working, so a pause
    /// never traps funds.
    function setPaused(bool paused_) external onlyOwner {
        _setPaused(paused_);
    }

    function _setPaused(bool paused_) internal override {
        _getStorage().paused = paused_;
        emit PausedChanged(paused_);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceOracle
    function requestState(uint256 requestId) public view returns (RequestState) {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 packed = $.records[requestId];
        if (packed == 0) {
            return requestId != 0 && requestId <= $.lastRequestId ? RequestState.Finalized : RequestState.None;
        }
        return RequestState(uint8(packed >> STATE_SHIFT));
    }

    /// @notice The stored record of a request: its state, its time field and its commitment.
    function requestRecord(uint256 requestId)
        external
        view
        returns (RequestState state, uint256 time, uint256 commitment)
    {
        uint256 packed = _getStorage().records[requestId];
        state = requestState(requestId);
        time = (packed >> TIME_SHIFT) & TIME_MASK;
        commitment = packed & COMMITMENT_MASK;
    }

    /// @notice The commitment a request's record holds for `terms` and `proposal` (for off-chain checks).
    function commitmentOf(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal)
        external
        pure
        returns (uint256)
    {
        return _commitment(requestId, terms, proposal);
    }

    /// @inheritdoc IInferenceOracle
    function cachedResult(uint256 modelId, bytes32 inputHash)
        external
        view
        returns (bool found, int256[] memory output)
    {
        InferenceOracleStorage storage $ = _getStorage();
        uint256 keyedId = keyedRequestId(modelId, inputHash);
        uint256 keyed = $.records[keyedId];
        if (_hasResult(keyed)) return (true, PackedOutput.load(keyed, $.cacheTails[keyedId]));
    }

    /// @notice The id the first open request for `(modelId, inputHash)` takes, whose word is the key's cache entry.
    function keyedRequestId(uint256 modelId, bytes32 inputHash) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(modelId, inputHash))) | KEYED_ID_FLAG;
    }

    /// @notice The number of requests ever scheduled for Automation (the range `checkUpkeep` scans).
    function scheduledCount() external view returns (uint256) {
        return _getStorage().scheduledIds.length;
    }

    /// @notice An operator's stake.
    function stakeOf(address operator) external view returns (Stake memory) {
        return _getStorage().stakes[operator];
    }

    /// @notice An account's claimable balance (refunds, treasury share).
    function claimableOf(address account) external view returns (uint256) {
        return _getStorage().claimable[account];
    }

    /// @notice The last assigned request id (ids start at 1).
    function lastRequestId() external view returns (uint256) {
        return _getStorage().lastRequestId;
    }

    /// @notice The registry, treasury and arbitrator.
    function addresses() external view returns (IModelRegistry registry, address treasury, address arbitrator) {
        InferenceOracleStorage storage $ = _getStorage();
        return ($.registry, $.treasury, $.arbitrator);
    }

    /// @notice The time parameters.
    function periods() external view returns (Periods memory) {
        InferenceOracleStorage storage $ = _getStorage();
        return Periods($.requestTimeout, $.disputeWindow, $.arbitrationWindow, $.unbondingDelay);
    }

    /// @notice Whether new requests are paused.
    function paused() external view returns (bool) {
        return _getStorage().paused;
    }

    /// @notice Whether Automation has a stored record for `requestId`.
    function isScheduled(uint256 requestId) external view returns (bool) {
        return _getStorage().scheduled[requestId].length != 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Checks the state and the commitment of a request and returns its time field.
    function _load(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestState expected,
        RequestTerms memory terms,
        Proposal memory proposal
    ) private view returns (uint256 time) {
        uint256 packed = $.records[requestId];
        if (packed == 0 || RequestState(uint8(packed >> STATE_SHIFT)) != expected) {
            revert InferenceOracleUnexpectedRequestState(requestId, bytes32(uint256(1) << uint8(expected)));
        }
        if (packed & COMMITMENT_MASK != _commitment(requestId, terms, proposal)) {
            revert InferenceOracleCommitmentMismatch(requestId);
        }
        return (packed >> TIME_SHIFT) & TIME_MASK;
    }

    /// @dev Whether `finalize(requestId, terms, proposal, output)` would succeed (without calling back).
    function _isFinalizable(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) private view returns (bool) {
        uint256 word = $.records[requestId];
        return _isMatured(word) && word & COMMITMENT_MASK == _commitment(requestId, terms, proposal)
            && _hashValues(output) == proposal.outputHash;
    }

    function _isScheduledAndFinalizable(InferenceOracleStorage storage $, uint256 id) private view returns (bool) {
        return _isMatured($.records[id]) && $.scheduled[id].length != 0;
    }

    /// @dev Whether a request word is a proposal whose challenge window has passed.
    function _isMatured(uint256 word) private view returns (bool) {
        return
            word >> STATE_SHIFT == uint256(RequestState.Proposed) && block.timestamp >= (word >> TIME_SHIFT) & TIME_MASK;
    }

    /// @dev Finalizes an unchallenged proposal: the proposer gets its bond back and the fee.
    function _finalizeProposal(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms memory terms,
        Proposal memory proposal,
        int256[] memory output
    ) private {
        _checkOutputHash(requestId, proposal, output);
        Stake storage s = $.stakes[proposal.proposer];
        s.locked -= terms.bond;
        s.free += terms.bond + terms.fee;
        _finalize($, requestId, terms, output);
    }

    /// @dev Settles a dispute for the side whose output equals `output` and finalizes with it.
    function _settle(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms memory terms,
        Proposal memory proposal,
        int256[] memory output
    ) private {
        bool proposerRight = keccak256(abi.encodePacked(output)) == proposal.outputHash;
        (address winner, address loser) =
            proposerRight ? (proposal.proposer, proposal.challenger) : (proposal.challenger, proposal.proposer);
        (uint256 reward, uint256 toTreasury) = slashSplit(terms.bond);
        $.stakes[loser].locked -= terms.bond;
        Stake storage w = $.stakes[winner];
        w.locked -= terms.bond;
        w.free += SafeCast.toUint96(terms.bond + reward + terms.fee);
        if (toTreasury != 0) _credit($, $.treasury, toTreasury);
        emit DisputeResolved(requestId, winner, loser, reward, toTreasury);
        _finalize($, requestId, terms, output);
    }

    /// @notice Splits a slashed bond into the winner's reward and the treasury's share.
    function slashSplit(uint256 bond) public pure returns (uint256 reward, uint256 toTreasury) {
        reward = bond * WINNER_SHARE_BPS / BPS;
        toTreasury = bond - reward;
    }

    /// @dev Ends a request as Finalized and caches its result (first result wins), then calls back. A keyed
    /// request's word becomes the cache entry in place; a sequence-id word is deleted, and its result fills the
    /// key's word only when that holds an expired request (an open keyed request caches its own result).
    function _finalize(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms memory terms,
        int256[] memory output
    ) private {
        uint256 keyedId = keyedRequestId(terms.modelId, terms.inputHash);
        if (requestId == keyedId) {
            $.records[keyedId] = _pack(RequestState.Finalized, block.timestamp, PackedOutput.head(output));
            PackedOutput.storeTail($.cacheTails[keyedId], output);
        } else {
            delete $.records[requestId];
            uint256 keyed = $.records[keyedId];
            if (keyed >> STATE_SHIFT > uint256(RequestState.Finalized) && PackedOutput.length(keyed) == 0) {
                $.records[keyedId] = keyed | PackedOutput.head(output);
                PackedOutput.storeTail($.cacheTails[keyedId], output);
            }
        }
        _deliverResult(requestId, terms.requester, terms.callbackGasLimit, output);
    }

    /// @dev Whether a request word holds a cached result: a keyed request that ended, with a stored output.
    function _hasResult(uint256 word) private pure returns (bool) {
        return word >> STATE_SHIFT >= uint256(RequestState.Finalized) && PackedOutput.length(word) != 0;
    }

    /// @dev Ends a request without a result: the fee is credited back to the requester.
    function _endWithoutResult(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms memory terms,
        RequestState state,
        InferenceError code
    ) private {
        $.records[requestId] = _pack(state, block.timestamp, 0);
        if (terms.fee != 0) _credit($, terms.requester, terms.fee);
        _deliverError(requestId, terms.requester, terms.callbackGasLimit, state, code);
    }

    function _deliverResult(uint256 requestId, address requester, uint256 gasLimit, int256[] memory output) private {
        bool ok =
            _callback(requester, gasLimit, abi.encodeCall(IInferenceConsumer.fulfillInference, (requestId, output)));
        emit InferenceFinalized(requestId, keccak256(abi.encodePacked(output)), output, ok);
    }

    function _deliverError(
        uint256 requestId,
        address requester,
        uint256 gasLimit,
        RequestState state,
        InferenceError code
    ) private {
        bool ok = _callback(requester, gasLimit, abi.encodeCall(IInferenceConsumer.failInference, (requestId, code)));
        emit InferenceFailed(requestId, state, code, ok);
    }

    /// @dev Calls the consumer with exactly `gasLimit` gas, copying no return data (no return-data bomb). Reverts
    /// when less than `gasLimit` could be forwarded (the 63/64 rule), so a relayer cannot starve the callback.
    function _callback(address requester, uint256 gasLimit, bytes memory data) private returns (bool ok) {
        uint256 needed = gasLimit + gasLimit / CALL_GAS_DIVISOR + CALLBACK_GAS_OVERHEAD;
        if (gasleft() < needed) revert InferenceOracleInsufficientGasForCallback(gasleft(), needed);
        assembly ("memory-safe") {
            ok := call(gasLimit, requester, 0, add(data, 0x20), mload(data), 0, 0)
        }
    }

    function _verifyProof(
        InferenceOracleStorage storage $,
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) private view {
        _checkInputHash(requestId, terms, input);
        IInferenceVerifier verifier = $.verifiers[terms.modelId];
        if (address(verifier) == address(0)) revert InferenceOracleNoVerifier(terms.modelId);
        if (!verifier.verifyInference(input, output, msg.sender, proof)) revert InferenceOracleInvalidProof(requestId);
    }

    function _checkInputHash(uint256 requestId, RequestTerms calldata terms, int256[] calldata input) private pure {
        if (_hashValues(input) != terms.inputHash) {
            revert InferenceOracleInputMismatch(requestId, terms.inputHash);
        }
    }

    /// @dev `keccak256(abi.encodePacked(values))` of a calldata array in one copy (Solidity's packed encoding
    /// copies element by element, about 80 gas a value).
    function _hashValues(int256[] calldata values) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := shl(5, values.length)
            calldatacopy(ptr, values.offset, len)
            h := keccak256(ptr, len)
        }
    }

    function _checkOutputHash(uint256 requestId, Proposal memory proposal, int256[] memory output) private pure {
        if (keccak256(abi.encodePacked(output)) != proposal.outputHash) {
            revert InferenceOracleOutputMismatch(requestId, proposal.outputHash);
        }
    }

    function _checkOutput(int256[] memory output, uint256 expectedLength) private pure {
        if (!PackedOutput.isValid(output, expectedLength)) {
            revert InferenceOracleInvalidOutput(output.length, expectedLength);
        }
    }

    function _checkInput(int256[] calldata input, IModelRegistry.ModelTerms memory m)
        private
        pure
        returns (InferenceError)
    {
        if (input.length != m.inputLength) return InferenceError.InvalidInputLength;
        int256 lo = m.inputMin;
        int256 hi = m.inputMax;
        for (uint256 i = 0; i < input.length; ++i) {
            int256 v = input[i];
            if (v < lo || v > hi) return InferenceError.InputOutOfRange;
        }
        return InferenceError.None;
    }

    function _lock(InferenceOracleStorage storage $, address operator, uint96 bond) private {
        Stake storage s = $.stakes[operator];
        uint96 free = s.free;
        if (free < bond) revert InferenceOracleInsufficientStake(operator, free, bond);
        s.free = free - bond;
        s.locked += bond;
    }

    function _unlock(InferenceOracleStorage storage $, address operator, uint96 bond) private {
        Stake storage s = $.stakes[operator];
        s.locked -= bond;
        s.free += bond;
    }

    function _credit(InferenceOracleStorage storage $, address account, uint256 amount) private {
        $.claimable[account] += amount;
        emit Credited(account, amount);
    }

    function _send(address payable to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert InferenceOracleTransferFailed(to, amount);
    }

    function _setRequestTimeout(uint32 requestTimeout) private {
        _checkPeriod(PARAM_REQUEST_TIMEOUT, requestTimeout);
        InferenceOracleStorage storage $ = _getStorage();
        emit ParameterChanged(PARAM_REQUEST_TIMEOUT, $.requestTimeout, requestTimeout);
        $.requestTimeout = requestTimeout;
    }

    function _setWindows(uint32 disputeWindow, uint32 arbitrationWindow, uint32 unbondingDelay) private {
        _checkPeriod(PARAM_DISPUTE_WINDOW, disputeWindow);
        _checkPeriod(PARAM_ARBITRATION_WINDOW, arbitrationWindow);
        uint256 slashable = uint256(ProtocolConstants.MAX_CHALLENGE_WINDOW) + disputeWindow + arbitrationWindow;
        if (unbondingDelay <= slashable || unbondingDelay > MAX_UNBONDING_DELAY) {
            revert InferenceOracleInvalidParameter(PARAM_UNBONDING_DELAY, unbondingDelay);
        }
        InferenceOracleStorage storage $ = _getStorage();
        emit ParameterChanged(PARAM_DISPUTE_WINDOW, $.disputeWindow, disputeWindow);
        emit ParameterChanged(PARAM_ARBITRATION_WINDOW, $.arbitrationWindow, arbitrationWindow);
        emit ParameterChanged(PARAM_UNBONDING_DELAY, $.unbondingDelay, unbondingDelay);
        $.disputeWindow = disputeWindow;
        $.arbitrationWindow = arbitrationWindow;
        $.unbondingDelay = unbondingDelay;
    }

    function _checkPeriod(bytes32 name, uint32 value) private pure {
        if (value < MIN_PERIOD || value > MAX_PERIOD) revert InferenceOracleInvalidParameter(name, value);
    }

    function _getStake(InferenceOracleStorage storage $, address operator) private view returns (Stake storage) {
        return $.stakes[operator];
    }

    function _pack(RequestState state, uint256 time, uint256 commitment) private pure returns (uint256) {
        return (uint256(state) << STATE_SHIFT) | (time << TIME_SHIFT) | commitment;
    }

    /// @dev The low 208 bits of `keccak256(abi.encode(requestId, terms, proposal))`. Every field of both structs is
    /// a static type, so that encoding is the id followed by the structs' memory words, which Solidity keeps
    /// cleaned: they are copied and hashed in place of a field-by-field re-encoding (a fuzz test checks equality).
    function _commitment(uint256 requestId, RequestTerms memory terms, Proposal memory proposal)
        private
        pure
        returns (uint256)
    {
        bytes32 h;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, requestId)
            mcopy(add(ptr, 0x20), terms, TERMS_BYTES)
            mcopy(add(ptr, add(0x20, TERMS_BYTES)), proposal, PROPOSAL_BYTES)
            h := keccak256(ptr, add(0x20, add(TERMS_BYTES, PROPOSAL_BYTES)))
        }
        return uint256(h) & COMMITMENT_MASK;
    }

    function _none() private pure returns (Proposal memory) {
        return Proposal(address(0), address(0), bytes32(0));
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _getStorage() private pure returns (InferenceOracleStorage storage $) {
        assembly ("memory-safe") {
            $.slot := INFERENCE_ORACLE_STORAGE_LOCATION
        }
    }
}
