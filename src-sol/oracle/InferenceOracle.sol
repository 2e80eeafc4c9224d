// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    InputHashKind,
    Proposal,
    MaturedProposal,
    Periods
} from "../types/InferenceTypes.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {PauseGuardianUpgradeable} from "../governance/PauseGuardianUpgradeable.sol";
import {Settlement} from "./Settlement.sol";
import {Stakes} from "./Stakes.sol";
import {DisputeModule} from "./DisputeModule.sol";
import {IBatches} from "../interfaces/IBatches.sol";

/// @title InferenceOracle
/// @notice Verifiable inference for smart contracts: requests, optimistic proposals with bonds, proofs, finality,
/// expiry and cache corrections, composed with the modules that keep the request words ({RequestBook}), the cache
/// ({ResultCache}), stake and bonds ({Stakes}), callbacks ({CallbackDelivery}) and disputes ({Disputes}).
/// Chainlink Automation is a separate periphery contract (`periphery/OracleAutomation.sol`).
/// See docs/PROTOCOL.md for the state machine and the money flows.
contract InferenceOracle is
    Initializable,
    UUPSUpgradeable,
    OwnableUpgradeable,
    PauseGuardianUpgradeable,
    IInferenceOracle,
    Settlement,
    Stakes
{
    /// @dev Provenances a request may name in `accepts`.
    uint8 private constant ACCEPTS_MASK = uint8(
        (1 << uint8(Provenance.Optimistic)) | (1 << uint8(Provenance.Arbitration))
            | (1 << uint8(Provenance.Reexecution)) | (1 << uint8(Provenance.Proof))
    );

    /// @notice The dispute module this implementation forwards the {IDisputes} calls to (see {fallback}).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    address public immutable disputeModule;

    /// @notice The batch module this implementation forwards the {IBatches} calls to (see {fallback}). Deployed on its
    /// own and passed in: the creation code of both modules would make this contract's creation code larger than
    /// EIP-3860 allows (49,152 bytes).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    address public immutable batchModule;

    /// @param batchModule_ The {BatchModule} this implementation delegates the batch calls to.
    /// @param bisectionModule_ The {BisectionModule} its dispute module delegates the bisection game to.
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(address batchModule_, address bisectionModule_) {
        if (batchModule_.code.length == 0 || bisectionModule_.code.length == 0) revert InferenceOracleZeroAddress();
        _disableInitializers();
        disputeModule = address(new DisputeModule(bisectionModule_));
        batchModule = batchModule_;
    }

    /// @notice Runs the {IBatches} functions in the batch module and every other unknown call (the {IDisputes}
    /// functions: challenge, the resolutions, dispute expiry, `slashSplit`; and the {IBisection} functions, which the
    /// dispute module forwards to the bisection module) in the dispute module, on this contract's storage. Not payable: no module function takes ETH.
    /// @custom:oz-upgrades-unsafe-allow delegatecall
    fallback() external {
        bytes4 sig = msg.sig;
        _delegate(
            sig == IBatches.proposeWithProofBatch.selector || sig == IBatches.proposeBatch.selector
                || sig == IBatches.finalizeBatch.selector || sig == IBatches.setBatchVerifier.selector
                || sig == IBatches.batchVerifierOf.selector
                ? batchModule
                : disputeModule
        );
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner Governance (an address now, a TimelockController later).
    /// @param registry_ The model registry.
    /// @param treasury_ Receives the treasury share of slashed bonds (claimable).
    /// @param arbitrator_ Settles disputes no proof or re-execution can decide.
    /// @param initialPeriods Request timeout, dispute and arbitration windows, unbonding delay.
    function initialize(
        address initialOwner,
        IModelRegistry registry_,
        address treasury_,
        address arbitrator_,
        Periods calldata initialPeriods
    ) external initializer {
        __Ownable_init(initialOwner);
        _setRegistry(registry_);
        _setTreasury(treasury_);
        _setArbitrator(arbitrator_);
        _setRequestTimeout(initialPeriods.requestTimeout);
        _setWindows(initialPeriods.disputeWindow, initialPeriods.arbitrationWindow, initialPeriods.unbondingDelay);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceOracle
    function requestInference(uint256 modelId, int256[] calldata input, uint32 callbackGasLimit, uint8 accepts)
        external
        payable
        returns (uint256 requestId)
    {
        OracleSettingsStorage storage s = _getSettings();
        uint256 hot = _hotWord();
        if (uint8(hot) != 0) revert InferenceOraclePaused();
        if (callbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert InferenceOracleCallbackGasLimitTooHigh(callbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
        ModelCopy memory m = s.models[modelId];
        // Registered lengths are never zero: zero means "not copied yet" (registered before the link). The copy is
        // made by {syncModel}, called on this contract (which runs it in the dispute module), once per such model: a
        // call rather than a delegatecall, which would carry this request's fee to a function that takes no ETH.
        if (m.inputLength == 0) {
            IInferenceOracle(address(this)).syncModel(modelId);
            m = s.models[modelId];
        }
        // A deprecated model is answered neither from the cache nor by new computations.
        if (m.deprecated) revert InferenceOracleModelDeprecated(modelId);
        if (accepts & ~ACCEPTS_MASK != 0) revert InferenceOracleUnservableAccepts(modelId, accepts);
        // The model's input-hash kind (docs/PROTOCOL.md, "Input hashes"): a Poseidon model's requester pays for the
        // commitment here, once, and every proof for the request then carries one public signal for the input.
        bytes32 inputHash = m.inputHashKind == InputHashKind.Keccak
            ? RequestWord.hashCalldata(input)
            : _poseidonCommitment(input, m.inputMin, m.inputMax);
        uint256 keyedId = RequestWord.keyedId(modelId, inputHash);
        uint256 keyed = _word(keyedId);

        if (_hasResult(keyed) && _accepted(accepts, RequestWord.provenance(keyed))) {
            requestId = _nextSequenceId();
            _credit(msg.sender, msg.value);
            bytes memory data =
                abi.encodeCall(IInferenceConsumer.fulfillInference, (requestId, _loadResult(keyedId, keyed)));
            bool ok = _callBack(requestId, msg.sender, callbackGasLimit, data);
            emit CacheHit(requestId, modelId, inputHash, ok);
            return requestId;
        }

        _checkServable(modelId, accepts, m.verifierVersion);
        if (msg.value < m.fee) revert InferenceOracleInsufficientFee(msg.value, m.fee);
        _credit(msg.sender, msg.value - m.fee);
        InferenceError code = _checkInput(input, m);
        requestId = keyed == 0 && code == InferenceError.None ? keyedId : _nextSequenceId();
        RequestTerms memory terms = RequestTerms({
            requester: msg.sender,
            modelId: uint64(modelId),
            callbackGasLimit: callbackGasLimit,
            fee: m.fee,
            bond: m.minBond,
            challengeWindow: m.challengeWindow,
            outputLength: m.outputLength,
            deadline: uint40(block.timestamp + uint32(hot >> HOT_REQUEST_TIMEOUT_SHIFT)),
            inputHash: inputHash,
            disputeWindow: uint32(
                hot >> (m.verifierVersion != 0 || m.reexecutable ? HOT_DISPUTE_WINDOW_SHIFT : HOT_ARBITRATION_WINDOW_SHIFT)
            ),
            verifierVersion: m.verifierVersion,
            accepts: accepts
        });
        emit InferenceRequested(requestId, terms, input);

        if (code != InferenceError.None) {
            _endWithoutResult(requestId, terms, 0, RequestState.Failed, code, true);
            return requestId;
        }
        _setWord(
            requestId,
            RequestWord.pack(RequestState.Requested, terms.deadline, RequestWord.commitment(requestId, terms, _none()))
        );
    }

    /// @inheritdoc IInferenceOracle
    /// @dev Run in the dispute module ({DisputeModule-syncModel}): called only when the registry changes a model.
    function syncModel(uint256 modelId) external {
        modelId; // decoded and checked here, used there
        _delegate(disputeModule);
    }

    /// @inheritdoc IInferenceOracle
    /// @dev Run in the dispute module ({DisputeModule-deliverCallback}): only owed callbacks take this path.
    function deliverCallback(uint256 requestId, address requester, uint32 gasLimit, bytes calldata data) external {
        (requestId, requester, gasLimit, data); // decoded and checked here, used there
        _delegate(disputeModule);
    }

    /// @inheritdoc IInferenceOracle
    function propose(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) external {
        _propose(requestId, terms, output);
    }

    /// @inheritdoc IInferenceOracle
    function proposeAndFinalize(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata output,
        MaturedProposal[] calldata matured
    ) external {
        _propose(requestId, terms, output);
        for (uint256 k = 0; k < matured.length; ++k) {
            MaturedProposal calldata m = matured[k];
            uint256 word = _word(m.requestId);
            if (!isMatured(word) || RequestWord.hashCalldata(m.output) != m.proposal.outputHash) continue;
            (RequestTerms memory t, Proposal memory p) = (m.terms, m.proposal);
            if (RequestWord.low(word) == RequestWord.commitment(m.requestId, t, p)) {
                _finalizeProposal(m.requestId, t, p, word, m.output);
            }
        }
    }

    /// @inheritdoc IInferenceOracle
    function proposeWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        if (paused()) revert InferenceOraclePaused();
        uint256 word = _load(requestId, RequestState.Requested, terms, _none());
        if (block.timestamp > RequestWord.time(word)) {
            revert InferenceOracleOutsideWindow(requestId, 0, RequestWord.time(word));
        }
        if (terms.verifierVersion == 0) revert InferenceOracleNoVerifier(terms.modelId);
        _checkOutputCalldata(output, terms.outputLength);
        _verifyProof(requestId, terms.modelId, terms.verifierVersion, terms.inputHash, input, output, proof);
        _earn(msg.sender, terms.fee);
        _finalize(requestId, terms, word, output, Provenance.Proof, true);
    }

    /// @inheritdoc IInferenceOracle
    function finalize(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        (RequestTerms memory t, Proposal memory p) = (terms, proposal);
        uint256 word = _load(requestId, RequestState.Proposed, t, p);
        uint256 windowEnd = RequestWord.time(word);
        if (block.timestamp < windowEnd) revert InferenceOracleOutsideWindow(requestId, windowEnd, type(uint40).max);
        if (RequestWord.hashCalldata(output) != p.outputHash) {
            revert InferenceOracleOutputMismatch(requestId, p.outputHash);
        }
        _finalizeProposal(requestId, t, p, word, output);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Sets how long a request waits for a proposal before it can be expired.
    function setRequestTimeout(uint32 requestTimeout) external onlyOwner {
        _setRequestTimeout(requestTimeout);
    }

    /// @notice Sets the dispute window, the arbitration window and the unbonding delay together (the unbonding
    /// delay must exceed `MAX_CHALLENGE_WINDOW` plus the longer window). Requests already made keep their window.
    function setWindows(uint32 disputeWindow, uint32 arbitrationWindow, uint32 unbondingDelay_) external onlyOwner {
        _setWindows(disputeWindow, arbitrationWindow, unbondingDelay_);
    }

    /// @notice Sets the treasury.
    function setTreasury(address treasury_) external onlyOwner {
        _setTreasury(treasury_);
    }

    /// @notice Sets the arbitrator (a multisig).
    function setArbitrator(address arbitrator_) external onlyOwner {
        _setArbitrator(arbitrator_);
    }

    /// @notice Pauses or resumes new requests and proposals (the pause guardian may only pause, see {pause}).
    /// Everything else (challenges, disputes, finalization, expiry, callbacks, withdrawals, claims) keeps working,
    /// so a pause never traps funds.
    function setPaused(bool paused_) external onlyOwner {
        _setPaused(paused_);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IInferenceOracle
    function cachedResult(uint256 modelId, bytes32 inputHash)
        external
        view
        returns (bool found, int256[] memory output, Provenance provenance)
    {
        if (_getSettings().models[modelId].deprecated) return (false, output, Provenance.None);
        uint256 keyedId = RequestWord.keyedId(modelId, inputHash);
        uint256 word = _word(keyedId);
        if (_hasResult(word)) return (true, _loadResult(keyedId, word), RequestWord.provenance(word));
    }

    /// @notice The registry, treasury and arbitrator.
    function addresses() external view returns (IModelRegistry registry_, address treasury_, address arbitrator_) {
        return (registry(), treasury(), arbitrator());
    }

    /// @notice The time parameters.
    function periods() external view returns (Periods memory) {
        OracleSettingsStorage storage s = _getSettings();
        return Periods(s.requestTimeout, s.disputeWindow, s.arbitrationWindow, unbondingDelay());
    }

    /// @notice Whether a request word is a proposal whose challenge window has passed (for finalizers).
    function isMatured(uint256 word) public view returns (bool) {
        return RequestWord.state(word) == RequestState.Proposed && block.timestamp >= RequestWord.time(word);
    }

    /// @notice The stored word of a request (see {RequestWord}).
    function requestWord(uint256 requestId) external view returns (uint256) {
        return _word(requestId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------------

    function _propose(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) private {
        if (paused()) revert InferenceOraclePaused();
        RequestTerms memory t = terms;
        uint256 word = _load(requestId, RequestState.Requested, t, _none());
        uint256 deadline = RequestWord.time(word);
        if (block.timestamp > deadline) revert InferenceOracleOutsideWindow(requestId, 0, deadline);
        if (!_accepted(t.accepts, Provenance.Optimistic)) {
            revert InferenceOracleProvenanceNotAccepted(requestId, Provenance.Optimistic);
        }
        _checkOutputCalldata(output, t.outputLength);
        _lock(msg.sender, t.bond);
        Proposal memory proposal = Proposal({
            proposer: msg.sender, challenger: address(0), outputHash: RequestWord.hashCalldata(output), claimHash: 0
        });
        _storeOpen(requestId, word, RequestState.Proposed, block.timestamp + t.challengeWindow, t, proposal);
        emit OutputProposed(requestId, msg.sender, output);
    }

    /// @dev Finalizes an unchallenged proposal: the proposer gets its bond back and the fee.
    function _finalizeProposal(
        uint256 requestId,
        RequestTerms memory terms,
        Proposal memory proposal,
        uint256 word,
        int256[] memory output
    ) private {
        _release(proposal.proposer, terms.bond, terms.fee);
        _finalize(requestId, terms, word, output, Provenance.Optimistic, true);
    }

    /// @dev A request must accept something an operator can deliver: an optimistic answer, or a proof when the
    /// model has a verifier (re-execution and arbitration only ever settle a disputed proposal). Malformed masks
    /// are refused before the cache is consulted.
    function _checkServable(uint256 modelId, uint8 accepts, uint16 verifierVersion) private pure {
        if (accepts == 0) return;
        bool servable = accepts & (1 << uint8(Provenance.Optimistic)) != 0
            || (accepts & (1 << uint8(Provenance.Proof)) != 0 && verifierVersion != 0);
        if (!servable) revert InferenceOracleUnservableAccepts(modelId, accepts);
    }

    function _checkInput(int256[] calldata input, ModelCopy memory m) private pure returns (InferenceError) {
        if (input.length != m.inputLength) return InferenceError.InvalidInputLength;
        int256 lo = m.inputMin;
        int256 hi = m.inputMax;
        for (uint256 i = 0; i < input.length; ++i) {
            int256 v = input[i];
            if (v < lo || v > hi) return InferenceError.InputOutOfRange;
        }
        return InferenceError.None;
    }

    /// @dev Runs this call in `module` on this contract's storage and returns or reverts as it does. The entry points
    /// that are rare enough to pay for a delegatecall (about 2,700 gas) run in a module, which keeps this contract
    /// under EIP-170 with room for an upgrade that adds code (test/sol/oracle/CodeSize.t.sol).
    function _delegate(address module) private {
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    function _setWindows(uint32 disputeWindow, uint32 arbitrationWindow, uint32 unbondingDelay_) private {
        uint256 slashable = _setDisputeWindows(disputeWindow, arbitrationWindow);
        _setUnbondingDelay(unbondingDelay_, slashable, MAX_UNBONDING_DELAY);
    }

    function _setPaused(bool paused_) internal override {
        _setPausedFlag(paused_);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
