import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { ZkSetupError } from './errors.js';
import type { CircuitLayout, PackedLayout } from './layout.js';
import { packageDir } from './paths.js';

export type VerifierNames = {
  /** The IInferenceVerifier contract. */
  contract: string;
  /** The snarkjs Groth16 verifier it inherits (renamed so several models compile side by side). */
  groth16: string;
};

/** Contract names derived from a model name: `digits` → `DigitsVerifier` / `DigitsGroth16`. */
export function verifierNames(modelName: string): VerifierNames {
  const pascal = modelName
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  const base = /^[A-Za-z]/.test(pascal) ? pascal : `Model${pascal}`;
  return { contract: `${base}Verifier`, groth16: `${base}Groth16` };
}

/** snarkjs' Groth16 verifier for a proving key, renamed, with a fixed compiler pragma. */
export async function exportGroth16Verifier(zkeyPath: string, groth16Name: string): Promise<string> {
  const templatePath = join(packageDir('snarkjs'), 'templates', 'verifier_groth16.sol.ejs');
  const template = await readFile(templatePath, 'utf8');
  const source = await snarkjs.zKey.exportSolidityVerifier(zkeyPath, { groth16: template });
  if (!source.includes('contract Groth16Verifier {'))
    throw new ZkSetupError('snarkjs exported an unexpected Groth16 verifier (no `contract Groth16Verifier`).');
  return source
    .replace(/pragma solidity [^;]+;/, 'pragma solidity ^0.8.24;')
    .replace('contract Groth16Verifier {', `contract ${groth16Name} {`)
    .replace(/^\/\/ SPDX-License-Identifier:.*\n/, '');
}

function packConstants(prefix: string, p: PackedLayout): string[] {
  return [
    `    uint256 internal constant ${prefix}_LENGTH = ${p.length};`,
    `    int256 internal constant ${prefix}_MIN = ${p.lo};`,
    `    int256 internal constant ${prefix}_MAX = ${p.hi};`,
    `    uint256 internal constant ${prefix}_WIDTH = ${p.width};`,
    `    uint256 internal constant ${prefix}_PER_SIGNAL = ${p.perChunk};`,
  ];
}

/**
 * The parts the plain and the committed wrappers share: their constants (`fieldConstants` go after the base field's),
 * the Groth16 check of a filled `signals` array (the proof decoded, cheap curve checks, a capped static self-call in
 * try/catch) and the private helpers.
 */
function wrapperConstants(layout: CircuitLayout, fieldConstants = ''): string {
  const n = layout.nPublic;
  return `    bytes32 internal constant MODEL_HASH = ${layout.modelHash};
    uint256 internal constant PUBLIC_SIGNALS = ${n};
    uint256 internal constant PROOF_BYTES = 256;
    /// @dev BN254 base field modulus.
    uint256 internal constant BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
${fieldConstants}    /// @dev Gas forwarded to the Groth16 check: the pairing (181k) and one ecMul + ecAdd per public signal, with
    /// margin. The precompiles consume all forwarded gas on an invalid point, so the cap bounds that loss.
    uint256 internal constant VERIFY_GAS = 250_000 + 10_000 * PUBLIC_SIGNALS;

    /// @notice Thrown when the caller left too little gas to check a proof (so a valid proof is never
    /// reported false for lack of gas).
    error InferenceVerifierInsufficientGas(uint256 needed, uint256 left);

${packConstants('INPUT', layout.input).join('\n')}
${packConstants('OUTPUT', layout.output).join('\n')}

    /// @inheritdoc IInferenceVerifier
    function modelHash() external pure returns (bytes32) {
        return MODEL_HASH;
    }
`;
}

const PROOF_CHECK = `        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) =
            abi.decode(proof, (uint256[2], uint256[2][2], uint256[2]));
        // Cheap checks first: G1 points on the curve, G2 coordinates in the field (the pairing checks the rest).
        if (!_onCurveG1(a) || !_onCurveG1(c)) return false;
        if (b[0][0] >= BASE_FIELD || b[0][1] >= BASE_FIELD || b[1][0] >= BASE_FIELD || b[1][1] >= BASE_FIELD) return false;
        uint256 needed = (VERIFY_GAS * 64) / 63 + 5_000;
        if (gasleft() < needed) revert InferenceVerifierInsufficientGas(needed, gasleft());
        try this.verifyProof{gas: VERIFY_GAS}(a, b, c, signals) returns (bool valid) {
            return valid;
        } catch {
            return false;
        }
`;

const WRAPPER_HELPERS = `    /// @dev y^2 = x^3 + 3 over the base field, coordinates reduced.
    function _onCurveG1(uint256[2] memory p) private pure returns (bool) {
        uint256 x = p[0];
        uint256 y = p[1];
        if (x >= BASE_FIELD || y >= BASE_FIELD) return false;
        return mulmod(y, y, BASE_FIELD) == addmod(mulmod(mulmod(x, x, BASE_FIELD), x, BASE_FIELD), 3, BASE_FIELD);
    }

    /// @dev Packs values - min, width bits each, perSignal per signal, from signals[first]; false if one is out of range.
    function _pack(
        int256[] calldata values,
        int256 min,
        int256 max,
        uint256 width,
        uint256 perSignal,
        uint256[PUBLIC_SIGNALS] memory signals,
        uint256 first
    ) private pure returns (bool) {
        // One signal at a time, built in a local word: no division, no read-modify-write of memory per value.
        uint256 n = values.length;
        uint256 k;
        uint256 s = first;
        while (k < n) {
            uint256 word;
            uint256 end = n - k > perSignal ? k + perSignal : n;
            unchecked {
                for (uint256 shift; k < end; ++k) {
                    int256 v = values[k];
                    if (v < min || v > max) return false;
                    word |= uint256(v - min) << shift;
                    shift += width;
                }
            }
            signals[s++] = word;
        }
        return true;
    }
`;

export function generateVerifierSource(opts: {
  layout: CircuitLayout;
  names: VerifierNames;
  groth16Source: string;
  modelName: string;
  regenerate: string;
}): string {
  const { layout, names } = opts;
  const inFirst = layout.output.chunks;
  const proverSlot = layout.nPublic - 1;
  return `// SPDX-License-Identifier: GPL-3.0
// Generated by lib/zk (vai zk setup) for model "${opts.modelName}": do not edit.
// Regenerate with: ${opts.regenerate}
// The Groth16 part is snarkjs' verifier template (GPL-3.0), renamed; the wrapper below implements
// IInferenceVerifier for this model's circuit (docs/ZK.md describes the public-signal layout).
pragma solidity ^0.8.24;

import {IInferenceVerifier} from "src-sol/interfaces/IInferenceVerifier.sol";

${opts.groth16Source.trim()}

/// @title ${names.contract}
/// @notice Verifies Groth16 proofs that model ${layout.modelHash} maps an input to an output under the
/// canonical integer semantics, for the address that submits them. Returns false on any bad proof; reverts only when the
/// caller left too little gas. Public signals: [${layout.output.chunks} packed output, ${layout.input.chunks} packed input, prover].
/// @dev No model tag among the public signals: the weights are constants of this model's circuit, and the
/// verifying key in ${names.groth16} comes from that circuit's own Groth16 set-up, so it accepts proofs of
/// this model only. MODEL_HASH is what the registry checks against the registered model.
contract ${names.contract} is ${names.groth16}, IInferenceVerifier {
${wrapperConstants(layout)}
    /// @inheritdoc IInferenceVerifier
    function verifyInference(int256[] calldata input, int256[] calldata output, address prover, bytes calldata proof)
        external
        view
        returns (bool)
    {
        if (input.length != INPUT_LENGTH || output.length != OUTPUT_LENGTH || proof.length != PROOF_BYTES) return false;
        uint256[PUBLIC_SIGNALS] memory signals;
        if (!_pack(output, OUTPUT_MIN, OUTPUT_MAX, OUTPUT_WIDTH, OUTPUT_PER_SIGNAL, signals, 0)) return false;
        if (!_pack(input, INPUT_MIN, INPUT_MAX, INPUT_WIDTH, INPUT_PER_SIGNAL, signals, ${inFirst})) return false;
        // The circuit's last public input: a proof made for one address verifies for no other.
        signals[${proverSlot}] = uint256(uint160(prover));
${PROOF_CHECK}    }

${WRAPPER_HELPERS}}
`;
}

/**
 * The ICommittedInferenceVerifier of a circuit with a committed input (`layout.inputHash === 'poseidon'`, docs/ZK.md,
 * "Committed input"): public signals [packed output, input commitment, prover], so its gas does not grow with the
 * input. `verifyCommittedInference` takes the request's commitment as it is; `verifyInference` commits to an input
 * first, with the oracle's own function (src-sol/libraries/InputHash.sol). Like the plain wrapper, it returns false on
 * any malformed or wrong proof.
 */
export function generateCommittedVerifierSource(opts: {
  layout: CircuitLayout;
  names: VerifierNames;
  groth16Source: string;
  modelName: string;
  regenerate: string;
}): string {
  const { layout, names } = opts;
  if (layout.inputHash !== 'poseidon') throw new ZkSetupError('generateCommittedVerifierSource needs a layout with a committed input.');
  const commitmentSlot = layout.output.chunks;
  const proverSlot = layout.nPublic - 1;
  return `// SPDX-License-Identifier: GPL-3.0
// Generated by lib/zk (vai zk setup) for model "${opts.modelName}": do not edit.
// Regenerate with: ${opts.regenerate}
// The Groth16 part is snarkjs' verifier template (GPL-3.0), renamed; the wrapper below implements
// ICommittedInferenceVerifier for this model's circuit (docs/ZK.md, "Committed input", describes the public signals).
pragma solidity ^0.8.24;

import {IInferenceVerifier} from "src-sol/interfaces/IInferenceVerifier.sol";
import {ICommittedInferenceVerifier} from "src-sol/interfaces/ICommittedInferenceVerifier.sol";
import {InputHash} from "src-sol/libraries/InputHash.sol";

${opts.groth16Source.trim()}

/// @title ${names.contract}
/// @notice Verifies Groth16 proofs that model ${layout.modelHash} maps an input, known by its Poseidon commitment, to
/// an output under the canonical integer semantics, for the address that submits them. Returns false on any bad proof;
/// reverts only when the caller left too little gas. Public signals: [${layout.output.chunks} packed output, input commitment, prover].
/// @dev The circuit keeps the ${layout.input.chunks} packed input signals private and outputs their commitment
/// (src-sol/libraries/InputHash.sol): the model's requests must be keyed by that commitment (InputHashKind.Poseidon).
contract ${names.contract} is ${names.groth16}, ICommittedInferenceVerifier {
${wrapperConstants(
  layout,
  `    /// @dev BN254 scalar field: a commitment is a field element.
    uint256 internal constant SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
`,
)}
    /// @inheritdoc IInferenceVerifier
    function verifyInference(int256[] calldata input, int256[] calldata output, address prover, bytes calldata proof)
        external
        view
        returns (bool)
    {
        if (input.length != INPUT_LENGTH) return false;
        bytes32 commitment = InputHash.poseidonCommitment(input, INPUT_MIN, INPUT_MAX);
        if (commitment == InputHash.OUT_OF_RANGE) return false;
        return _verifyCommitted(commitment, output, prover, proof);
    }

    /// @inheritdoc ICommittedInferenceVerifier
    function verifyCommittedInference(
        bytes32 inputCommitment,
        int256[] calldata output,
        address prover,
        bytes calldata proof
    ) external view returns (bool) {
        return _verifyCommitted(inputCommitment, output, prover, proof);
    }

    function _verifyCommitted(bytes32 inputCommitment, int256[] calldata output, address prover, bytes calldata proof)
        private
        view
        returns (bool)
    {
        if (output.length != OUTPUT_LENGTH || proof.length != PROOF_BYTES) return false;
        if (uint256(inputCommitment) >= SCALAR_FIELD) return false;
        uint256[PUBLIC_SIGNALS] memory signals;
        if (!_pack(output, OUTPUT_MIN, OUTPUT_MAX, OUTPUT_WIDTH, OUTPUT_PER_SIGNAL, signals, 0)) return false;
        signals[${commitmentSlot}] = uint256(inputCommitment);
        // The circuit's last public input: a proof made for one address verifies for no other.
        signals[${proverSlot}] = uint256(uint160(prover));
${PROOF_CHECK}    }

${WRAPPER_HELPERS}}
`;
}

/** Contract names of a model's batch verifier: `digits`, 16 → `DigitsBatch16Verifier` / `DigitsBatch16Groth16`. */
export function batchVerifierNames(modelName: string, batch: number): VerifierNames {
  return verifierNames(`${modelName}-batch${batch}`);
}

/**
 * The model's IBatchInferenceVerifier for a batch circuit (`layout.batch` = K): takes the packed public signals
 * themselves in calldata (outputs, then inputs: the densest encoding, and what the circuit checks), appends the
 * prover, asks the Groth16 verifier (a static self-call inside try/catch: no malformed proof makes it revert), and on
 * success unpacks the signals once into each slot's input hash (`keccak256(abi.encodePacked(input))`, what a request
 * commits to) and the slot-major outputs. No range check is needed on the unpacked values: a valid proof pins every
 * signal to exactly its packed values (the circuit decomposes each into bits), and each input is then compared with a
 * request's input hash, whose input the oracle checked when it was requested.
 */
export function generateBatchVerifierSource(opts: {
  layout: CircuitLayout;
  names: VerifierNames;
  groth16Source: string;
  modelName: string;
  regenerate: string;
}): string {
  const { layout, names } = opts;
  const { batch, input, output } = layout;
  const n = layout.nPublic;
  return `// SPDX-License-Identifier: GPL-3.0
// Generated by lib/zk (vai zk setup --batch ${batch}) for model "${opts.modelName}": do not edit.
// Regenerate with: ${opts.regenerate}
// The Groth16 part is snarkjs' verifier template (GPL-3.0), renamed; the wrapper below implements
// IBatchInferenceVerifier for this model's batch circuit (docs/ZK.md, "Batches", describes the public signals).
pragma solidity ^0.8.24;

import {IBatchInferenceVerifier} from "src-sol/interfaces/IBatchInferenceVerifier.sol";

${opts.groth16Source.trim()}

/// @title ${names.contract}
/// @notice Verifies Groth16 proofs that model ${layout.modelHash} maps ${batch} inputs to their outputs under the
/// canonical integer semantics, for the address that submits them, and decodes them. Returns false on any bad proof;
/// reverts only when the caller left too little gas. Public signals: [${output.chunks} packed output, ${input.chunks} packed input, prover].
/// @dev The verifying key in ${names.groth16} comes from this model's batch circuit and its own Groth16 set-up.
contract ${names.contract} is ${names.groth16}, IBatchInferenceVerifier {
    bytes32 internal constant MODEL_HASH = ${layout.modelHash};
    uint256 internal constant BATCH = ${batch};
    uint256 internal constant PUBLIC_SIGNALS = ${n};
    /// @dev The signals a caller passes: every public signal but the prover (the last).
    uint256 internal constant SIGNALS = ${n - 1};
    uint256 internal constant PROOF_BYTES = 256;
    /// @dev BN254 base field modulus.
    uint256 internal constant BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @dev Gas forwarded to the Groth16 check: the pairing (181k) and one ecMul + ecAdd per public signal, with
    /// margin. The precompiles consume all forwarded gas on an invalid point, so the cap bounds that loss.
    uint256 internal constant VERIFY_GAS = 250_000 + 10_000 * PUBLIC_SIGNALS;

    /// @dev Per slot: values, offset (the range's minimum), bits per value, values per signal; inputs start after
    /// the ${output.chunks} output signal(s).
    uint256 internal constant INPUT_LENGTH = ${input.length / batch};
    int256 internal constant INPUT_MIN = ${input.lo};
    uint256 internal constant INPUT_WIDTH = ${input.width};
    uint256 internal constant INPUT_PER_SIGNAL = ${input.perChunk};
    uint256 internal constant INPUT_FIRST = ${output.chunks};
    uint256 internal constant OUTPUT_LENGTH = ${output.length / batch};
    int256 internal constant OUTPUT_MIN = ${output.lo};
    uint256 internal constant OUTPUT_WIDTH = ${output.width};
    uint256 internal constant OUTPUT_PER_SIGNAL = ${output.perChunk};

    /// @notice Thrown when the caller left too little gas to check a proof (so a valid proof is never
    /// reported false for lack of gas).
    error InferenceVerifierInsufficientGas(uint256 needed, uint256 left);

    /// @dev Where unpacking stands: the next signal to load, the bits of the current one not read yet, and how many
    /// values they still hold.
    struct Cursor {
        uint256 next;
        uint256 word;
        uint256 left;
    }

    /// @inheritdoc IBatchInferenceVerifier
    function modelHash() external pure returns (bytes32) {
        return MODEL_HASH;
    }

    /// @inheritdoc IBatchInferenceVerifier
    function batchSize() external pure returns (uint256) {
        return BATCH;
    }

    /// @inheritdoc IBatchInferenceVerifier
    function signalCount() external pure returns (uint256) {
        return SIGNALS;
    }

    /// @inheritdoc IBatchInferenceVerifier
    function verifyBatch(uint256[] calldata signals, address prover, bytes calldata proof)
        external
        view
        returns (bool valid, bytes32[] memory inputHashes, int256[] memory outputs)
    {
        if (!_verify(signals, prover, proof)) return (false, inputHashes, outputs);
        (inputHashes, outputs) = _decode(signals);
        return (true, inputHashes, outputs);
    }

    /// @dev The Groth16 check of the signals with the prover appended; false on anything malformed.
    function _verify(uint256[] calldata signals, address prover, bytes calldata proof) private view returns (bool) {
        if (signals.length != SIGNALS || proof.length != PROOF_BYTES) return false;
        uint256[PUBLIC_SIGNALS] memory pub;
        assembly ("memory-safe") {
            calldatacopy(pub, signals.offset, mul(SIGNALS, 0x20))
        }
        // The circuit's last public input: a proof made for one address verifies for no other.
        pub[SIGNALS] = uint256(uint160(prover));
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) =
            abi.decode(proof, (uint256[2], uint256[2][2], uint256[2]));
        // Cheap checks first: G1 points on the curve, G2 coordinates in the field (the pairing checks the rest).
        if (!_onCurveG1(a) || !_onCurveG1(c)) return false;
        if (b[0][0] >= BASE_FIELD || b[0][1] >= BASE_FIELD || b[1][0] >= BASE_FIELD || b[1][1] >= BASE_FIELD) return false;
        uint256 needed = (VERIFY_GAS * 64) / 63 + 5_000;
        if (gasleft() < needed) revert InferenceVerifierInsufficientGas(needed, gasleft());
        try this.verifyProof{gas: VERIFY_GAS}(a, b, c, pub) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    /// @dev Unpacks verified signals: the slot-major outputs, and each slot's input hashed where it was unpacked.
    function _decode(uint256[] calldata signals)
        private
        pure
        returns (bytes32[] memory inputHashes, int256[] memory outputs)
    {
        outputs = new int256[](BATCH * OUTPUT_LENGTH);
        Cursor memory cursor = Cursor(0, 0, 0);
        _unpack(signals, cursor, outputs, OUTPUT_MIN, OUTPUT_WIDTH, OUTPUT_PER_SIGNAL);
        inputHashes = new bytes32[](BATCH);
        int256[] memory input = new int256[](INPUT_LENGTH);
        cursor = Cursor(INPUT_FIRST, 0, 0);
        for (uint256 slot = 0; slot < BATCH; ++slot) {
            _unpack(signals, cursor, input, INPUT_MIN, INPUT_WIDTH, INPUT_PER_SIGNAL);
            bytes32 h;
            assembly ("memory-safe") {
                h := keccak256(add(input, 0x20), mul(INPUT_LENGTH, 0x20))
            }
            inputHashes[slot] = h;
        }
    }

    /// @dev y^2 = x^3 + 3 over the base field, coordinates reduced.
    function _onCurveG1(uint256[2] memory p) private pure returns (bool) {
        uint256 x = p[0];
        uint256 y = p[1];
        if (x >= BASE_FIELD || y >= BASE_FIELD) return false;
        return mulmod(y, y, BASE_FIELD) == addmod(mulmod(mulmod(x, x, BASE_FIELD), x, BASE_FIELD), 3, BASE_FIELD);
    }

    /// @dev Fills \`values\` with the next values of the packed signals (value = min + \`width\` bits, \`perSignal\` per
    /// signal, lowest bits first), from where \`cursor\` stands, and moves the cursor on. The caller sizes the reads:
    /// the signal count is checked, and the layout never reads past the last signal.
    function _unpack(
        uint256[] calldata signals,
        Cursor memory cursor,
        int256[] memory values,
        int256 min,
        uint256 width,
        uint256 perSignal
    ) private pure {
        assembly ("memory-safe") {
            let next := mload(cursor)
            let word := mload(add(cursor, 0x20))
            let left := mload(add(cursor, 0x40))
            let mask := sub(shl(width, 1), 1)
            let p := add(values, 0x20)
            let end := add(p, shl(5, mload(values)))
            // A loop per signal, and in it a branch-free loop over its values (about half the gas of a branch per value).
            for {} lt(p, end) {} {
                if iszero(left) {
                    word := calldataload(add(signals.offset, shl(5, next)))
                    next := add(next, 1)
                    left := perSignal
                }
                let n := shr(5, sub(end, p))
                if lt(left, n) { n := left }
                left := sub(left, n)
                for { let last := add(p, shl(5, n)) } lt(p, last) { p := add(p, 0x20) } {
                    mstore(p, add(and(word, mask), min))
                    word := shr(width, word)
                }
            }
            mstore(cursor, next)
            mstore(add(cursor, 0x20), word)
            mstore(add(cursor, 0x40), left)
        }
    }
}
`;
}
