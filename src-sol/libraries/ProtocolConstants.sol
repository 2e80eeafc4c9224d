// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ProtocolConstants
/// @notice Bounds shared by the registry and the oracle (see docs/PROTOCOL.md for the reasons).
library ProtocolConstants {
    /// @notice Largest number of input values of a model (bounds the request event and the input check loop).
    uint256 internal constant MAX_INPUT_LENGTH = 4096;
    /// @notice Largest number of output values of a model (bounds the packed cache entry to 257 slots).
    uint256 internal constant MAX_OUTPUT_LENGTH = 1024;
    /// @notice Shortest challenge window: watchers need time to re-execute and react.
    uint32 internal constant MIN_CHALLENGE_WINDOW = 1 minutes;
    /// @notice Longest challenge window; the unbonding delay must exceed it plus the dispute windows.
    uint32 internal constant MAX_CHALLENGE_WINDOW = 7 days;
    /// @notice Smallest and largest fixed-point scale (docs/SEMANTICS.md).
    uint8 internal constant MIN_SCALE_BITS = 1;
    uint8 internal constant MAX_SCALE_BITS = 32;
    /// @notice Largest canonical encoding stored on chain: the EIP-170 code size limit minus the STOP prefix.
    uint256 internal constant MAX_WEIGHTS_LENGTH = 24_575;
}
