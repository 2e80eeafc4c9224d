// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStepExecutor} from "../interfaces/IStepExecutor.sol";
import {GraphStep} from "../libraries/GraphStep.sol";

/// @title GraphStepExecutor
/// @notice The step executor of generation models (integer graphs, docs/SEMANTICS.md "Graph traces"): runs one
/// "VGS1" step with {GraphStep}. It is a contract of its own, named by the registry beside a graph model's steps
/// commitment, so that neither the oracle nor its bisection module carries the graph ops' code; it holds no state.
contract GraphStepExecutor is IStepExecutor {
    /// @notice Thrown when the witness is not the ABI encoding of one `GraphStep.Witness` (its first word is not 0x20).
    error GraphStepExecutorMalformedWitness();

    /// @inheritdoc IStepExecutor
    /// @dev `witness` is `abi.encode(GraphStep.Witness)`.
    function executeStep(bytes calldata step, int256[] calldata pre, bytes calldata witness)
        external
        pure
        returns (bytes32)
    {
        return GraphStep.execute(step, pre, _witness(witness));
    }

    /// @dev The witness as a calldata struct read in place (`abi.decode` would copy its ~30 kB of rows to memory). Its
    /// offsets are relative to the tuple, as in `abi.encode`; whatever they point at is bound by hashes before it is
    /// used (rows to the row hashes, row hashes to the state's tensor hashes), and reads past the calldata revert.
    function _witness(bytes calldata witness) private pure returns (GraphStep.Witness calldata w) {
        // abi.encode of a single dynamic tuple: its offset (0x20), then the tuple.
        if (witness.length < 32 || uint256(bytes32(witness[0:32])) != 32) revert GraphStepExecutorMalformedWitness();
        assembly ("memory-safe") {
            w := add(witness.offset, 32)
        }
    }
}
