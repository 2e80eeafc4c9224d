// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, Vm} from "forge-std/Test.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {ModelRegistry} from "../../../src-sol/registry/ModelRegistry.sol";
import {StakeBook} from "../../../src-sol/oracle/StakeBook.sol";
import {OracleSettings} from "../../../src-sol/oracle/OracleSettings.sol";
import {IDisputes} from "../../../src-sol/interfaces/IDisputes.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {RequestState, Provenance, RequestTerms, Proposal, Periods} from "../../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";

/// @notice What the invariant handlers share: the deployment they drive, a ghost record of every request (its
/// terms read from the request event and checked against what the registry and the oracle's settings said just
/// before), the true output of every input, and the slash split as the protocol states it.
abstract contract HandlerBase is Test {
    uint32 internal constant GAS = 200_000;
    uint256 internal constant WINNER_BPS = 4_000;
    uint256 internal constant RESOLVER_BPS = 1_000;

    InferenceOracle public oracle;
    ModelRegistry public registry;
    MockConsumer public consumer;
    /// Weights on chain and a verifier: disputes are settled by proof or re-execution.
    uint256 public modelId;
    /// No weights, no verifier: disputes are settled by the arbitrator.
    uint256 public bareModelId;
    address public arbitrator;
    address public treasury;
    address public owner;

    /// @dev The ghost of one request. `state` and `time` are what the oracle's record must say.
    struct Req {
        uint256 model;
        RequestTerms terms;
        Proposal proposal;
        int256[] input;
        int256[] proposed;
        RequestState state;
        uint256 time;
        bool exists;
    }

    uint256[] public ids;
    mapping(uint256 id => Req) internal reqs;

    constructor(
        InferenceOracle oracle_,
        ModelRegistry registry_,
        MockConsumer consumer_,
        uint256 modelId_,
        uint256 bareModelId_,
        address arbitrator_,
        address treasury_,
        address owner_
    ) {
        oracle = oracle_;
        registry = registry_;
        consumer = consumer_;
        modelId = modelId_;
        bareModelId = bareModelId_;
        arbitrator = arbitrator_;
        treasury = treasury_;
        owner = owner_;
    }

    // ----- requests -----

    /// @dev The terms a request made now must carry, from the registry and the oracle's settings (read before the
    /// request is made).
    function _expectedTerms(address requester, uint256 model, int256[] memory input, uint8 accepts)
        internal
        view
        returns (RequestTerms memory t)
    {
        IModelRegistry.ModelTerms memory m = registry.modelTerms(model);
        Periods memory p = oracle.periods();
        bool decidable = address(registry.verifierOf(model)) != address(0) || m.reexecutable;
        t = RequestTerms({
            requester: requester,
            modelId: uint64(model),
            callbackGasLimit: GAS,
            fee: m.fee,
            bond: m.minBond,
            challengeWindow: m.challengeWindow,
            outputLength: m.outputLength,
            deadline: uint40(block.timestamp + p.requestTimeout),
            inputHash: keccak256(abi.encodePacked(input)),
            disputeWindow: decidable ? p.disputeWindow : p.arbitrationWindow,
            verifierVersion: 0,
            accepts: accepts
        });
    }

    /// @dev The terms of the request event among `logs` (none for a cache hit), checked against `expected`: every
    /// field, and the verifier version names the registry's verifier.
    function _termsFromLogs(Vm.Log[] memory logs, uint256 id, RequestTerms memory expected)
        internal
        view
        returns (bool found, RequestTerms memory terms)
    {
        for (uint256 k = 0; k < logs.length; ++k) {
            Vm.Log memory log = logs[k];
            if (
                log.emitter != address(oracle) || log.topics.length == 0
                    || log.topics[0] != IOracleEvents.InferenceRequested.selector || uint256(log.topics[1]) != id
            ) continue;
            (terms,) = abi.decode(log.data, (RequestTerms, int256[]));
            found = true;
        }
        if (!found) return (false, terms);
        assertEq(
            address(oracle.verifierOf(terms.modelId, terms.verifierVersion)),
            address(registry.verifierOf(terms.modelId))
        );
        expected.verifierVersion = terms.verifierVersion;
        assertEq(keccak256(abi.encode(terms)), keccak256(abi.encode(expected)), "request terms fixed at request time");
    }

    function _record(uint256 id, uint256 model, RequestTerms memory terms, int256[] memory input, RequestState s)
        internal
        returns (Req storage r)
    {
        assertFalse(reqs[id].exists, "request id reused");
        ids.push(id);
        r = reqs[id];
        r.model = model;
        r.terms = terms;
        r.input = input;
        r.state = s;
        r.time = terms.deadline;
        r.exists = true;
    }

    // ----- picking -----

    function _pick(uint256 pick, RequestState wanted) internal view returns (uint256 id, bool found) {
        uint256 n = ids.length;
        for (uint256 k = 0; k < n; ++k) {
            id = ids[(pick % n + k) % n];
            if (reqs[id].state == wanted) return (id, true);
        }
        return (0, false);
    }

    function _isOpen(RequestState s) internal pure returns (bool) {
        return s == RequestState.Requested || s == RequestState.Proposed || s == RequestState.Disputed;
    }

    /// @dev When a dispute closes (settlements allowed until then, inclusive; expiry after).
    function _closesAt(Req storage r) internal view returns (uint256) {
        return r.time + r.terms.disputeWindow;
    }

    // ----- outputs -----

    /// @dev A small input space so that inputs repeat (cache hits, duplicates of open requests).
    function _inputFor(uint256 seed) internal pure returns (int256[] memory x) {
        x = new int256[](2);
        x[0] = int256(seed % 4) * 100 - 150;
        x[1] = int256((seed >> 8) % 3) * 150;
    }

    /// @dev The model's true output (what re-execution computes, proofs prove and the arbitrator knows).
    function _truth(uint256 model, int256[] memory input) internal view returns (int256[] memory) {
        return model == bareModelId
            ? ModelEncoder.run(ModelEncoder.smallArgMax(), input)
            : ModelEncoder.run(ModelEncoder.small(), input);
    }

    /// @dev A wrong output: the truth with its first value moved by `delta` (1 or 2).
    function _wrong(uint256 model, int256[] memory input, int256 delta) internal view returns (int256[] memory w) {
        w = _truth(model, input);
        w[0] += delta;
    }

    function _h(int256[] memory v) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(v));
    }

    /// @dev `TestVerifier.proofFor(prover)`.
    function _proof(address prover) internal pure returns (bytes memory) {
        return abi.encodePacked(bytes("test-proof"), prover);
    }

    /// @dev Marks `(input, truth)` proven for the verifier of `version` (a request's or the model's current one).
    function _prove(uint256 model, uint256 version, int256[] memory input) internal {
        TestVerifier(address(oracle.verifierOf(model, version))).setProven(input, _truth(model, input), true);
    }

    function _split(uint256 bond) internal pure returns (uint256 reward, uint256 resolverReward, uint256 toTreasury) {
        reward = bond * WINNER_BPS / 10_000;
        resolverReward = bond * RESOLVER_BPS / 10_000;
        toTreasury = bond - reward - resolverReward;
    }

    function _accepted(uint8 accepts, Provenance p) internal pure returns (bool) {
        return accepts == 0 || accepts & (1 << uint8(p)) != 0;
    }

    function _disputes() internal view returns (IDisputes) {
        return IDisputes(address(oracle));
    }

    /// @dev Everything an address owns in and out of the oracle.
    function _wealth(address a) internal view returns (uint256) {
        StakeBook.Stake memory s = oracle.stakeOf(a);
        return a.balance + s.free + s.locked + s.unbonding + oracle.claimableOf(a);
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function ghostState(uint256 id) external view returns (RequestState state, uint256 time) {
        Req storage r = reqs[id];
        return (r.state, r.time);
    }

    function ghostCommitment(uint256 id) external view returns (uint256) {
        Req storage r = reqs[id];
        return oracle.commitmentOf(id, r.terms, r.proposal);
    }

    function ghostBonds(uint256 id) external view returns (address proposer, address challenger, uint256 bond) {
        Req storage r = reqs[id];
        return (r.proposal.proposer, r.proposal.challenger, r.terms.bond);
    }
}
