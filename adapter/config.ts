import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NodeConfigError, UnsafeOptionError } from './errors.js';
import { redactUrl } from './redact.js';
import { Secret } from './secret.js';

export const ROLES = ['proposer', 'watcher', 'finalizer'] as const;
export type Role = (typeof ROLES)[number];

/** The env flag without which the test-only cheating option is refused. */
export const UNSAFE_TEST_ENV = 'VAI_UNSAFE_TEST_OPTIONS';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte hex address');
/** The order of secp256k1: a private key is in [1, n-1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privateKey = z
  .string()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'expected a 32-byte hex private key')
  .transform((k) => (k.startsWith('0x') ? k : `0x${k}`))
  // Checked here, not by ethers at start-up (where it would be a stack trace about a signing key).
  .refine((k) => BigInt(k) > 0n && BigInt(k) < SECP256K1_N, 'not a usable private key (zero, or not below the secp256k1 order)')
  .transform((k) => new Secret(k));
/** An HTTP(S) JSON-RPC URL (the provider speaks HTTP only); the message never quotes it (it may hold credentials). */
const rpcUrl = z
  .string()
  .refine((u) => URL.canParse(u), 'expected a URL, e.g. http://127.0.0.1:8545')
  .refine((u) => !URL.canParse(u) || ['http:', 'https:'].includes(new URL(u).protocol), 'expected an http:// or https:// URL');
const csv = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** The deployment file printed by `script/Deploy.s.sol` (only the fields the node reads). */
export const deploymentSchema = z
  .object({ oracle: address.optional(), InferenceOracle: address.optional(), inferenceOracle: address.optional() })
  .passthrough()
  .transform((d, ctx) => {
    const oracle = d.oracle ?? d.InferenceOracle ?? d.inferenceOracle;
    if (!oracle) {
      ctx.addIssue({ code: 'custom', message: 'the deployment file names no oracle address' });
      return z.NEVER;
    }
    return { oracle };
  });

/** Settings of the node: validated once at start-up; the private key is a {@link Secret}. */
export const nodeConfigSchema = z
  .object({
    rpc: rpcUrl,
    /** The chain the RPC must be on (none: any, logged). */
    chainId: z.coerce
      .bigint()
      .refine((v) => v > 0n, 'expected a positive chain id')
      .optional(),
    /** How long start-up waits for the RPC to answer before giving up. */
    startupTimeoutMs: int(100, 600_000).default(5000),
    key: privateKey,
    oracle: address.optional(),
    deployment: z.string().optional(),
    models: csv.pipe(z.array(z.string()).min(1, 'serve at least one model folder')),
    roles: csv.pipe(z.array(z.enum(ROLES)).min(1, 'enable at least one role')).default(['proposer', 'watcher', 'finalizer']),
    prove: z.boolean().default(false),
    /** Leave proving to `vai node prove-worker` processes that share the (PostgreSQL) database. */
    proveWorkers: z.boolean().default(false),
    confirmations: int(0, 1000).default(2),
    port: int(0, 65535).default(8080),
    host: z.string().default('127.0.0.1'),
    db: z.string().default('.vai/node.db'),
    log: z.enum(['pretty', 'json']).default(process.stdout.isTTY ? 'pretty' : 'json'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    pollIntervalMs: int(10, 600_000).default(1000),
    reorgDepth: int(0, 10_000).default(12),
    fromBlock: int(0).optional(),
    maxLogRange: int(1, 1_000_000).default(2000),
    txStuckAfterMs: int(100).default(30_000),
    feeBumpPercent: int(10, 1000).default(20),
    maxFeePerGasGwei: z.coerce.number().positive().optional(),
    concurrency: int(1, 1024).default(64),
    finalizeBatch: int(0, 64).default(8),
    finalizeGraceS: int(0, 86_400).default(12),
    batchWaitBlocks: int(0, 10_000).default(2),
    blockTimeS: int(1, 3600).default(12),
    // The oracle's MAX_CALLBACK_GAS_LIMIT is 5,000,000.
    maxCallbackGas: int(0, 5_000_000).default(500_000),
    inferenceTimeoutMs: int(1).default(10_000),
    proveTimeoutMs: int(1).default(600_000),
    bodyLimit: z.string().default('64kb'),
    unsafeCorruptOutputForTests: z.boolean().default(false),
  })
  .transform((c, ctx) => {
    let oracle = c.oracle;
    if (!oracle && c.deployment) {
      try {
        oracle = deploymentSchema.parse(JSON.parse(readFileSync(c.deployment, 'utf8'))).oracle;
      } catch (cause) {
        ctx.addIssue({ code: 'custom', path: ['deployment'], message: `cannot read ${c.deployment}: ${(cause as Error).message}` });
        return z.NEVER;
      }
    }
    if (!oracle) {
      ctx.addIssue({ code: 'custom', path: ['oracle'], message: 'pass --oracle ADDRESS or --deployment FILE' });
      return z.NEVER;
    }
    if (c.proveWorkers && !/^postgres(ql)?:\/\//i.test(c.db)) {
      ctx.addIssue({ code: 'custom', path: ['proveWorkers'], message: 'prove workers share a PostgreSQL database: pass --db postgres://…' });
      return z.NEVER;
    }
    const { deployment: _deployment, ...rest } = c;
    return { ...rest, oracle };
  });

export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
export type NodeConfig = z.output<typeof nodeConfigSchema>;

/**
 * Validates raw settings (CLI options, a file, the environment) into a {@link NodeConfig}.
 * Throws {@link NodeConfigError} whose message names the first bad setting as `[Param: name]`, and
 * {@link UnsafeOptionError} for the test-only cheating option unless `VAI_UNSAFE_TEST_OPTIONS=1`.
 */
export function parseNodeConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const parsed = nodeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `[Param: ${i.path.join('.') || '(root)'}] ${i.message}`);
    throw new NodeConfigError(lines[0] ?? 'Invalid node settings.', { metaMessages: lines.slice(1) });
  }
  if (parsed.data.unsafeCorruptOutputForTests && env[UNSAFE_TEST_ENV] !== '1')
    throw new UnsafeOptionError('--unsafe-corrupt-output-for-tests', UNSAFE_TEST_ENV);
  return parsed.data;
}

/** The settings as they may be logged: the secret stays a `[secret]`, the RPC URL is cut to `scheme://host[:port]`. */
export function describeConfig(config: NodeConfig): Record<string, unknown> {
  const { chainId, ...rest } = config;
  return {
    ...(JSON.parse(JSON.stringify(rest)) as Record<string, unknown>),
    rpc: redactUrl(config.rpc),
    // A PostgreSQL URL may carry a password.
    db: /^postgres(ql)?:\/\//i.test(config.db) ? redactUrl(config.db) : config.db,
    ...(chainId ? { chainId: chainId.toString() } : {}),
  };
}
