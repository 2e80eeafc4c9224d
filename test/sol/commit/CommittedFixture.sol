// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {ZkFixtures} from "../utils/ZkFixtures.sol";
import {PoseidonDeployment} from "../utils/PoseidonDeployment.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {InputHashKind, OutputKind, RequestState, RequestTerms} from "../../../src-sol/types/InferenceTypes.sol";
import {FashionCommittedVerifier} from "../../../src-sol/verifiers/FashionCommittedVerifier.sol";

/// @notice The oracle with a model whose requests are keyed by a Poseidon commitment of the input (docs/PROTOCOL.md,
/// "Input hashes"): the fashion-committed fixture (script/zk/graph-fixtures.ts), 784 pixels in [0, 255], an argmax,
/// a real Groth16 verifier with a committed input and two real proofs made for the fixture's prover.
abstract contract CommittedFixture is OracleFixture, ZkFixtures, PoseidonDeployment {
    string internal constant FIXTURE = "fashion-committed";

    FashionCommittedVerifier internal committedVerifier;
    uint256 internal committedId;

    function setUp() public virtual override {
        super.setUp();
        _deployPoseidon();
        committedVerifier = new FashionCommittedVerifier();
        IModelRegistry.ModelSpec memory spec = _committedSpec();
        vm.prank(owner);
        committedId = registry.registerModelWithInputHash(spec, "", InputHashKind.Poseidon);
    }

    function _committedSpec() internal view returns (IModelRegistry.ModelSpec memory) {
        return IModelRegistry.ModelSpec({
            modelHash: committedVerifier.modelHash(),
            inputLength: 784,
            outputLength: 1,
            inputMin: 0,
            inputMax: 255,
            scaleBits: 6,
            outputKind: OutputKind.ArgMax,
            verifier: committedVerifier,
            challengeWindow: CHALLENGE_WINDOW,
            minBond: BOND,
            fee: FEE
        });
    }

    /// @dev The commitment the fixture script computed in TypeScript (lib/semantics/input-hash.ts).
    function _commitment(string memory key) internal view returns (bytes32) {
        return vm.parseJsonBytes32(_json(FIXTURE), string.concat(key, ".inputHash"));
    }

    /// @dev Requests the fixture case `key` and returns its id and the terms read back from the event.
    function _request(string memory key) internal returns (uint256 id, RequestTerms memory terms, Case memory c) {
        c = _case(FIXTURE, key);
        vm.recordLogs();
        id = consumer.request(committedId, c.input, CALLBACK_GAS, FEE);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(oracle) && logs[i].topics[0] == IOracleEvents.InferenceRequested.selector) {
                (terms,) = abi.decode(logs[i].data, (RequestTerms, int256[]));
            }
        }
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
    }
}
