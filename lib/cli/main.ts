import { Command } from 'commander';
import { VAI_VERSION } from '../model/version.js';
import { registerZkCommands } from '../zk/cli.js';
import { modelCommand } from './model.js';

/** The `vai` command line: one verb group per pipeline stage. */
export function createProgram(): Command {
  const program = new Command('vai')
    .description('verifiable AI inference for smart contracts')
    .version(VAI_VERSION)
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(modelCommand());
  registerZkCommands(program);
  return program;
}

await createProgram().parseAsync(process.argv);
