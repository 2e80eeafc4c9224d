/**
 * A minimal entry that runs the `zk` commands until they are wired into the `vai` binary:
 *   node --import tsx lib/cli/zk-main.ts zk setup <dir>
 */
import { Command } from 'commander';
import { registerZkCommands } from '../zk/cli.js';

const program = new Command('vai').exitOverride((err) => {
  process.exit(err.exitCode);
});
registerZkCommands(program);
await program.parseAsync(process.argv);
