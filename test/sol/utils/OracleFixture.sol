// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, Vm} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {ModelRegistry} from "../../../src-sol/registry/ModelRegistry.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {OracleSettings} from "../../../src-sol/oracle/OracleSettings.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceOracle} from "../../../src-sol/interfaces/IInferenceOracle.sol";
import {IDisputes} from "../../../src-sol/interfaces/IDisputes.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestState, RequestTerms, Proposal, Periods} from "../../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "./ModelEncoder.sol";
import {TestVerifier} from "./TestVerifier.sol";
import {MockConsumer} from "./MockConsumer.sol";
import {ProtocolArtifacts} from "./ProtocolArtifacts.sol";

/// @notice Shared deployment: registry and oracle behind ERC1967 proxies, two models, staked operators.
abstract contract OracleFixture is Test {
    uint96 internal constant FEE = 0.01 ether;
    uint96 internal constant BOND = 1 ether;
    uint32 internal constant CHALLENGE_WINDOW = 1 hours;
    uint32 internal constant REQUEST_TIMEOUT = 1 hours;
    uint32 internal constant DISPUTE_WINDOW = 1 days;
    uint32 internal constant ARBITRATION_WINDOW = 2 days;
    uint32 internal constant UNBONDING_DELAY = 11 days;
    uint32 internal constant CALLBACK_GAS = 200_000;
    uint256 internal constant STAKE = 10 ether;

    ModelRegistry internal registry;
    InferenceOracle internal oracle;
    MockConsumer internal consumer;
    TestVerifier internal verifier;

    address internal owner = makeAddr("owner");
    address internal treasury = makeAddr("treasury");
    address internal arbitrator = makeAddr("arbitrator");
    address internal proposer = makeAddr("proposer");
    address internal challenger = makeAddr("challenger");
    address internal stranger = makeAddr("stranger");

    bytes internal smallEncoding;
    /// Logits model with weights on chain and a test verifier.
    uint256 internal modelId;
    /// Same model, argmax, no weights, no verifier.
    uint256 internal bareModelId;

    function setUp() public virtual {
        registry = ModelRegistry(
            address(
                new ERC1967Proxy(
                    ProtocolArtifacts.registryImplementation(), abi.encodeCall(ModelRegistry.initialize, (owner))
                )
            )
        );
        oracle = InferenceOracle(
            address(
                new ERC1967Proxy(
                    ProtocolArtifacts.oracleImplementation(),
                    abi.encodeCall(
                        InferenceOracle.initialize,
                        (owner, IModelRegistry(address(registry)), treasury, arbitrator, _periods())
                    )
                )
            )
        );
        smallEncoding = ModelEncoder.encode(ModelEncoder.small());
        verifier = new TestVerifier(keccak256(smallEncoding));
        vm.startPrank(owner);
        registry.setOracle(address(oracle));
        modelId = registry.registerModel(_spec(smallEncoding, 2, OutputKind.Logits, verifier), smallEncoding);
        bareModelId = registry.registerModel(
            _spec(
                ModelEncoder.encode(ModelEncoder.smallArgMax()), 1, OutputKind.ArgMax, IInferenceVerifier(address(0))
            ),
            ""
        );
        vm.stopPrank();

        consumer = new MockConsumer(address(oracle));
        vm.deal(address(consumer), 100 ether);
        _stake(proposer, STAKE);
        _stake(challenger, STAKE);
    }

    function _periods() internal pure returns (Periods memory) {
        return Periods(REQUEST_TIMEOUT, DISPUTE_WINDOW, ARBITRATION_WINDOW, UNBONDING_DELAY);
    }

    function _spec(bytes memory encoding, uint16 outputLength, OutputKind kind, IInferenceVerifier v)
        internal
        pure
        returns (IModelRegistry.ModelSpec memory)
    {
        return IModelRegistry.ModelSpec({
            modelHash: keccak256(encoding),
            inputLength: 2,
            outputLength: outputLength,
            inputMin: -1024,
            inputMax: 1024,
            scaleBits: 8,
            outputKind: kind,
            verifier: v,
            challengeWindow: CHALLENGE_WINDOW,
            minBond: BOND,
            fee: FEE
        });
    }

    function _stake(address operator, uint256 amount) internal {
        vm.deal(operator, operator.balance + amount);
        vm.prank(operator);
        oracle.depositStake{value: amount}();
    }

    function _input(int256 a, int256 b) internal pure returns (int256[] memory x) {
        x = new int256[](2);
        x[0] = a;
        x[1] = b;
    }

    function _defaultInput() internal pure returns (int256[] memory) {
        return _input(300, -200);
    }

    function _correct(int256[] memory input) internal pure returns (int256[] memory) {
        return ModelEncoder.run(ModelEncoder.small(), input);
    }

    function _wrong(int256[] memory output) internal pure returns (int256[] memory w) {
        w = new int256[](output.length);
        for (uint256 i = 0; i < output.length; ++i) {
            w[i] = output[i] + 1;
        }
    }

    /// @dev The terms the oracle commits to for a request made now by the consumer.
    function _termsFor(uint256 model, int256[] memory input, uint16 outputLength)
        internal
        view
        returns (RequestTerms memory)
    {
        return RequestTerms({
            requester: address(consumer),
            modelId: uint64(model),
            callbackGasLimit: CALLBACK_GAS,
            fee: FEE,
            bond: BOND,
            challengeWindow: CHALLENGE_WINDOW,
            outputLength: outputLength,
            deadline: uint40(block.timestamp + REQUEST_TIMEOUT),
            inputHash: keccak256(abi.encodePacked(input)),
            disputeWindow: _decidable(model) ? DISPUTE_WINDOW : ARBITRATION_WINDOW,
            verifierVersion: oracle.modelCopy(model).verifierVersion,
            accepts: 0
        });
    }

    /// @dev Whether a proof or a re-execution can decide the model's disputes (else only the arbitrator can).
    function _decidable(uint256 model) internal view returns (bool) {
        return oracle.modelCopy(model).verifierVersion != 0 || oracle.modelCopy(model).reexecutable;
    }

    /// @dev The id the oracle gives the next valid request of `input` that is not a cache hit: the key's own id
    /// while the key has no word yet, a sequence id otherwise.
    function _nextRequestId(uint256 model, int256[] memory input) internal view returns (uint256) {
        uint256 keyed = oracle.keyedRequestId(model, keccak256(abi.encodePacked(input)));
        return oracle.requestState(keyed) == RequestState.None ? keyed : oracle.lastRequestId() + 1;
    }

    function _request(int256[] memory input) internal returns (uint256 id, RequestTerms memory terms) {
        terms = _termsFor(modelId, input, 2);
        id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
    }

    function _propose(uint256 id, RequestTerms memory terms, int256[] memory output)
        internal
        returns (Proposal memory p)
    {
        vm.prank(proposer);
        oracle.propose(id, terms, output);
        p = Proposal(proposer, address(0), keccak256(abi.encodePacked(output)), bytes32(0));
    }

    /// @dev Challenges with the correct output of the default input as the challenger's claim.
    function _challenge(uint256 id, RequestTerms memory terms, Proposal memory p) internal returns (Proposal memory d) {
        bytes32 claim = keccak256(abi.encodePacked(_correct(_defaultInput())));
        if (claim == p.outputHash) claim = keccak256(abi.encodePacked(_wrong(_correct(_defaultInput()))));
        return _challengeWith(id, terms, p, claim);
    }

    function _challengeWith(uint256 id, RequestTerms memory terms, Proposal memory p, bytes32 claim)
        internal
        returns (Proposal memory d)
    {
        vm.prank(challenger);
        disputes().challenge(id, terms, p, claim);
        d = p;
        d.challenger = challenger;
        d.claimHash = claim;
    }

    /// @dev The oracle's address with the dispute functions' ABI (the oracle forwards them to its dispute module).
    function disputes() internal view returns (IDisputes) {
        return IDisputes(address(oracle));
    }

    function _requestAndPropose(int256[] memory output)
        internal
        returns (uint256 id, RequestTerms memory terms, Proposal memory p)
    {
        (id, terms) = _request(_defaultInput());
        p = _propose(id, terms, output);
    }

    function _disputed(bool proposeCorrect)
        internal
        returns (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct)
    {
        correct = _correct(_defaultInput());
        Proposal memory p;
        (id, terms, p) = _requestAndPropose(proposeCorrect ? correct : _wrong(correct));
        d = _challenge(id, terms, p);
    }

    /// @dev A dispute on the bare model (no verifier, no weights: only the arbitrator decides): a wrong proposal,
    /// challenged with the right output as the claim.
    function _disputedBare()
        internal
        returns (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct)
    {
        int256[] memory input = _defaultInput();
        correct = ModelEncoder.run(ModelEncoder.smallArgMax(), input);
        int256[] memory wrong = new int256[](1);
        wrong[0] = correct[0] == 0 ? int256(1) : int256(0);
        terms = _termsFor(bareModelId, input, 1);
        id = consumer.request(bareModelId, input, CALLBACK_GAS, FEE);
        Proposal memory p = _propose(id, terms, wrong);
        d = _challengeWith(id, terms, p, keccak256(abi.encodePacked(correct)));
    }

    function _free(address operator) internal view returns (uint256) {
        return oracle.stakeOf(operator).free;
    }

    function _locked(address operator) internal view returns (uint256) {
        return oracle.stakeOf(operator).locked;
    }

    function _stateBit(RequestState s) internal pure returns (bytes32) {
        return bytes32(uint256(1) << uint8(s));
    }
}
