import type { Command } from 'commander';
import { DESCRIPTIONS, type GroupName } from './descriptions.js';

/**
 * The verbs of `vai`, named and described here without loading them: `vai --help` lists them from this table,
 * and a command line loads only the module of the verb it names (the model, proof and chain libraries take
 * most of a second to load together).
 */
export type CommandGroup = { name: GroupName; description: string; load: () => Promise<Command> };

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    name: 'model',
    description: DESCRIPTIONS.model,
    load: async () => (await import('./model.js')).modelCommand(),
  },
  {
    name: 'zk',
    description: DESCRIPTIONS.zk,
    load: async () => (await import('./zk.js')).zkCommand(),
  },
  {
    name: 'node',
    description: DESCRIPTIONS.node,
    load: async () => (await import('./node.js')).nodeCommand(),
  },
  {
    name: 'gov',
    description: DESCRIPTIONS.gov,
    load: async () => (await import('./gov.js')).govCommand(),
  },
  {
    name: 'request',
    description: DESCRIPTIONS.request,
    load: async () => (await import('./request.js')).requestCommand(),
  },
];
