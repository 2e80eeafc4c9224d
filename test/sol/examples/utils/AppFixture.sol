// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {OracleFixture} from "../../utils/OracleFixture.sol";
import {TestVerifier} from "../../utils/TestVerifier.sol";
import {IModelRegistry} from "../../../../src-sol/interfaces/IModelRegistry.sol";
import {IDisputes} from "../../../../src-sol/interfaces/IDisputes.sol";
import {IInferenceConsumer} from "../../../../src-sol/interfaces/IInferenceConsumer.sol";
import {OracleSettings} from "../../../../src-sol/oracle/OracleSettings.sol";
import {
    OutputKind,
    InferenceError,
    RequestTerms,
    Proposal,
    Periods
} from "../../../../src-sol/types/InferenceTypes.sol";

/// @notice The oracle fixture plus what the example-app tests share: app-shaped models (registered without
/// on-chain weights, with a test verifier), request terms for an app, and the three ways a request ends.
abstract contract AppFixture is OracleFixture {
    uint32 internal constant APP_CALLBACK_GAS = 150_000;

    address internal appOwner = makeAddr("appOwner");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    /// @dev Registers a model of the given shape; its "hash" is derived from `name` (the oracle never reads
    /// weights on these paths) and its verifier accepts whatever the test marks as proven.
    function _registerAppModel(string memory name, uint16 inputLength, uint16 outputLength, OutputKind kind)
        internal
        returns (uint256 id, TestVerifier v)
    {
        bytes32 modelHash = keccak256(bytes(name));
        v = new TestVerifier(modelHash);
        IModelRegistry.ModelSpec memory spec = IModelRegistry.ModelSpec({
            modelHash: modelHash,
            inputLength: inputLength,
            outputLength: outputLength,
            inputMin: 0,
            inputMax: 4096,
            scaleBits: 8,
            outputKind: kind,
            verifier: v,
            challengeWindow: CHALLENGE_WINDOW,
            minBond: BOND,
            fee: FEE
        });
        vm.prank(owner);
        id = registry.registerModel(spec, "");
    }

    function _proxy(address implementation, bytes memory initData) internal returns (address) {
        return address(new ERC1967Proxy(implementation, initData));
    }

    /// @dev The terms the oracle commits to for a request `app` makes now.
    function _appTerms(address app, uint256 model, int256[] memory input, uint16 outputLength, uint32 gasLimit)
        internal
        view
        returns (RequestTerms memory terms)
    {
        terms = RequestTerms({
            requester: app,
            modelId: uint64(model),
            callbackGasLimit: gasLimit,
            fee: FEE,
            bond: BOND,
            challengeWindow: CHALLENGE_WINDOW,
            outputLength: outputLength,
            deadline: uint40(block.timestamp + REQUEST_TIMEOUT),
            inputHash: keccak256(abi.encodePacked(input)),
            disputeWindow: 0,
            verifierVersion: 0,
            accepts: 0
        });
        _fixDisputeTerms(terms, model);
    }

    /// @dev The verifier version and dispute window a request on `model` takes now, from the
    /// oracle's copy of the model.
    function _fixDisputeTerms(RequestTerms memory terms, uint256 model) internal view {
        OracleSettings.ModelCopy memory m = oracle.modelCopy(model);
        terms.verifierVersion = m.verifierVersion;
        Periods memory p = oracle.periods();
        terms.disputeWindow = m.verifierVersion != 0 || m.reexecutable ? p.disputeWindow : p.arbitrationWindow;
    }

    /// @dev Optimistic path: propose, wait out the challenge window, finalize.
    function _proposeAndFinalize(uint256 id, RequestTerms memory terms, int256[] memory output) internal {
        Proposal memory p = _propose(id, terms, output);
        vm.warp(block.timestamp + terms.challengeWindow);
        oracle.finalize(id, terms, p, output);
    }

    /// @dev ZK path: a proof makes the result final at once.
    function _proveNow(
        TestVerifier v,
        uint256 id,
        RequestTerms memory terms,
        int256[] memory input,
        int256[] memory output
    ) internal {
        v.setProven(input, output, true);
        bytes memory proof = v.proofFor(proposer);
        vm.prank(proposer);
        oracle.proposeWithProof(id, terms, input, output, proof);
    }

    /// @dev Nobody proposes before the deadline: the request expires and its fee is refunded; expiry never calls
    /// the app, so the owed `failInference` callback is then delivered (as anyone may).
    function _expire(uint256 id, RequestTerms memory terms) internal {
        vm.warp(uint256(terms.deadline) + 1);
        IDisputes(address(oracle)).expire(id, terms);
        oracle.deliverCallback(
            id,
            terms.requester,
            terms.callbackGasLimit,
            abi.encodeCall(IInferenceConsumer.failInference, (id, InferenceError.NoProposal))
        );
    }

    function _filled(uint256 length, int256 value) internal pure returns (int256[] memory x) {
        x = new int256[](length);
        for (uint256 i = 0; i < length; ++i) {
            x[i] = value;
        }
    }

    function _one(int256 a) internal pure returns (int256[] memory x) {
        x = new int256[](1);
        x[0] = a;
    }

    function _two(int256 a, int256 b) internal pure returns (int256[] memory x) {
        x = new int256[](2);
        x[0] = a;
        x[1] = b;
    }
}
