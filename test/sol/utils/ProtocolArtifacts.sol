// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

/// @notice The protocol's implementations deployed from their build artifacts (`vm.deployCode`) rather than with
/// `new`. A contract that says `new InferenceOracle(...)` makes solc compile the oracle, its modules and everything
/// they create into the same compilation, and the test contracts that also carry Safe, the timelock and an upgrade
/// fixture then take solcjs past its WebAssembly memory. From artifacts, a test only needs the types.
library ProtocolArtifacts {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    string internal constant ORACLE = "src-sol/oracle/InferenceOracle.sol:InferenceOracle";
    string internal constant REGISTRY = "src-sol/registry/ModelRegistry.sol:ModelRegistry";

    /// @dev An oracle implementation (`artifact` takes the oracle's constructor) with fresh modules.
    function oracleImplementation(string memory artifact) internal returns (address) {
        address batchModule = VM.deployCode("src-sol/oracle/BatchModule.sol:BatchModule");
        address bisectionModule = VM.deployCode("src-sol/oracle/BisectionModule.sol:BisectionModule");
        return VM.deployCode(artifact, abi.encode(batchModule, bisectionModule));
    }

    /// @dev The oracle's implementation with fresh modules.
    function oracleImplementation() internal returns (address) {
        return oracleImplementation(ORACLE);
    }

    function registryImplementation() internal returns (address) {
        return VM.deployCode(REGISTRY);
    }

    /// @dev The stateless step executor of graph (generation) models.
    function graphStepExecutor() internal returns (address) {
        return VM.deployCode("src-sol/bisection/GraphStepExecutor.sol:GraphStepExecutor");
    }

    /// @dev Any other artifact without constructor arguments (upgrade fixtures).
    function deploy(string memory artifact) internal returns (address) {
        return VM.deployCode(artifact);
    }
}
