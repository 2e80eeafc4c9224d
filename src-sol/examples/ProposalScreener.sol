// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {KeyedInferenceConsumer} from "../consumer/KeyedInferenceConsumer.sol";
import {HashedBagOfWords} from "./libraries/HashedBagOfWords.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title ProposalScreener
/// @notice DAO example: every proposal is screened by a text classifier before it may go to a vote; the model
/// flags proposals that look like treasury drains, governance takeovers or spam.
/// @dev The proposer submits the hash of the proposal text and its hashed bag-of-words features
/// (`textFeatures` in `lib/apps/text.ts`: 64 buckets, counts clipped to 0..3). The contract does not see the text,
/// but once it is published anyone can prove forged features with {reportForgedFeatures}, which recomputes them on
/// chain ({HashedBagOfWords}) and flags the proposal for good. The owner (the DAO's timelock) can overrule a
/// screening either way. A governor reads {isCleared} before it lets a proposal be voted on.
contract ProposalScreener is KeyedInferenceConsumer, UUPSUpgradeable, OwnableUpgradeable {
    /// @notice Number of hashed bag-of-words buckets the model reads.
    uint16 public constant FEATURE_COUNT = 64;
    /// @notice The model's class for proposals to flag (class 0 is "ordinary").
    int256 public constant FLAGGED_CLASS = 1;

    /// @notice Where a proposal's screening stands.
    enum Screening {
        None,
        Pending,
        Cleared,
        Flagged,
        Failed
    }

    /// @notice A submitted proposal.
    /// @param modelId The classifier of the last screening request.
    /// @param forged Whether someone proved that the features are not those of the text.
    /// @param descriptionHash keccak256 of the proposal's text (UTF-8).
    struct ScreenedProposal {
        address proposer;
        Screening screening;
        bool overruled;
        bool forged;
        uint64 modelId;
        bytes32 descriptionHash;
        bytes32 featuresHash;
    }

    /// @custom:storage-location erc7201:vai.storage.ProposalScreener
    struct ProposalScreenerStorage {
        uint256 proposalCount;
        mapping(uint256 proposalId => ScreenedProposal) proposals;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.ProposalScreener")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PROPOSAL_SCREENER_STORAGE_LOCATION =
        0x5d0fc49209ab5a03d7e0b04ac7112bb31dbafcfd85f33cebd06b23b788a3a200;

    /// @notice Thrown when a proposal is not in a state the call accepts.
    error ProposalScreenerUnexpectedScreening(uint256 proposalId, Screening screening);
    /// @notice Thrown when resubmitted features differ from the ones first submitted.
    error ProposalScreenerFeaturesMismatch(uint256 proposalId);
    /// @notice Thrown when the caller is not the proposal's proposer.
    error ProposalScreenerNotProposer(uint256 proposalId, address caller);
    /// @notice Thrown when a text does not hash to the proposal's description hash.
    error ProposalScreenerDescriptionMismatch(uint256 proposalId);
    /// @notice Thrown when a reported proposal's features are in fact those of its text.
    error ProposalScreenerFeaturesMatch(uint256 proposalId);

    /// @notice Emitted when a proposal is submitted for screening.
    event ProposalSubmitted(
        uint256 indexed proposalId, address indexed proposer, bytes32 descriptionHash, uint256 requestId
    );
    /// @notice Emitted when a screening result arrives (or the owner overrules it).
    event ProposalScreened(uint256 indexed proposalId, Screening screening, bool overruled);
    /// @notice Emitted when a screening failed; the proposer can retry.
    event ScreeningFailed(uint256 indexed proposalId, InferenceError code);
    /// @notice Emitted when someone proves that a proposal's features do not belong to its text.
    event ForgedFeaturesReported(uint256 indexed proposalId, address indexed reporter);

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param oracle The inference oracle (an immutable of the implementation: moving to another oracle is an
    /// upgrade).
    constructor(address oracle) VerifiableAIConsumer(oracle) {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner The DAO (its timelock): overrules screenings, sets the model, authorizes upgrades.
    /// @param screeningModelId The registered proposal classifier (64 inputs, argmax).
    /// @param callbackGasLimit Gas for the oracle's callback.
    function initialize(address initialOwner, uint256 screeningModelId, uint32 callbackGasLimit) external initializer {
        __KeyedInferenceConsumer_init(screeningModelId, callbackGasLimit);
        __Ownable_init(initialOwner);
    }

    /// @notice Submits a proposal for screening, paying {inferenceFee}.
    /// @param descriptionHash keccak256 of the proposal's text.
    /// @param features The text's hashed bag-of-words features.
    ///
    /// Emits a {ProposalSubmitted} event, and {ProposalScreened} at once on a cache hit.
    function submitProposal(bytes32 descriptionHash, int256[] calldata features)
        external
        payable
        returns (uint256 proposalId)
    {
        ProposalScreenerStorage storage $ = _getProposalScreenerStorage();
        proposalId = ++$.proposalCount;
        $.proposals[proposalId] = ScreenedProposal({
            proposer: msg.sender,
            screening: Screening.Pending,
            overruled: false,
            forged: false,
            modelId: uint64(modelId()),
            descriptionHash: descriptionHash,
            featuresHash: keccak256(abi.encodePacked(features))
        });
        uint256 requestId = _requestFor(bytes32(proposalId), features);
        emit ProposalSubmitted(proposalId, msg.sender, descriptionHash, requestId);
    }

    /// @notice Sends a screening again after it failed (or its callback never ran), with the same features.
    ///
    /// Requirements:
    /// - the caller is the proposer; the screening failed, or is pending with its request ended in the oracle;
    /// - `features` are the ones first submitted.
    function retryScreening(uint256 proposalId, int256[] calldata features) external payable returns (uint256) {
        ScreenedProposal storage p = _getProposalScreenerStorage().proposals[proposalId];
        if (p.proposer != msg.sender) revert ProposalScreenerNotProposer(proposalId, msg.sender);
        if (p.screening != Screening.Failed && p.screening != Screening.Pending) {
            revert ProposalScreenerUnexpectedScreening(proposalId, p.screening);
        }
        if (keccak256(abi.encodePacked(features)) != p.featuresHash) {
            revert ProposalScreenerFeaturesMismatch(proposalId);
        }
        p.screening = Screening.Pending;
        p.modelId = uint64(modelId());
        return _requestFor(bytes32(proposalId), features);
    }

    /// @notice Proves that a proposal's features are not those of its text: recomputes them on chain from the
    /// text ({HashedBagOfWords}, at the scale of the proposal's classifier) and flags the proposal for good (a
    /// screening result still in flight no longer changes it). Anyone can report; the DAO can still overrule.
    ///
    /// Requirements:
    /// - `description` hashes to the proposal's description hash; its features differ from the submitted ones.
    ///
    /// Emits {ForgedFeaturesReported} and {ProposalScreened} events.
    function reportForgedFeatures(uint256 proposalId, string calldata description) external {
        ScreenedProposal storage p = _getProposalScreenerStorage().proposals[proposalId];
        if (p.screening == Screening.None) revert ProposalScreenerUnexpectedScreening(proposalId, p.screening);
        if (keccak256(bytes(description)) != p.descriptionHash) revert ProposalScreenerDescriptionMismatch(proposalId);
        int256[] memory honest = HashedBagOfWords.features(bytes(description), _scaleBitsOf(p.modelId));
        if (keccak256(abi.encodePacked(honest)) == p.featuresHash) revert ProposalScreenerFeaturesMatch(proposalId);
        p.forged = true;
        p.screening = Screening.Flagged;
        emit ForgedFeaturesReported(proposalId, msg.sender);
        emit ProposalScreened(proposalId, Screening.Flagged, false);
    }

    /// @notice The DAO overrules a screening: clears a flagged proposal or flags a cleared one.
    ///
    /// Requirements:
    /// - the caller is the owner; the proposal is Cleared or Flagged.
    ///
    /// Emits a {ProposalScreened} event.
    function overrule(uint256 proposalId, bool cleared) external onlyOwner {
        ScreenedProposal storage p = _getProposalScreenerStorage().proposals[proposalId];
        if (p.screening != Screening.Cleared && p.screening != Screening.Flagged) {
            revert ProposalScreenerUnexpectedScreening(proposalId, p.screening);
        }
        p.screening = cleared ? Screening.Cleared : Screening.Flagged;
        p.overruled = true;
        emit ProposalScreened(proposalId, p.screening, true);
    }

    /// @notice A proposal's record.
    function proposal(uint256 proposalId) external view returns (ScreenedProposal memory) {
        return _getProposalScreenerStorage().proposals[proposalId];
    }

    /// @notice Whether a proposal passed screening and may go to a vote.
    function isCleared(uint256 proposalId) external view returns (bool) {
        return _getProposalScreenerStorage().proposals[proposalId].screening == Screening.Cleared;
    }

    /// @notice Number of proposals submitted (ids are `1..proposalCount()`).
    function proposalCount() external view returns (uint256) {
        return _getProposalScreenerStorage().proposalCount;
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onResultFor(bytes32 key, int256[] calldata output) internal override {
        uint256 proposalId = uint256(key);
        ScreenedProposal storage p = _getProposalScreenerStorage().proposals[proposalId];
        if (p.forged) return;
        Screening screening = output[0] == FLAGGED_CLASS ? Screening.Flagged : Screening.Cleared;
        p.screening = screening;
        emit ProposalScreened(proposalId, screening, false);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onErrorFor(bytes32 key, InferenceError code) internal override {
        uint256 proposalId = uint256(key);
        ScreenedProposal storage p = _getProposalScreenerStorage().proposals[proposalId];
        if (p.forged) return;
        p.screening = Screening.Failed;
        emit ScreeningFailed(proposalId, code);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _modelShape() internal pure override returns (uint16 inputLength, uint16 outputLength) {
        return (FEATURE_COUNT, 1);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _authorizeSettingsChange() internal override onlyOwner {}

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _getProposalScreenerStorage() private pure returns (ProposalScreenerStorage storage $) {
        assembly ("memory-safe") {
            $.slot := PROPOSAL_SCREENER_STORAGE_LOCATION
        }
    }
}
