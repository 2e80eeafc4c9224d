import { Command, Option } from 'commander';
import { releaseCurve } from '../lib/zk/curve.js';
import { closeSharedProver, sharedProver } from '../lib/zk/prover.js';
import { DESCRIPTIONS } from './descriptions.js';
import { runAction } from './output.js';

async function finish(): Promise<void> {
  await closeSharedProver();
  await releaseCurve();
}

/**
 * Runs a verb with the CLI's output convention (commands/output.ts), then stops the prover worker and
 * snarkjs' threads so that the process can exit. A verb that returns `false` exits with status 1.
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

const actions = () => import('./zk-actions.js');

/** `vai zk setup | prove | verify`. */
export function zkCommand(): Command {
  const zk = new Command('zk').description(DESCRIPTIONS.zk);
  zk.command('setup')
    .description('write and compile the model circuit, run the Groth16 set-up, export keys and the Solidity verifier')
    .argument('<dir>', 'model directory (with model.json)')
    .option('--ptau <file>', 'phase-2-prepared powers-of-tau file of a public ceremony (production); default: generated locally')
    .option('--batch <k>', 'set up the batch circuit proving K inferences at once (1, 4, 16, …) into <dir>/zk/batch-<K>/, with its batch verifier')
    .option('--json', 'print one JSON object')
    .action(action(async (dir: string, opts: { ptau?: string; batch?: string; json?: boolean }) => (await actions()).runSetup(dir, opts)));
  zk.command('prove')
    .description('prove that the model maps an input to its output')
    .argument('<dir>', 'model directory (after zk setup)')
    .requiredOption('--input <json>', 'input as a JSON array (real values, quantized with the model scale; see --int); with --batch an array of 1 to K inputs')
    .option('--int', 'the input values are already quantized integers')
    .option('--batch <k>', 'prove several inputs at once with the batch set-up of K (vai zk setup --batch K); fewer than K are padded')
    .requiredOption('--prover <address>', 'the address that will submit the proof: it verifies on chain only in a transaction from it')
    .addOption(new Option('--out <file>', 'proof file to write').default('proof.json'))
    .option('--json', 'print one JSON object')
    .action(
      action(async (dir: string, opts: { input: string; int?: boolean; prover: string; out: string; batch?: string; json?: boolean }) => {
        // The worker loads snarkjs and builds the curve while this thread loads the rest (about 0.4 s saved).
        sharedProver().warm();
        return (await actions()).runProve(dir, opts);
      }),
    );
  zk.command('verify')
    .description('verify a proof file against the model (exit code 1 when invalid)')
    .argument('<dir>', 'model directory (after zk setup)')
    .addOption(new Option('--proof <file>', 'proof file').default('proof.json'))
    .option('--prover <address>', "verify for this submitter instead of the proof file's prover")
    .option('--json', 'print one JSON object')
    .action(action(async (dir: string, opts: { proof: string; prover?: string; json?: boolean }) => (await actions()).runVerify(dir, opts)));
  return zk;
}
