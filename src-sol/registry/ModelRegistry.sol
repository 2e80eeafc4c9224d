// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {IInferenceVerifier} from "../interfaces/IInferenceVerifier.sol";
import {InputHashKind, OutputKind} from "../types/InferenceTypes.sol";
import {InputHash} from "../libraries/InputHash.sol";
import {IntegerModel} from "../libraries/IntegerModel.sol";
import {DataContract} from "../libraries/DataContract.sol";
import {ProtocolConstants} from "../libraries/ProtocolConstants.sol";

/// @title ModelRegistry
/// @notice Registry of canonical integer models. UUPS-upgradeable; only the owner (governance) writes.
contract ModelRegistry is Initializable, UUPSUpgradeable, OwnableUpgradeable, IModelRegistry {
    /// @dev Packed record: the oracle's request-time terms fill slots 0 and 1.
    struct StoredModel {
        // slot 0
        int64 inputMin;
        int64 inputMax;
        uint96 fee;
        uint16 inputLength;
        uint16 outputLength;
        // slot 1
        uint96 minBond;
        uint32 challengeWindow;
        uint8 scaleBits;
        OutputKind outputKind;
        bool audited;
        bool deprecated;
        InputHashKind inputHashKind;
        // slot 2
        IInferenceVerifier verifier;
        // slot 3
        address weights;
        // slot 4
        bytes32 modelHash;
    }

    /// @custom:storage-location erc7201:vai.storage.ModelRegistry
    struct ModelRegistryStorage {
        uint256 modelCount;
        mapping(uint256 modelId => StoredModel) models;
        address oracle;
        // appended (upgrade-safe): the per-step weight commitments of the bisection game
        mapping(uint256 modelId => StepsCommitment) steps;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.ModelRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant MODEL_REGISTRY_STORAGE_LOCATION =
        0xfcd0758e713532743b98322eebc8de910c4cc7b1f04995b24eef2263cee17600;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy with its owner.
    function initialize(address initialOwner) external initializer {
        __Ownable_init(initialOwner);
    }

    /// @inheritdoc IModelRegistry
    function registerModel(ModelSpec calldata spec, bytes calldata weights)
        external
        onlyOwner
        returns (uint256 modelId)
    {
        return _register(spec, weights, InputHashKind.Keccak);
    }

    /// @inheritdoc IModelRegistry
    function registerModelWithInputHash(ModelSpec calldata spec, bytes calldata weights, InputHashKind inputHashKind)
        external
        onlyOwner
        returns (uint256 modelId)
    {
        // Checked here, not at the first request: a model whose requests could never be made is refused outright.
        if (inputHashKind == InputHashKind.Poseidon && InputHash.POSEIDON_T5.code.length == 0) {
            revert ModelRegistryPoseidonMissing(InputHash.POSEIDON_T5);
        }
        return _register(spec, weights, inputHashKind);
    }

    function _register(ModelSpec calldata spec, bytes calldata weights, InputHashKind inputHashKind)
        private
        returns (uint256 modelId)
    {
        _checkSpec(spec);
        address pointer;
        if (weights.length != 0) {
            _checkWeights(spec, weights);
            pointer = DataContract.write(weights);
            if (pointer == address(0)) revert ModelRegistryWeightsStoreFailed();
        }
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        modelId = ++$.modelCount;
        $.models[modelId] = StoredModel({
            inputMin: spec.inputMin,
            inputMax: spec.inputMax,
            fee: spec.fee,
            inputLength: spec.inputLength,
            outputLength: spec.outputLength,
            minBond: spec.minBond,
            challengeWindow: spec.challengeWindow,
            scaleBits: spec.scaleBits,
            outputKind: spec.outputKind,
            audited: false,
            deprecated: false,
            inputHashKind: inputHashKind,
            verifier: spec.verifier,
            weights: pointer,
            modelHash: spec.modelHash
        });
        emit ModelRegistered(modelId, spec.modelHash, pointer, spec);
        if (inputHashKind != InputHashKind.Keccak) emit InputHashKindDeclared(modelId, inputHashKind);
        _syncOracle(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setVerifier(uint256 modelId, IInferenceVerifier verifier) external onlyOwner {
        StoredModel storage m = _model(modelId);
        _checkVerifier(verifier, m.modelHash);
        emit VerifierChanged(modelId, address(m.verifier), address(verifier));
        m.verifier = verifier;
        _syncOracle(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setAudited(uint256 modelId, bool audited) external onlyOwner {
        _model(modelId).audited = audited;
        emit AuditedChanged(modelId, audited);
    }

    /// @inheritdoc IModelRegistry
    function setDeprecated(uint256 modelId, bool deprecated) external onlyOwner {
        _model(modelId).deprecated = deprecated;
        emit DeprecatedChanged(modelId, deprecated);
        _syncOracle(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setChallengeWindow(uint256 modelId, uint32 challengeWindow) external onlyOwner {
        _checkChallengeWindow(challengeWindow);
        StoredModel storage m = _model(modelId);
        emit ChallengeWindowChanged(modelId, m.challengeWindow, challengeWindow);
        m.challengeWindow = challengeWindow;
        _syncOracle(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setMinBond(uint256 modelId, uint96 minBond) external onlyOwner {
        if (minBond == 0) revert ModelRegistryZeroBond();
        StoredModel storage m = _model(modelId);
        _checkBondCoversFee(minBond, m.fee);
        emit MinBondChanged(modelId, m.minBond, minBond);
        m.minBond = minBond;
        _syncOracle(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setFee(uint256 modelId, uint96 fee) external onlyOwner {
        StoredModel storage m = _model(modelId);
        _checkBondCoversFee(m.minBond, fee);
        emit FeeChanged(modelId, m.fee, fee);
        m.fee = fee;
        _syncOracle(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setStepsCommitment(uint256 modelId, StepsCommitment calldata steps) external onlyOwner {
        _model(modelId);
        if (steps.root == bytes32(0) || steps.count == 0) revert ModelRegistryInvalidSteps(steps.root, steps.count);
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        if ($.steps[modelId].count != 0) revert ModelRegistryStepsAlreadySet(modelId);
        if (steps.executor != address(0) && steps.executor.code.length == 0) {
            revert ModelRegistryInvalidStepExecutor(steps.executor);
        }
        $.steps[modelId] = steps;
        emit StepsCommitmentSet(modelId, steps.root, steps.count, steps.executor);
    }

    /// @inheritdoc IModelRegistry
    function stepsCommitmentOf(uint256 modelId) external view returns (StepsCommitment memory) {
        _model(modelId);
        return _getModelRegistryStorage().steps[modelId];
    }

    /// @inheritdoc IModelRegistry
    function setOracle(address oracle_) external onlyOwner {
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        emit OracleChanged($.oracle, oracle_);
        $.oracle = oracle_;
    }

    /// @inheritdoc IModelRegistry
    function oracle() external view returns (address) {
        return _getModelRegistryStorage().oracle;
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory model) {
        StoredModel storage m = _model(modelId);
        model.spec = ModelSpec({
            modelHash: m.modelHash,
            inputLength: m.inputLength,
            outputLength: m.outputLength,
            inputMin: m.inputMin,
            inputMax: m.inputMax,
            scaleBits: m.scaleBits,
            outputKind: m.outputKind,
            verifier: m.verifier,
            challengeWindow: m.challengeWindow,
            minBond: m.minBond,
            fee: m.fee
        });
        model.weights = m.weights;
        model.audited = m.audited;
        model.deprecated = m.deprecated;
        model.inputHashKind = m.inputHashKind;
    }

    /// @inheritdoc IModelRegistry
    function modelTerms(uint256 modelId) external view returns (ModelTerms memory terms) {
        StoredModel storage m = _model(modelId);
        terms = ModelTerms({
            inputLength: m.inputLength,
            outputLength: m.outputLength,
            inputMin: m.inputMin,
            inputMax: m.inputMax,
            fee: m.fee,
            minBond: m.minBond,
            challengeWindow: m.challengeWindow,
            deprecated: m.deprecated,
            reexecutable: m.weights != address(0),
            inputHashKind: m.inputHashKind
        });
    }

    /// @inheritdoc IModelRegistry
    function weightsPointer(uint256 modelId) external view returns (address) {
        return _model(modelId).weights;
    }

    /// @inheritdoc IModelRegistry
    function execute(uint256 modelId, int256[] calldata input) external view returns (int256[] memory output) {
        address pointer = _model(modelId).weights;
        if (pointer == address(0)) revert ModelRegistryNoWeights(modelId);
        return IntegerModel.execute(IntegerModel.load(pointer), input);
    }

    /// @inheritdoc IModelRegistry
    function verifierOf(uint256 modelId) external view returns (IInferenceVerifier) {
        return _model(modelId).verifier;
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _getModelRegistryStorage().modelCount;
    }

    /// @dev The oracle reads request terms from its own copy (one cross-contract call less per request), so every
    /// change of a model's terms, verifier or deprecation refreshes that copy at once.
    function _syncOracle(uint256 modelId) private {
        address oracle_ = _getModelRegistryStorage().oracle;
        if (oracle_ != address(0)) IInferenceOracle(oracle_).syncModel(modelId);
    }

    function _checkSpec(ModelSpec calldata spec) private view {
        if (spec.modelHash == bytes32(0)) revert ModelRegistryZeroModelHash();
        if (
            spec.inputLength == 0 || spec.outputLength == 0 || spec.inputLength > ProtocolConstants.MAX_INPUT_LENGTH
                || spec.outputLength > ProtocolConstants.MAX_OUTPUT_LENGTH
        ) revert ModelRegistryInvalidLength(spec.inputLength, spec.outputLength);
        if (spec.inputMin > spec.inputMax) revert ModelRegistryInvalidInputRange(spec.inputMin, spec.inputMax);
        if (spec.scaleBits < ProtocolConstants.MIN_SCALE_BITS || spec.scaleBits > ProtocolConstants.MAX_SCALE_BITS) {
            revert ModelRegistryInvalidScale(spec.scaleBits);
        }
        if (spec.outputKind == OutputKind.ArgMax && spec.outputLength != 1) {
            revert ModelRegistryInvalidArgMaxLength(spec.outputLength);
        }
        _checkChallengeWindow(spec.challengeWindow);
        if (spec.minBond == 0) revert ModelRegistryZeroBond();
        _checkBondCoversFee(spec.minBond, spec.fee);
        _checkVerifier(spec.verifier, spec.modelHash);
    }

    /// @dev A bond of at least twice the fee: the winner and the resolver of a dispute share half the losing bond
    /// (docs/PROTOCOL.md), so playing every role of a dispute at once can never earn more than the bond it loses.
    function _checkBondCoversFee(uint96 minBond, uint96 fee) private pure {
        if (uint256(minBond) < 2 * uint256(fee)) revert ModelRegistryBondBelowTwiceFee(minBond, fee);
    }

    function _checkChallengeWindow(uint32 challengeWindow) private pure {
        if (
            challengeWindow < ProtocolConstants.MIN_CHALLENGE_WINDOW
                || challengeWindow > ProtocolConstants.MAX_CHALLENGE_WINDOW
        ) revert ModelRegistryInvalidChallengeWindow(challengeWindow);
    }

    function _checkVerifier(IInferenceVerifier verifier, bytes32 modelHash) private view {
        if (address(verifier) == address(0)) return;
        bytes32 verifierHash = verifier.modelHash();
        if (verifierHash != modelHash) revert ModelRegistryVerifierMismatch(verifierHash, modelHash);
    }

    /// @dev The encoding must hash to `modelHash`, be well formed, and agree with the declared spec.
    function _checkWeights(ModelSpec calldata spec, bytes calldata weights) private pure {
        if (weights.length > ProtocolConstants.MAX_WEIGHTS_LENGTH) {
            revert ModelRegistryWeightsTooLarge(weights.length, ProtocolConstants.MAX_WEIGHTS_LENGTH);
        }
        bytes32 weightsHash = keccak256(weights);
        if (weightsHash != spec.modelHash) revert ModelRegistryWeightsHashMismatch(weightsHash, spec.modelHash);
        IntegerModel.Header memory h = IntegerModel.validate(weights);
        _match("inputLength", int256(h.inputLength), int256(uint256(spec.inputLength)));
        _match("outputLength", int256(h.outputLength), int256(uint256(spec.outputLength)));
        _match("inputMin", h.inputMin, spec.inputMin);
        _match("inputMax", h.inputMax, spec.inputMax);
        _match("scaleBits", int256(uint256(h.scaleBits)), int256(uint256(spec.scaleBits)));
        _match("outputKind", int256(uint256(h.outputKind)), int256(uint256(uint8(spec.outputKind))));
    }

    function _match(string memory field, int256 encoded, int256 declared) private pure {
        if (encoded != declared) revert ModelRegistryWeightsSpecMismatch(field, encoded, declared);
    }

    function _model(uint256 modelId) private view returns (StoredModel storage m) {
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        if (modelId == 0 || modelId > $.modelCount) revert ModelRegistryUnknownModel(modelId);
        m = $.models[modelId];
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _getModelRegistryStorage() private pure returns (ModelRegistryStorage storage $) {
        assembly ("memory-safe") {
            $.slot := MODEL_REGISTRY_STORAGE_LOCATION
        }
    }
}
