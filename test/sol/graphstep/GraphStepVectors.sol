// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, console} from "forge-std/Test.sol";
import {GraphStepRunner} from "./GraphStepRunner.sol";

/// @notice Steps of the committed GPT's real trace (test/vectors/graph-steps.json, `npm run vectors:graph-steps`):
/// each vector is the calldata of {GraphStepRunner.execute} for one step and the state hash the TypeScript reference
/// (lib/semantics/graph-trace.ts) has after it. A family's test runs every vector of the family.
abstract contract GraphStepVectors is Test {
    string internal constant VECTORS = "test/vectors/graph-steps.json";
    GraphStepRunner internal runner;

    function setUp() public virtual {
        runner = new GraphStepRunner();
    }

    /// @dev The vectors, read when used: kept in storage, their 3 MB would cost more gas than a test frame has.
    function _json() internal view returns (string memory) {
        return vm.readFile(VECTORS);
    }

    /// @dev Runs every vector of `family`; returns how many there were and the largest transaction's gas
    /// (21,000 + calldata + execution) among them.
    function _checkFamily(string memory family) internal returns (uint256 checked, uint256 heaviest) {
        string memory json = _json();
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(n), "]"))) {
            string memory key = string.concat(".vectors[", vm.toString(n), "]");
            ++n;
            if (keccak256(bytes(vm.parseJsonString(json, string.concat(key, ".family")))) != keccak256(bytes(family))) {
                continue;
            }
            string memory name = vm.parseJsonString(json, string.concat(key, ".name"));
            bytes memory data = vm.parseJsonBytes(json, string.concat(key, ".calldata"));
            uint256 before = gasleft();
            (bool ok, bytes memory ret) = address(runner).staticcall(data);
            uint256 used = before - gasleft();
            assertTrue(ok, string.concat("reverted: ", name));
            assertEq(abi.decode(ret, (bytes32)), vm.parseJsonBytes32(json, string.concat(key, ".post")), name);
            uint256 txGas = 21_000 + _calldataGas(data) + used;
            console.log("%s: %d gas", name, txGas);
            if (txGas > heaviest) heaviest = txGas;
            ++checked;
        }
        assertGt(checked, 0, "no vector of the family");
    }

    /// @dev The calldata cost of EIP-2028: 4 gas a zero byte, 16 a non-zero one.
    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i = 0; i < data.length; ++i) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev The first vector of op `op`.
    function _find(string memory op) internal view returns (uint256 n) {
        string memory json = _json();
        while (keccak256(bytes(vm.parseJsonString(json, string.concat(".vectors[", vm.toString(n), "].op")))) != keccak256(bytes(op))) {
            ++n;
        }
    }

    /// @dev The calldata of vector `n`.
    function _calldata(uint256 n) internal view returns (bytes memory) {
        return vm.parseJsonBytes(_json(), string.concat(".vectors[", vm.toString(n), "].calldata"));
    }
}
