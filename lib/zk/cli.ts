import { Command, Option } from 'commander';
import { getAddress } from 'ethers';
import { z } from 'zod';
import { quantizeAll, readModelDir } from '../semantics/index.js';
import { runAction } from '../cli/output.js';
import { releaseCurve } from './curve.js';
import { ProverAddressError, ZkError } from './errors.js';
import { proverSignal } from './layout.js';
import { readProofFile, toProofFile, writeProofFile } from './proof-file.js';
import { proveInference, verifyInference } from './prove.js';
import { closeSharedProver } from './prover.js';
import { setupModel } from './setup.js';
import { ARTIFACTS, zkDir } from './paths.js';

/** A user error of a zk command: bad flags or input (the message is the whole story). */
export class ZkCliError extends ZkError {
  override name = 'ZkCliError';
}

type Io = { out(line: string): void };
const stdoutIo: Io = { out: (line) => process.stdout.write(`${line}\n`) };

const inputSchema = z.array(z.union([z.number(), z.string()]));

/**
 * Parses `--input`: a JSON array. With `--int` the values are already quantized integers (numbers or
 * decimal strings); without it they are real feature values, quantized with the model's scale.
 */
export function parseInputFlag(text: string, isInt: boolean, scaleBits: number): bigint[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ZkCliError('[Param: input] is not JSON: pass a JSON array such as \'[0, 4, 16]\'.');
  }
  const parsed = inputSchema.safeParse(json);
  if (!parsed.success) throw new ZkCliError('[Param: input] must be a JSON array of numbers.');
  if (isInt) {
    return parsed.data.map((v, i) => {
      const s = String(v);
      if (!/^-?\d+$/.test(s)) throw new ZkCliError(`[Param: input] value ${s} at index ${i} is not an integer (drop --int to quantize real values).`);
      return BigInt(s);
    });
  }
  return quantizeAll(parsed.data.map(Number), scaleBits);
}

/**
 * Parses `--prover`: the address that will submit the proof (the oracle checks the proof against its
 * `msg.sender`). Returns it checksummed.
 */
export function parseProverFlag(text: string): string {
  try {
    proverSignal(text);
  } catch (err) {
    if (err instanceof ProverAddressError)
      throw new ZkCliError(`[Param: prover] ${JSON.stringify(text)} is not an address: pass the address that will submit the proof (0x and 40 hex digits).`);
    throw err;
  }
  return getAddress(text);
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

export async function runSetup(dir: string, opts: { ptau?: string; json?: boolean }, io: Io = stdoutIo): Promise<void> {
  const r = await setupModel(dir, { ptau: opts.ptau });
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, modelHash: r.modelHash, constraints: r.constraints, wires: r.wires, nPublic: r.nPublic, power: r.power, ptau: r.ptau, timings: r.timings, files: r.files }));
    return;
  }
  io.out(`model      ${r.name} ${r.modelHash}`);
  io.out(`circuit    ${r.constraints} constraints, ${r.wires} wires, ${r.nPublic} public signals`);
  io.out(`ptau       power ${r.power} ${r.ptau.local ? '(generated locally: development only, use --ptau <ceremony file> in production)' : r.ptau.path}`);
  io.out(`timings    compile ${ms(r.timings.compileMs)}, ptau ${ms(r.timings.ptauMs)}, groth16 set-up ${ms(r.timings.zkeyMs)}, total ${ms(r.timings.totalMs)}`);
  io.out(`artifacts  ${zkDir(r.modelDir)} (${Object.values(ARTIFACTS).join(', ')})`);
  io.out(`next       vai zk prove ${dir} --input '[...]' --int --prover <submitting address> --out proof.json`);
}

export async function runProve(dir: string, opts: { input: string; int?: boolean; prover: string; out: string; json?: boolean }, io: Io = stdoutIo): Promise<void> {
  const prover = parseProverFlag(opts.prover);
  const { model } = await readModelDir(dir);
  const input = parseInputFlag(opts.input, opts.int ?? false, model.scaleBits);
  const p = await proveInference(dir, input, prover);
  await writeProofFile(opts.out, p);
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, out: opts.out, ...toProofFile(p), timings: p.timings }));
    return;
  }
  io.out(`output     [${p.output.join(', ')}]`);
  io.out(`prover     ${p.prover} (the proof verifies only in a transaction from this address)`);
  io.out(`proof      ${opts.out} (witness ${ms(p.timings.witnessMs)}, prove ${ms(p.timings.proveMs)}, total ${ms(p.timings.totalMs)})`);
  io.out(`next       vai zk verify ${dir} --proof ${opts.out}`);
}

/**
 * Exit code 1 when the proof does not verify. The prover is the proof file's unless `--prover` names another
 * submitter (a proof verifies only for the address it was made for).
 */
export async function runVerify(dir: string, opts: { proof: string; prover?: string; json?: boolean }, io: Io = stdoutIo): Promise<boolean> {
  const asked = opts.prover === undefined ? undefined : parseProverFlag(opts.prover);
  const { file, input, output, prover, proof } = await readProofFile(opts.proof);
  const submitter = asked ?? prover;
  const { manifest } = await readModelDir(dir);
  const result =
    file.modelHash !== manifest.modelHash
      ? { valid: false, reason: `the proof is for model ${file.modelHash}, not ${manifest.modelHash}` }
      : await verifyInference(dir, { input, output, prover: submitter, proof });
  if (opts.json)
    io.out(JSON.stringify({ ok: result.valid, valid: result.valid, modelHash: manifest.modelHash, output: file.output, prover: submitter, ...(result.reason ? { reason: result.reason } : {}) }));
  else io.out(result.valid ? `valid      output [${file.output.join(', ')}] for model ${manifest.modelHash}, prover ${submitter}` : `invalid    ${result.reason ?? ''}`);
  return result.valid;
}

async function finish(): Promise<void> {
  await closeSharedProver();
  await releaseCurve();
}

/**
 * Wraps an action with the CLI's convention (lib/cli/output.ts): on error one line `error: <reason>` on
 * stderr (and `{ "error": { name, message } }` on stdout with --json), exit code 1; then stops the prover
 * worker and snarkjs' threads so the process can exit.
 */
function action<A extends unknown[]>(fn: (...args: A) => Promise<boolean | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const opts = args.find((a): a is { json?: boolean } => typeof a === 'object' && a !== null && !(a instanceof Command));
    try {
      await runAction({ json: opts?.json ?? false }, async () => {
        if ((await fn(...args)) === false) process.exitCode = 1;
      });
    } finally {
      await finish();
    }
  };
}

/** Registers `zk setup | prove | verify` on a commander program (the `vai` binary calls this). */
export function registerZkCommands(program: Command): Command {
  const zk = program.command('zk').description('zero-knowledge proofs of inference (Groth16)');
  zk.command('setup')
    .description('write and compile the model circuit, run the Groth16 set-up, export keys and the Solidity verifier')
    .argument('<dir>', 'model directory (with model.json)')
    .option('--ptau <file>', 'phase-2-prepared powers-of-tau file of a public ceremony (production); default: generated locally')
    .option('--json', 'print one JSON object')
    .action(action((dir: string, opts: { ptau?: string; json?: boolean }) => runSetup(dir, opts)));
  zk.command('prove')
    .description('prove that the model maps an input to its output')
    .argument('<dir>', 'model directory (after zk setup)')
    .requiredOption('--input <json>', 'input as a JSON array (real values, quantized with the model scale; see --int)')
    .option('--int', 'the input values are already quantized integers')
    .requiredOption('--prover <address>', 'the address that will submit the proof: it verifies on chain only in a transaction from it')
    .addOption(new Option('--out <file>', 'proof file to write').default('proof.json'))
    .option('--json', 'print one JSON object')
    .action(action((dir: string, opts: { input: string; int?: boolean; prover: string; out: string; json?: boolean }) => runProve(dir, opts)));
  zk.command('verify')
    .description('verify a proof file against the model (exit code 1 when invalid)')
    .argument('<dir>', 'model directory (after zk setup)')
    .addOption(new Option('--proof <file>', 'proof file').default('proof.json'))
    .option('--prover <address>', "verify for this submitter instead of the proof file's prover")
    .option('--json', 'print one JSON object')
    .action(action((dir: string, opts: { proof: string; prover?: string; json?: boolean }) => runVerify(dir, opts)));
  return program;
}
