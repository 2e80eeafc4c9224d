import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { VaiError } from '../errors.js';
import { PROJECT_ROOT } from '../project.js';

/** Where `npm start` writes what scripts need to talk to the local network. */
export const LOCAL_NETWORK_FILE = join(PROJECT_ROOT, '.vai', 'local-network.json');

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

export const networkFileSchema = z.object({
  rpc: z.string().url(),
  chainId: z.number().int().positive(),
  startedAt: z.string(),
  contracts: z.record(z.string(), address),
  models: z.record(
    z.string(),
    z.object({ modelId: z.string().regex(/^\d+$/), modelHash: hex32, dir: z.string(), verifier: address.optional(), onChainWeights: z.boolean() }),
  ),
  apps: z.record(z.string(), address),
  accounts: z.record(z.string(), z.object({ address, key: hex32 })),
  nodes: z.array(z.object({ name: z.string(), address, http: z.string().url() })),
  /**
   * Who governs the local network, with the keys (anvil's public development keys, worthless elsewhere): the
   * governance Safe's owners and threshold, the pause guardian, and an executor (any funded account may execute).
   * `vai gov approve … --private-key <an owner's key>` and `vai gov pause --private-key <the guardian's key>` use them.
   */
  governance: z
    .object({
      safe: address,
      timelock: address,
      threshold: z.number().int().positive(),
      minDelay: z.number().int().nonnegative(),
      owners: z.array(z.object({ address, key: hex32 })),
      guardian: z.object({ address, key: hex32 }),
      executor: z.object({ address, key: hex32 }),
    })
    .optional(),
});

export type NetworkFile = z.infer<typeof networkFileSchema>;

export class NetworkFileError extends VaiError {
  override name = 'NetworkFileError';
}

export async function readNetworkFile(path = LOCAL_NETWORK_FILE): Promise<NetworkFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new NetworkFileError(`Cannot read ${path}.`, { cause, metaMessages: ['Start the local network first: npm start (or pass --network FILE).'] });
  }
  const parsed = networkFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new NetworkFileError(`${path} is not a local-network file: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return parsed.data;
}
