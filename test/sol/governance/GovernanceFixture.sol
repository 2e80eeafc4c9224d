// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Safe} from "@safe-global/safe-contracts/contracts/Safe.sol";
import {SafeProxyFactory} from "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol";
import {
    CompatibilityFallbackHandler
} from "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol";
import {Enum} from "@safe-global/safe-contracts/contracts/common/Enum.sol";

import {OracleFixture} from "../utils/OracleFixture.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";
import {GovernanceDeploy} from "../../../script/governance/GovernanceDeploy.sol";

/// @notice The oracle fixture handed to governance: a 2-of-3 Safe proposes and cancels on a 2-day timelock that owns
/// the registry and the oracle; a 2-of-3 arbitration Safe arbitrates; `guardian` may pause.
/// This is also the migration path of an EOA-owned deployment (see docs/GOVERNANCE.md).
abstract contract GovernanceFixture is OracleFixture, GovernanceDeploy {
    uint256 internal constant MIN_DELAY = 2 days;
    uint256 internal constant THRESHOLD = 2;
    uint256 internal constant OWNERS = 3;

    Safe internal safe;
    Safe internal arbitrationSafe;
    TimelockController internal timelock;
    /// Safe owners in ascending address order (the order Safe wants signatures in), with their keys.
    address[] internal safeOwners;
    uint256[] internal safeOwnerKeys;
    address internal guardian = makeAddr("guardian");

    function setUp() public virtual override {
        super.setUp();
        for (uint256 i = 0; i < OWNERS; ++i) {
            (address a, uint256 k) = makeAddrAndKey(string.concat("safeOwner", vm.toString(i)));
            safeOwners.push(a);
            safeOwnerKeys.push(k);
        }
        _sortOwners();
        Deployment memory infra;
        infra.safeSingleton = address(new Safe());
        infra.safeProxyFactory = address(new SafeProxyFactory());
        infra.fallbackHandler = address(new CompatibilityFallbackHandler());
        safe = _deploySafe(infra, SafeConfig(safeOwners, THRESHOLD), 0);
        arbitrationSafe = _deploySafe(infra, SafeConfig(safeOwners, THRESHOLD), 1);
        timelock = _deployTimelock(MIN_DELAY, address(safe));

        vm.startPrank(owner);
        oracle.setPauseGuardian(guardian);
        oracle.setArbitrator(address(arbitrationSafe));
        oracle.transferOwnership(address(timelock));
        registry.transferOwnership(address(timelock));
        vm.stopPrank();
    }

    function _deployImplementations() internal override returns (address, address) {
        return (ProtocolArtifacts.registryImplementation(), ProtocolArtifacts.oracleImplementation());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Safe
    // ---------------------------------------------------------------------------------------------------------

    /// @dev The EIP-712 SafeTx hash of a plain call at the Safe's current nonce.
    function _safeTxHash(Safe s, address to, bytes memory data) internal view returns (bytes32) {
        return s.getTransactionHash(to, 0, data, Enum.Operation.Call, 0, 0, 0, address(0), address(0), s.nonce());
    }

    /// @dev Signatures of the first `signers` owners (ascending addresses), 65 bytes each.
    function _sign(bytes32 hash, uint256 signers) internal view returns (bytes memory sigs) {
        for (uint256 i = 0; i < signers; ++i) {
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(safeOwnerKeys[i], hash);
            sigs = bytes.concat(sigs, r, sig, bytes1(v));
        }
    }

    /// @dev Executes a call from `s` with `signers` owner signatures (submitted by a stranger: anyone may relay).
    function _execSafe(Safe s, address to, bytes memory data, uint256 signers) internal returns (bool) {
        bytes memory sigs = _sign(_safeTxHash(s, to, data), signers);
        vm.prank(stranger);
        return s.execTransaction(to, 0, data, Enum.Operation.Call, 0, 0, 0, address(0), payable(address(0)), sigs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timelock
    // ---------------------------------------------------------------------------------------------------------

    function _scheduleCall(address target, bytes memory data, bytes32 salt) internal pure returns (bytes memory) {
        return abi.encodeCall(TimelockController.schedule, (target, 0, data, bytes32(0), salt, MIN_DELAY));
    }

    /// @dev The Safe (threshold signatures) schedules `target.call(data)` on the timelock.
    function _schedule(address target, bytes memory data, bytes32 salt) internal returns (bytes32 id) {
        _execSafe(safe, address(timelock), _scheduleCall(target, data, salt), THRESHOLD);
        id = timelock.hashOperation(target, 0, data, bytes32(0), salt);
    }

    /// @dev Anyone executes a Ready operation (execution is open).
    function _execute(address target, bytes memory data, bytes32 salt) internal {
        vm.prank(stranger);
        timelock.execute(target, 0, data, bytes32(0), salt);
    }

    /// @dev Schedule, wait the delay, execute.
    function _govern(address target, bytes memory data) internal {
        bytes32 salt = keccak256(abi.encode(target, data, block.timestamp));
        _schedule(target, data, salt);
        vm.warp(block.timestamp + MIN_DELAY);
        _execute(target, data, salt);
    }

    function _sortOwners() private {
        uint256 n = safeOwners.length;
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && safeOwners[j - 1] > safeOwners[j]; --j) {
                (safeOwners[j - 1], safeOwners[j]) = (safeOwners[j], safeOwners[j - 1]);
                (safeOwnerKeys[j - 1], safeOwnerKeys[j]) = (safeOwnerKeys[j], safeOwnerKeys[j - 1]);
            }
        }
    }
}
