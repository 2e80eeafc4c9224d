// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestTerms, MaturedProposal} from "../types/InferenceTypes.sol";
import {IBatchInferenceVerifier} from "./IBatchInferenceVerifier.sol";
import {IOracleEvents} from "./IOracleEvents.sol";

/// @title IBatches
/// @notice Many requests settled in one transaction: one Groth16 proof finalizing a batch of requests of one model
/// ({proposeWithProofBatch}), optimistic proposals for many requests with one bond each ({proposeBatch}), and the
/// finalization of many matured proposals ({finalizeBatch}). The oracle proxy answers these calls: its
/// implementation forwards them to its batch module (`oracle/BatchModule.sol`) with a delegatecall. Requests that
/// are no longer open (answered, proposed or expired meanwhile, or past their deadline) are skipped, not reverted,
/// so an operator racing others loses only the skipped requests' share of the gas.
interface IBatches is IOracleEvents {
    /// @notice A batch proof: which verifier checks it (the model, the verifier version the requests were made
    /// under, the batch size K) and the proof with its packed public signals ({IBatchInferenceVerifier}).
    struct BatchProof {
        uint64 modelId;
        uint16 verifierVersion;
        uint16 batchSize;
        uint256[] signals;
        bytes proof;
    }

    /// @notice Thrown when someone other than the oracle's owner sets a batch verifier (OpenZeppelin's `Ownable` error).
    error OwnableUnauthorizedAccount(address account);
    /// @notice Thrown when the request ids and their terms (and outputs) differ in length, or a proof batch holds
    /// no request or more than its size.
    error InferenceOracleBatchLength(uint256 requests, uint256 terms, uint256 capacity);
    /// @notice Thrown when no batch verifier of `batchSize` is set for the model's verifier version.
    error InferenceOracleNoBatchVerifier(uint256 modelId, uint256 verifierVersion, uint256 batchSize);
    /// @notice Thrown when a batch verifier proves another model or batch size than it is set for.
    error InferenceOracleBatchVerifierMismatch(uint256 modelId, address verifier);
    /// @notice Thrown when a batch proof does not verify for its signals and the caller.
    error InferenceOracleInvalidBatchProof(uint256 modelId);
    /// @notice Thrown when an open request of a proof batch was made for another model or verifier version.
    error InferenceOracleBatchTermsMismatch(uint256 requestId);

    /// @notice A batch verifier was set (or removed, `verifier` zero) for a model's verifier version.
    event BatchVerifierSet(
        uint256 indexed modelId, uint256 indexed verifierVersion, uint256 indexed batchSize, address verifier
    );
    /// @notice A request of a batch was skipped: it was no longer open to the batch's kind of answer.
    event BatchItemSkipped(uint256 indexed requestId);
    /// @notice A batch proof finalized `finalized` requests and skipped `skipped`.
    event BatchProven(uint256 indexed modelId, address indexed prover, uint256 finalized, uint256 skipped);

    /// @notice Sets the batch verifier of `batchSize` for verifier version `verifierVersion` of a model (owner
    /// only). It must prove the same model as that version's single verifier (same `modelHash`) and hold
    /// `batchSize` inferences; the zero address removes it.
    function setBatchVerifier(
        uint256 modelId,
        uint256 verifierVersion,
        uint256 batchSize,
        IBatchInferenceVerifier verifier
    ) external;

    /// @notice The batch verifier of `batchSize` for a model's verifier version (zero if none).
    function batchVerifierOf(uint256 modelId, uint256 verifierVersion, uint256 batchSize)
        external
        view
        returns (IBatchInferenceVerifier);

    /// @notice Finalizes with one proof every request of `requestIds` still open (`Requested`, before its
    /// deadline), slot `i` of the proof answering `requestIds[i]`: the caller earns each fee, each result is cached
    /// with provenance `Proof` and each consumer called back. Requests not open are skipped; slots beyond
    /// `requestIds` are padding. Reverts on a bad proof, wrong terms, or a slot whose input is not the request's.
    /// @return finalized How many requests the batch finalized.
    function proposeWithProofBatch(
        BatchProof calldata batch,
        uint256[] calldata requestIds,
        RequestTerms[] calldata terms
    ) external returns (uint256 finalized);

    /// @notice Proposes `outputs[i]` for each open request `requestIds[i]`, locking one bond per request from the
    /// caller's free stake (in one write); each proposal is then challenged and finalized on its own. Requests no
    /// longer open are skipped. Then finalizes the `matured` proposals, as {finalizeBatch}.
    function proposeBatch(
        uint256[] calldata requestIds,
        RequestTerms[] calldata terms,
        int256[][] calldata outputs,
        MaturedProposal[] calldata matured
    ) external returns (uint256 proposed, uint256 finalized);

    /// @notice Finalizes every proposal of `matured` whose challenge window has passed (the arguments of
    /// {IInferenceOracle-finalize} for each); the others are skipped.
    function finalizeBatch(MaturedProposal[] calldata matured) external returns (uint256 finalized);
}
