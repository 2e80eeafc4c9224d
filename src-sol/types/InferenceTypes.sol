// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a model's output is (docs/SEMANTICS.md): the last layer's values, or the index of the largest.
enum OutputKind {
    Logits,
    ArgMax
}

/// @notice What a request's `inputHash` is, declared by a model at registration and fixed for its life
/// (docs/PROTOCOL.md, "Input hashes"). `Keccak`: `keccak256(abi.encodePacked(input))`. `Poseidon`: a Poseidon
/// commitment of the input packed into field elements (src-sol/libraries/InputHash.sol), computed by the oracle when
/// the request is made, so that a proof carries it as one public signal instead of the packed input.
enum InputHashKind {
    Keccak,
    Poseidon
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
    /// The arbitrator rejected both the proposer's and the challenger's claim.
    ClaimsRejected
}

/// @notice How a result was settled: recorded with every cache entry, and the set a request accepts from the cache
/// is a bitmask of `1 << uint8(Provenance)` (zero: any). Ordered from weakest to strongest evidence; `Reexecution`
/// and `Proof` are the strong kinds, which can replace a contradicting cache entry (docs/PROTOCOL.md).
enum Provenance {
    None,
    /// An unchallenged proposal after its window, or a challenge nobody substantiated before the dispute ended.
    Optimistic,
    /// The arbitrator chose the proposer's or the challenger's claim (models no proof or re-execution can decide).
    Arbitration,
    /// The model's stored weights were executed on chain.
    Reexecution,
    /// A Groth16 proof verified by the model's verifier.
    Proof
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
/// @param inputHash The input's hash of the model's {InputHashKind}: `keccak256(abi.encodePacked(input))`, or its
/// Poseidon commitment.
/// @param disputeWindow Seconds a dispute stays open to resolution once challenged: the oracle's dispute window when
/// a proof or re-execution can decide it, its arbitration window otherwise; fixed at request time.
/// @param verifierVersion The model's verifier at request time (the oracle keeps every version; 0: none), so a
/// verifier change never re-decides a request in flight.
/// @param accepts The provenances the requester accepts, a bitmask of `1 << uint8(Provenance)`; zero accepts any.
/// Decides whether a cached result may answer the request and whether an optimistic proposal may.
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
    uint32 disputeWindow;
    uint16 verifierVersion;
    uint8 accepts;
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
/// @param claimHash The challenger's claim, `keccak256(abi.encodePacked(output))` of the output it says is right;
/// zero if unchallenged. Arbitration can only choose between the two claims.
struct Proposal {
    address proposer;
    address challenger;
    bytes32 outputHash;
    bytes32 claimHash;
}

/// @notice Time parameters (seconds). `disputeWindow`: how long a dispute a proof or re-execution can decide
/// stays open; `arbitrationWindow`: the same for disputes only the arbitrator can decide.
struct Periods {
    uint32 requestTimeout;
    uint32 disputeWindow;
    uint32 arbitrationWindow;
    uint32 unbondingDelay;
}
