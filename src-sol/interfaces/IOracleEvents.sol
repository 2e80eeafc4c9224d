// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestState, InferenceError, Provenance, RequestTerms} from "../types/InferenceTypes.sol";

/// @title IOracleEvents
/// @notice The errors and events of the inference oracle, shared by all of its modules: one vocabulary for the
/// node, the tests and the modules alike.
interface IOracleEvents {
    // ------------------------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Thrown when a request is not in one of the expected states (`expectedStates` is a bitmap of
    /// `1 << uint8(RequestState)`).
    error InferenceOracleUnexpectedRequestState(uint256 requestId, bytes32 expectedStates);
    /// @notice Thrown when the re-supplied terms and proposal do not hash to the stored commitment.
    error InferenceOracleCommitmentMismatch(uint256 requestId);
    /// @notice Thrown when a re-supplied input does not hash to the request's `inputHash`.
    error InferenceOracleInputMismatch(uint256 requestId, bytes32 inputHash);
    /// @notice Thrown when a supplied output does not hash to the proposed `outputHash`.
    error InferenceOracleOutputMismatch(uint256 requestId, bytes32 outputHash);
    /// @notice Thrown when an output has the wrong length or a value outside int64.
    error InferenceOracleInvalidOutput(uint256 length, uint256 expectedLength);
    /// @notice Thrown when a model is deprecated (no new computations, no cached answers).
    error InferenceOracleModelDeprecated(uint256 modelId);
    /// @notice Thrown when the value sent is below the model's fee.
    error InferenceOracleInsufficientFee(uint256 value, uint256 fee);
    /// @notice Thrown when the callback gas limit is above `MAX_CALLBACK_GAS_LIMIT`.
    error InferenceOracleCallbackGasLimitTooHigh(uint256 callbackGasLimit, uint256 maxCallbackGasLimit);
    /// @notice Thrown when not enough gas is left to give the consumer its full callback gas limit.
    error InferenceOracleInsufficientGasForCallback(uint256 gasLeft, uint256 gasNeeded);
    /// @notice Thrown when a time-bound action comes too early or too late (`opensAt..closesAt`, inclusive).
    error InferenceOracleOutsideWindow(uint256 requestId, uint256 opensAt, uint256 closesAt);
    /// @notice Thrown when free stake is below the amount needed.
    error InferenceOracleInsufficientStake(address operator, uint256 freeStake, uint256 needed);
    /// @notice Thrown when not enough unbonded stake can be withdrawn yet.
    error InferenceOracleUnbonding(address operator, uint256 amount, uint256 readyAt);
    /// @notice Thrown when an amount is zero or does not fit the accounting type.
    error InferenceOracleInvalidAmount(uint256 amount);
    /// @notice Thrown when the request's terms name no verifier (or the model has none, for a cache correction).
    error InferenceOracleNoVerifier(uint256 modelId);
    /// @notice Thrown when the request's model has no stored weights to re-execute.
    error InferenceOracleNotReexecutable(uint256 modelId);
    /// @notice Thrown by {syncModel} when the registry does not name this oracle as the one it keeps informed.
    error InferenceOracleRegistryNotLinked(address registry, address linkedOracle);
    /// @notice Thrown when the model's verifier rejects a proof (for this prover).
    error InferenceOracleInvalidProof(uint256 requestId);
    /// @notice Thrown when the caller is not the arbitrator.
    error InferenceOracleUnauthorizedArbitrator(address caller);
    /// @notice Thrown when arbitration is asked for a dispute a proof or re-execution can decide.
    error InferenceOracleArbitrationNotAllowed(uint256 requestId);
    /// @notice Thrown when the arbitrator's output is neither the proposer's nor the challenger's claim.
    error InferenceOracleNotAClaim(uint256 requestId, bytes32 outputHash);
    /// @notice Thrown when the proposer challenges its own proposal.
    error InferenceOracleSelfChallenge(address operator);
    /// @notice Thrown when a challenge's claim is empty or equals the proposed output.
    error InferenceOracleInvalidClaim(uint256 requestId, bytes32 claimHash);
    /// @notice Thrown when the request's terms do not accept the provenance an action would give its result.
    error InferenceOracleProvenanceNotAccepted(uint256 requestId, Provenance provenance);
    /// @notice Thrown when a request's accepted provenances are malformed or no operator could ever satisfy them.
    error InferenceOracleUnservableAccepts(uint256 modelId, uint8 accepts);
    /// @notice Thrown when a cache correction finds no cached entry it would change.
    error InferenceOracleNothingToCorrect(uint256 modelId, bytes32 inputHash);
    /// @notice Thrown when no callback is owed for a request, or the supplied call is not the one owed.
    error InferenceOracleNoPendingCallback(uint256 requestId);
    /// @notice Thrown when a retried callback reverts or runs out of gas again (it stays owed).
    error InferenceOracleCallbackFailed(uint256 requestId);
    /// @notice Thrown when a parameter is out of its allowed range.
    error InferenceOracleInvalidParameter(bytes32 name, uint256 value);
    /// @notice Thrown when an address parameter is zero.
    error InferenceOracleZeroAddress();
    /// @notice Thrown when new requests are paused.
    error InferenceOraclePaused();
    /// @notice Thrown when an ETH transfer fails.
    error InferenceOracleTransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Emitted for every request, with the full terms and input (the node reads them from here). The model
    /// is `terms.modelId` (not a topic: every request would pay 375 gas for a filter the node does not use).
    event InferenceRequested(uint256 indexed requestId, RequestTerms terms, int256[] input);
    /// @notice Emitted when a request is answered from the cache inside `requestInference` (the request is
    /// Finalized; the output is the cached one, see {cachedResult}); `callbackSucceeded` as in {InferenceFinalized}.
    event CacheHit(
        uint256 indexed requestId, uint256 indexed modelId, bytes32 indexed inputHash, bool callbackSucceeded
    );
    /// @notice Emitted when an output is proposed with a bond. The proposal's `outputHash` is
    /// `keccak256(abi.encodePacked(output))` (not emitted: anyone derives it, and every proposal would pay for it).
    event OutputProposed(uint256 indexed requestId, address indexed proposer, int256[] output);
    /// @notice Emitted when a proposal is challenged; `claimHash` is the output the challenger says is right.
    event ProposalChallenged(uint256 indexed requestId, address indexed challenger, bytes32 claimHash);
    /// @notice Emitted when a dispute is settled. `winner` (zero when both claims were wrong) keeps its bond and
    /// gets `reward` out of each losing bond; `resolver` gets `resolverReward` out of each losing bond; the
    /// treasury gets the rest.
    event DisputeResolved(
        uint256 indexed requestId,
        address indexed winner,
        address indexed resolver,
        Provenance provenance,
        uint256 reward,
        uint256 resolverReward,
        uint256 toTreasury
    );
    /// @notice Emitted when a request is finalized; `callbackSucceeded` tells whether the consumer's callback ran
    /// (when false, the callback is owed: see {CallbackPending}).
    event InferenceFinalized(uint256 indexed requestId, int256[] output, Provenance provenance, bool callbackSucceeded);
    /// @notice Emitted when a request ends without a result (Failed or Expired).
    event InferenceFailed(
        uint256 indexed requestId, RequestState indexed state, InferenceError code, bool callbackSucceeded
    );
    /// @notice Emitted when a consumer callback is owed: it was not made (a settlement never calls the consumer)
    /// or it failed. Anyone may deliver it with {deliverCallback}`(requestId, requester, gasLimit, data)`.
    event CallbackPending(uint256 indexed requestId, address indexed requester, uint32 gasLimit, bytes data);
    /// @notice Emitted when an owed callback is delivered.
    event CallbackDelivered(uint256 indexed requestId);
    /// @notice Emitted when the cache entry of a key is written or replaced by anything but the key's own request
    /// finalizing with its own result (that is told by its {InferenceFinalized}): a duplicate's or a correction's
    /// result, or a waiting strong result taking the entry when the key's own request ends.
    event CacheUpdated(
        uint256 indexed modelId, bytes32 indexed inputHash, bytes32 outputHash, Provenance provenance, bool replaced
    );
    /// @notice Emitted when a strong result waits for the key's own open request (docs/PROTOCOL.md, "The cache"):
    /// it becomes the entry when that request ends, unless that request ends with a strong result of its own.
    event CacheResultWaiting(
        uint256 indexed modelId, bytes32 indexed inputHash, bytes32 outputHash, Provenance provenance
    );
    /// @notice Emitted when an operator deposits stake.
    event StakeDeposited(address indexed operator, uint256 amount);
    /// @notice Emitted when an operator starts unbonding stake.
    event WithdrawalRequested(address indexed operator, uint256 amount, uint256 readyAt);
    /// @notice Emitted when an operator withdraws unbonded stake to `to`.
    event StakeWithdrawn(address indexed operator, address indexed to, uint256 amount);
    /// @notice Emitted when an account's claimable balance is credited (refunds, treasury, resolver rewards).
    event Credited(address indexed account, uint256 amount);
    /// @notice Emitted when an account claims its balance.
    event Claimed(address indexed account, address indexed to, uint256 amount);
    /// @notice Emitted when a parameter changes.
    event ParameterChanged(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice Emitted when the treasury changes.
    event TreasuryChanged(address oldTreasury, address newTreasury);
    /// @notice Emitted when the arbitrator changes.
    event ArbitratorChanged(address oldArbitrator, address newArbitrator);
    /// @notice Emitted when the oracle's copy of a model's terms and verifier is refreshed from the registry;
    /// `verifierVersion` is the version new requests take (0: no verifier).
    event ModelSynced(uint256 indexed modelId, uint16 verifierVersion);
    /// @notice Emitted when new requests are paused or resumed.
    event PausedChanged(bool paused);
}
