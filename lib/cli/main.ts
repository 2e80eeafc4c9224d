import { Command } from 'commander';
import { VAI_VERSION } from '../model/version.js';
import { registerNodeCommand } from '../../adapter/cli.js';
import { registerGovCommands } from '../gov/cli.js';
import { registerZkCommands } from '../zk/cli.js';
import { modelCommand } from './model.js';
import { requestCommand } from './request.js';

/** The `vai` command line: one verb group per pipeline stage. */
export function createProgram(): Command {
  const program = new Command('vai')
    .description('verifiable AI inference for smart contracts')
    .version(VAI_VERSION)
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(modelCommand());
  registerZkCommands(program);
  registerNodeCommand(program);
  registerGovCommands(program);
  program.addCommand(requestCommand());
  return program;
}

await createProgram().parseAsync(process.argv);
