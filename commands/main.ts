import { Command } from 'commander';
import { VAI_VERSION } from '../lib/model/version.js';
import { COMMAND_GROUPS } from './groups.js';

/**
 * The `vai` command line. Only the verb named on the command line is loaded; without one (`vai --help`,
 * `vai --version`), each verb is listed from its description.
 */
export async function createProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('vai')
    .description('verifiable AI inference for smart contracts')
    .version(VAI_VERSION)
    .showHelpAfterError('(run with --help for usage)');
  const [first, second] = argv;
  const named = COMMAND_GROUPS.find((g) => g.name === (first === 'help' ? second : first));
  for (const group of COMMAND_GROUPS) {
    if (group === named) program.addCommand(await group.load());
    else program.command(group.name).description(group.description);
  }
  return program;
}

try {
  const program = await createProgram(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (err) {
  // Only a verb that cannot load reaches here (its actions report their own errors).
  const missingBindings = err instanceof Error && /typechain/.test(err.message);
  const reason = missingBindings
    ? 'the contract bindings are not generated yet (run `npm run gen:types`, or `npm start`, once)'
    : (await import('./output.js')).errorLine(err);
  process.stderr.write(`error: ${reason}\n`);
  process.exitCode = 1;
}
