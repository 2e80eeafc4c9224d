/**
 * What each `vai` verb does, in one place: listed by `vai --help` without loading the verbs (commands/groups.ts),
 * and the first line of each verb's own help.
 */
export const DESCRIPTIONS = {
  model: 'canonical integer models: train, import, build, run, eval, test vectors',
  zk: 'zero-knowledge proofs of inference (Groth16)',
  node: 'run the operator node',
  gov: 'governance: Safe proposals scheduled on the timelock, signatures, execution, status',
  request: 'send an inference request to the local network (or any network described by --network)',
} as const;

export type GroupName = keyof typeof DESCRIPTIONS;
