// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestState, InferenceError, RequestTerms, Proposal, MaturedProposal} from "../types/InferenceTypes.sol";

/// @title IInferenceOracle
/// @notice Request book for verifiable inference: optimistic proposals with bonds and a challenge window, instant
/// finality with a ZK proof, disputes settled by proof, on-chain re-execution or arbitration, and a result cache.
/// @dev Per request the oracle stores one slot: the state, one time and a 208-bit hash of the request terms and
/// the proposal (like Chainlink's Operator commitments). Calls after the request re-supply the terms and the
/// proposal from the events; see docs/PROTOCOL.md.
interface IInferenceOracle {
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
    /// @notice Thrown when a model is deprecated.
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
    /// @notice Thrown when no unbonded stake can be withdrawn yet.
    error InferenceOracleUnbonding(address operator, uint256 amount, uint256 readyAt);
    /// @notice Thrown when an amount is zero or does not fit the accounting type.
    error InferenceOracleInvalidAmount(uint256 amount);
    /// @notice Thrown when the model has no verifier.
    error InferenceOracleNoVerifier(uint256 modelId);
    /// @notice Thrown by {syncModel} when the registry does not name this oracle as the one it keeps informed.
    error InferenceOracleRegistryNotLinked(address registry, address linkedOracle);
    /// @notice Thrown when the model's verifier rejects a proof.
    error InferenceOracleInvalidProof(uint256 requestId);
    /// @notice Thrown when the caller is not the arbitrator.
    error InferenceOracleUnauthorizedArbitrator(address caller);
    /// @notice Thrown when the proposer challenges its own proposal.
    error InferenceOracleSelfChallenge(address operator);
    /// @notice Thrown when a parameter is out of its allowed range.
    error InferenceOracleInvalidParameter(bytes32 name, uint256 value);
    /// @notice Thrown when an address parameter is zero.
    error InferenceOracleZeroAddress();
    /// @notice Thrown when new requests are paused.
    error InferenceOraclePaused();
    /// @notice Thrown when there is nothing to claim or an ETH transfer fails.
    error InferenceOracleTransferFailed(address to, uint256 amount);

    /// @notice Emitted for every request, with the full terms and input (the node reads them from here).
    event InferenceRequested(uint256 indexed requestId, uint256 indexed modelId, RequestTerms terms, int256[] input);
    /// @notice Emitted when a request is answered from the cache inside `requestInference` (the request is
    /// Finalized; the output is the cached one, see {cachedResult}); `callbackSucceeded` as in {InferenceFinalized}.
    event CacheHit(
        uint256 indexed requestId, uint256 indexed modelId, bytes32 indexed inputHash, bool callbackSucceeded
    );
    /// @notice Emitted when an output is proposed with a bond.
    event OutputProposed(uint256 indexed requestId, address indexed proposer, bytes32 outputHash, int256[] output);
    /// @notice Emitted when a proposal is challenged.
    event ProposalChallenged(uint256 indexed requestId, address indexed challenger);
    /// @notice Emitted when a dispute is settled; `winner` keeps its bond and gets `reward` from the loser's bond.
    event DisputeResolved(
        uint256 indexed requestId, address indexed winner, address indexed loser, uint256 reward, uint256 toTreasury
    );
    /// @notice Emitted when a request is finalized; `callbackSucceeded` tells whether the consumer's callback ran.
    event InferenceFinalized(uint256 indexed requestId, bytes32 outputHash, int256[] output, bool callbackSucceeded);
    /// @notice Emitted when a request ends without a result (Failed or Expired).
    event InferenceFailed(
        uint256 indexed requestId, RequestState indexed state, InferenceError code, bool callbackSucceeded
    );
    /// @notice Emitted when an operator deposits stake.
    event StakeDeposited(address indexed operator, uint256 amount);
    /// @notice Emitted when an operator starts unbonding stake.
    event WithdrawalRequested(address indexed operator, uint256 amount, uint256 readyAt);
    /// @notice Emitted when an operator withdraws unbonded stake.
    event StakeWithdrawn(address indexed operator, uint256 amount);
    /// @notice Emitted when an account's claimable balance is credited (refunds, treasury).
    event Credited(address indexed account, uint256 amount);
    /// @notice Emitted when an account claims its balance.
    event Claimed(address indexed account, address indexed to, uint256 amount);
    /// @notice Emitted when a request is scheduled for finalization by Chainlink Automation.
    event FinalizationScheduled(uint256 indexed requestId);
    /// @notice Emitted when a parameter changes.
    event ParameterChanged(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice Emitted when the treasury changes.
    event TreasuryChanged(address oldTreasury, address newTreasury);
    /// @notice Emitted when the arbitrator changes.
    event ArbitratorChanged(address oldArbitrator, address newArbitrator);
    /// @notice Emitted when the oracle's copy of a model's terms and verifier is refreshed from the registry.
    event ModelSynced(uint256 indexed modelId);
    /// @notice Emitted when new requests are paused or resumed.
    event PausedChanged(bool paused);

    /// @notice Requests an inference. Sends at least the model's fee (the excess is credited back, claimable).
    /// @dev May call the consumer back before returning: on a cache hit (`fulfillInference`, no fee charged) and
    /// on an invalid input (`failInference`, fee credited back). The id is the input's key id (top bit set) for
    /// the first open request of `(modelId, input)`, and the next sequence id otherwise (docs/PROTOCOL.md): never
    /// assume ids are consecutive.
    function requestInference(uint256 modelId, int256[] calldata input, uint32 callbackGasLimit)
        external
        payable
        returns (uint256 requestId);

    /// @notice Copies a model's terms and verifier from the registry, which calls this on every change; anyone may
    /// call it (it copies what the registry says). Reverts unless the registry names this oracle as the one it
    /// keeps informed, so a copy can never go stale unnoticed.
    function syncModel(uint256 modelId) external;

    /// @notice Proposes an output, locking `terms.bond` from the caller's free stake.
    function propose(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) external;

    /// @notice Proposes like {propose}, then finalizes each of `matured` like {finalize}, skipping any that is no
    /// longer finalizable (challenged, already finalized, window still open, terms or output not matching), so an
    /// operator under steady load pays for no separate finalize transaction and a race never costs the proposal.
    function proposeAndFinalize(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata output,
        MaturedProposal[] calldata matured
    ) external;

    /// @notice Proposes an output with a ZK proof: finalized at once, no bond, the fee goes to the caller's stake.
    function proposeWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Challenges a proposal inside its window, locking an equal bond from the caller's free stake.
    function challenge(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal) external;

    /// @notice Settles a dispute with a ZK proof of `output`.
    function resolveWithProof(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Settles a dispute by re-executing the model's on-chain weights ({IModelRegistry-execute}).
    function resolveByReexecution(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input
    ) external;

    /// @notice Settles a dispute by the arbitrator's decision, once the dispute window has passed.
    function resolveByArbitration(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    /// @notice Ends a dispute nobody resolved before its arbitration deadline: bonds unlocked, fee refunded.
    function expireDispute(uint256 requestId, RequestTerms calldata terms, Proposal calldata proposal) external;

    /// @notice Finalizes an unchallenged proposal after its window.
    function finalize(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    /// @notice Expires a request nobody proposed for before its deadline: fee refunded.
    function expire(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Stores what Chainlink Automation needs to finalize a proposal without calldata (opt-in, paid by
    /// the caller, so the optimistic hot path stores nothing extra).
    function scheduleFinalization(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external;

    /// @notice Deposits stake for the caller.
    function depositStake() external payable;

    /// @notice Moves free stake into unbonding; it can be withdrawn after `unbondingDelay`.
    function requestWithdrawal(uint256 amount) external;

    /// @notice Withdraws the caller's unbonded stake to the caller.
    function withdrawStake() external;

    /// @notice Sends the caller's claimable balance to `to`.
    function claim(address payable to) external;

    /// @notice The derived state of a request.
    function requestState(uint256 requestId) external view returns (RequestState);

    /// @notice The cached result for `(modelId, inputHash)`, if any.
    function cachedResult(uint256 modelId, bytes32 inputHash) external view returns (bool found, int256[] memory output);
}
