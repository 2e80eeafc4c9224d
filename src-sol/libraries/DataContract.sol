// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title DataContract
/// @notice Stores a byte string as the code of a new contract (the SSTORE2 pattern): writing costs about
/// 200 gas per byte once, reading is one EXTCODECOPY. The code starts with a STOP byte, so calling the data
/// contract does nothing.
library DataContract {
    /// @dev Init code prefix: PUSH2 <size>, DUP1, PUSH1 0x0a, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN.
    /// It copies the `size` bytes that follow it (the runtime: 0x00 ++ data) to memory and returns them.
    bytes1 private constant PUSH2 = 0x61;
    bytes7 private constant COPY_AND_RETURN = 0x80600a3d393df3;
    bytes1 private constant STOP = 0x00;

    /// @notice Deploys `data` as contract code and returns the data contract, or zero if creation failed.
    function write(bytes memory data) internal returns (address pointer) {
        bytes memory initCode = abi.encodePacked(PUSH2, uint16(data.length + 1), COPY_AND_RETURN, STOP, data);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
    }
}
