// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VerifiableAIConsumer} from "../../../src-sol/consumer/VerifiableAIConsumer.sol";
import {InferenceError} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Test consumer: records callbacks, or misbehaves on purpose (revert, burn all gas, return-data bomb).
contract MockConsumer is VerifiableAIConsumer {
    enum Mode {
        Record,
        Revert,
        BurnGas,
        ReturnBomb,
        Nothing
    }

    Mode public mode;
    uint256 public results;
    uint256 public errors;
    uint256 public lastRequestId;
    int256[] internal _lastOutput;
    InferenceError public lastError;
    /// @dev Set before `_requestInference` returns when the callback ran synchronously.
    bool public answeredDuringRequest;
    bool internal _inRequest;
    /// @dev Per request: how many callbacks arrived and the hash of the delivered output.
    mapping(uint256 requestId => uint256) public callbackCount;
    mapping(uint256 requestId => bytes32) public resultHash;

    constructor(address oracle) VerifiableAIConsumer(oracle) {}

    receive() external payable {}

    function setMode(Mode m) external {
        mode = m;
    }

    function request(uint256 modelId, int256[] calldata input, uint32 callbackGasLimit, uint256 fee)
        external
        returns (uint256 requestId)
    {
        _inRequest = true;
        answeredDuringRequest = false;
        requestId = _requestInference(modelId, input, callbackGasLimit, fee);
        _inRequest = false;
    }

    /// @dev Requests accepting only the provenances in `accepts` (a bitmask of `1 << uint8(Provenance)`).
    function requestAccepting(uint256 modelId, int256[] calldata input, uint32 callbackGasLimit, uint256 fee, uint8 accepts)
        external
        returns (uint256 requestId)
    {
        _inRequest = true;
        answeredDuringRequest = false;
        requestId = _requestInference(modelId, input, callbackGasLimit, fee, accepts);
        _inRequest = false;
    }

    function claimCredit(address payable to) external {
        _claimOracleCredit(to);
    }

    function lastOutput() external view returns (int256[] memory) {
        return _lastOutput;
    }

    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal override {
        _misbehave();
        if (mode == Mode.Nothing) return;
        callbackCount[requestId]++;
        resultHash[requestId] = keccak256(abi.encodePacked(output));
        results++;
        lastRequestId = requestId;
        _lastOutput = output;
        if (_inRequest) answeredDuringRequest = true;
    }

    function _onInferenceError(uint256 requestId, InferenceError code) internal override {
        _misbehave();
        callbackCount[requestId]++;
        errors++;
        lastRequestId = requestId;
        lastError = code;
        if (_inRequest) answeredDuringRequest = true;
    }

    function _misbehave() private view {
        if (mode == Mode.Revert) revert("consumer reverts");
        if (mode == Mode.BurnGas) {
            while (true) {}
        }
        if (mode == Mode.ReturnBomb) {
            assembly {
                revert(0, 100000)
            }
        }
    }
}
