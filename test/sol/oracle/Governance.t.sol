// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {OracleSteps} from "./OracleSteps.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {OracleSettings} from "../../../src-sol/oracle/OracleSettings.sol";
import {OracleAutomation} from "../../../src-sol/periphery/OracleAutomation.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IPauseGuardian} from "../../../src-sol/interfaces/IPauseGuardian.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {
    OutputKind,
    RequestState,
    InferenceError,
    Provenance,
    RequestTerms,
    Proposal,
    Periods
} from "../../../src-sol/types/InferenceTypes.sol";
import {DisputeModule} from "../../../src-sol/oracle/DisputeModule.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";

contract ProxyDeployer {
    function deploy(address impl, bytes memory init) external returns (address) {
        return address(new ERC1967Proxy(impl, init));
    }
}

/// @notice Governance: initialization, setters and their bounds, the pause (which never traps funds), upgrades,
/// and the oracle's copies of the registry's models with versioned verifiers.
contract GovernanceTest is OracleSteps {
    // ---------------------------------------------------------------------------------------------------------
    // Initialization and upgrades
    // ---------------------------------------------------------------------------------------------------------

    function test_initialize_setsAddressesAndPeriods() public view {
        assertEq(oracle.owner(), owner);
        (IModelRegistry r, address t, address a) = oracle.addresses();
        assertEq(address(r), address(registry));
        assertEq(t, treasury);
        assertEq(a, arbitrator);
        Periods memory p = oracle.periods();
        assertEq(p.requestTimeout, REQUEST_TIMEOUT);
        assertEq(p.disputeWindow, DISPUTE_WINDOW);
        assertEq(p.arbitrationWindow, ARBITRATION_WINDOW);
        assertEq(p.unbondingDelay, UNBONDING_DELAY);
        assertFalse(oracle.paused());
    }

    function test_initialize_revertsOnImplementation() public {
        InferenceOracle impl = InferenceOracle(ProtocolArtifacts.oracleImplementation());
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(owner, IModelRegistry(address(registry)), treasury, arbitrator, _periods());
    }

    function test_initialize_revertsOnZeroAddresses() public {
        InferenceOracle impl = InferenceOracle(ProtocolArtifacts.oracleImplementation());
        ProxyDeployer deployer = new ProxyDeployer();
        bytes[3] memory inits = [
            abi.encodeCall(
                InferenceOracle.initialize, (owner, IModelRegistry(address(0)), treasury, arbitrator, _periods())
            ),
            abi.encodeCall(
                InferenceOracle.initialize,
                (owner, IModelRegistry(address(registry)), address(0), arbitrator, _periods())
            ),
            abi.encodeCall(
                InferenceOracle.initialize, (owner, IModelRegistry(address(registry)), treasury, address(0), _periods())
            )
        ];
        for (uint256 k = 0; k < inits.length; ++k) {
            vm.expectRevert(IOracleEvents.InferenceOracleZeroAddress.selector);
            deployer.deploy(address(impl), inits[k]);
        }
    }

    function test_initialize_revertsOnOutOfBoundsPeriods() public {
        InferenceOracle impl = InferenceOracle(ProtocolArtifacts.oracleImplementation());
        ProxyDeployer deployer = new ProxyDeployer();
        Periods memory p = _periods();
        p.requestTimeout = 59;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("requestTimeout"), 59
            )
        );
        deployer.deploy(
            address(impl),
            abi.encodeCall(
                InferenceOracle.initialize, (owner, IModelRegistry(address(registry)), treasury, arbitrator, p)
            )
        );
    }

    function test_implementations_fitTheCodeSizeLimit() public {
        uint256 eip170 = 24_576;
        InferenceOracle impl = InferenceOracle(ProtocolArtifacts.oracleImplementation());
        assertLt(address(impl).code.length, eip170, "oracle");
        assertLt(impl.disputeModule().code.length, eip170, "dispute module");
        assertLt(impl.batchModule().code.length, eip170, "batch module");
        assertLt(DisputeModule(impl.disputeModule()).bisectionModule().code.length, eip170, "bisection module");
        assertLt(_implementation(address(registry)).code.length, eip170, "registry");
        assertLt(address(new OracleAutomation(oracle)).code.length, eip170, "automation");
    }

    function test_upgrade_keepsStateAndBringsItsOwnDisputeModule() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) =
            _requestAndPropose(_wrong(_correct(_defaultInput())));
        address oldModule = oracle.disputeModule();
        InferenceOracle impl = InferenceOracle(ProtocolArtifacts.oracleImplementation());
        vm.prank(owner);
        oracle.upgradeToAndCall(address(impl), "");
        assertEq(_implementation(address(oracle)), address(impl));
        assertTrue(oracle.disputeModule() != oldModule);
        _assertState(id, RequestState.Proposed);
        assertEq(_locked(proposer), BOND);
        // The dispute functions run in the new module on the same records.
        Proposal memory d = _challenge(id, terms, p);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        _assertState(id, RequestState.Finalized);
    }

    function test_upgrade_revertsIfNotOwner() public {
        address impl = ProtocolArtifacts.oracleImplementation();
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        oracle.upgradeToAndCall(impl, "");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Setters and bounds
    // ---------------------------------------------------------------------------------------------------------

    function test_setters_revertIfNotOwner() public {
        bytes memory err = abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(err);
        oracle.setPaused(true);
        vm.expectRevert(err);
        oracle.setTreasury(stranger);
        vm.expectRevert(err);
        oracle.setArbitrator(stranger);
        vm.expectRevert(err);
        oracle.setRequestTimeout(2 hours);
        vm.expectRevert(err);
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, UNBONDING_DELAY);
        vm.expectRevert(err);
        oracle.setPauseGuardian(stranger);
        vm.stopPrank();
    }

    function test_setRequestTimeout_boundsAndEmits() public {
        vm.startPrank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("requestTimeout"), 59
            )
        );
        oracle.setRequestTimeout(59);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("requestTimeout"), 30 days + 1
            )
        );
        oracle.setRequestTimeout(30 days + 1);
        oracle.setRequestTimeout(60);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ParameterChanged("requestTimeout", 60, 30 days);
        oracle.setRequestTimeout(30 days);
        vm.stopPrank();
        assertEq(oracle.periods().requestTimeout, 30 days);
    }

    function test_setRequestTimeout_appliesToNewRequestsOnly() public {
        (uint256 old, RequestTerms memory oldTerms) = _request(_defaultInput());
        vm.prank(owner);
        oracle.setRequestTimeout(2 hours);
        uint256 fresh = consumer.request(modelId, _input(1, 1), CALLBACK_GAS, FEE);
        (, uint256 oldDeadline,) = oracle.requestRecord(old);
        (, uint256 newDeadline,) = oracle.requestRecord(fresh);
        assertEq(oldDeadline, oldTerms.deadline);
        assertEq(newDeadline, block.timestamp + 2 hours);
    }

    function test_setWindows_updatesAndEmits() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ParameterChanged("disputeWindow", DISPUTE_WINDOW, 2 days);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ParameterChanged("arbitrationWindow", ARBITRATION_WINDOW, 1 days);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ParameterChanged("unbondingDelay", UNBONDING_DELAY, 12 days);
        vm.prank(owner);
        oracle.setWindows(2 days, 1 days, 12 days);
        Periods memory p = oracle.periods();
        assertEq(p.disputeWindow, 2 days);
        assertEq(p.arbitrationWindow, 1 days);
        assertEq(p.unbondingDelay, 12 days);
        assertEq(oracle.unbondingDelay(), 12 days);
    }

    function test_setWindows_newRequestsTakeTheNewWindow() public {
        vm.prank(owner);
        oracle.setWindows(3 days, 4 days, 12 days);
        int256[] memory input = _defaultInput();
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.disputeWindow = 3 days;
        RequestTerms memory bare = _termsFor(bareModelId, input, 1);
        bare.disputeWindow = 4 days;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(modelId, terms.inputHash), terms, input);
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(bareModelId, bare.inputHash), bare, input);
        consumer.request(bareModelId, input, CALLBACK_GAS, FEE);
    }

    function test_setWindows_revertsIfUnbondingTooShort() public {
        // The unbonding delay must exceed the longest challenge window plus the longer dispute window.
        uint32 tooShort = 7 days + ARBITRATION_WINDOW;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("unbondingDelay"), tooShort
            )
        );
        vm.prank(owner);
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, tooShort);
        vm.prank(owner);
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, tooShort + 1);
        assertEq(oracle.unbondingDelay(), tooShort + 1);
    }

    function test_setWindows_revertsOnOutOfBoundsValues() public {
        vm.startPrank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("disputeWindow"), 30 days + 1
            )
        );
        oracle.setWindows(30 days + 1, ARBITRATION_WINDOW, 120 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("arbitrationWindow"), 59
            )
        );
        oracle.setWindows(DISPUTE_WINDOW, 59, UNBONDING_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleInvalidParameter.selector, bytes32("unbondingDelay"), 120 days + 1
            )
        );
        oracle.setWindows(DISPUTE_WINDOW, ARBITRATION_WINDOW, 120 days + 1);
        vm.stopPrank();
    }

    function test_setTreasury_revertsIfZero() public {
        vm.expectRevert(IOracleEvents.InferenceOracleZeroAddress.selector);
        vm.prank(owner);
        oracle.setTreasury(address(0));
    }

    function test_setTreasury_redirectsTheTreasuryShare() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.TreasuryChanged(treasury, stranger);
        vm.prank(owner);
        oracle.setTreasury(stranger);
        (uint256 id, RequestTerms memory terms, Proposal memory d,) = _disputed(false);
        vm.prank(challenger);
        disputes().resolveByReexecution(id, terms, d, _defaultInput());
        (,, uint256 toTreasury) = _split();
        assertEq(oracle.claimableOf(stranger), toTreasury);
        assertEq(oracle.claimableOf(treasury), 0);
        vm.prank(stranger);
        oracle.claim(payable(stranger));
        assertEq(stranger.balance, toTreasury);
    }

    function test_setArbitrator_changesWhoArbitrates() public {
        address newArbitrator = makeAddr("newArbitrator");
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ArbitratorChanged(arbitrator, newArbitrator);
        vm.prank(owner);
        oracle.setArbitrator(newArbitrator);
        (,, address a) = oracle.addresses();
        assertEq(a, newArbitrator);
        assertEq(oracle.arbitrator(), newArbitrator);
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _bareDisputed(false);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleUnauthorizedArbitrator.selector, arbitrator)
        );
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        vm.prank(newArbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
        _assertState(id, RequestState.Finalized);
    }

    function test_setArbitrator_revertsIfZero() public {
        vm.expectRevert(IOracleEvents.InferenceOracleZeroAddress.selector);
        vm.prank(owner);
        oracle.setArbitrator(address(0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pause
    // ---------------------------------------------------------------------------------------------------------

    function test_setPaused_emits() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.PausedChanged(true);
        vm.prank(owner);
        oracle.setPaused(true);
        assertTrue(oracle.paused());
        vm.expectEmit(address(oracle));
        emit IOracleEvents.PausedChanged(false);
        vm.prank(owner);
        oracle.setPaused(false);
        assertFalse(oracle.paused());
    }

    function test_pause_guardianMayPauseButNotResume() public {
        address guardian = makeAddr("guardian");
        vm.prank(owner);
        oracle.setPauseGuardian(guardian);
        vm.expectRevert(abi.encodeWithSelector(IPauseGuardian.PauseGuardianUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        oracle.pause();
        vm.prank(guardian);
        oracle.pause();
        assertTrue(oracle.paused());
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, guardian));
        vm.prank(guardian);
        oracle.setPaused(false);
        vm.prank(owner);
        oracle.setPaused(false);
        assertFalse(oracle.paused());
    }

    struct Open {
        uint256 id;
        RequestTerms terms;
        Proposal proposal;
        int256[] output;
    }

    function _open(int256 a, bool propose_, bool challenge_) internal returns (Open memory o) {
        o.output = _correct(_input(a, a));
        (o.id, o.terms) = _request(_input(a, a));
        if (propose_) o.proposal = _propose(o.id, o.terms, o.output);
        if (challenge_) o.proposal = _challengeWith(o.id, o.terms, o.proposal, _hash(_wrong(o.output)));
    }

    /// A pause stops new requests and new answers; every path that moves money keeps working.
    function test_pause_keepsMoneyPathsWorking() public {
        Open memory toFinalize = _open(1, true, false);
        Open memory toResolve = _open(2, true, true);
        Open memory toExpireDispute = _open(3, true, true);
        Open memory toExpire = _open(4, false, false);
        Open memory toChallenge = _open(5, true, false);
        vm.prank(proposer);
        oracle.requestWithdrawal(1 ether);
        consumer.request(modelId, _input(6, 6), CALLBACK_GAS, FEE + 3);

        vm.prank(owner);
        oracle.setPaused(true);

        // Closed: new requests and new answers.
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        consumer.request(modelId, _input(7, 7), CALLBACK_GAS, FEE);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        vm.prank(proposer);
        oracle.propose(toExpire.id, toExpire.terms, toExpire.output);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        vm.prank(stranger);
        oracle.proposeWithProof(toExpire.id, toExpire.terms, _input(4, 4), toExpire.output, "");

        // Open: challenges, settlement, finalization, expiry, callbacks, stake and claims.
        _stake(stranger, STAKE);
        vm.prank(stranger);
        disputes().challenge(toChallenge.id, toChallenge.terms, toChallenge.proposal, _hash(_wrong(toChallenge.output)));
        // The challenger claimed a wrong output here: re-execution settles for the proposer.
        disputes().resolveByReexecution(toResolve.id, toResolve.terms, toResolve.proposal, _input(2, 2));
        oracle.deliverCallback(
            toResolve.id, address(consumer), CALLBACK_GAS, _fulfillData(toResolve.id, toResolve.output)
        );
        vm.warp(block.timestamp + REQUEST_TIMEOUT + DISPUTE_WINDOW + 1);
        oracle.finalize(toFinalize.id, toFinalize.terms, toFinalize.proposal, toFinalize.output);
        disputes()
            .expireDispute(toExpireDispute.id, toExpireDispute.terms, toExpireDispute.proposal, toExpireDispute.output);
        disputes().expire(toExpire.id, toExpire.terms);
        oracle.deliverCallback(
            toExpire.id, address(consumer), CALLBACK_GAS, _failData(toExpire.id, InferenceError.NoProposal)
        );
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.prank(proposer);
        oracle.withdrawStake(payable(proposer), 1 ether);
        vm.prank(challenger);
        oracle.requestWithdrawal(1 ether);
        _stake(challenger, 1 ether);
        consumer.claimCredit(payable(stranger));
        vm.prank(treasury);
        oracle.claim(payable(treasury));

        _assertState(toFinalize.id, RequestState.Finalized);
        _assertState(toResolve.id, RequestState.Finalized);
        _assertState(toExpireDispute.id, RequestState.Finalized);
        _assertState(toExpire.id, RequestState.Expired);
        _assertState(toChallenge.id, RequestState.Disputed);
        assertEq(consumer.callbackCount(toResolve.id), 1);
        assertEq(consumer.callbackCount(toExpire.id), 1);
        assertGt(stranger.balance, 0);
        assertGt(treasury.balance, 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Model copies and versioned verifiers
    // ---------------------------------------------------------------------------------------------------------

    function test_syncModel_registryChangesRefreshTheOraclesCopyAtOnce() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ModelSynced(modelId, 1);
        vm.prank(owner);
        registry.setFee(modelId, FEE * 2);
        assertEq(oracle.modelCopy(modelId).fee, FEE * 2);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInsufficientFee.selector, FEE, FEE * 2));
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE);
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        terms.fee = FEE * 2;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(modelId, terms.inputHash), terms, _defaultInput());
        consumer.request(modelId, _defaultInput(), CALLBACK_GAS, FEE * 2);
    }

    function test_syncModel_copiesEveryTerm() public {
        vm.startPrank(owner);
        registry.setMinBond(modelId, 3 ether);
        registry.setChallengeWindow(modelId, 2 hours);
        registry.setDeprecated(bareModelId, true);
        vm.stopPrank();
        OracleSettings.ModelCopy memory m = oracle.modelCopy(modelId);
        assertEq(m.inputLength, 2);
        assertEq(m.outputLength, 2);
        assertEq(m.inputMin, -1024);
        assertEq(m.inputMax, 1024);
        assertEq(m.fee, FEE);
        assertEq(m.minBond, 3 ether);
        assertEq(m.challengeWindow, 2 hours);
        assertTrue(m.reexecutable);
        assertFalse(m.deprecated);
        assertEq(m.verifierVersion, 1);
        OracleSettings.ModelCopy memory bare = oracle.modelCopy(bareModelId);
        assertTrue(bare.deprecated);
        assertFalse(bare.reexecutable);
        assertEq(bare.verifierVersion, 0);
    }

    function test_syncModel_anyoneMayCall() public {
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ModelSynced(modelId, 1);
        vm.prank(stranger);
        oracle.syncModel(modelId);
        assertEq(oracle.modelCopy(modelId).verifierCount, 1, "an unchanged verifier keeps its version");
    }

    function test_syncModel_revertsUnlessTheRegistryNamesThisOracle() public {
        vm.prank(owner);
        registry.setOracle(address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleRegistryNotLinked.selector, address(registry), address(0)
            )
        );
        oracle.syncModel(modelId);
    }

    function test_requestInference_copiesAModelRegisteredBeforeTheLink() public {
        vm.startPrank(owner);
        registry.setOracle(address(0));
        uint256 late = registry.registerModel(_spec(smallEncoding, 2, OutputKind.Logits, verifier), smallEncoding);
        registry.setOracle(address(oracle));
        vm.stopPrank();
        assertEq(oracle.modelCopy(late).inputLength, 0, "not copied yet");
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ModelSynced(late, 1);
        uint256 id = consumer.request(late, _defaultInput(), CALLBACK_GAS, FEE);
        _assertState(id, RequestState.Requested);
        assertEq(address(oracle.verifierOf(late, 1)), address(verifier));
    }

    function test_setOracle_isOwnerOnlyAndEmits() public {
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, address(this)));
        registry.setOracle(address(1));
        vm.expectEmit(address(registry));
        emit IModelRegistry.OracleChanged(address(oracle), address(1));
        vm.prank(owner);
        registry.setOracle(address(1));
        assertEq(registry.oracle(), address(1));
    }

    function test_syncModel_versionsVerifiers() public {
        TestVerifier second = new TestVerifier(keccak256(smallEncoding));
        vm.expectEmit(address(oracle));
        emit IOracleEvents.ModelSynced(modelId, 2);
        vm.prank(owner);
        registry.setVerifier(modelId, second);
        assertEq(address(oracle.verifierOf(modelId, 1)), address(verifier), "the old version is kept");
        assertEq(address(oracle.verifierOf(modelId, 2)), address(second));
        assertEq(oracle.modelCopy(modelId).verifierVersion, 2);

        vm.expectEmit(address(oracle));
        emit IOracleEvents.ModelSynced(modelId, 0);
        vm.prank(owner);
        registry.setVerifier(modelId, IInferenceVerifier(address(0)));
        assertEq(oracle.modelCopy(modelId).verifierVersion, 0);
        assertEq(oracle.modelCopy(modelId).verifierCount, 2);
        assertEq(address(oracle.verifierOf(modelId, 0)), address(0));

        // Restoring the first verifier makes a new version: versions are never reused.
        vm.prank(owner);
        registry.setVerifier(modelId, verifier);
        assertEq(oracle.modelCopy(modelId).verifierVersion, 3);
        assertEq(address(oracle.verifierOf(modelId, 3)), address(verifier));
        assertEq(address(oracle.verifierOf(modelId, 2)), address(second));
    }

    function test_syncModel_verifierSwapDoesNotChangeARequestInFlight() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 old, RequestTerms memory oldTerms) = _request(input);
        TestVerifier second = new TestVerifier(keccak256(smallEncoding));
        vm.prank(owner);
        registry.setVerifier(modelId, second);
        (uint256 fresh, RequestTerms memory freshTerms) = _request(input);
        freshTerms.verifierVersion = 2;
        (,, uint256 commitment) = oracle.requestRecord(fresh);
        assertEq(commitment, oracle.commitmentOf(fresh, freshTerms, Proposal(address(0), address(0), 0, 0)));

        // Only the first verifier knows this pair: it decides the old request, not the new one.
        verifier.setProven(input, output, true);
        bytes memory proof = verifier.proofFor(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, fresh));
        vm.prank(stranger);
        oracle.proposeWithProof(fresh, freshTerms, input, output, proof);
        vm.prank(stranger);
        oracle.proposeWithProof(old, oldTerms, input, output, proof);
        _assertState(old, RequestState.Finalized);

        second.setProven(input, output, true);
        proof = second.proofFor(stranger);
        vm.prank(stranger);
        oracle.proposeWithProof(fresh, freshTerms, input, output, proof);
        _assertState(fresh, RequestState.Finalized);
    }

    function test_syncModel_removedVerifierStillDecidesDisputesInFlight() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(false);
        vm.prank(owner);
        registry.setVerifier(modelId, IInferenceVerifier(address(0)));
        _markProven(_defaultInput(), correct);
        bytes memory proof = _proof(stranger);
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, _defaultInput(), correct, proof);
        _assertState(id, RequestState.Finalized);
        // A new request has no verifier, but the weights still decide its disputes within the dispute window.
        int256[] memory input = _input(7, 7);
        RequestTerms memory fresh = _termsFor(modelId, input, 2);
        fresh.verifierVersion = 0;
        vm.expectEmit(address(oracle));
        emit IOracleEvents.InferenceRequested(oracle.keyedRequestId(modelId, fresh.inputHash), fresh, input);
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
    }

    function test_syncModel_requestsMadeWithoutAVerifierAreDecidedByReexecution() public {
        vm.prank(owner);
        registry.setVerifier(modelId, IInferenceVerifier(address(0)));
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        terms.verifierVersion = 0;
        Proposal memory p = _propose(id, terms, _wrong(correct));
        Proposal memory d = _challenge(id, terms, p);
        _markProven(input, correct);
        bytes memory proof = _proof(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, modelId));
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, input, correct, proof);
        // Restoring the verifier does not help a request made without one.
        vm.prank(owner);
        registry.setVerifier(modelId, verifier);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, modelId));
        vm.prank(stranger);
        disputes().resolveWithProof(id, terms, d, input, correct, proof);
        disputes().resolveByReexecution(id, terms, d, input);
        _assertCached(input, correct, Provenance.Reexecution);
    }

    function test_correctCacheWithProof_usesTheModelsCurrentVerifier() public {
        int256[] memory input = _defaultInput();
        int256[] memory output = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        _finalizeOptimistic(id, terms, _wrong(output));
        TestVerifier second = new TestVerifier(keccak256(smallEncoding));
        vm.prank(owner);
        registry.setVerifier(modelId, second);
        verifier.setProven(input, output, true);
        bytes memory oldProof = verifier.proofFor(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, 0));
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, output, oldProof);
        second.setProven(input, output, true);
        bytes memory newProof = second.proofFor(stranger);
        vm.prank(stranger);
        disputes().correctCacheWithProof(modelId, input, output, newProof);
        _assertCached(input, output, Provenance.Proof);
        // Without a verifier no proof corrects the cache.
        vm.prank(owner);
        registry.setVerifier(modelId, IInferenceVerifier(address(0)));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoVerifier.selector, modelId));
        disputes().correctCacheWithProof(modelId, input, output, newProof);
    }

    function test_setDeprecated_stopsNewRequestsButNotOpenOnes() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.prank(owner);
        registry.setDeprecated(modelId, true);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleModelDeprecated.selector, modelId));
        consumer.request(modelId, _input(9, 9), CALLBACK_GAS, FEE);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
        _assertState(id, RequestState.Finalized);
    }

    function _implementation(address proxy) internal view returns (address) {
        return
            address(
                uint160(uint256(vm.load(proxy, 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc)))
            );
    }
}
