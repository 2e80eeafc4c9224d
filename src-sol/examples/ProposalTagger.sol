// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {KeyedInferenceConsumer} from "../consumer/KeyedInferenceConsumer.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title ProposalTagger
/// @notice DAO example: every proposal title is completed by a small language model served by the oracle, and the
/// completion is kept on chain as the proposal's tag, for front ends and indexers to show and filter by.
/// @dev The model is the committed character-level GPT asked for greedy tokens (docs/SEMANTICS.md, "Generation"):
/// a request is `[n, prompt ids..., -1 padding]` of {PROMPT_LENGTH} + 1 values and the answer {MAX_TOKENS} ids, the
/// first `n` generated and then -1. The tokenizer is fixed by this contract: id 0 is a newline and id `k` in
/// 1..95 the ASCII character `31 + k` (space to `~`), as in `data/gpt/tokenizer.json`. The contract builds the
/// request from the title itself ({encodeRequest}), so what is asked is exactly the title, and decodes the answer
/// into the tag. A tag is a completion, not a verdict: the owner (the DAO's timelock) can set it by hand.
contract ProposalTagger is KeyedInferenceConsumer, UUPSUpgradeable, OwnableUpgradeable {
    /// @notice The longest title, in characters (the model's P).
    uint16 public constant PROMPT_LENGTH = 48;
    /// @notice The model's N: the answer always holds this many values.
    uint16 public constant MAX_TOKENS = 8;
    /// @notice The padding of the request and of the answer.
    int256 public constant PAD = -1;

    /// @notice Where a proposal's tag stands.
    enum TagStatus {
        None,
        Pending,
        Tagged,
        Failed
    }

    /// @notice A proposal and its tag.
    /// @param overruled Whether the owner set the tag by hand.
    struct TaggedProposal {
        address proposer;
        TagStatus status;
        bool overruled;
        uint64 modelId;
        string title;
        string tag;
    }

    /// @custom:storage-location erc7201:vai.storage.ProposalTagger
    struct ProposalTaggerStorage {
        uint256 proposalCount;
        mapping(uint256 proposalId => TaggedProposal) proposals;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.ProposalTagger")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PROPOSAL_TAGGER_STORAGE_LOCATION =
        0x8b040f9861ea4ae5ef016527d8a84f7f9842d59644fec8b0143fd797bea7cc00;

    /// @notice Thrown when a title is empty or longer than {PROMPT_LENGTH}.
    error ProposalTaggerTitleLength(uint256 length, uint256 maxLength);
    /// @notice Thrown when a title holds a byte the model's tokenizer has no id for.
    error ProposalTaggerUnsupportedCharacter(uint256 index, bytes1 character);
    /// @notice Thrown when the submitted request is not the encoding of the title.
    error ProposalTaggerRequestMismatch();
    /// @notice Thrown when a proposal is not in a state the call accepts.
    error ProposalTaggerUnexpectedStatus(uint256 proposalId, TagStatus status);
    /// @notice Thrown when the caller is not the proposal's proposer.
    error ProposalTaggerNotProposer(uint256 proposalId, address caller);

    /// @notice Emitted when a proposal is submitted for tagging.
    event ProposalSubmitted(uint256 indexed proposalId, address indexed proposer, string title, uint256 requestId);
    /// @notice Emitted when a proposal's tag arrives (or the owner sets it).
    event ProposalTagged(uint256 indexed proposalId, string tag, bool overruled);
    /// @notice Emitted when the tagging failed; the proposer can retry.
    event TaggingFailed(uint256 indexed proposalId, InferenceError code);

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param oracle The inference oracle (an immutable of the implementation: moving to another oracle is an
    /// upgrade).
    constructor(address oracle) VerifiableAIConsumer(oracle) {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner The DAO (its timelock): sets tags by hand, sets the model, authorizes upgrades.
    /// @param languageModelId The registered language model (1 + {PROMPT_LENGTH} inputs, {MAX_TOKENS} outputs).
    /// @param callbackGasLimit Gas for the oracle's callback.
    function initialize(address initialOwner, uint256 languageModelId, uint32 callbackGasLimit) external initializer {
        __KeyedInferenceConsumer_init(languageModelId, callbackGasLimit);
        __Ownable_init(initialOwner);
    }

    /// @notice The model's request for a title: `[MAX_TOKENS, ids of the title..., -1...]`.
    /// @dev Reverts with {ProposalTaggerTitleLength} or {ProposalTaggerUnsupportedCharacter}.
    function encodeRequest(string memory title) public pure returns (int256[] memory request) {
        bytes memory b = bytes(title);
        if (b.length == 0 || b.length > PROMPT_LENGTH) revert ProposalTaggerTitleLength(b.length, PROMPT_LENGTH);
        request = new int256[](uint256(PROMPT_LENGTH) + 1);
        request[0] = int256(uint256(MAX_TOKENS));
        for (uint256 i = 0; i < PROMPT_LENGTH; ++i) {
            if (i >= b.length) {
                request[i + 1] = PAD;
                continue;
            }
            uint8 c = uint8(b[i]);
            if (c == 0x0a) request[i + 1] = 0;
            else if (c >= 0x20 && c <= 0x7e) request[i + 1] = int256(uint256(c) - 31);
            else revert ProposalTaggerUnsupportedCharacter(i, b[i]);
        }
    }

    /// @notice The text of an answer: its ids up to the first -1, each id decoded; an id outside the vocabulary
    /// (which no honest answer holds) reads as `?`.
    function decodeAnswer(int256[] calldata output) public pure returns (string memory text) {
        bytes memory out = new bytes(output.length);
        uint256 n = 0;
        for (; n < output.length; ++n) {
            int256 id = output[n];
            if (id == PAD) break;
            out[n] = id == 0 ? bytes1(0x0a) : (id >= 1 && id <= 95 ? bytes1(uint8(uint256(id) + 31)) : bytes1("?"));
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
        text = string(out);
    }

    /// @notice Submits a proposal title for tagging, paying {inferenceFee}.
    /// @param request The model's request for the title ({encodeRequest}, computed off chain with an `eth_call`
    /// and checked here: the oracle takes the request as calldata).
    ///
    /// Emits a {ProposalSubmitted} event, and {ProposalTagged} at once on a cache hit.
    function submitProposal(string calldata title, int256[] calldata request)
        external
        payable
        returns (uint256 proposalId)
    {
        _checkRequest(title, request);
        ProposalTaggerStorage storage $ = _getProposalTaggerStorage();
        proposalId = ++$.proposalCount;
        $.proposals[proposalId] = TaggedProposal({
            proposer: msg.sender,
            status: TagStatus.Pending,
            overruled: false,
            modelId: uint64(modelId()),
            title: title,
            tag: ""
        });
        uint256 requestId = _requestFor(bytes32(proposalId), request);
        emit ProposalSubmitted(proposalId, msg.sender, title, requestId);
    }

    /// @notice Asks again after the tagging failed (or its callback never ran).
    ///
    /// Requirements:
    /// - the caller is the proposer; the tag failed, or is pending with its request ended in the oracle;
    /// - `request` is the encoding of the proposal's title.
    function retryTagging(uint256 proposalId, int256[] calldata request) external payable returns (uint256) {
        TaggedProposal storage p = _getProposalTaggerStorage().proposals[proposalId];
        if (p.proposer != msg.sender) revert ProposalTaggerNotProposer(proposalId, msg.sender);
        if (p.status != TagStatus.Failed && p.status != TagStatus.Pending) {
            revert ProposalTaggerUnexpectedStatus(proposalId, p.status);
        }
        _checkRequest(p.title, request);
        p.status = TagStatus.Pending;
        p.modelId = uint64(modelId());
        return _requestFor(bytes32(proposalId), request);
    }

    /// @notice The DAO sets a proposal's tag by hand.
    ///
    /// Requirements:
    /// - the caller is the owner; the proposal exists.
    ///
    /// Emits a {ProposalTagged} event.
    function overrule(uint256 proposalId, string calldata tag) external onlyOwner {
        TaggedProposal storage p = _getProposalTaggerStorage().proposals[proposalId];
        if (p.status == TagStatus.None) revert ProposalTaggerUnexpectedStatus(proposalId, p.status);
        p.status = TagStatus.Tagged;
        p.overruled = true;
        p.tag = tag;
        emit ProposalTagged(proposalId, tag, true);
    }

    /// @notice A proposal's record.
    function proposal(uint256 proposalId) external view returns (TaggedProposal memory) {
        return _getProposalTaggerStorage().proposals[proposalId];
    }

    /// @notice Number of proposals submitted (ids are `1..proposalCount()`).
    function proposalCount() external view returns (uint256) {
        return _getProposalTaggerStorage().proposalCount;
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onResultFor(bytes32 key, int256[] calldata output) internal override {
        uint256 proposalId = uint256(key);
        TaggedProposal storage p = _getProposalTaggerStorage().proposals[proposalId];
        if (p.overruled) return;
        string memory tag = decodeAnswer(output);
        p.status = TagStatus.Tagged;
        p.tag = tag;
        emit ProposalTagged(proposalId, tag, false);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onErrorFor(bytes32 key, InferenceError code) internal override {
        uint256 proposalId = uint256(key);
        TaggedProposal storage p = _getProposalTaggerStorage().proposals[proposalId];
        if (p.overruled) return;
        p.status = TagStatus.Failed;
        emit TaggingFailed(proposalId, code);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _modelShape() internal pure override returns (uint16 inputLength, uint16 outputLength) {
        return (PROMPT_LENGTH + 1, MAX_TOKENS);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _authorizeSettingsChange() internal override onlyOwner {}

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _checkRequest(string memory title, int256[] calldata request) private pure {
        if (keccak256(abi.encodePacked(encodeRequest(title))) != keccak256(abi.encodePacked(request))) {
            revert ProposalTaggerRequestMismatch();
        }
    }

    function _getProposalTaggerStorage() private pure returns (ProposalTaggerStorage storage $) {
        assembly ("memory-safe") {
            $.slot := PROPOSAL_TAGGER_STORAGE_LOCATION
        }
    }
}
