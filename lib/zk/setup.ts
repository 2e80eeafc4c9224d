import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as snarkjs from 'snarkjs';
import { readModelDir } from '../semantics/index.js';
import { generateBatchCircuit, generateCircuit } from './circuit.js';
import { circomVersion, compileCircuit } from './compile.js';
import { releaseCurve } from './curve.js';
import { ZkSetupError } from './errors.js';
import { circuitLayout, type CircuitLayout } from './layout.js';
import { snarkLogger, zkLog } from './log.js';
import { CIRCUIT_BUILD_DIR, packageDir, ptauCacheDir, zkDir } from './paths.js';
import { ensureLocalPtau, requiredPower } from './ptau.js';
import { artifactPaths, ZK_SETTINGS_FORMAT, type ZkSettings } from './settings.js';
import {
  batchVerifierNames,
  exportGroth16Verifier,
  generateBatchVerifierSource,
  generateCommittedVerifierSource,
  generateVerifierSource,
  verifierNames,
  type VerifierNames,
} from './solidity.js';

export type SetupOptions = {
  /** A phase-2-prepared powers-of-tau file from a public ceremony; without it one is generated locally. */
  ptau?: string | undefined;
  /** Contract names for the generated verifier (default: from the model name). */
  names?: VerifierNames | undefined;
  /** The command that regenerates the verifier, written into its header. */
  regenerate?: string | undefined;
  /**
   * Set up the batch circuit of this many inferences per proof (docs/ZK.md, "Batches") into `<modelDir>/zk/batch-<K>/`,
   * with an IBatchInferenceVerifier; absent: the model's single circuit.
   */
  batch?: number | undefined;
};

export type SetupResult = ZkSettings & { modelDir: string; files: ReturnType<typeof artifactPaths> };

async function snarkjsVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageDir('snarkjs'), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * `vai zk setup`: writes the model's circuit, compiles it, runs the Groth16 set-up (one local phase-2
 * contribution), and writes into `<modelDir>/zk/`: the wasm witness generator, r1cs, sym, proving key,
 * verification key, the Solidity verifier and `zk.json` (versions, hashes, sizes, timings).
 */
export async function setupModel(modelDirArg: string, opts: SetupOptions = {}): Promise<SetupResult> {
  const modelDir = resolve(modelDirArg);
  const t0 = Date.now();
  const { manifest, model } = await readModelDir(modelDir);
  const batch = opts.batch;
  const layout = circuitLayout(manifest, model, batch ?? 1);
  const source = batch === undefined ? generateCircuit(model, layout) : generateBatchCircuit(model, layout);
  return setupCircuit({ modelDir, modelDirArg, name: manifest.name, layout, source, startedAt: t0 }, opts);
}

/** What {@link setupCircuit} needs besides the options: the circuit's source and public layout. */
export type CircuitSetupInput = {
  modelDir: string;
  /** The directory as the user named it, for the verifier's "regenerate with" line. */
  modelDirArg: string;
  name: string;
  layout: CircuitLayout;
  source: string;
  startedAt: number;
};

/**
 * Compiles a generated circuit and runs its Groth16 set-up into `<modelDir>/zk/` (or `zk/batch-<K>/`): the steps
 * that chain models and graphs share.
 */
export async function setupCircuit(input: CircuitSetupInput, opts: SetupOptions = {}): Promise<SetupResult> {
  const { modelDir, modelDirArg, layout } = input;
  const t0 = input.startedAt;
  const batch = opts.batch;
  const manifest = { name: input.name, modelHash: layout.modelHash };
  const buildDir = join(CIRCUIT_BUILD_DIR, manifest.modelHash.slice(2, 18));
  await mkdir(buildDir, { recursive: true });
  const circuitPath = join(buildDir, batch === undefined ? 'model.circom' : `batch${batch}.circom`);
  await writeFile(circuitPath, input.source);
  // --O1, not --O2: --O2 would substitute each accumulator (a linear combination of every input bit: 7,056
  // terms for MNIST) into the rescale's bit constraints, making the R1CS dense (MNIST: 392 s set-up, 6.7 s
  // proofs). --O1 keeps one linear constraint per accumulator and per unpacked value instead.
  const compiled = await compileCircuit(circuitPath, { optimize: 'O1' });
  const info = await snarkjs.r1cs.info(compiled.r1cs);
  const power = requiredPower(info);
  zkLog.info({ model: manifest.name, constraints: info.nConstraints, power, compileMs: compiled.ms }, 'circuit compiled');

  const tPtau = Date.now();
  let ptauPath: string;
  if (opts.ptau) {
    ptauPath = resolve(opts.ptau);
    if (
      !(await stat(ptauPath).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      throw new ZkSetupError(`Powers-of-tau file ${ptauPath} does not exist.`);
  } else {
    ptauPath = (await ensureLocalPtau(power)).path;
  }
  const ptauMs = Date.now() - tPtau;

  const tZkey = Date.now();
  const files = artifactPaths(modelDir, batch);
  await mkdir(zkDir(modelDir, batch), { recursive: true });
  const zkey0 = join(buildDir, `${batch === undefined ? 'model' : `batch${batch}`}_0000.zkey`);
  const logger = snarkLogger();
  try {
    await snarkjs.zKey.newZKey(compiled.r1cs, ptauPath, zkey0, logger);
    // One phase-2 contribution with fresh local randomness (a zkey without any contribution has a known
    // delta). Production needs a multi-party phase 2: see docs/ZK.md.
    await snarkjs.zKey.contribute(zkey0, files.zkey, 'vai local phase 2', randomBytes(32).toString('hex'), logger);
  } catch (cause) {
    throw new ZkSetupError('Groth16 set-up failed.', {
      cause,
      details: (cause as Error).message,
      ...(opts.ptau ? { metaMessages: [`Is ${opts.ptau} a phase-2-prepared ceremony file of power >= ${power}?`] } : {}),
    });
  } finally {
    await rm(zkey0, { force: true });
  }
  const vkey = await snarkjs.zKey.exportVerificationKey(files.zkey, logger);
  const names = opts.names ?? (batch === undefined ? verifierNames(manifest.name) : batchVerifierNames(manifest.name, batch));
  const groth16Source = await exportGroth16Verifier(files.zkey, names.groth16);
  const zkeyMs = Date.now() - tZkey;
  await releaseCurve();

  await writeFile(files.vkey, `${JSON.stringify(vkey, null, 1)}\n`);
  const verifierSource = {
    layout,
    names,
    groth16Source,
    modelName: manifest.name,
    regenerate: opts.regenerate ?? `vai zk setup ${modelDirArg}${batch === undefined ? '' : ` --batch ${batch}`}`,
  };
  const verifierText =
    batch !== undefined
      ? generateBatchVerifierSource(verifierSource)
      : layout.inputHash === 'poseidon'
        ? generateCommittedVerifierSource(verifierSource)
        : generateVerifierSource(verifierSource);
  await writeFile(files.verifier, verifierText);
  await copyFile(compiled.wasm, files.wasm);
  await copyFile(compiled.r1cs, files.r1cs);
  await copyFile(compiled.sym, files.sym);

  const settings: ZkSettings = {
    format: ZK_SETTINGS_FORMAT,
    name: manifest.name,
    modelHash: manifest.modelHash,
    constraints: info.nConstraints,
    wires: info.nVars,
    nPublic: layout.nPublic,
    ...(batch === undefined ? {} : { batch }),
    ...(layout.inputHash === 'poseidon' ? { inputHash: layout.inputHash } : {}),
    power,
    // A file of the local cache was generated here (ensureLocalPtau), even when passed by path.
    ptau: { path: ptauPath, local: !opts.ptau || dirname(ptauPath) === ptauCacheDir() },
    contracts: names,
    versions: { circom: await circomVersion(), snarkjs: await snarkjsVersion() },
    timings: { compileMs: compiled.ms, ptauMs, zkeyMs, totalMs: Date.now() - t0 },
    createdAt: new Date().toISOString(),
  };
  await writeFile(files.settings, `${JSON.stringify(settings, null, 1)}\n`);
  zkLog.info({ model: manifest.name, ...settings.timings }, 'zk set-up done');
  return { ...settings, modelDir, files };
}
