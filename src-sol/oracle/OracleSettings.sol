// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleEvents} from "../interfaces/IOracleEvents.sol";
import {IInferenceVerifier} from "../interfaces/IInferenceVerifier.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ProtocolConstants} from "../libraries/ProtocolConstants.sol";
import {InputHash} from "../libraries/InputHash.sol";
import {RequestWord} from "../libraries/RequestWord.sol";
import {InputHashKind, Periods} from "../types/InferenceTypes.sol";

/// @title OracleSettings
/// @notice What governance sets and what the oracle copies from the registry: time parameters, the pause flag,
/// the registry and arbitrator, and per model a copy of its terms and every verifier it ever had.
/// @dev Verifiers are versioned: a request takes the model's current version into its terms, and a dispute or
/// proof for it is checked by that version's verifier, so swapping a verifier never re-decides a request in
/// flight. The copies are refreshed by the registry on every change ({syncModel}).
abstract contract OracleSettings is IOracleEvents {
    /// @notice Bounds of the time parameters.
    uint32 public constant MIN_PERIOD = 1 minutes;
    uint32 public constant MAX_PERIOD = 30 days;
    uint32 public constant MAX_UNBONDING_DELAY = 120 days;

    bytes32 internal constant PARAM_REQUEST_TIMEOUT = "requestTimeout";
    bytes32 internal constant PARAM_DISPUTE_WINDOW = "disputeWindow";
    bytes32 internal constant PARAM_ARBITRATION_WINDOW = "arbitrationWindow";
    bytes32 internal constant PARAM_UNBONDING_DELAY = "unbondingDelay";

    /// @notice The oracle's copy of a model's terms (two slots, both read by every request).
    struct ModelCopy {
        // slot 0
        uint16 inputLength;
        uint16 outputLength;
        int64 inputMin;
        int64 inputMax;
        uint96 fee;
        // slot 1
        uint96 minBond;
        uint32 challengeWindow;
        bool deprecated;
        bool reexecutable;
        uint16 verifierVersion;
        uint16 verifierCount;
        InputHashKind inputHashKind;
    }

    /// @notice A version of a model's verifier, with the model's input-hash kind beside it in the same slot, so that
    /// checking a proof reads one slot for both (the kind never changes; docs/PROTOCOL.md, "Input hashes").
    struct VerifierEntry {
        IInferenceVerifier verifier;
        InputHashKind inputHashKind;
    }

    /// @custom:storage-location erc7201:vai.storage.OracleSettings
    struct OracleSettingsStorage {
        // slot 0, the hot word: what every request reads, and the sequence-id counter (written in a slot that is
        // already warm and non-zero, 2,900 gas instead of a fresh slot)
        bool paused;
        uint32 requestTimeout;
        uint32 disputeWindow;
        uint32 arbitrationWindow;
        uint40 lastRequestId;
        // slot 1..
        IModelRegistry registry;
        address arbitrator;
        mapping(uint256 modelId => ModelCopy) models;
        // The entry was an IInferenceVerifier: the struct keeps the address where it was, in the same slot.
        mapping(uint256 modelId => mapping(uint256 version => VerifierEntry)) verifiers;
    }

    /// @dev Bit offsets of the hot word's fields ({OracleSettingsStorage}, slot 0), for {_hotWord}.
    uint256 internal constant HOT_REQUEST_TIMEOUT_SHIFT = 8;
    uint256 internal constant HOT_DISPUTE_WINDOW_SHIFT = 40;
    uint256 internal constant HOT_ARBITRATION_WINDOW_SHIFT = 72;

    // keccak256(abi.encode(uint256(keccak256("vai.storage.OracleSettings")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ORACLE_SETTINGS_STORAGE_LOCATION =
        0x8deb75e1c9fa28a8ee280a7ae75d520a70f47b988ffaff1908e42a8e5c3bea00;

    /// @notice The verifier of `version` of a model's verifiers (zero address for version 0 or an unknown one).
    function verifierOf(uint256 modelId, uint256 version) public view returns (IInferenceVerifier) {
        return _getSettings().verifiers[modelId][version].verifier;
    }

    /// @notice The oracle's copy of a model's terms.
    function modelCopy(uint256 modelId) external view returns (ModelCopy memory) {
        return _getSettings().models[modelId];
    }

    /// @notice The registry and the arbitrator.
    function registry() public view returns (IModelRegistry) {
        return _getSettings().registry;
    }

    /// @notice The arbitrator (a multisig).
    function arbitrator() public view returns (address) {
        return _getSettings().arbitrator;
    }

    /// @notice Whether new requests and proposals are paused.
    function paused() public view returns (bool) {
        return _getSettings().paused;
    }

    /// @dev Whether a model's weights are stored for re-execution: fixed when the model is registered (its weights
    /// never change), so it needs no place in a request's terms.
    function _reexecutable(uint256 modelId) internal view returns (bool) {
        return _getSettings().models[modelId].reexecutable;
    }

    /// @dev The one place the oracle hashes an input (requests, re-execution, corrections, a bisection's first
    /// state): with the model's input-hash kind and range, as copied from the registry.
    function _inputHash(uint256 modelId, int256[] calldata input) internal view returns (bytes32) {
        ModelCopy storage m = _getSettings().models[modelId];
        if (m.inputHashKind == InputHashKind.Keccak) return RequestWord.hashCalldata(input);
        return _poseidonCommitment(input, m.inputMin, m.inputMax);
    }

    /// @dev {InputHash.poseidonCommitment}, in line: asking a module instead would save the oracle about 600 bytes
    /// but copy the input into a call's calldata, which cost a 784-value request 67,714 gas (3.6 %).
    function _poseidonCommitment(int256[] calldata input, int256 lo, int256 hi) internal view returns (bytes32) {
        return InputHash.poseidonCommitment(input, lo, hi);
    }

    /// @dev Reads the model's terms and verifier from the registry into the copy; a verifier different from the
    /// current one becomes a new version (versions are never reused, so old requests keep theirs).
    function _syncModel(uint256 modelId) internal returns (ModelCopy memory m) {
        OracleSettingsStorage storage $ = _getSettings();
        IModelRegistry registry_ = $.registry;
        address linked = registry_.oracle();
        if (linked != address(this)) revert InferenceOracleRegistryNotLinked(address(registry_), linked);
        IModelRegistry.ModelTerms memory t = registry_.modelTerms(modelId);
        IInferenceVerifier verifier = registry_.verifierOf(modelId);
        m = $.models[modelId];
        m.inputLength = t.inputLength;
        m.outputLength = t.outputLength;
        m.inputMin = t.inputMin;
        m.inputMax = t.inputMax;
        m.fee = t.fee;
        m.minBond = t.minBond;
        m.challengeWindow = t.challengeWindow;
        m.deprecated = t.deprecated;
        m.reexecutable = t.reexecutable;
        m.inputHashKind = t.inputHashKind;
        if (verifier != $.verifiers[modelId][m.verifierVersion].verifier) {
            if (address(verifier) == address(0)) {
                m.verifierVersion = 0;
            } else {
                m.verifierVersion = ++m.verifierCount;
                $.verifiers[modelId][m.verifierVersion] = VerifierEntry(verifier, t.inputHashKind);
            }
        }
        $.models[modelId] = m;
        emit ModelSynced(modelId, m.verifierVersion);
    }

    function _setRequestTimeout(uint32 requestTimeout) internal {
        _checkPeriod(PARAM_REQUEST_TIMEOUT, requestTimeout);
        OracleSettingsStorage storage $ = _getSettings();
        emit ParameterChanged(PARAM_REQUEST_TIMEOUT, $.requestTimeout, requestTimeout);
        $.requestTimeout = requestTimeout;
    }

    /// @dev Sets both dispute windows and returns the longest time a bond can stay slashable after it is locked,
    /// which the unbonding delay must exceed.
    function _setDisputeWindows(uint32 disputeWindow, uint32 arbitrationWindow) internal returns (uint256 slashable) {
        _checkPeriod(PARAM_DISPUTE_WINDOW, disputeWindow);
        _checkPeriod(PARAM_ARBITRATION_WINDOW, arbitrationWindow);
        OracleSettingsStorage storage $ = _getSettings();
        emit ParameterChanged(PARAM_DISPUTE_WINDOW, $.disputeWindow, disputeWindow);
        emit ParameterChanged(PARAM_ARBITRATION_WINDOW, $.arbitrationWindow, arbitrationWindow);
        $.disputeWindow = disputeWindow;
        $.arbitrationWindow = arbitrationWindow;
        uint256 longest = disputeWindow > arbitrationWindow ? disputeWindow : arbitrationWindow;
        return uint256(ProtocolConstants.MAX_CHALLENGE_WINDOW) + longest;
    }

    function _setRegistry(IModelRegistry registry_) internal {
        if (address(registry_) == address(0)) revert InferenceOracleZeroAddress();
        _getSettings().registry = registry_;
    }

    function _setArbitrator(address arbitrator_) internal {
        if (arbitrator_ == address(0)) revert InferenceOracleZeroAddress();
        OracleSettingsStorage storage $ = _getSettings();
        emit ArbitratorChanged($.arbitrator, arbitrator_);
        $.arbitrator = arbitrator_;
    }

    function _setPausedFlag(bool paused_) internal {
        _getSettings().paused = paused_;
        emit PausedChanged(paused_);
    }

    function _checkPeriod(bytes32 name, uint32 value) internal pure {
        if (value < MIN_PERIOD || value > MAX_PERIOD) revert InferenceOracleInvalidParameter(name, value);
    }

    /// @dev The hot word in one SLOAD. Solidity loads a packed field at a time (a warm SLOAD, 100 gas, each); a request
    /// reads three of its fields: the pause flag (bit 0), the request timeout and one of the two dispute windows.
    function _hotWord() internal view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(ORACLE_SETTINGS_STORAGE_LOCATION)
        }
    }

    function _getSettings() internal pure returns (OracleSettingsStorage storage $) {
        assembly ("memory-safe") {
            $.slot := ORACLE_SETTINGS_STORAGE_LOCATION
        }
    }
}
