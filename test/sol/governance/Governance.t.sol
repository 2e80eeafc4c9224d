// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";

import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {ModelRegistry} from "../../../src-sol/registry/ModelRegistry.sol";
import {IDisputes} from "../../../src-sol/interfaces/IDisputes.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IPauseGuardian} from "../../../src-sol/interfaces/IPauseGuardian.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestState, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {Enum} from "@safe-global/safe-contracts/contracts/common/Enum.sol";
import {GovernanceFixture} from "./GovernanceFixture.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";

contract GovernanceTest is GovernanceFixture {
    bytes32 internal constant SALT = keccak256("salt");

    function _newSpec() internal pure returns (IModelRegistry.ModelSpec memory) {
        return
            _spec(ModelEncoder.encode(ModelEncoder.smallArgMax()), 1, OutputKind.ArgMax, IInferenceVerifier(address(0)));
    }

    function _registerCall() internal pure returns (bytes memory) {
        return abi.encodeCall(ModelRegistry.registerModel, (_newSpec(), ""));
    }

    function _expectOwnable(address caller) internal {
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, caller));
    }

    function _stateBitmap(TimelockController.OperationState s) internal pure returns (bytes32) {
        return bytes32(uint256(1) << uint8(s));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------------------

    function test_roles_timelockOwnsEverythingAndSafeOnlyProposes() public view {
        assertEq(registry.owner(), address(timelock));
        assertEq(oracle.owner(), address(timelock));
        assertEq(oracle.pauseGuardian(), guardian);
        (,, address arb) = oracle.addresses();
        assertEq(arb, address(arbitrationSafe));
        assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE(), address(safe)));
        assertTrue(timelock.hasRole(timelock.CANCELLER_ROLE(), address(safe)));
        assertTrue(timelock.hasRole(timelock.EXECUTOR_ROLE(), address(0)), "open execution");
        assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)));
        for (uint256 i = 0; i < OWNERS; ++i) {
            assertFalse(timelock.hasRole(timelock.PROPOSER_ROLE(), safeOwners[i]));
            assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), safeOwners[i]));
        }
        assertFalse(timelock.hasRole(timelock.CANCELLER_ROLE(), guardian));
        assertEq(safe.getThreshold(), THRESHOLD);
        assertEq(safe.getOwners().length, OWNERS);
        assertEq(timelock.getMinDelay(), MIN_DELAY);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Only the timelock registers, sets parameters and upgrades
    // ---------------------------------------------------------------------------------------------------------

    function test_registerModel_onlyTimelock() public {
        address[4] memory callers = [owner, address(safe), safeOwners[0], guardian];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectOwnable(callers[i]);
            registry.registerModel(_newSpec(), "");
        }
        uint256 before = registry.modelCount();
        _govern(address(registry), _registerCall());
        assertEq(registry.modelCount(), before + 1);
        assertEq(registry.getModel(before + 1).spec.modelHash, _newSpec().modelHash);
    }

    function test_setFee_onlyTimelock() public {
        vm.prank(address(safe));
        _expectOwnable(address(safe));
        registry.setFee(modelId, 1);
        _govern(address(registry), abi.encodeCall(ModelRegistry.setFee, (modelId, 2 * FEE)));
        assertEq(registry.modelTerms(modelId).fee, 2 * FEE);
    }

    function test_setWindows_onlyTimelock() public {
        vm.prank(address(safe));
        _expectOwnable(address(safe));
        oracle.setWindows(2 days, 2 days, 12 days);
        _govern(address(oracle), abi.encodeCall(InferenceOracle.setWindows, (2 days, 2 days, 12 days)));
        assertEq(oracle.periods().disputeWindow, 2 days);
        assertEq(oracle.periods().unbondingDelay, 12 days);
    }

    function test_upgrade_onlyTimelock() public {
        address impl = ProtocolArtifacts.oracleImplementation();
        address[3] memory callers = [owner, address(safe), guardian];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectOwnable(callers[i]);
            oracle.upgradeToAndCall(impl, "");
        }
        _govern(address(oracle), abi.encodeCall(oracle.upgradeToAndCall, (impl, "")));
        assertEq(address(uint160(uint256(vm.load(address(oracle), ERC1967Utils.IMPLEMENTATION_SLOT)))), impl);
    }

    function test_updateDelay_onlyThroughTimelock() public {
        vm.prank(address(safe));
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, address(safe)));
        timelock.updateDelay(1);
        _govern(address(timelock), abi.encodeCall(TimelockController.updateDelay, (7 days)));
        assertEq(timelock.getMinDelay(), 7 days);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Safe threshold, delay, cancel
    // ---------------------------------------------------------------------------------------------------------

    function test_schedule_revertsBelowSafeThreshold() public {
        bytes memory call = _scheduleCall(address(registry), _registerCall(), SALT);
        bytes memory one = _sign(_safeTxHash(safe, address(timelock), call), THRESHOLD - 1);
        vm.prank(safeOwners[0]);
        vm.expectRevert(bytes("GS020")); // signatures data too short
        safe.execTransaction(address(timelock), 0, call, _op(), 0, 0, 0, address(0), payable(address(0)), one);
        // Owners cannot go around the Safe.
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.prank(safeOwners[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, safeOwners[0], proposerRole
            )
        );
        timelock.schedule(address(registry), 0, _registerCall(), bytes32(0), SALT, MIN_DELAY);
        assertEq(
            uint8(timelock.getOperationState(_id(_registerCall()))), uint8(TimelockController.OperationState.Unset)
        );
    }

    function test_schedule_revertsWithForeignSignature() public {
        bytes memory call = _scheduleCall(address(registry), _registerCall(), SALT);
        bytes32 hash = _safeTxHash(safe, address(timelock), call);
        (, uint256 strangerKey) = makeAddrAndKey("notAnOwner");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(strangerKey, hash);
        bytes memory sigs = bytes.concat(_sign(hash, 1), r, s, bytes1(v));
        vm.expectRevert(); // GS026 (not an owner) or GS024 (out of order), depending on the address
        safe.execTransaction(address(timelock), 0, call, _op(), 0, 0, 0, address(0), payable(address(0)), sigs);
    }

    function test_schedule_revertsWithDelayBelowMinimum() public {
        bytes memory call = abi.encodeCall(
            TimelockController.schedule, (address(registry), 0, _registerCall(), 0, SALT, MIN_DELAY - 1)
        );
        bytes memory sigs = _sign(_safeTxHash(safe, address(timelock), call), THRESHOLD);
        vm.expectRevert(bytes("GS013")); // the inner call (TimelockInsufficientDelay) failed
        safe.execTransaction(address(timelock), 0, call, _op(), 0, 0, 0, address(0), payable(address(0)), sigs);
    }

    function test_execute_revertsBeforeDelay() public {
        bytes memory data = _registerCall();
        bytes32 id = _schedule(address(registry), data, SALT);
        assertEq(uint8(timelock.getOperationState(id)), uint8(TimelockController.OperationState.Waiting));
        vm.warp(block.timestamp + MIN_DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                _stateBitmap(TimelockController.OperationState.Ready)
            )
        );
        timelock.execute(address(registry), 0, data, bytes32(0), SALT);
        vm.warp(block.timestamp + 1);
        assertEq(uint8(timelock.getOperationState(id)), uint8(TimelockController.OperationState.Ready));
        _execute(address(registry), data, SALT);
        assertEq(uint8(timelock.getOperationState(id)), uint8(TimelockController.OperationState.Done));
        // Executed once only.
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                _stateBitmap(TimelockController.OperationState.Ready)
            )
        );
        timelock.execute(address(registry), 0, data, bytes32(0), SALT);
    }

    function test_cancel_bySafeStopsExecution() public {
        bytes memory data = abi.encodeCall(oracle.upgradeToAndCall, (ProtocolArtifacts.oracleImplementation(), ""));
        bytes32 id = _schedule(address(oracle), data, SALT);
        bytes32 cancellerRole = timelock.CANCELLER_ROLE();
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, cancellerRole)
        );
        timelock.cancel(id);
        _execSafe(safe, address(timelock), abi.encodeCall(TimelockController.cancel, (id)), THRESHOLD);
        assertEq(uint8(timelock.getOperationState(id)), uint8(TimelockController.OperationState.Unset));
        vm.warp(block.timestamp + MIN_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                _stateBitmap(TimelockController.OperationState.Ready)
            )
        );
        timelock.execute(address(oracle), 0, data, bytes32(0), SALT);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Guardian
    // ---------------------------------------------------------------------------------------------------------

    function test_pause_byGuardianStopsRequestsAndProposals() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        vm.prank(guardian);
        vm.expectEmit(address(oracle));
        emit IOracleEvents.PausedChanged(true);
        oracle.pause();
        assertTrue(oracle.paused());
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        consumer.request(modelId, _input(1, 2), CALLBACK_GAS, FEE);
        vm.prank(proposer);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        oracle.propose(id, terms, _correct(_defaultInput()));
        vm.prank(proposer);
        vm.expectRevert(IOracleEvents.InferenceOraclePaused.selector);
        oracle.proposeWithProof(id, terms, _defaultInput(), _correct(_defaultInput()), "");
    }

    function test_pause_revertsForOthers() public {
        address[3] memory callers = [stranger, address(safe), safeOwners[0]];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IPauseGuardian.PauseGuardianUnauthorizedAccount.selector, callers[i])
            );
            oracle.pause();
        }
    }

    function testFuzz_pause_onlyGuardianOrOwner(address caller) public {
        vm.assume(caller != guardian && caller != address(timelock));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IPauseGuardian.PauseGuardianUnauthorizedAccount.selector, caller));
        oracle.pause();
        assertFalse(oracle.paused());
    }

    function testFuzz_execute_revertsAnyTimeBeforeDelay(uint256 wait) public {
        wait = bound(wait, 0, MIN_DELAY - 1);
        bytes memory data = abi.encodeCall(InferenceOracle.setPaused, (true));
        bytes32 id = _schedule(address(oracle), data, SALT);
        vm.warp(block.timestamp + wait);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                _stateBitmap(TimelockController.OperationState.Ready)
            )
        );
        timelock.execute(address(oracle), 0, data, bytes32(0), SALT);
        assertFalse(oracle.paused());
    }

    function test_pause_guardianCannotUnpauseUpgradeOrRedirectFunds() public {
        address impl = ProtocolArtifacts.oracleImplementation();
        vm.startPrank(guardian);
        oracle.pause();
        _expectOwnable(guardian);
        oracle.setPaused(false);
        _expectOwnable(guardian);
        oracle.upgradeToAndCall(impl, "");
        _expectOwnable(guardian);
        oracle.setTreasury(guardian);
        _expectOwnable(guardian);
        oracle.setArbitrator(guardian);
        _expectOwnable(guardian);
        oracle.setPauseGuardian(stranger);
        _expectOwnable(guardian);
        registry.setFee(modelId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, timelock.PROPOSER_ROLE()
            )
        );
        timelock.schedule(address(oracle), 0, abi.encodeCall(InferenceOracle.setPaused, (false)), 0, SALT, MIN_DELAY);
        RequestTerms memory terms = _termsFor(modelId, _defaultInput(), 2);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleUnauthorizedArbitrator.selector, guardian));
        disputes().resolveByArbitration(1, terms, Proposal(proposer, challenger, 0, 0), _defaultInput());
        vm.stopPrank();
        assertTrue(oracle.paused());
        // Only the timelock unpauses.
        _govern(address(oracle), abi.encodeCall(InferenceOracle.setPaused, (false)));
        assertFalse(oracle.paused());
    }

    function test_pause_neverTrapsFunds() public {
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(_correct(_defaultInput()));
        (uint256 other, RequestTerms memory otherTerms) = _request(_input(5, 6));
        vm.prank(guardian);
        oracle.pause();
        // A pending proposal still finalizes and pays the proposer.
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, _correct(_defaultInput()));
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        // An unanswered request expires and refunds its fee.
        vm.warp(otherTerms.deadline + 1);
        disputes().expire(other, otherTerms);
        assertEq(oracle.claimableOf(address(consumer)), FEE);
        consumer.claimCredit(payable(stranger));
        assertEq(stranger.balance, FEE);
        // Stake can still leave.
        vm.startPrank(challenger);
        oracle.requestWithdrawal(STAKE);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        oracle.withdrawStake(payable(challenger), STAKE);
        vm.stopPrank();
        assertEq(challenger.balance, STAKE);
    }

    function test_setPauseGuardian_throughTimelock() public {
        address next = makeAddr("nextGuardian");
        bytes memory data = abi.encodeCall(oracle.setPauseGuardian, (next));
        _schedule(address(oracle), data, SALT);
        vm.warp(block.timestamp + MIN_DELAY);
        vm.expectEmit(address(oracle));
        emit IPauseGuardian.PauseGuardianChanged(guardian, next);
        _execute(address(oracle), data, SALT);
        assertEq(oracle.pauseGuardian(), next);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IPauseGuardian.PauseGuardianUnauthorizedAccount.selector, guardian));
        oracle.pause();
        vm.prank(next);
        oracle.pause();
        assertTrue(oracle.paused());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Arbitration: the arbitration Safe decides directly; the timelock decides who arbitrates
    // ---------------------------------------------------------------------------------------------------------

    function test_resolveByArbitration_byArbitrationSafe() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputedBare();
        bytes memory call = abi.encodeCall(IDisputes.resolveByArbitration, (id, terms, d, correct));
        vm.expectRevert(bytes("GS020"));
        this.execArbitration(call, THRESHOLD - 1);
        this.execArbitration(call, THRESHOLD);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertEq(_locked(proposer), 0);
    }

    function test_setArbitrator_onlyTimelock() public {
        address next = makeAddr("nextArbitrator");
        vm.prank(address(arbitrationSafe));
        _expectOwnable(address(arbitrationSafe));
        oracle.setArbitrator(next);
        _govern(address(oracle), abi.encodeCall(InferenceOracle.setArbitrator, (next)));
        (,, address arb) = oracle.addresses();
        assertEq(arb, next);
    }

    /// @dev External so that `vm.expectRevert` sees the Safe's revert as the next call.
    function execArbitration(bytes memory call, uint256 signers) external {
        _execSafe(arbitrationSafe, address(oracle), call, signers);
    }

    function _id(bytes memory data) internal view returns (bytes32) {
        return timelock.hashOperation(address(registry), 0, data, bytes32(0), SALT);
    }

    function _op() internal pure returns (Enum.Operation) {
        return Enum.Operation.Call;
    }
}
