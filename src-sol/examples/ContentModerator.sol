// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {KeyedInferenceConsumer} from "../consumer/KeyedInferenceConsumer.sol";
import {HashedBagOfWords} from "./libraries/HashedBagOfWords.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title ContentModerator
/// @notice Community example: the community's rules are a text model, and every post is shown only once the
/// model says it keeps them. A hidden post can be appealed once the community adopts a new version of the rules
/// model: the appeal re-runs the post through the current model.
/// @dev Posts live off chain (IPFS, a social protocol); the contract records the hash of the post's text, the
/// author, the hash of the post's hashed bag-of-words features (`textFeatures` in `lib/apps/text.ts`) and the
/// verdict. Anyone holding the text can prove forged features with {reportForgedFeatures}, which recomputes them
/// on chain ({HashedBagOfWords}) and hides the post for good.
contract ContentModerator is KeyedInferenceConsumer, UUPSUpgradeable, OwnableUpgradeable {
    /// @notice Number of hashed bag-of-words buckets the model reads.
    uint16 public constant FEATURE_COUNT = 64;
    /// @notice The model's class for posts that break the rules (class 0 keeps them).
    int256 public constant VIOLATION_CLASS = 1;

    /// @notice Where a post stands. Only `Visible` posts are shown.
    enum PostStatus {
        None,
        Pending,
        Visible,
        Hidden,
        Failed
    }

    /// @notice A post and its last verdict.
    /// @param modelId The rules model of the last request (an appeal needs a newer one).
    /// @param forged Whether someone proved that the features are not those of the text.
    /// @param contentHash keccak256 of the post's text (UTF-8).
    struct Post {
        address author;
        PostStatus status;
        bool forged;
        uint64 modelId;
        bytes32 contentHash;
        bytes32 featuresHash;
    }

    /// @custom:storage-location erc7201:vai.storage.ContentModerator
    struct ContentModeratorStorage {
        uint256 postCount;
        mapping(uint256 postId => Post) posts;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.ContentModerator")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CONTENT_MODERATOR_STORAGE_LOCATION =
        0x202903b56cdf98640fd8f9c086b5c826e276171a8b21f01bbb62699b89114500;

    /// @notice Thrown when a post is not in a state the call accepts.
    error ContentModeratorUnexpectedStatus(uint256 postId, PostStatus status);
    /// @notice Thrown when the caller is not the post's author.
    error ContentModeratorNotAuthor(uint256 postId, address caller);
    /// @notice Thrown when resubmitted features differ from the post's.
    error ContentModeratorFeaturesMismatch(uint256 postId);
    /// @notice Thrown when an appeal would run the same rules model that hid the post.
    error ContentModeratorSameRules(uint256 postId, uint256 modelId);
    /// @notice Thrown when a text does not hash to the post's content hash.
    error ContentModeratorContentMismatch(uint256 postId);
    /// @notice Thrown when a reported post's features are in fact those of its text.
    error ContentModeratorFeaturesMatch(uint256 postId);
    /// @notice Thrown when a post hidden for forged features is appealed or retried.
    error ContentModeratorForgedFeatures(uint256 postId);

    /// @notice Emitted when a post is published (it stays hidden until moderated).
    event PostPublished(uint256 indexed postId, address indexed author, bytes32 contentHash, uint256 requestId);
    /// @notice Emitted when a hidden post is appealed under the current rules.
    event PostAppealed(uint256 indexed postId, uint256 indexed modelId, uint256 requestId);
    /// @notice Emitted when a verdict arrives.
    event PostModerated(uint256 indexed postId, PostStatus status);
    /// @notice Emitted when moderation failed; the author can retry.
    event ModerationFailed(uint256 indexed postId, InferenceError code);
    /// @notice Emitted when someone proves that a post's features do not belong to its text.
    event ForgedFeaturesReported(uint256 indexed postId, address indexed reporter);

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param oracle The inference oracle (an immutable of the implementation: moving to another oracle is an
    /// upgrade).
    constructor(address oracle) VerifiableAIConsumer(oracle) {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner The community's governance: adopts new rules models, authorizes upgrades.
    /// @param rulesModelId The registered rules model (64 inputs, argmax).
    /// @param callbackGasLimit Gas for the oracle's callback.
    function initialize(address initialOwner, uint256 rulesModelId, uint32 callbackGasLimit) external initializer {
        __KeyedInferenceConsumer_init(rulesModelId, callbackGasLimit);
        __Ownable_init(initialOwner);
    }

    /// @notice Publishes a post, paying {inferenceFee} for its moderation.
    /// @param contentHash keccak256 of the post's text.
    /// @param features The post's hashed bag-of-words features.
    ///
    /// Emits a {PostPublished} event, and {PostModerated} at once on a cache hit.
    function publish(bytes32 contentHash, int256[] calldata features) external payable returns (uint256 postId) {
        ContentModeratorStorage storage $ = _getContentModeratorStorage();
        postId = ++$.postCount;
        $.posts[postId] = Post({
            author: msg.sender,
            status: PostStatus.Pending,
            forged: false,
            modelId: uint64(modelId()),
            contentHash: contentHash,
            featuresHash: keccak256(abi.encodePacked(features))
        });
        uint256 requestId = _requestFor(bytes32(postId), features);
        emit PostPublished(postId, msg.sender, contentHash, requestId);
    }

    /// @notice Appeals a hidden post: it is moderated again by the current rules model, which must differ from
    /// the one that hid it. Pays {inferenceFee}.
    ///
    /// Requirements:
    /// - the caller is the author; the post is Hidden; the rules model changed since; same features.
    ///
    /// Emits a {PostAppealed} event.
    function appeal(uint256 postId, int256[] calldata features) external payable returns (uint256 requestId) {
        Post storage p = _authorsPost(postId, features);
        if (p.status != PostStatus.Hidden) revert ContentModeratorUnexpectedStatus(postId, p.status);
        uint256 current = modelId();
        if (p.modelId == current) revert ContentModeratorSameRules(postId, current);
        _markPending(p, current);
        requestId = _requestFor(bytes32(postId), features);
        emit PostAppealed(postId, current, requestId);
    }

    /// @notice Sends a moderation again after it failed (or its callback never ran). Pays {inferenceFee}.
    ///
    /// Requirements:
    /// - the caller is the author; the post is Failed, or Pending with its request ended in the oracle.
    function retryModeration(uint256 postId, int256[] calldata features) external payable returns (uint256) {
        Post storage p = _authorsPost(postId, features);
        if (p.status != PostStatus.Failed && p.status != PostStatus.Pending) {
            revert ContentModeratorUnexpectedStatus(postId, p.status);
        }
        _markPending(p, modelId());
        return _requestFor(bytes32(postId), features);
    }

    /// @notice Proves that a post's features are not those of its text: recomputes them on chain from the text
    /// ({HashedBagOfWords}, at the scale of the post's rules model) and hides the post for good (a verdict still in
    /// flight no longer changes it; it cannot be appealed). Anyone can report.
    ///
    /// Requirements:
    /// - `content` hashes to the post's content hash; its features differ from the submitted ones.
    ///
    /// Emits {ForgedFeaturesReported} and {PostModerated} events.
    function reportForgedFeatures(uint256 postId, string calldata content) external {
        Post storage p = _getContentModeratorStorage().posts[postId];
        if (p.status == PostStatus.None) revert ContentModeratorUnexpectedStatus(postId, p.status);
        if (keccak256(bytes(content)) != p.contentHash) revert ContentModeratorContentMismatch(postId);
        int256[] memory honest = HashedBagOfWords.features(bytes(content), _scaleBitsOf(p.modelId));
        if (keccak256(abi.encodePacked(honest)) == p.featuresHash) revert ContentModeratorFeaturesMatch(postId);
        p.forged = true;
        p.status = PostStatus.Hidden;
        emit ForgedFeaturesReported(postId, msg.sender);
        emit PostModerated(postId, PostStatus.Hidden);
    }

    /// @notice A post's record.
    function post(uint256 postId) external view returns (Post memory) {
        return _getContentModeratorStorage().posts[postId];
    }

    /// @notice Whether a post may be shown.
    function isVisible(uint256 postId) external view returns (bool) {
        return _getContentModeratorStorage().posts[postId].status == PostStatus.Visible;
    }

    /// @notice Number of posts published (ids are `1..postCount()`).
    function postCount() external view returns (uint256) {
        return _getContentModeratorStorage().postCount;
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onResultFor(bytes32 key, int256[] calldata output) internal override {
        uint256 postId = uint256(key);
        Post storage p = _getContentModeratorStorage().posts[postId];
        if (p.forged) return;
        PostStatus status = output[0] == VIOLATION_CLASS ? PostStatus.Hidden : PostStatus.Visible;
        p.status = status;
        emit PostModerated(postId, status);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onErrorFor(bytes32 key, InferenceError code) internal override {
        uint256 postId = uint256(key);
        Post storage p = _getContentModeratorStorage().posts[postId];
        if (p.forged) return;
        p.status = PostStatus.Failed;
        emit ModerationFailed(postId, code);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _modelShape() internal pure override returns (uint16 inputLength, uint16 outputLength) {
        return (FEATURE_COUNT, 1);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _authorizeSettingsChange() internal override onlyOwner {}

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _authorsPost(uint256 postId, int256[] calldata features) private view returns (Post storage post_) {
        post_ = _getContentModeratorStorage().posts[postId];
        if (post_.author != msg.sender) revert ContentModeratorNotAuthor(postId, msg.sender);
        if (post_.forged) revert ContentModeratorForgedFeatures(postId);
        if (keccak256(abi.encodePacked(features)) != post_.featuresHash) {
            revert ContentModeratorFeaturesMismatch(postId);
        }
    }

    function _markPending(Post storage post_, uint256 rulesModelId) private {
        post_.status = PostStatus.Pending;
        post_.modelId = uint64(rulesModelId);
    }

    function _getContentModeratorStorage() private pure returns (ContentModeratorStorage storage $) {
        assembly ("memory-safe") {
            $.slot := CONTENT_MODERATOR_STORAGE_LOCATION
        }
    }
}
