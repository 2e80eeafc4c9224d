#!/usr/bin/env node
// Runs the node without the rest of the `vai` CLI: `npx tsx adapter/main.ts node start --rpc … --key … …`.
import { Command } from 'commander';
import { VaiError } from '../lib/errors.js';
import { registerNodeCommand } from './cli.js';

const program = registerNodeCommand(new Command('vai-node').description('Verifiable AI inference operator node'));
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof VaiError ? err.message : err);
  process.exitCode = 1;
});
