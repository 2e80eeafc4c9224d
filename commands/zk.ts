import { Command, Option } from 'commander';
import { getAddress } from 'ethers';
import { parseInput, toJson } from '../lib/protocol/index.js';
import { readModelDir } from '../lib/semantics/index.js';
import { DESCRIPTIONS } from './descriptions.js';
import { runAction } from './output.js';
import { releaseCurve } from '../lib/zk/curve.js';
import { ProverAddressError, ZkError } from '../lib/zk/errors.js';
import { proverSignal } from '../lib/zk/layout.js';
import { readProofFile, toProofFile, writeProofFile } from '../lib/zk/proof-file.js';
import { closeSharedProver, sharedProver } from '../lib/zk/prover.js';
import { ARTIFACTS, zkDir } from '../lib/zk/paths.js';

/** A user error of a zk command: bad flags or input (the message is the whole story). */
export class ZkCliError extends ZkError {
  override name = 'ZkCliError';
}

type Io = { out(line: string): void };
const stdoutIo: Io = { out: (line) => process.stdout.write(`${line}\n`) };

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
  const { setupModel } = await import('../lib/zk/setup.js');
  const r = await setupModel(dir, { ptau: opts.ptau });
  if (opts.json) {
    io.out(
      toJson({
        ok: true,
        modelHash: r.modelHash,
        constraints: r.constraints,
        wires: r.wires,
        nPublic: r.nPublic,
        power: r.power,
        ptau: r.ptau,
        timings: r.timings,
        files: r.files,
      }),
    );
    return;
  }
  io.out(`model      ${r.name} ${r.modelHash}`);
  io.out(`circuit    ${r.constraints} constraints, ${r.wires} wires, ${r.nPublic} public signals`);
  io.out(`ptau       power ${r.power} ${r.ptau.local ? '(generated locally: development only, use --ptau <ceremony file> in production)' : r.ptau.path}`);
  io.out(`timings    compile ${ms(r.timings.compileMs)}, ptau ${ms(r.timings.ptauMs)}, groth16 set-up ${ms(r.timings.zkeyMs)}, total ${ms(r.timings.totalMs)}`);
  io.out(`artifacts  ${zkDir(r.modelDir)} (${Object.values(ARTIFACTS).join(', ')})`);
  io.out(`next       vai zk prove ${dir} --input '[...]' --int --prover <submitting address> --out proof.json`);
}

export async function runProve(
  dir: string,
  opts: { input: string; int?: boolean; prover: string; out: string; json?: boolean },
  io: Io = stdoutIo,
): Promise<void> {
  const prover = parseProverFlag(opts.prover);
  sharedProver().warm();
  // The proving path is loaded only now (with ethers and the circuit layout), while the worker starts.
  const { proveInference } = await import('../lib/zk/prove.js');
  const { model } = await readModelDir(dir);
  const input = parseInput(opts.input, model.scaleBits, { integers: opts.int ?? false });
  const p = await proveInference(dir, input, prover);
  await writeProofFile(opts.out, p);
  if (opts.json) {
    io.out(toJson({ ok: true, out: opts.out, ...toProofFile(p), timings: p.timings }));
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
  const { verifyInference } = await import('../lib/zk/prove.js');
  const submitter = asked ?? prover;
  const { manifest } = await readModelDir(dir);
  const result =
    file.modelHash !== manifest.modelHash
      ? { valid: false, reason: `the proof is for model ${file.modelHash}, not ${manifest.modelHash}` }
      : await verifyInference(dir, { input, output, prover: submitter, proof });
  if (opts.json)
    io.out(
      toJson({
        ok: result.valid,
        valid: result.valid,
        modelHash: manifest.modelHash,
        output: file.output,
        prover: submitter,
        ...(result.reason ? { reason: result.reason } : {}),
      }),
    );
  else
    io.out(
      result.valid ? `valid      output [${file.output.join(', ')}] for model ${manifest.modelHash}, prover ${submitter}` : `invalid    ${result.reason ?? ''}`,
    );
  return result.valid;
}

async function finish(): Promise<void> {
  await closeSharedProver();
  await releaseCurve();
}

/**
 * Runs a verb with the CLI's output convention (commands/output.ts), then stops the prover worker and
 * snarkjs' threads so that the process can exit.
 */
function action<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const opts = args.find((a): a is { json?: boolean } => typeof a === 'object' && a !== null && !(a instanceof Command));
    await runAction(
      { json: opts?.json ?? false },
      async () => {
        if ((await fn(...args)) === false) process.exitCode = 1;
      },
      finish,
    );
  };
}

/** `vai zk setup | prove | verify`. */
export function zkCommand(): Command {
  const zk = new Command('zk').description(DESCRIPTIONS.zk);
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
  return zk;
}
