import { getAddress, isAddress, isHexString } from 'ethers';
import { z } from 'zod';
import { addressProblem } from './calls.js';
import { GovConfigError } from './errors.js';
import type { Hex } from '../protocol/index.js';

/** The command-line options of `vai gov`, validated at the boundary (errors start with `[Param: name]`). */
const address = z
  .string()
  .superRefine((s, ctx) => {
    if (!isAddress(s)) ctx.addIssue({ code: 'custom', message: addressProblem(s) });
  })
  .transform((s) => getAddress(s));
const hex = z
  .string()
  .refine((s) => isHexString(s), 'must be 0x-prefixed hex')
  .transform((s) => s as Hex);
const bytes32 = z
  .string()
  .refine((s) => isHexString(s, 32), 'must be 32 bytes of hex')
  .transform((s) => s as Hex);
const uint = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative integer')
  .transform((s) => BigInt(s));

export const commonOptionsSchema = z.object({
  rpcUrl: z.string().url('must be a URL'),
  deployment: z.string().optional(),
  safe: address.optional(),
  timelock: address.optional(),
  json: z.boolean().default(false),
});
export type CommonOptions = z.infer<typeof commonOptionsSchema>;

export const keyOptionsSchema = commonOptionsSchema.extend({
  privateKey: z.string().optional(),
  buildInfo: z.string().optional(),
  forceUnchecked: z.boolean().default(false),
});
export type KeyOptions = z.infer<typeof keyOptionsSchema>;

export const proposeOptionsSchema = commonOptionsSchema
  .extend({
    target: z.string().optional(),
    function: z.string().optional(),
    args: z.string().optional(),
    calldata: hex.optional(),
    upgrade: address.optional(),
    initCalldata: hex.default('0x'),
    value: uint.default(0n),
    salt: bytes32.optional(),
    predecessor: bytes32.optional(),
    delay: uint.optional(),
    cancel: bytes32.optional(),
    direct: z.boolean().default(false),
    description: z.string().default(''),
    out: z.string().optional(),
    buildInfo: z.string().optional(),
    forceUnchecked: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.cancel !== undefined) {
      if (o.target !== undefined || o.direct) ctx.addIssue({ code: 'custom', path: ['cancel'], message: 'cannot be combined with --target or --direct' });
      return;
    }
    if (o.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'is required (or --cancel <operationId>)' });
    const ways = [o.function, o.calldata, o.upgrade].filter((v) => v !== undefined).length;
    if (ways !== 1) ctx.addIssue({ code: 'custom', path: ['function'], message: 'give exactly one of --function (with --args), --calldata, --upgrade' });
    if (o.args !== undefined && o.function === undefined) ctx.addIssue({ code: 'custom', path: ['args'], message: 'only goes with --function' });
  });
export type ProposeOptions = z.infer<typeof proposeOptionsSchema>;

export const statusOptionsSchema = commonOptionsSchema.extend({
  dir: z.string(),
  all: z.boolean().default(false),
  fromBlock: uint.transform((b) => Number(b)),
});
export type StatusOptions = z.infer<typeof statusOptionsSchema>;

/** `--target` of `pause` and `deploy-impl`: a name of the deployment or an address (resolved later). */
export const proposeTarget = z.string().min(1);

export const deployImplOptionsSchema = keyOptionsSchema.extend({
  contract: z.string().min(1),
  target: proposeTarget,
  paths: z.array(z.string()).min(1),
});

export const layoutOptionsSchema = z.object({
  contract: z.string().optional(),
  reference: z.string().optional(),
  buildInfo: z.string().optional(),
  paths: z.array(z.string()).min(1),
  json: z.boolean().default(false),
});

const KEBAB: Record<string, string> = {
  buildInfo: 'build-info',
  rpcUrl: 'rpc-url',
  initCalldata: 'init-calldata',
  fromBlock: 'from-block',
  privateKey: 'private-key',
  forceUnchecked: 'force-unchecked',
};

/** Parses commander's option object; the first problem becomes a `GovConfigError` naming the flag. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = String(issue?.path[0] ?? 'options');
  throw new GovConfigError(`[Param: ${KEBAB[key] ?? key}] ${issue?.message ?? 'invalid'}.`, { metaMessages: ['Run with --help for usage.'] });
}
