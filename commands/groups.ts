import type { Command } from 'commander';

/**
 * The verbs of `vai`, named and described here without loading them: `vai --help` lists them from this table,
 * and a command line loads only the module of the verb it names (the model, proof and chain libraries take
 * most of a second to load together).
 */
export type CommandGroup = { name: string; description: string; load: () => Promise<Command> };

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    name: 'model',
    description: 'canonical integer models: train, import, build, run, eval, test vectors',
    load: async () => (await import('./model.js')).modelCommand(),
  },
  {
    name: 'zk',
    description: 'zero-knowledge proofs of inference (Groth16)',
    load: async () => (await import('./zk.js')).zkCommand(),
  },
  {
    name: 'node',
    description: 'run the operator node',
    load: async () => (await import('./node.js')).nodeCommand(),
  },
  {
    name: 'gov',
    description: 'governance: Safe proposals scheduled on the timelock, signatures, execution, status',
    load: async () => (await import('./gov.js')).govCommand(),
  },
  {
    name: 'request',
    description: 'send an inference request to the local network (or any network described by --network)',
    load: async () => (await import('./request.js')).requestCommand(),
  },
];

/** The description of a group, for its module (one text for both the list and the group's own help). */
export function describe(name: string): string {
  const group = COMMAND_GROUPS.find((g) => g.name === name);
  if (!group) throw new Error(`unknown command group ${name}`);
  return group.description;
}
