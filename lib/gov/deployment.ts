import { readFile } from 'node:fs/promises';
import { getAddress, isAddress } from 'ethers';
import { z } from 'zod';
import { addressProblem } from './calls.js';
import { GovConfigError } from './errors.js';

const address = z
  .string()
  .refine((s) => isAddress(s), 'an address')
  .transform((s) => getAddress(s));

/** The file `script/DeployGovernance.s.sol` writes (`.vai/governance-<chainId>.json` by default). */
export const deploymentSchema = z.object({
  chainId: z.union([z.number(), z.string()]).transform((v) => BigInt(v)),
  safe: address,
  arbitrationSafe: address,
  timelock: address,
  registry: address,
  oracle: address,
  registryImplementation: address.optional(),
  oracleImplementation: address.optional(),
  guardian: address.optional(),
  minDelay: z
    .union([z.number(), z.string()])
    .transform((v) => BigInt(v))
    .optional(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

/** Where the deploy script writes the deployment of `chainId` unless told otherwise. */
export function defaultDeploymentPath(chainId: bigint): string {
  return `.vai/governance-${chainId}.json`;
}

export async function readDeployment(file: string): Promise<Deployment> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new GovConfigError(`Cannot read the deployment file ${file}.`, {
      metaMessages: [
        'Deploy with `npx forge script script/DeployGovernance.s.sol --broadcast …` (it writes this file),',
        'or pass --deployment <file>, or --safe and --timelock.',
      ],
      cause,
    });
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GovConfigError(`Invalid deployment file ${file}: [${issue?.path.join('.') ?? ''}] ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

/** Names accepted for `--target`: contracts of the deployment. */
export const TARGET_ALIASES = ['oracle', 'registry', 'timelock', 'safe', 'arbitrationSafe'] as const;

/** Resolves `--target`: an address, or a name from the deployment file. */
export function resolveTarget(target: string, deployment: Deployment | null): string {
  if (isAddress(target)) return getAddress(target);
  const alias = TARGET_ALIASES.find((a) => a === target);
  if (alias === undefined && /^0x/i.test(target)) throw new GovConfigError(`[Param: target] ${addressProblem(target)}.`);
  if (alias === undefined) {
    throw new GovConfigError(`[Param: target] ${target} is neither an address nor one of ${TARGET_ALIASES.join(', ')}.`);
  }
  if (deployment === null) {
    throw new GovConfigError(`[Param: target] '${target}' needs a deployment file (--deployment).`);
  }
  return deployment[alias];
}
