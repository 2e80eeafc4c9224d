// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {VerifiableAIConsumer} from "../consumer/VerifiableAIConsumer.sol";
import {KeyedInferenceConsumer} from "../consumer/KeyedInferenceConsumer.sol";
import {InferenceError} from "../types/InferenceTypes.sol";

/// @title QualityInspector
/// @notice Supply-chain example: an inspection station photographs each item and an image classifier decides
/// whether it is what the shipment says it is. The local network's station photographs clothes: 28×28 grey
/// Fashion-MNIST images read by a LeNet-5 (classes 0–9: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt,
/// sneaker, bag, ankle boot); an item labelled "sneaker" (7) is accepted when the model reads a sneaker and rejected
/// otherwise.
/// @dev Only inspectors the owner approves submit items (a station's key). The image is the request's input: its
/// pixels row by row, quantized by the client at the model's input scale (the LeNet-5 takes raw pixels 0..255:
/// `--input-scale-bits 0`). The image size is an immutable of the implementation, so one contract serves any
/// classifier of 10 classes with an argmax head (the 8×8 digits model: 64 pixels); a station moving to another
/// image size upgrades to an implementation built with it.
contract QualityInspector is KeyedInferenceConsumer, UUPSUpgradeable, OwnableUpgradeable {
    /// @notice Number of classes the model tells apart.
    uint8 public constant CLASS_COUNT = 10;

    /// @dev Pixels per image (28×28 = 784 for Fashion-MNIST), fixed by the implementation.
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint16 private immutable _pixelCount;

    /// @notice Where an item's inspection stands.
    enum Verdict {
        None,
        Pending,
        Accepted,
        Rejected,
        Failed
    }

    /// @notice An inspected item.
    struct Item {
        address inspector;
        Verdict verdict;
        uint8 expectedClass;
        uint8 predictedClass;
    }

    /// @custom:storage-location erc7201:vai.storage.QualityInspector
    struct QualityInspectorStorage {
        mapping(address account => bool) inspectors;
        mapping(bytes32 itemId => Item) items;
        uint128 accepted;
        uint128 rejected;
    }

    // keccak256(abi.encode(uint256(keccak256("vai.storage.QualityInspector")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant QUALITY_INSPECTOR_STORAGE_LOCATION =
        0x8f1c091be2921eee887b34b0b0ffbf3a68815365d2cb0a9bbc01311c9e13f800;

    /// @notice Thrown when the caller is not an approved inspector.
    error QualityInspectorUnauthorizedInspector(address caller);
    /// @notice Thrown when the expected class is not a class of the model.
    error QualityInspectorInvalidClass(uint8 expectedClass);
    /// @notice Thrown when an item was already inspected or is being inspected.
    error QualityInspectorUnexpectedVerdict(bytes32 itemId, Verdict verdict);
    /// @notice Thrown when an item id is zero.
    error QualityInspectorZeroItemId();
    /// @notice Thrown when an image does not have the implementation's pixel count.
    error QualityInspectorWrongImageSize(uint256 length, uint16 pixelCount);
    /// @notice Thrown when an implementation is built for images of no pixels.
    error QualityInspectorZeroPixelCount();

    /// @notice Emitted when an item is submitted for inspection.
    event InspectionRequested(
        bytes32 indexed itemId, address indexed inspector, uint8 expectedClass, uint256 requestId
    );
    /// @notice Emitted when an item's verdict arrives.
    event ItemInspected(bytes32 indexed itemId, Verdict verdict, uint8 predictedClass);
    /// @notice Emitted when an inspection failed; it can be sent again.
    event InspectionFailed(bytes32 indexed itemId, InferenceError code);
    /// @notice Emitted when an inspector is approved or removed.
    event InspectorChanged(address indexed account, bool approved);

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param oracle The inference oracle (an immutable of the implementation: moving to another oracle is an
    /// upgrade).
    /// @param pixelCount_ Pixels per image, the model's input length (an immutable of the implementation too).
    constructor(address oracle, uint16 pixelCount_) VerifiableAIConsumer(oracle) {
        if (pixelCount_ == 0) revert QualityInspectorZeroPixelCount();
        _pixelCount = pixelCount_;
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner Approves inspectors, sets the model, authorizes upgrades.
    /// @param imageModelId The registered image classifier ({pixelCount} inputs, argmax over 10 classes).
    /// @param callbackGasLimit Gas for the oracle's callback.
    function initialize(address initialOwner, uint256 imageModelId, uint32 callbackGasLimit) external initializer {
        __KeyedInferenceConsumer_init(imageModelId, callbackGasLimit);
        __Ownable_init(initialOwner);
    }

    /// @notice Submits an item for inspection, paying {inferenceFee}. A failed inspection can be sent again.
    /// @param itemId The item's id (e.g. the hash of its serial number).
    /// @param expectedClass What the item should be.
    /// @param image The item's quantized image, row by row ({pixelCount} values).
    ///
    /// Requirements:
    /// - the caller is an inspector; `expectedClass < CLASS_COUNT`; the image has {pixelCount} pixels;
    /// - the item is new, Failed, or Pending with its request ended in the oracle.
    ///
    /// Emits an {InspectionRequested} event, and {ItemInspected} at once on a cache hit.
    function inspect(bytes32 itemId, uint8 expectedClass, int256[] calldata image)
        external
        payable
        returns (uint256 requestId)
    {
        QualityInspectorStorage storage $ = _getQualityInspectorStorage();
        if (!$.inspectors[msg.sender]) revert QualityInspectorUnauthorizedInspector(msg.sender);
        if (expectedClass >= CLASS_COUNT) revert QualityInspectorInvalidClass(expectedClass);
        if (itemId == bytes32(0)) revert QualityInspectorZeroItemId();
        if (image.length != _pixelCount) revert QualityInspectorWrongImageSize(image.length, _pixelCount);
        Item storage it = $.items[itemId];
        if (it.verdict == Verdict.Accepted || it.verdict == Verdict.Rejected) {
            revert QualityInspectorUnexpectedVerdict(itemId, it.verdict);
        }
        it.inspector = msg.sender;
        it.verdict = Verdict.Pending;
        it.expectedClass = expectedClass;
        requestId = _requestFor(itemId, image);
        emit InspectionRequested(itemId, msg.sender, expectedClass, requestId);
    }

    /// @notice Approves or removes an inspector. Emits an {InspectorChanged} event.
    function setInspector(address account, bool approved) external onlyOwner {
        _getQualityInspectorStorage().inspectors[account] = approved;
        emit InspectorChanged(account, approved);
    }

    /// @notice Pixels per image: the input length of the models this implementation accepts.
    function pixelCount() external view returns (uint16) {
        return _pixelCount;
    }

    /// @notice An item's record.
    function item(bytes32 itemId) external view returns (Item memory) {
        return _getQualityInspectorStorage().items[itemId];
    }

    /// @notice Whether `account` is an approved inspector.
    function isInspector(address account) external view returns (bool) {
        return _getQualityInspectorStorage().inspectors[account];
    }

    /// @notice Items accepted and rejected so far.
    function stats() external view returns (uint256 accepted, uint256 rejected) {
        QualityInspectorStorage storage $ = _getQualityInspectorStorage();
        return ($.accepted, $.rejected);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onResultFor(bytes32 itemId, int256[] calldata output) internal override {
        QualityInspectorStorage storage $ = _getQualityInspectorStorage();
        Item storage it = $.items[itemId];
        int256 predicted = output[0];
        // An argmax output is a class index; anything else cannot match and is recorded as class 255.
        uint8 predictedClass =
            predicted >= 0 && predicted < int256(uint256(CLASS_COUNT)) ? uint8(uint256(predicted)) : 255;
        it.predictedClass = predictedClass;
        if (predictedClass == it.expectedClass) {
            it.verdict = Verdict.Accepted;
            $.accepted++;
        } else {
            it.verdict = Verdict.Rejected;
            $.rejected++;
        }
        emit ItemInspected(itemId, it.verdict, predictedClass);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _onErrorFor(bytes32 itemId, InferenceError code) internal override {
        _getQualityInspectorStorage().items[itemId].verdict = Verdict.Failed;
        emit InspectionFailed(itemId, code);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _modelShape() internal view override returns (uint16 inputLength, uint16 outputLength) {
        return (_pixelCount, 1);
    }

    /// @inheritdoc KeyedInferenceConsumer
    function _authorizeSettingsChange() internal override onlyOwner {}

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _getQualityInspectorStorage() private pure returns (QualityInspectorStorage storage $) {
        assembly ("memory-safe") {
            $.slot := QUALITY_INSPECTOR_STORAGE_LOCATION
        }
    }
}
