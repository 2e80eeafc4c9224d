// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";

/// @notice The oracle's implementation leaves room under EIP-170 for an upgrade that adds code: an upgrade deploys a
/// new implementation, and one that no longer fits cannot be deployed at all (only its modules can take more code).
/// @dev The contracts come from their build artifacts ({ProtocolArtifacts}).
contract CodeSizeTest is Test {
    /// @dev EIP-170: the largest runtime code a contract may have.
    uint256 internal constant MAX_CODE_SIZE = 24_576;
    /// @dev The room kept: an upgrade of the size of the upgrade fixture InferenceOracleV2 (its own ERC-7201 namespace,
    /// a reinitializer and two views: 1,020 bytes more than the oracle) must fit. When this fails, move code into a
    /// module (rarely used entry points run in the dispute module, see `InferenceOracle._delegate`) rather than
    /// lowering it.
    uint256 internal constant UPGRADE_ROOM = 1_024;

    function test_oracleImplementation_leavesRoomForAnUpgrade() public {
        address oracle = ProtocolArtifacts.oracleImplementation();
        uint256 size = oracle.code.length;
        emit log_named_uint("InferenceOracle runtime bytes", size);
        emit log_named_uint("room under EIP-170", MAX_CODE_SIZE - size);
        assertLe(size + UPGRADE_ROOM, MAX_CODE_SIZE, "InferenceOracle leaves less room than an upgrade needs");
    }
}
