// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceVerifier} from "./IInferenceVerifier.sol";
import {InputHashKind, OutputKind} from "../types/InferenceTypes.sol";

/// @title IModelRegistry
/// @notice Registry of canonical integer models (docs/SEMANTICS.md). A model is registered once under a new
/// sequential id; a new version is a new id and old ids stay resolvable. Only the owner (governance) writes.
interface IModelRegistry {
    /// @notice What a registrant declares about a model.
    /// @param modelHash keccak256 of the model's canonical encoding.
    /// @param inputLength Number of input values.
    /// @param outputLength Number of output values (1 for `ArgMax`).
    /// @param inputMin Smallest allowed input value (all input values share one range).
    /// @param inputMax Largest allowed input value.
    /// @param scaleBits The fixed-point scale S of the model.
    /// @param outputKind Logits or ArgMax.
    /// @param verifier ZK verifier of the model's circuit, or zero.
    /// @param challengeWindow Seconds a proposal can be challenged.
    /// @param minBond Bond locked by a proposer and by a challenger.
    /// @param fee Fee a requester pays per request.
    struct ModelSpec {
        bytes32 modelHash;
        uint16 inputLength;
        uint16 outputLength;
        int64 inputMin;
        int64 inputMax;
        uint8 scaleBits;
        OutputKind outputKind;
        IInferenceVerifier verifier;
        uint32 challengeWindow;
        uint96 minBond;
        uint96 fee;
    }

    /// @notice A registered model as stored. `inputHashKind` is what its requests' `inputHash` is, fixed at
    /// registration (docs/PROTOCOL.md, "Input hashes").
    struct Model {
        ModelSpec spec;
        address weights;
        bool audited;
        bool deprecated;
        InputHashKind inputHashKind;
    }

    /// @notice What the oracle reads when a request is made (two storage slots).
    struct ModelTerms {
        uint16 inputLength;
        uint16 outputLength;
        int64 inputMin;
        int64 inputMax;
        uint96 fee;
        uint96 minBond;
        uint32 challengeWindow;
        bool deprecated;
        bool reexecutable;
        InputHashKind inputHashKind;
    }

    /// @notice A commitment to a model's weights step by step (docs/SEMANTICS.md, "Trace and step commitments"): the
    /// Merkle root of the keccak256 of each step's encoding, the number of steps (layers), and the contract that
    /// executes a step ({IStepExecutor}; zero: the oracle's built-in executor of chain models, `TraceStep`). A
    /// dispute's bisection game executes one step on chain with that step's weights in calldata, proven against `root`.
    struct StepsCommitment {
        bytes32 root;
        uint32 count;
        // appended (upgrade-safe): packed beside `count`
        address executor;
    }

    /// @notice Thrown when `modelId` was never registered.
    error ModelRegistryUnknownModel(uint256 modelId);
    /// @notice Thrown when the model hash is zero.
    error ModelRegistryZeroModelHash();
    /// @notice Thrown when the input or output length is zero or above the protocol maximum.
    error ModelRegistryInvalidLength(uint256 inputLength, uint256 outputLength);
    /// @notice Thrown when `inputMin > inputMax`.
    error ModelRegistryInvalidInputRange(int64 inputMin, int64 inputMax);
    /// @notice Thrown when the scale is outside `1..32`.
    error ModelRegistryInvalidScale(uint8 scaleBits);
    /// @notice Thrown when an ArgMax model does not declare exactly one output value.
    error ModelRegistryInvalidArgMaxLength(uint256 outputLength);
    /// @notice Thrown when the challenge window is outside `[MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW]`.
    error ModelRegistryInvalidChallengeWindow(uint256 challengeWindow);
    /// @notice Thrown when the minimum bond is zero.
    error ModelRegistryZeroBond();
    /// @notice Thrown when a model's bond would be below twice its fee (self-dealing in a dispute would pay).
    error ModelRegistryBondBelowTwiceFee(uint96 minBond, uint96 fee);
    /// @notice Thrown when a verifier's `modelHash()` is not the model's hash.
    error ModelRegistryVerifierMismatch(bytes32 verifierModelHash, bytes32 modelHash);
    /// @notice Thrown when `keccak256(weights)` is not the model's hash.
    error ModelRegistryWeightsHashMismatch(bytes32 weightsHash, bytes32 modelHash);
    /// @notice Thrown when the encoding's header disagrees with the spec (field name and the two values).
    error ModelRegistryWeightsSpecMismatch(string field, int256 encoded, int256 declared);
    /// @notice Thrown when the encoding is too large for one data contract.
    error ModelRegistryWeightsTooLarge(uint256 length, uint256 maxLength);
    /// @notice Thrown when a model has no on-chain weights to execute.
    error ModelRegistryNoWeights(uint256 modelId);
    /// @notice Thrown when the data contract holding the weights could not be created.
    error ModelRegistryWeightsStoreFailed();

    /// @notice Thrown when a steps commitment has a zero root or no step.
    error ModelRegistryInvalidSteps(bytes32 root, uint32 count);
    /// @notice Thrown when a steps commitment names a step executor that is not a contract.
    error ModelRegistryInvalidStepExecutor(address executor);
    /// @notice Thrown when a model's steps commitment is set a second time (a model's weights never change).
    error ModelRegistryStepsAlreadySet(uint256 modelId);

    /// @notice Thrown when a Poseidon-committed model is registered before PoseidonT5 is deployed at its address.
    error ModelRegistryPoseidonMissing(address poseidon);

    /// @notice Emitted when a model is registered.
    event ModelRegistered(uint256 indexed modelId, bytes32 indexed modelHash, address weights, ModelSpec spec);
    /// @notice Emitted at registration when a model's requests are keyed by another input hash than keccak256.
    event InputHashKindDeclared(uint256 indexed modelId, InputHashKind inputHashKind);
    /// @notice Emitted when a model's verifier changes.
    event VerifierChanged(uint256 indexed modelId, address oldVerifier, address newVerifier);
    /// @notice Emitted when a model's audited flag changes.
    event AuditedChanged(uint256 indexed modelId, bool audited);
    /// @notice Emitted when a model is deprecated or un-deprecated.
    event DeprecatedChanged(uint256 indexed modelId, bool deprecated);
    /// @notice Emitted when a model's challenge window changes.
    event ChallengeWindowChanged(uint256 indexed modelId, uint32 oldWindow, uint32 newWindow);
    /// @notice Emitted when a model's minimum bond changes.
    event MinBondChanged(uint256 indexed modelId, uint96 oldBond, uint96 newBond);
    /// @notice Emitted when a model's fee changes.
    event FeeChanged(uint256 indexed modelId, uint96 oldFee, uint96 newFee);
    /// @notice Emitted when a model's steps commitment is set.
    event StepsCommitmentSet(uint256 indexed modelId, bytes32 root, uint32 count, address executor);
    /// @notice Emitted when the oracle told of every change of a model's terms changes.
    event OracleChanged(address oldOracle, address newOracle);

    /// @notice Registers a model under the next id.
    /// @param spec The model's declared interface and economic terms.
    /// @param weights The canonical encoding (empty for a model without on-chain re-execution).
    /// @return modelId The new id.
    function registerModel(ModelSpec calldata spec, bytes calldata weights) external returns (uint256 modelId);

    /// @notice Registers a model under the next id whose requests are keyed by `inputHashKind` (fixed for its life).
    /// {registerModel} is this with `InputHashKind.Keccak`. A `Poseidon` model's verifier, if any, must be an
    /// {ICommittedInferenceVerifier}: its proofs carry the commitment, not the input.
    function registerModelWithInputHash(ModelSpec calldata spec, bytes calldata weights, InputHashKind inputHashKind)
        external
        returns (uint256 modelId);

    /// @notice Sets or clears (zero) a model's verifier.
    function setVerifier(uint256 modelId, IInferenceVerifier verifier) external;

    /// @notice Sets a model's audited flag.
    function setAudited(uint256 modelId, bool audited) external;

    /// @notice Deprecates (or restores) a model: a deprecated model accepts no new requests.
    function setDeprecated(uint256 modelId, bool deprecated) external;

    /// @notice Sets a model's challenge window (applies to requests made afterwards).
    function setChallengeWindow(uint256 modelId, uint32 challengeWindow) external;

    /// @notice Sets a model's minimum bond (applies to requests made afterwards).
    function setMinBond(uint256 modelId, uint96 minBond) external;

    /// @notice Sets a model's fee (applies to requests made afterwards).
    function setFee(uint256 modelId, uint96 fee) external;

    /// @notice The full record of a model. Reverts for an unknown id.
    /// @notice Sets the oracle whose copy of each model's terms the registry refreshes on every change
    /// (`IInferenceOracle.syncModel`); zero stops the refreshes. Owner only.
    function setOracle(address oracle) external;

    /// @notice The oracle the registry keeps informed (zero if none).
    function oracle() external view returns (address);

    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice The request-time terms of a model. Reverts for an unknown id.
    function modelTerms(uint256 modelId) external view returns (ModelTerms memory);

    /// @notice The data contract holding a model's canonical encoding, or zero.
    function weightsPointer(uint256 modelId) external view returns (address);

    /// @notice Runs a model with on-chain weights on `input` under the canonical integer semantics
    /// (src-sol/libraries/IntegerModel.sol). Reverts for an unknown id or a model without weights.
    function execute(uint256 modelId, int256[] calldata input) external view returns (int256[] memory output);

    /// @notice A model's verifier, or zero. Reverts for an unknown id.
    function verifierOf(uint256 modelId) external view returns (IInferenceVerifier);

    /// @notice Sets a model's steps commitment, once (owner only): what a dispute's bisection game proves a step's
    /// weights against. The registry cannot check it against `modelHash` for a model whose weights are not stored;
    /// anyone can recompute it from the model's files (`stepsCommitment` in lib/semantics).
    function setStepsCommitment(uint256 modelId, StepsCommitment calldata steps) external;

    /// @notice A model's steps commitment (zero root and count when none is set). Reverts for an unknown id.
    function stepsCommitmentOf(uint256 modelId) external view returns (StepsCommitment memory);

    /// @notice Number of models registered so far (ids are `1..modelCount()`).
    function modelCount() external view returns (uint256);
}
