// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {StakeBook} from "../../../src-sol/oracle/StakeBook.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {RequestState, RequestTerms, Proposal, Periods} from "../../../src-sol/types/InferenceTypes.sol";
import {GovernanceFixture} from "./GovernanceFixture.sol";
import {InferenceOracleV2} from "./fixtures/InferenceOracleV2.sol";
import {InferenceOracleV2Incompatible} from "./fixtures/InferenceOracleV2Incompatible.sol";
import {ModelRegistryV2} from "./fixtures/ModelRegistryV2.sol";
import {ExampleUpgradeableConsumer, ExampleUpgradeableConsumerV2} from "./fixtures/ExampleUpgradeableConsumer.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";

/// @notice V1 → V2 through the timelock keeps every piece of state: requests in each state, stakes, credits, the
/// cache, models, parameters, roles; and the protocol keeps working on the upgraded contracts.
contract UpgradeTest is GovernanceFixture {
    string internal constant V2 = "test/sol/governance/fixtures/InferenceOracleV2.sol:InferenceOracleV2";

    struct Snapshot {
        uint256 lastRequestId;
        RequestState[5] states;
        StakeBook.Stake proposerStake;
        StakeBook.Stake challengerStake;
        uint256 consumerCredit;
        int256[] cached;
        bytes modelRecord;
        uint256 modelCount;
        Periods periods;
        address registryAddress;
        address treasuryAddress;
        address arbitratorAddress;
        bool paused;
    }

    uint256 internal finalizedId;
    uint256 internal disputedId;
    uint256 internal proposedId;
    uint256 internal requestedId;
    RequestTerms internal disputedTerms;
    RequestTerms internal proposedTerms;
    RequestTerms internal requestedTerms;
    Proposal internal disputedProposal;
    Proposal internal pendingProposal;

    function setUp() public override {
        super.setUp();
        // Finalized, with its output in the cache.
        Proposal memory p;
        RequestTerms memory t;
        (finalizedId, t) = _request(_input(10, 20));
        p = _propose(finalizedId, t, _correct(_input(10, 20)));
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(finalizedId, t, p, _correct(_input(10, 20)));
        // Disputed (a wrong proposal, challenged).
        int256[] memory correct;
        (disputedId, disputedTerms, disputedProposal, correct) = _disputed(false);
        // Proposed.
        (proposedId, proposedTerms) = _request(_input(30, 40));
        pendingProposal = _propose(proposedId, proposedTerms, _correct(_input(30, 40)));
        // Requested, paying more than the fee (a credit).
        requestedTerms = _termsFor(modelId, _input(50, 60), 2);
        requestedId = consumer.request(modelId, _input(50, 60), CALLBACK_GAS, FEE + 1 wei);
    }

    function _snapshot() internal view returns (Snapshot memory s) {
        s.lastRequestId = oracle.lastRequestId();
        uint256[5] memory ids = [finalizedId, disputedId, proposedId, requestedId, oracle.lastRequestId() + 1];
        for (uint256 i = 0; i < 5; ++i) {
            s.states[i] = oracle.requestState(ids[i]);
        }
        s.proposerStake = oracle.stakeOf(proposer);
        s.challengerStake = oracle.stakeOf(challenger);
        s.consumerCredit = oracle.claimableOf(address(consumer));
        bool found;
        (found, s.cached,) = oracle.cachedResult(modelId, keccak256(abi.encodePacked(_input(10, 20))));
        assertTrue(found);
        s.modelRecord = abi.encode(registry.getModel(modelId), registry.getModel(bareModelId));
        s.modelCount = registry.modelCount();
        s.periods = oracle.periods();
        (IModelRegistry r, address tr, address arb) = oracle.addresses();
        (s.registryAddress, s.treasuryAddress, s.arbitratorAddress) = (address(r), tr, arb);
        s.paused = oracle.paused();
    }

    function test_upgrade_v1ToV2KeepsAllState() public {
        Snapshot memory before = _snapshot();
        assertEq(uint8(before.states[0]), uint8(RequestState.Finalized));
        assertEq(uint8(before.states[1]), uint8(RequestState.Disputed));
        assertEq(uint8(before.states[2]), uint8(RequestState.Proposed));
        assertEq(uint8(before.states[3]), uint8(RequestState.Requested));
        assertEq(before.consumerCredit, 1);

        _govern(
            address(oracle),
            abi.encodeCall(
                oracle.upgradeToAndCall,
                (ProtocolArtifacts.oracleImplementation(V2), abi.encodeCall(InferenceOracleV2.initializeV2, ("v2")))
            )
        );
        uint256 upgradeTime = block.timestamp;
        _govern(
            address(registry),
            abi.encodeCall(
                registry.upgradeToAndCall,
                (ProtocolArtifacts.deploy("test/sol/governance/fixtures/ModelRegistryV2.sol:ModelRegistryV2"), "")
            )
        );

        Snapshot memory afterUpgrade = _snapshot();
        assertEq(abi.encode(afterUpgrade), abi.encode(before));
        InferenceOracleV2 v2 = InferenceOracleV2(address(oracle));
        assertEq(v2.releaseNote(), "v2");
        assertEq(v2.upgradedAt(), upgradeTime);
        assertEq(oracle.owner(), address(timelock));
        assertEq(oracle.pauseGuardian(), guardian);
        assertEq(registry.owner(), address(timelock));
        // The reinitializer ran once.
        vm.expectRevert();
        v2.initializeV2("again");

        // Every pending request goes on from where it was.
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(proposedId, proposedTerms, pendingProposal, _correct(_input(30, 40)));
        assertEq(uint8(oracle.requestState(proposedId)), uint8(RequestState.Finalized));
        // The timelock's delay outlasted the dispute window: nobody substantiated the challenge in time, so the
        // dispute ends with the proposal standing, under the terms the request was made with.
        disputes().expireDispute(disputedId, disputedTerms, disputedProposal, _wrong(_correct(_defaultInput())));
        assertEq(uint8(oracle.requestState(disputedId)), uint8(RequestState.Finalized));
        assertEq(_locked(proposer), 0);
        assertEq(_locked(challenger), 0);
        vm.warp(requestedTerms.deadline + 1);
        disputes().expire(requestedId, requestedTerms);
        assertEq(oracle.claimableOf(address(consumer)), FEE + 1);
        // The cache still answers at once.
        uint256 hit = consumer.request(modelId, _input(10, 20), CALLBACK_GAS, 0);
        assertEq(uint8(oracle.requestState(hit)), uint8(RequestState.Finalized));
        assertEq(consumer.lastOutput(), _correct(_input(10, 20)));
        // New state of V2 is governed too.
        ModelRegistryV2 r2 = ModelRegistryV2(address(registry));
        vm.prank(address(safe));
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, address(safe)));
        r2.setLicense(modelId, "MIT");
        _govern(address(registry), abi.encodeCall(ModelRegistryV2.setLicense, (modelId, "MIT")));
        assertEq(r2.licenseOf(modelId), "MIT");
    }

    /// @dev Why the layout check exists: nothing on chain stops a layout-breaking implementation, and after it
    /// every field reads its neighbour's slot.
    function test_upgrade_incompatibleV2CorruptsState() public {
        (IModelRegistry r,,) = oracle.addresses();
        _govern(
            address(oracle),
            abi.encodeCall(
                oracle.upgradeToAndCall,
                (
                    ProtocolArtifacts.deploy(
                        "test/sol/governance/fixtures/InferenceOracleV2Incompatible.sol:InferenceOracleV2Incompatible"
                    ),
                    ""
                )
            )
        );
        address seen = InferenceOracleV2Incompatible(address(oracle)).registryAfterUpgrade();
        assertTrue(seen != address(r), "the registry field now reads the hot word's slot");
    }

    function test_consumer_upgradedAndGovernedByTimelock() public {
        ExampleUpgradeableConsumer c = ExampleUpgradeableConsumer(
            address(
                new ERC1967Proxy(
                    address(new ExampleUpgradeableConsumer(address(oracle))),
                    abi.encodeCall(ExampleUpgradeableConsumer.initialize, (address(timelock), modelId))
                )
            )
        );
        // A result arrives through the cache, then the consumer is upgraded with its state.
        uint256 id = c.request(_input(10, 20), CALLBACK_GAS);
        assertEq(c.resultOf(id), _correct(_input(10, 20)));
        address v2 = address(new ExampleUpgradeableConsumerV2(address(oracle)));
        vm.prank(address(safe));
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, address(safe)));
        c.upgradeToAndCall(v2, "");
        vm.prank(address(safe));
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, address(safe)));
        c.setModel(bareModelId);
        _govern(address(c), abi.encodeCall(c.upgradeToAndCall, (v2, "")));
        _govern(address(c), abi.encodeCall(ExampleUpgradeableConsumer.setModel, (bareModelId)));
        assertEq(ExampleUpgradeableConsumerV2(address(c)).version(), 2);
        assertEq(c.resultOf(id), _correct(_input(10, 20)));
        assertEq(c.modelId(), bareModelId);
        assertEq(address(c.inferenceOracle()), address(oracle));
    }
}
