// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a model's output is (docs/SEMANTICS.md): the last layer's values, or the index of the largest.
enum OutputKind {
    Logits,
    ArgMax
}

/// @notice The one state enum of a request. `Finalized`, `Failed` and `Expired` are terminal.
enum RequestState {
    None,
    Requested,
    Proposed,
    Disputed,
    Finalized,
    Failed,
    Expired
}

/// @notice Why a request ended without a result; delivered to the consumer's `failInference`.
enum InferenceError {
    None,
    /// The input has the wrong number of values for the model.
    InvalidInputLength,
    /// An input value lies outside the model's `[inputMin, inputMax]`.
    InputOutOfRange,
    /// No operator proposed an output before the request deadline.
    NoProposal,
    /// A dispute was not resolved (proof, re-execution or arbitration) before its deadline.
    DisputeUnresolved
}

/// @notice The terms of a request, fixed when it is made. The oracle stores only a hash of them (with the
/// proposal); every later call re-supplies them in calldata, read from the {IInferenceOracle-InferenceRequested}
/// event, and the oracle checks them against the stored commitment.
/// @param requester The consumer called back on completion.
/// @param modelId The registry id of the model.
/// @param callbackGasLimit Gas forwarded to the consumer's callback.
/// @param fee The escrowed fee paid to the operator whose output is finalized.
/// @param bond The bond a proposer (and a challenger) locks, the model's `minBond` at request time.
/// @param challengeWindow Seconds a proposal stays open to challenges, the model's window at request time.
/// @param outputLength Number of output values, the model's `outputLength`.
/// @param deadline Time after which an unproposed request can be expired.
/// @param inputHash `keccak256(abi.encodePacked(input))`.
struct RequestTerms {
    address requester;
    uint64 modelId;
    uint32 callbackGasLimit;
    uint96 fee;
    uint96 bond;
    uint32 challengeWindow;
    uint16 outputLength;
    uint40 deadline;
    bytes32 inputHash;
}

/// @notice A proposal whose challenge window has passed, finalized alongside a new proposal
/// ({IInferenceOracle-proposeAndFinalize}): the arguments of {IInferenceOracle-finalize}.
struct MaturedProposal {
    uint256 requestId;
    RequestTerms terms;
    Proposal proposal;
    int256[] output;
}

/// @notice A proposal and its challenge, zero while the request is only `Requested`.
/// @param proposer The operator who proposed `outputHash` and locked `terms.bond`.
/// @param challenger The operator who challenged and locked an equal bond, zero if unchallenged.
/// @param outputHash `keccak256(abi.encodePacked(output))` of the proposed output.
struct Proposal {
    address proposer;
    address challenger;
    bytes32 outputHash;
}
