import { Command } from 'commander';
import { registerGovCommands } from './cli.js';

/** Standalone entry (`node --import tsx lib/gov/main.ts gov …`) until `vai`'s createProgram() includes `gov`. */
const program = registerGovCommands(new Command('vai').description('verifiable AI inference for smart contracts'));
await program.parseAsync(process.argv);
